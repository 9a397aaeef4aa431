"""@mentions: who a comment names, and how the task page shows them."""

import re

import pytest

from production import services
from production.mentions import mentioned_names
from production.models import Membership, Task
from tests.pages import count_queries


@pytest.mark.parametrize(
    "text, names",
    [
        ("@ap, can you look?", {"ap"}),
        ("Thanks @ap.", {"ap"}),
        ("(@ap2) and @editor!", {"ap2", "editor"}),
        ("@first.last-name_2 ok", {"first.last-name_2"}),
        ("write to ap@slate.example", set()),
        ("an @ on its own, @@ap", set()),
        ("", set()),
    ],
)
def test_a_mention_is_an_at_and_a_username_not_inside_a_word(text, names):
    assert mentioned_names(text) == names


@pytest.fixture
def task(morn):
    return Task.objects.get(project=morn, title="Revise copy to match the shot list")


def comment_html(page: str, comment_id: int) -> str:
    found = re.search(
        rf'id="comment-{comment_id}".*?<div class="comment-body">(.*?)</div>',
        page,
        re.S,
    )
    assert found, f"no comment {comment_id}"
    return found.group(1)


def test_the_task_page_links_crew_mentions_and_leaves_others_plain(
    task, producer, ap, client_for, morn
):
    """@ap links to ap on the crew page; @outsider (not MORN crew) and
    @nobody stay text, and nothing in the comment is markup."""
    comment = services.comment_add(
        task=task,
        by=producer,
        body="@ap over to you.\n@outsider <b>and</b> @nobody & <script>x()</script>",
    )
    page = client_for(producer).get(task.get_absolute_url()).content.decode()
    body = comment_html(page, comment.pk)
    member = Membership.objects.get(project=morn, user=ap)
    assert body == (
        f'<a class="mention" href="/projects/MORN/crew/#member-{member.pk}" '
        'title="Sam Okafor">@ap</a> over to you.<br>@outsider &lt;b&gt;and&lt;/b&gt; '
        "@nobody &amp; &lt;script&gt;x()&lt;/script&gt;"
    )


def test_a_crew_members_name_is_escaped_in_the_link(task, producer, ap, client_for):
    ap.first_name, ap.last_name = '"><img src=x>', ""
    ap.save()
    comment = services.comment_add(task=task, by=producer, body="@ap")
    page = client_for(producer).get(task.get_absolute_url()).content.decode()
    body = comment_html(page, comment.pk)
    assert 'title="&quot;&gt;&lt;img src=x&gt;"' in body
    assert "<img" not in body


def test_someone_who_left_is_no_longer_linked(task, producer, editor, morn, client_for):
    comment = services.comment_add(task=task, by=producer, body="Ask @editor.")
    services.membership_leave(project=morn, by=editor)
    page = client_for(producer).get(task.get_absolute_url()).content.decode()
    assert comment_html(page, comment.pk) == "Ask @editor."


def test_mentions_cost_one_query_however_many_comments_name_people(
    task, producer, client_for
):
    """The task page looks the mentioned crew up once for all its comments."""
    client = client_for(producer)
    client.get(task.get_absolute_url())
    services.comment_add(task=task, by=producer, body="@ap one")
    one = count_queries(client, task.get_absolute_url())
    for n in range(20):
        services.comment_add(task=task, by=producer, body=f"@ap2 @editor #{n}")
    assert count_queries(client, task.get_absolute_url()) == one
