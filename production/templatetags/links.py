"""Web addresses in what people write (descriptions, comments) as safe links.

Django's urlize finds the addresses and keeps trailing punctuation and
brackets outside them; this narrows it to http(s):// and www. addresses (no
bare "example.com", no mailto:) and gives every link the rel that keeps the
opened page from reaching back to Slate or borrowing its standing.
"""

import re

from django import template
from django.utils.html import Urlizer
from django.utils.safestring import SafeString

register = template.Library()

# Long addresses (a shared drive's) show shortened; the link keeps them whole.
SHOWN_LENGTH = 60


class WebLinks(Urlizer):
    # Only www. beyond urlize's http(s)://; javascript:, data: and the rest
    # never match either, so they stay text.
    simple_url_2_re = re.compile(r"^www\.\w", re.IGNORECASE)
    url_template = '<a href="{href}" rel="noopener noreferrer nofollow">{url}</a>'

    @staticmethod
    def is_email_simple(value):
        return False


web_links = WebLinks()


# A word the linker turns into a link: an @mention inside it is part of the
# address (https://example.com/@ap), not a mention.
def is_web_address(word: str) -> bool:
    _, middle, _ = web_links.trim_punctuation(word)
    return bool(
        web_links.simple_url_re.match(middle) or web_links.simple_url_2_re.match(middle)
    )


@register.filter(is_safe=True)
def linked(text) -> SafeString:
    """The text escaped, each web address in it a link (text HTML-escaped)."""
    return SafeString(
        web_links(str(text), trim_url_limit=SHOWN_LENGTH, autoescape=True)
    )
