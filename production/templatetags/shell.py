"""The page shell's top bar, bell and production tabs, each kept per process.

Every page shows the top bar and every production page its tabs: in the
template language their conditions, links and tags cost a small page a
tenth of its time, and they hardly vary (who is logged in, the page they
are on, the unread count, the production). Each is a Jinja2 partial kept
by views/memo.py under a key of everything it shows, so an edit (a new
display name, a production renamed or archived, one more unread) is a new
key and a new render.
"""

from typing import NamedTuple

from django import template

from production import notifications
from production.templatetags.fixed import ProjectLinks, project_links, top_links
from production.views.memo import MemoPartial

register = template.Library()


class Bell(NamedTuple):
    unread: int
    # The copy an htmx answer carries to replace the page's (hx-swap-oob).
    oob: bool
    # The notifications page is the one the bell links to.
    current: bool


class TopBar(NamedTuple):
    # Who is logged in, as the page names them; None: nobody.
    user: str | None
    # The page's URL name, which marks its link as the current page.
    current: str
    bell: Bell | None


class ProjectNav(NamedTuple):
    code: str
    name: str
    archived: bool
    # The viewer creates tasks (New task) or pitches them (Pitch an idea).
    creates_tasks: bool
    tab: str
    links: ProjectLinks


BELL = MemoPartial("_bell.html")
TOP_BAR = MemoPartial("_top_bar.html")
PROJECT_NAV = MemoPartial("production/_project_nav.html")


def _current(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    return (match and match.url_name) or ""


def _unread(context) -> int:
    """One small query, made only where a page shows the bell, and not again
    where the bell's poll counted for its ETag (views/live.py)."""
    request = context.get("request")
    if request is None:
        return 0
    counted = getattr(request, "unread_notifications", None)
    return notifications.unread_count(request.user) if counted is None else counted


def _bell(context) -> Bell:
    current = _current(context) == "notifications"
    return Bell(_unread(context), bool(context.get("oob")), current)


@register.simple_tag(takes_context=True)
def bell(context) -> str:
    """The bell: the page's, or the one the bell's poll answers."""
    return BELL.render(
        _bell(context), links=top_links(), poll_seconds=context.get("poll_seconds")
    )


@register.simple_tag(takes_context=True)
def top_bar(context) -> str:
    """The top bar: the brand, and for someone logged in the main links, the
    bell and their name with Log out."""
    user = context.get("user")
    if user is not None and user.is_authenticated:
        item = TopBar(str(user), _current(context), _bell(context))
    else:
        item = TopBar(None, "", None)
    return TOP_BAR.render(
        item,
        links=top_links(),
        poll_seconds=context.get("poll_seconds"),
        csrf_token=context.get("csrf_token"),
    )


@register.simple_tag(takes_context=True)
def project_nav(context) -> str:
    """A production's name and tabs; `project` and `tab` come from the page."""
    project = context["project"]
    membership = getattr(project, "my_membership", None)
    item = ProjectNav(
        project.code,
        project.name,
        project.archived,
        bool(getattr(membership, "creates_tasks", False)),
        context.get("tab") or "",
        project_links(project.code),
    )
    return PROJECT_NAV.render(item)
