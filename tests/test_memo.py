"""Kept partials (production/views/memo.py): the same HTML as a fresh render,
never an old one, and never another request's CSRF token."""

import datetime
from typing import NamedTuple

import pytest
from django.template import engines

from production.models import User
from production.views.memo import MemoPartial


class Row(NamedTuple):
    title: str
    due: datetime.date | None
    late: bool


class StringPartial(MemoPartial):
    """A kept partial whose template is written here, counting its renders."""

    def __init__(self, source: str, size: int = 4096):
        super().__init__("test", size=size)
        self.source = source
        self.renders = 0

    def template(self):
        self.renders += 1
        return engines["jinja2"].from_string(self.source)


ROW = (
    '<li class="{{ "late" if item.late }}">{{ item.title }} {{ item.due or "-" }}'
    '<input name="csrfmiddlewaretoken" value="{{ csrf_token }}">'
    '<a href="{{ next_url }}">back</a></li>'
)


def test_a_kept_render_is_the_fresh_one_with_this_requests_token():
    """The second render of an item is the first's HTML with its own token."""
    partial = StringPartial(ROW)
    row = Row("Book <guest>", datetime.date(2026, 3, 2), True)
    first = partial.render(row, csrf_token="one", next_url="/b/?a=1&b=2")
    second = partial.render(row, csrf_token="t&o", next_url="/b/?a=1&b=2")
    assert partial.renders == 1
    assert first == (
        '<li class="late">Book &lt;guest&gt; 2026-03-02'
        '<input name="csrfmiddlewaretoken" value="one">'
        '<a href="/b/?a=1&amp;b=2">back</a></li>'
    )
    assert second == first.replace('value="one"', 'value="t&amp;o"')


def test_anything_the_item_shows_changing_renders_it_again():
    """An edited title, date or flag, or another page constant, is a new render."""
    partial = StringPartial(ROW)
    row = Row("Edit cut", datetime.date(2026, 3, 2), False)
    partial.render(row, csrf_token="x", next_url="/a/")
    assert "Edit cut v2" in partial.render(
        row._replace(title="Edit cut v2"), csrf_token="x", next_url="/a/"
    )
    assert 'class="late"' in partial.render(
        row._replace(late=True), csrf_token="x", next_url="/a/"
    )
    assert 'href="/b/"' in partial.render(row, csrf_token="x", next_url="/b/")
    assert partial.renders == 4


def test_the_oldest_renders_go_when_the_partial_is_full():
    """A partial keeps at most its size of renders."""
    partial = StringPartial("{{ item }}", size=3)
    for number in range(5):
        partial.render(number)
    assert len(partial) == 3
    partial.render(4)
    assert partial.renders == 5
    partial.render(0)
    assert partial.renders == 6


def test_a_model_instance_in_a_key_is_refused():
    """A row hashes by its id alone, so its edited values would find old HTML."""
    partial = StringPartial("{{ item }}")
    user = User(pk=1, username="ap")
    with pytest.raises(TypeError, match="model instance"):
        partial.render((user, "x"))
    with pytest.raises(TypeError, match="list"):
        partial.render(("x", ["y"]))
