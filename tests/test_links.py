"""Web addresses in descriptions and comments become safe links; nothing
else does, and what people wrote is shown as text."""

import time

import pytest

from production import services
from production.models import Task
from production.templatetags.links import linked

REL = 'rel="noopener noreferrer nofollow"'


def link(href, text=None) -> str:
    return f'<a href="{href}" {REL}>{text or href}</a>'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "Script: https://drive.example.com/d/1xYz/edit.",
            f"Script: {link('https://drive.example.com/d/1xYz/edit')}.",
        ),
        (
            "(cuts at http://cuts.example.org/ep101)",
            f"(cuts at {link('http://cuts.example.org/ep101')})",
        ),
        (
            "see www.example.com/run, then call",
            f"see {link('https://www.example.com/run', 'www.example.com/run')}, "
            "then call",
        ),
        (
            "https://example.com/a?b=1&c=2",
            link("https://example.com/a?b=1&amp;c=2"),
        ),
    ],
    ids=["full stop", "brackets", "www and comma", "ampersand"],
)
def test_web_addresses_become_links_with_punctuation_outside(text, html):
    """http(s):// and www. addresses link, with a rel that keeps the opened
    page from reaching back; a trailing . , or ) stays outside the link."""
    assert linked(text) == html


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://files.example.com/cut.mov",
        "mail ana@ruizkitchen.example",
        "example.com",
        "file:///etc/passwd",
    ],
)
def test_other_schemes_and_bare_names_stay_text(text):
    """Scripts, data, other schemes, e-mail addresses and bare domain names
    are never links."""
    assert "<a" not in linked(text)


def test_markup_is_shown_as_text_around_and_inside_links():
    """Tags and quotes are escaped; a quote ends an address, so no attribute
    can be smuggled into the link."""
    text = '<script>alert(1)</script> https://x.example/"onmouseover="alert(1) <b>'
    html = linked(text)
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt; ")
    assert link("https://x.example/") in html
    assert "&quot;onmouseover=&quot;alert(1) &lt;b&gt;" in html
    assert "<script" not in html and "<b>" not in html


def test_a_long_address_is_shown_shortened_and_linked_whole():
    """A shared drive's long address shows its start; the link keeps it all."""
    address = "https://drive.example.com/" + "a" * 200
    html = linked(address)
    assert f'href="{address}"' in html
    assert f">{address[:59]}…</a>" in html


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/" + "a" * 100_000,
        "http://" + "a." * 50_000,
        "www." + "(" * 50_000,
        "https://" + "&amp;" * 20_000 + ";" * 20_000,
        "x " * 50_000,
    ],
    ids=["long path", "many labels", "brackets", "entities", "many words"],
)
def test_hostile_input_is_quick(text):
    """Very long or pathological text takes no noticeable time (no regex
    that backtracks) and never fails."""
    started = time.perf_counter()
    linked(text)
    assert time.perf_counter() - started < 1


def test_descriptions_and_comments_show_links(client_for, producer, ap, morn):
    """On the task page the description's and the comments' addresses are
    links, and a mention beside one still links to the crew member; an
    address with @ in it is a link, not a mention."""
    task = Task.objects.filter(project=morn, assignee=ap).first()
    services.task_update(
        task=task,
        by=producer,
        version=task.version,
        description="Script in https://docs.example.com/script.\njavascript:alert(1)",
    )
    services.comment_add(
        task=task,
        by=producer,
        body="@ap cuts: www.example.com/cuts; old: https://vid.example.com/@ap",
    )
    page = client_for(ap).get(task.get_absolute_url()).content.decode()
    description = page[page.index('id="task-description"') :].split("</section>")[0]
    assert f"Script in {link('https://docs.example.com/script')}.<br>" in description
    assert "javascript:alert(1)</p>" in description
    comment = page[page.index('class="comment-body"') :].split("</div>")[0]
    assert 'class="mention"' in comment and ">@ap</a> cuts: " in comment
    assert link("https://www.example.com/cuts", "www.example.com/cuts") in comment
    assert link("https://vid.example.com/@ap") in comment
    assert comment.count('class="mention"') == 1
