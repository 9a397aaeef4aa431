"""The board's cards as HTML, written in Python.

A board renders dozens of cards on every load and after every move. In the
template language each card cost about 130 us (some forty variable and tag
nodes), a quarter of the board's server time at 5,000 tasks; written here,
with every value escaped as format_html would, a card costs a fifth of
that. The board's template keeps the page, the columns and the
Show more link; this module keeps only the card, and the view has already
decided everything it shows (its moves come from workflow.move_actions).
"""

import functools
import html

from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import slugify

from production.bookings import slot_end, slot_start

# _html() escapes the values, never the format string: only the markup
# below goes into a format string, and every value is an argument.
CARD = (
    '<li class="card priority-{priority}{overdue}" id="card-{key}">\n'
    '<h3 class="card-title"><a class="key" href="{url}"{autofocus}>{key}</a> {title}</h3>\n'
    '<dl class="card-meta"><dt>Kind</dt><dd class="badge kind-{kind}">{kind_label}</dd>'
    '<dt>Priority</dt><dd class="badge priority-{priority}">{priority_label}</dd>'
    "<dt>Assignee</dt><dd>{assignee}</dd>{due}\n{booking}</dl>\n{moves}\n</li>\n"
)
DUE = '<dt>Due</dt><dd class="due"><time datetime="{}">{}</time>{}</dd>'
OVERDUE_FLAG = mark_safe(' <span class="overdue-flag">overdue</span>')
SLOT = '<dt>Booking slot</dt><dd><time datetime="{}">{}</time>{} {}</dd>'
SLOT_END = '–<time datetime="{}">{}</time>'
BOOKING = (
    "{slot}<dt>Guest</dt><dd>{guest}</dd>{contact}{location}"
    '<dt>Confirmed</dt><dd class="badge">{confirmed}</dd>\n{conflicts}'
)
CONFLICTS = (
    '<dt>Conflict</dt><dd class="conflict"><strong>Conflict:</strong> overlaps {}</dd>'
)
MOVES = (
    '<form class="moves" method="post" action="{url}" hx-post="{url}" hx-swap="none">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="version" value="{version}">'
    '<input type="hidden" name="next" value="{next}">\n{buttons}</form>'
)
# A move that needs a note (request changes) links to the task page's form.
NOTE_LINK = '<a href="{}#{}" aria-label="{}: {}">{}</a>'
BUTTON = '<button name="to" value="{}" aria-label="{}: {}">{}</button>'
EMPTY = mark_safe('<li class="empty">No tasks</li>\n')


def _html(template: str, *args, **kwargs) -> SafeString:
    """format_html's rule (each value escaped unless already safe HTML) at a
    fraction of its cost: Django's escape() checks every argument for lazy
    strings, which adds up over a few hundred values a board."""
    return SafeString(
        template.format(
            *map(_escape, args), **{k: _escape(v) for k, v in kwargs.items()}
        )
    )


def _escape(value) -> str:
    return value if isinstance(value, SafeData) else html.escape(str(value))


@functools.cache
def _anchor(label: str) -> str:
    """The task page's id for a move's note form ("Request changes": request-changes)."""
    return slugify(label)


def cards_html(tasks, *, csrf_token: str, next_url: str, focus: bool = False):
    """A column's cards as one safe string; "No tasks" when there are none.

    With `focus`, the first card's link takes the keyboard focus (the
    answer to Show more). The tasks come from the board view's _cards().
    """
    if not tasks:
        return EMPTY
    return SafeString(
        "".join(
            card_html(task, csrf_token, next_url, focus=focus and index == 0)
            for index, task in enumerate(tasks)
        )
    )


def card_html(task, csrf_token: str, next_url: str, *, focus: bool) -> SafeString:
    """One card: key, title, kind, priority, assignee, due date, booking, moves."""
    return _html(
        CARD,
        priority=task.priority,
        overdue=" overdue" if task.late else "",
        key=task.key,
        url=task.url,
        autofocus=mark_safe(" autofocus") if focus else "",
        title=task.title,
        kind=task.kind,
        kind_label=task.kind_label,
        priority_label=task.priority_label,
        assignee=task.assignee or "Unassigned",
        due=_due(task),
        booking=_booking(task),
        moves=_moves(task, csrf_token, next_url),
    )


def _due(task) -> str:
    if not task.due_date:
        return ""
    flag = OVERDUE_FLAG if task.late else ""
    return _html(DUE, task.due_date.isoformat(), task.due_label, flag)


def _booking(task) -> str:
    """The slot in the production's time zone, guest, contact, place, clashes."""
    if not (task.is_booking and task.starts_at):
        return ""
    starts = slot_start(task)
    ends = slot_end(task)
    slot = _html(
        SLOT,
        date_format(starts, "c"),
        date_format(starts, "D j M, H:i"),
        _html(SLOT_END, date_format(ends, "c"), date_format(ends, "H:i"))
        if ends
        else "",
        date_format(starts, "T"),
    )
    return _html(
        BOOKING,
        slot=slot,
        guest=task.guest or "Guest not named yet",
        contact=_term("Contact", task.contact),
        location=_term("Location", task.location),
        confirmed="Confirmed" if task.confirmed else "Not confirmed",
        conflicts=_html(
            CONFLICTS,
            SafeString(
                ", ".join(
                    _html('<a href="{}">{}</a>', other.get_absolute_url(), other.key)
                    for other in task.conflicts
                )
            ),
        )
        if task.conflicts
        else "",
    )


def _term(name: str, value: str) -> str:
    return _html("<dt>{}</dt><dd>{}</dd>", name, value) if value else ""


def _moves(task, csrf_token: str, next_url: str) -> str:
    """One form for the card's moves: one CSRF token, the task's version (a
    move refused because the task changed since is a 409), a button per move."""
    if not task.moves:
        return ""
    buttons = SafeString(
        "".join(
            _html(
                NOTE_LINK,
                task.url,
                _anchor(move.label),
                move.label,
                task.key,
                move.label,
            )
            if move.needs_note
            else _html(BUTTON, move.target, move.label, task.key, move.label)
            for move in task.moves
        )
    )
    return _html(
        MOVES,
        url=task.move_url,
        csrf=csrf_token,
        version=task.version,
        next=next_url,
        buttons=buttons,
    )
