"""Jinja2 partials rendered once per distinct input and kept per process.

A board, a task list or my work shows dozens of items, and rendering each
costs more than the queries that found them. Most of them are the same from
one request to the next (the board a poll refetches after one card moved),
so the HTML of an item is kept under a key made of everything it shows: two
equal keys render the same HTML, nothing is ever stale and nothing needs
clearing when data changes. Each app server keeps its own; none is shared.

The key is the item itself: a hashable value of plain parts (str, int,
bool, date, None, tuples and NamedTuples of them) that the partial reads as
`item`. Model instances are refused: they hash by id alone, so an edited
row would find its old HTML. What changes on every request (the CSRF token)
is rendered as a marker and put in afterwards, so it never enters a key.
"""

import datetime
import threading
from decimal import Decimal

from django.db.models import Model
from django.template import engines
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PLAIN = (str, int, float, bool, Decimal, datetime.date, datetime.time, type(None))
# Stand-ins for the per-request values; a NUL is never in rendered text.
MARKERS = {"csrf_token": "\0csrf\0"}


class MemoPartial:
    """One partial of templates/jinja2/ with its kept renders, at most
    `size` of them (the oldest go first)."""

    def __init__(self, template_name: str, *, size: int = 4096):
        self.template_name = template_name
        self.size = size
        self._kept: dict = {}
        self._lock = threading.Lock()

    def render(self, item, **context) -> SafeString:
        """The partial for `item`, with `context` (constants of the page,
        and per-request values named in MARKERS) beside it."""
        request_values = {
            name: context.pop(name) for name in MARKERS if name in context
        }
        key = (item, tuple(sorted(context.items())))
        html = self._kept.get(key)
        if html is None:
            html = self._render(key, item, context)
        for name, value in request_values.items():
            html = html.replace(MARKERS[name], escape(value))
        return mark_safe(html)  # noqa: S308 - Jinja2 escaped it, and the values above

    def _render(self, key, item, context) -> str:
        _check_plain(key)
        html = self.template().render({**context, **MARKERS, "item": item})
        with self._lock:
            while len(self._kept) >= self.size:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = html
        return html

    def template(self):
        return engines["jinja2"].get_template(self.template_name)

    def __len__(self) -> int:
        return len(self._kept)


def _check_plain(value) -> None:
    """Refuse a key part whose equality does not cover what it shows."""
    if isinstance(value, PLAIN):
        return
    if isinstance(value, tuple):
        for part in value:
            _check_plain(part)
        return
    what = "a model instance" if isinstance(value, Model) else type(value).__name__
    raise TypeError(f"A kept partial's key holds {what}: use plain values.")
