"""Slate's own middleware: refuse NUL characters, keep answers private."""

from django.shortcuts import render
from django.utils.cache import patch_cache_control

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
