"""One masked CSRF token a request, shared by every form it renders.

Django masks the secret anew each time a token is asked for (get_token):
32 characters drawn one by one from the system's random source, some 34 µs
here. Its template context already shares one token across a render; a
task page also rendered its moves (two forms) and its comment form as
Jinja2 partials, each asking again. The same secret masked once serves
them all: the token differs from one response to the next, as Django's
defence against compression side channels wants.
"""

from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject, lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString


def token(request) -> str:
    """The request's masked token, made on first use; made again if the
    secret changed since (a login rotates it)."""
    kept = getattr(request, "_masked_csrf_token", None)
    secret = request.META.get("CSRF_COOKIE")
    if kept is not None and secret is not None and kept[0] == secret:
        return kept[1]
    masked = get_token(request)
    request._masked_csrf_token = (request.META.get("CSRF_COOKIE"), masked)
    return masked


def _input(request) -> SafeString:
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token(request)
    )


# Made once: lazy() builds a class each time it is called.
_lazy_input = lazy(_input, SafeString)


def tokens(request) -> dict:
    """A context processor for both template engines: `csrf_token` (and
    Jinja2's `csrf_input`) from the request's one token, in place of the
    engines' own, which mask it again for every render."""
    return {
        "csrf_token": SimpleLazyObject(lambda: token(request)),
        "csrf_input": _lazy_input(request),
    }
