"""The calendar journey of the issue, in a real Chromium.

An AP opens the calendar, moves to next month and back (htmx swaps the grid
and keeps the address bar in step), opens a booking and sees that it clashes
with another; the task page says the same.
"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from production.bookings import slot_start
from production.models import Task


def month_heading(page, day):
    return page.get_by_role("heading", name=day.strftime("%B %Y"), exact=True)


def test_an_ap_browses_months_and_finds_a_booking_clash(person, shot):
    """The AP moves a month on and back without a page load, then finds the chef's
    booking flagged as clashing with the councillor's, on the calendar and the task."""
    chef = Task.objects.select_related("project").get(guest="Chef Ana Ruiz")
    councillor = Task.objects.get(guest="Cllr. Tom Baines")
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + dt.timedelta(days=31)).replace(day=1)

    page = person("ap")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Calendar"
    ).click()
    expect(page.get_by_role("heading", name="My calendar")).to_be_visible()
    expect(month_heading(page, this_month)).to_be_visible()
    shot(page, "my-calendar")

    # Month to month by htmx: the grid changes, the page (and its JS state) stays.
    page.evaluate("window.calendarJourneyMarker = true")
    page.get_by_role("link", name=re.compile("^Next month")).click()
    expect(month_heading(page, next_month)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"month={next_month:%Y-%m}"))
    assert page.evaluate("window.calendarJourneyMarker === true")
    shot(page, "next-month")
    page.get_by_role("link", name=re.compile("^Previous month")).click()
    expect(month_heading(page, this_month)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"month={this_month:%Y-%m}"))
    assert page.evaluate("window.calendarJourneyMarker === true")

    # The demo books the chef tomorrow: next month when today is the last day.
    if slot_start(chef).date() >= next_month:
        page.get_by_role("link", name=re.compile("^Next month")).click()
        expect(month_heading(page, next_month)).to_be_visible()

    chef_link = page.get_by_role("link", name=re.compile(rf"^{chef.key} "))
    entry = page.locator(".cal-entry", has=chef_link)
    expect(entry).to_contain_text("07:30–08:00")
    expect(entry).to_contain_text(f"Clashes with {councillor.key}")
    entry.locator("summary").click()
    expect(entry.get_by_text("ana@ruizkitchen.example")).to_be_visible()
    expect(entry.get_by_text("Studio B")).to_be_visible()
    shot(page, "booking-opened")

    entry.get_by_role("link", name=re.compile(rf"^{chef.key} ")).click()
    expect(page).to_have_url(re.compile(rf"/tasks/{chef.key}/$"))
    booking = page.locator("section", has=page.get_by_role("heading", name="Booking"))
    expect(booking.get_by_role("link", name=re.compile(councillor.key))).to_be_visible()
    shot(page, "task-page-clash")


def test_an_ap_makes_a_feed_address_and_replaces_it(person, shot):
    """The feed address appears in place, works without a login, and a new one
    (after a confirmation) makes the old one stop at once."""
    page = person("ap")
    page.goto("/calendar/")
    page.get_by_role("button", name="Make my feed address").click()
    address = page.get_by_label("Your private feed address")
    expect(address).to_have_value(re.compile(r"/calendar/feed/.+\.ics$"))
    expect(page.get_by_text("Your feed address is ready")).to_be_visible()
    old = address.input_value()
    anonymous = page.context.browser.new_context()
    assert anonymous.request.get(old).status == 200
    shot(page, "feed-address")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_text("the old one no longer works")).to_be_visible()
    expect(address).not_to_have_value(old)
    new = address.input_value()
    assert anonymous.request.get(old).status == 404
    response = anonymous.request.get(new)
    assert response.status == 200
    assert response.text().startswith("BEGIN:VCALENDAR")
    anonymous.close()


def test_on_a_phone_the_month_is_a_list_of_days(person, shot):
    """At 360 pixels wide the grid gives way to dated days with entries only."""
    page = person("ap", viewport={"width": 360, "height": 800})
    page.goto("/calendar/")
    expect(page.locator(".cal-weekdays")).to_be_hidden()
    today = timezone.localdate()
    expect(page.get_by_text(f"{today:%A} {today.day} {today:%B}")).to_be_visible()
    empty = page.locator(".cal-day.cal-empty").first
    expect(empty).to_be_hidden()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"
    shot(page, "phone-calendar")
