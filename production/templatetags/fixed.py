"""The top bar's links and assets, worked out once per process.

Every page reverses the same handful of URLs and looks up the same
stylesheet and scripts in the static files' manifest: a few per cent of a
small page. None of them depends on the request beyond the script prefix,
so each is computed once (and again when a test changes the settings).
"""

import functools

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.cache
def _url(name: str, prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


@functools.cache
def _static(path: str) -> str:
    return static(path)


@register.simple_tag
def fixed_url(name: str) -> str:
    """{% url name %} for a URL with no arguments."""
    return _url(name, get_script_prefix(), get_urlconf())


@register.simple_tag
def fixed_static(path: str) -> str:
    """{% static path %}."""
    return _static(path)


def _forget(**kwargs) -> None:
    _url.cache_clear()
    _static.cache_clear()


setting_changed.connect(_forget)
