"""A producer plans an episode from a run-of-show template, in a real Chromium.

The producer makes a template of two duties, creates tomorrow's episode from
it (previewing the dated tasks first), finds the tasks on the board filtered
by the episode, then moves the air date by a day and sees the tasks follow.
The episode page is looked at on a phone too.
"""

import datetime as dt
import re
import zoneinfo

from django.utils import timezone
from playwright.sync_api import expect

from production.models import Episode, Task

LONDON = zoneinfo.ZoneInfo("Europe/London")
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def day(value: dt.date) -> str:
    """A date as the episode page writes it in its tasks table ("Fri 27 Nov")."""
    return f"{value:%a} {value.day} {value:%b}"


def add_duty(page, *, title, kind, who, days_before, time=""):
    form = page.locator("form.run-of-show-line-form")
    form.get_by_label(re.compile(r"^Title")).fill(title)
    form.get_by_label(re.compile(r"^Kind")).select_option(label=kind)
    form.get_by_label(re.compile(r"^Assignee")).select_option(label=who)
    form.get_by_label(re.compile(r"^Days before air")).fill(str(days_before))
    if time:
        form.get_by_label(re.compile(r"^Time")).fill(time)
    form.get_by_role("button", name="Add the duty").click()
    expect(page.get_by_role("row", name=re.compile(re.escape(title)))).to_be_visible()


def test_producer_plans_tomorrows_episode_from_a_template(
    person, new_context, login, shot
):
    """Template, episode from it, dated tasks on the board, air date moved a day."""
    today = timezone.localdate(timezone=LONDON)
    tomorrow = today + dt.timedelta(days=1)

    # (1) The producer makes a template of two duties.
    paula = person("producer")
    paula.get_by_role("link", name="Productions").first.click()
    paula.get_by_role("link", name=re.compile("Morning Live")).first.click()
    paula.get_by_role("link", name="Episodes").first.click()
    expect(paula.get_by_role("heading", name="Episodes")).to_be_visible()
    shot(paula, "episodes")
    paula.get_by_role("link", name="Run-of-show templates").click()
    paula.get_by_label("Template name").fill("Breakfast show")
    paula.get_by_role("button", name="Create the template").click()
    expect(paula.get_by_role("heading", name="Breakfast show")).to_be_visible()
    add_duty(
        paula,
        title="Book the guest for {title}",
        kind="Booking",
        who="Jo Lindqvist",
        days_before=1,
        time="07:30",
    )
    add_duty(
        paula,
        title="Teleprompter for Ep. {number}",
        kind="Teleprompter",
        who="Sam Okafor",
        days_before=0,
    )
    shot(paula, "template")

    # (2) Tomorrow's episode from it: a preview first, then the tasks.
    paula.get_by_role("link", name="Episodes").first.click()
    paula.get_by_role("link", name="New episode").click()
    paula.get_by_label(re.compile(r"^Number")).fill("200")
    paula.get_by_label(re.compile(r"^Title")).fill("Harvest special")
    paula.get_by_label(re.compile(r"^Air date")).fill(tomorrow.isoformat())
    paula.get_by_label(re.compile(r"^Air time")).fill("06:00")
    paula.get_by_label(re.compile(r"^Tasks from a template")).select_option(
        label="Breakfast show"
    )
    shot(paula, "new-episode")
    paula.get_by_role("button", name="Continue").click()
    preview = paula.get_by_role("table")
    expect(preview).to_contain_text("Book the guest for Harvest special")
    expect(preview).to_contain_text("Teleprompter for Ep. 200")
    expect(preview).to_contain_text("Jo Lindqvist")
    expect(preview).to_contain_text(f"{day(today)}, 07:30")
    shot(paula, "preview")
    assert not Episode.objects.filter(number=200).exists()
    paula.get_by_role(
        "button", name=re.compile("^Create the episode and its 2 tasks")
    ).click()
    expect(
        paula.get_by_role("heading", name="Ep. 200: Harvest special")
    ).to_be_visible()
    expect(paula.get_by_text("0 of 2 done")).to_be_visible()
    shot(paula, "episode")
    episode = Episode.objects.get(number=200)
    booking = episode.tasks.get(kind=Task.Kind.BOOKING)
    assert booking.due_date == today
    assert booking.starts_at.astimezone(LONDON).time() == dt.time(7, 30)

    # (3) The board, filtered by the episode, has just its tasks.
    paula.get_by_role("link", name="On the board").click()
    board = paula.locator("#board-columns")
    expect(board.get_by_text("Book the guest for Harvest special")).to_be_visible()
    expect(board.get_by_text("Teleprompter for Ep. 200")).to_be_visible()
    expect(board.locator(".card")).to_have_count(2)
    shot(paula, "board-by-episode")

    # (4) The air date moves a day; the preview offers to move the tasks.
    paula.go_back()
    paula.get_by_role("link", name="Edit episode").click()
    day_after = tomorrow + dt.timedelta(days=1)
    paula.get_by_label(re.compile(r"^Air date")).fill(day_after.isoformat())
    paula.get_by_role("button", name="Save Ep. 200: Harvest special").click()
    expect(
        paula.get_by_role("heading", name=re.compile("^Move Ep. 200"))
    ).to_be_visible()
    shot(paula, "shift-preview")
    paula.get_by_role("button", name="Move the air date and 2 open tasks").click()
    expect(paula.get_by_text("2 open tasks moved with it")).to_be_visible()
    tasks = paula.get_by_role("table")
    expect(tasks.get_by_role("row", name=re.compile("Book the guest"))).to_contain_text(
        day(tomorrow)
    )
    expect(tasks.get_by_role("row", name=re.compile("Teleprompter"))).to_contain_text(
        day(day_after)
    )
    shot(paula, "episode-moved")
    booking.refresh_from_db()
    assert booking.due_date == tomorrow
    assert booking.starts_at.astimezone(LONDON).time() == dt.time(7, 30)

    # (5) The same page on a phone.
    phone = login(new_context(**PHONE).new_page(), "producer")
    phone.goto(episode.get_absolute_url())
    expect(
        phone.get_by_role("heading", name="Ep. 200: Harvest special")
    ).to_be_visible()
    shot(phone, "episode-phone")
    phone.goto(f"/projects/MORN/run-of-show/{booking.made_from.template_id}/")
    shot(phone, "template-phone")
