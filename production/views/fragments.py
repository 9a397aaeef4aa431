"""Page or fragment: what every view that answers htmx with a partial asks,
and how an htmx request is answered when it goes wrong.

The protocol, with static/slate/slate.js: a 400 or 409 answer to htmx is a
fragment shown where it belongs (a form with its errors, or the page's
messages out of band); a 403 or 404 is Slate's error page, whose sentence
(`.error-message`) slate.js shows in the page's messages.
"""

from django.shortcuts import render
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django_htmx.http import reswap


def wants_fragment(request) -> bool:
    """An htmx request for a region of the page.

    A boosted link, or htmx restoring history it had no copy of, wants the
    whole page, like a plain request.
    """
    return bool(request.htmx) and not (
        request.htmx.boosted or request.htmx.history_restore_request
    )


def jinja_partial(template_name: str, context: dict) -> SafeString:
    """A partial of templates/jinja2/ (the hot ones: the board's cards, the
    task list's rows), as HTML a Django template shows as it is."""
    template = engines["jinja2"].get_template(template_name)
    return mark_safe(template.render(context))  # noqa: S308 - Jinja2 escaped it


def messages_answer(request, *, status: int):
    """For htmx: the request's messages, put in the page's own list, and
    nothing else swapped. How a form that swaps nothing (a board card's
    moves) hears how it went."""
    response = render(request, "_messages.html", {"oob": True}, status=status)
    return reswap(response, "none")
