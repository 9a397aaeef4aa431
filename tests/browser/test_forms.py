"""The forms as people meet them: the cursor in the first field, booking
fields only for bookings, every time on the production's clock, and the time
zone found by typing. On a 1366px desktop and a 390px phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone import PHONE, assert_fits_the_screen

SIZES = {"desktop": {"viewport": {"width": 1366, "height": 900}}, "phone": PHONE}
# The new-task form was 1,635px tall at 1366px when every kind showed the
# booking fields; without them it must be far shorter.
FORM_HEIGHT_BEFORE = 1635


def form_height(page) -> float:
    return page.locator("form.task-form").bounding_box()["height"]


@pytest.mark.parametrize("size", SIZES)
def test_a_new_task_shows_booking_fields_only_for_a_booking(person, shot, size):
    """The title is focused; the booking fields hide until the kind is
    Booking, then appear, and the slot says whose clock it is on."""
    page = person("producer", **SIZES[size])
    page.goto("/projects/MORN/tasks/new/")
    expect(page.get_by_label("Title")).to_be_focused()
    booking = page.locator("fieldset.booking-fields")
    expect(booking).to_be_hidden()
    short = form_height(page)
    if size == "desktop":
        assert short < FORM_HEIGHT_BEFORE * 0.75, short
    assert_fits_the_screen(page)
    shot(page, f"new-task-{size}")

    page.get_by_label("Kind").select_option("booking")
    expect(booking).to_be_visible()
    expect(page.get_by_label("Slot starts (Europe/London)")).to_be_visible()
    expect(page.get_by_label("Slot ends (Europe/London)")).to_be_visible()
    expect(booking.get_by_text("Only for bookings.")).to_be_hidden()
    assert form_height(page) > short + 200
    assert_fits_the_screen(page)
    shot(page, f"new-booking-{size}")

    page.get_by_label("Kind").select_option("script")
    expect(booking).to_be_hidden()


def test_without_javascript_the_booking_fields_show_with_a_note(
    slate, new_context, login, shot
):
    """With scripts off the booking fields are all there, said to be for
    bookings only, and a booking is still made."""
    page = new_context(java_script_enabled=False).new_page()
    login(page, "producer")
    page.goto("/projects/MORN/tasks/new/")
    booking = page.locator("fieldset.booking-fields")
    expect(booking).to_be_visible()
    expect(booking.get_by_text("Only for bookings.")).to_be_visible()
    shot(page, "new-task-no-js")
    page.get_by_label("Title").fill("Book the choir")
    page.get_by_label("Kind").select_option("booking")
    page.get_by_label("Guest").fill("Choir of St Mary's")
    page.get_by_label("Slot starts (Europe/London)").fill("2030-06-01T07:30")
    page.get_by_role("button", name="Create the task").click()
    expect(page.get_by_text("Book the choir").first).to_be_visible()


def test_a_booking_with_an_error_keeps_its_fields_in_sight(person):
    """Sent back with a slot error, the summary has the focus and its link
    leads to the slot field, shown even after the kind is changed."""
    page = person("producer")
    page.goto("/projects/MORN/tasks/new/")
    page.get_by_label("Title").fill("Book the band")
    page.get_by_label("Kind").select_option("booking")
    page.get_by_label("Slot starts (Europe/London)").fill("2030-06-01T09:00")
    page.get_by_label("Slot ends (Europe/London)").fill("2030-06-01T08:00")
    page.get_by_role("button", name="Create the task").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("fieldset.booking-fields")).to_be_visible()
    expect(page.get_by_label("Title")).not_to_be_focused()
    page.get_by_label("Kind").select_option("script")
    expect(page.locator("fieldset.booking-fields")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_a_new_production_finds_its_time_zone_by_typing(person, shot, size):
    """The name is focused; the time zone starts on the site's and is typed
    with suggestions; the production keeps the zone chosen."""
    page = person("producer", **SIZES[size])
    page.goto("/projects/new/")
    expect(page.get_by_label("Name")).to_be_focused()
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("UTC")
    expect(zone).to_have_attribute("list", "time-zones")
    assert_fits_the_screen(page)
    shot(page, f"new-production-{size}")
    page.get_by_label("Name").fill("Tokyo Nights")
    page.get_by_label("Code").fill("TOKY")
    zone.fill("asia/tokyo")
    page.get_by_role("button", name="Create production").click()
    expect(page.get_by_text("Tokyo Nights is ready.")).to_be_visible()
    page.goto("/projects/TOKY/episodes/new/")
    expect(page.get_by_label("Air time (Asia/Tokyo)")).to_be_visible()
    expect(page.get_by_label("Title")).to_be_focused()
    shot(page, f"new-episode-{size}")
