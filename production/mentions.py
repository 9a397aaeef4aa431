"""@mentions in comments: who a comment names, and the comment with them linked.

A mention is `@` and a crew member's username, not inside a word (so an
e-mail address mentions nobody). Only crew of the task's production are
mentioned: any other name stays plain text and tells nobody anything.
"""

import re

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from production.models import Membership
from production.templatetags.links import is_web_address, linked

# A username (Django allows letters, digits and . + - _) that ends in a letter
# or digit, so that the full stop after "thanks @ap." is not part of it.
MENTION = re.compile(r"(?<![\w@.+-])@(\w(?:[\w.+-]*\w)?)")


# A word as urlize splits them (production/templatetags/links.py).
WORD = re.compile(r"""[^\s<>"']+""")


def _mentions(text: str):
    """The mentions in the text, but for those inside a web address
    (https://example.com/@ap is a link, not a mention of ap)."""
    addresses = [
        word.span() for word in WORD.finditer(text) if is_web_address(word.group())
    ]
    for found in MENTION.finditer(text):
        if not any(start <= found.start() < end for start, end in addresses):
            yield found


def mentioned_names(text: str) -> set[str]:
    return {found.group(1) for found in _mentions(text or "")}


def mentioned_crew(project_id, names) -> dict[str, Membership]:
    """The crew of this production among these usernames: {username: membership}."""
    if not names:
        return {}
    return {
        membership.user.username: membership
        for membership in Membership.objects.filter(
            project_id=project_id, user__username__in=names
        ).select_related("user")
    }


def with_mentions(text: str, crew: dict[str, Membership], code: str) -> SafeString:
    """The comment as HTML: escaped, its line breaks kept, its web addresses
    links, each mention of crew a link to that member on the crew page."""
    crew_page = reverse("project-crew", kwargs={"code": code})
    parts, end = [], 0
    text = normalize_newlines(text)
    for found in _mentions(text):
        membership = crew.get(found.group(1))
        if membership is None:
            continue
        parts.append(linked(text[end : found.start()]))
        parts.append(
            format_html(
                '<a class="mention" href="{}#member-{}" title="{}">@{}</a>',
                crew_page,
                membership.pk,
                membership.user,
                found.group(1),
            )
        )
        end = found.end()
    parts.append(linked(text[end:]))
    # Every part is escaped (linked) or built by format_html above.
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308


def link_comments(comments, project) -> list:
    """The comments, each with `html`: its body with the crew it mentions
    linked. One query for the whole list, none when nobody is mentioned."""
    comments = list(comments)
    names = set().union(*(mentioned_names(comment.body) for comment in comments))
    crew = mentioned_crew(project.pk, names)
    for comment in comments:
        comment.html = with_mentions(comment.body, crew, project.code)
    return comments
