"""Slate's own middleware: refuse NUL characters, keep answers private, answer
htmx with Slate's pages and send it to the login page as a whole page, and
read the session's user, and what a poll reads, with the session."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect

from production import sessions
from production.views import errors

NUL = "\x00"


def _has_nul(data) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values)
        for key, values in data.lists()
    )


class RefuseNulMiddleware:
    """A NUL character in a query string or form is a 400.

    No person types one, PostgreSQL refuses it in a text value (a 500 from
    deep inside a query), and SQLite would store it: refuse it at the door,
    for every view the admin's included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (
            request.method == "POST" and _has_nul(request.POST)
        ):
            # Rendered here, not raised: with DEBUG on, a raised BadRequest
            # would be Django's technical page instead of Slate's sentence.
            return render(
                request,
                "400.html",
                {"message": "A request may not contain a NUL character."},
                status=400,
            )
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Every answer Slate's views make is `Cache-Control: private`.

    Its pages name people, schedules and unaired stories, and even the login
    page carries a CSRF token: no shared cache (a proxy, a CDN) may keep one.
    Static files never get here: whitenoise answers them first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, private=True)
        return response


class HtmxNotFoundMiddleware:
    """An htmx request gets Slate's 404 page, DEBUG or not.

    With DEBUG on, Django answers a 404 with its technical page, which has
    no sentence for slate.js to show; a refusal must read the same under
    `make run` as in production. Without DEBUG this is Django's own answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and request.htmx:
            return errors.not_found(request, exception)
        return None


class HtmxLoginMiddleware:
    """An htmx request from someone whose session has ended goes to the login
    page as a whole page.

    login_required answers it with a redirect to the login page, which htmx
    would follow and swap into the region it meant to update. HX-Redirect
    has the browser load the login page itself; `next` is the page the
    person was on, as the request may be a POST-only action (a move).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.htmx
            and response.status_code == 302
            and not request.user.is_authenticated
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return response


def _user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = sessions.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with `request.user` the user read beside the session where
    it was (production/sessions.py): one round trip to the database fewer
    on every logged-in request."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))

    def process_view(self, request, view_func, view_args, view_kwargs):
        # What the view will read first, read in the session's query too (a
        # poll's marker: its one round trip, sessions.rows_for_user). Only
        # if the session is still unread: nothing before the view reads it.
        reads = getattr(view_func, "reads_with_session", None)
        session = request.session
        if (
            reads is not None
            and isinstance(session, sessions.SessionStore)
            and not hasattr(session, "_session_cache")
        ):
            session.riders = reads(request, *view_args, **view_kwargs)
