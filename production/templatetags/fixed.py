"""The page shell's links and assets, worked out once per process.

Every page reverses the same handful of URLs and looks up the same
stylesheet and scripts in the static files' manifest: a few per cent of a
small page. None of them depends on the request beyond the script prefix,
so each is computed once (and again when a test changes the settings); a
production's tabs once per production code.
"""

import functools
from typing import NamedTuple

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_htmx.jinja import htmx_script

# A stand-in for the page's CSP nonce in a kept script tag; never in an address.
NONCE = "\0nonce\0"

register = template.Library()


class TopLinks(NamedTuple):
    """The top bar's addresses."""

    my_work: str
    projects: str
    calendar: str
    notifications: str
    bell: str
    logout: str
    profile: str


class ProjectLinks(NamedTuple):
    """A production's tabs and its New task (or Pitch an idea) address."""

    board: str
    tasks: str
    calendar: str
    episodes: str
    crew: str
    task_create: str


@functools.cache
def _static(path: str) -> str:
    return static(path)


@functools.cache
def _top_links(prefix: str, urlconf) -> TopLinks:
    names = ("my-work", "project-list", "my-calendar", "notifications")
    names += ("notification-bell", "logout", "profile")
    return TopLinks(*(reverse(name, urlconf=urlconf) for name in names))


# Bounded: one entry per production code shown since the process started.
@functools.lru_cache(maxsize=4096)
def _project_links(code: str, prefix: str, urlconf) -> ProjectLinks:
    names = ("project-board", "task-list", "project-calendar", "episode-list")
    names += ("project-crew", "task-create")
    return ProjectLinks(
        *(reverse(name, args=[code], urlconf=urlconf) for name in names)
    )


@functools.cache
def _htmx_script(with_nonce: bool) -> str:
    return str(htmx_script(nonce=NONCE if with_nonce else None))


def top_links() -> TopLinks:
    return _top_links(get_script_prefix(), get_urlconf())


def project_links(code: str) -> ProjectLinks:
    return _project_links(code, get_script_prefix(), get_urlconf())


@register.simple_tag
def fixed_static(path: str) -> str:
    """{% static path %}."""
    return _static(path)


@register.simple_tag(takes_context=True)
def fixed_htmx_script(context) -> SafeString:
    """django-htmx's {% htmx_script %}, its nonce put in per request."""
    nonce = context.get("csp_nonce")
    html = _htmx_script(nonce is not None)
    if nonce is not None:
        html = html.replace(NONCE, escape(nonce))
    return mark_safe(html)  # noqa: S308 - django-htmx's tags, the nonce escaped


def _forget(**kwargs) -> None:
    for cached in (_static, _top_links, _project_links, _htmx_script):
        cached.cache_clear()


setting_changed.connect(_forget)
