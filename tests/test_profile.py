"""The profile page: each person keeps their display name, phone and e-mail."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from production import services
from production.models import User, validate_phone
from tests.pages import assert_marked, count_queries, error_summary

PROFILE = reverse("profile")


def profile_data(**changes):
    data = {"display_name": "", "email": "ap@slate.example", "phone": ""}
    return data | changes


def top_bar_name(content: str) -> str:
    link = re.search(r'<a class="who" href="/profile/"[^>]*>([^<]*)</a>', content)
    assert link, "no profile link in the top bar"
    return link[1]


def test_the_top_bar_names_me_and_links_to_my_profile(client_for, ap):
    """Every page's top bar shows my name as the way to my profile."""
    content = client_for(ap).get(reverse("my-work")).content.decode()
    assert top_bar_name(content) == "Sam Okafor"
    page = client_for(ap).get(PROFILE).content.decode()
    assert re.search(r'<a class="who" href="/profile/" aria-current="page">', page)


def test_the_profile_shows_what_i_keep_and_where_the_rest_is(client_for, ap):
    """The form holds my current values, with my full name as the display
    name's stand-in, and links to how I hear of things."""
    User.objects.filter(pk=ap.pk).update(phone="+44 20 7946 0958")
    response = client_for(ap).get(PROFILE)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="ap@slate.example"' in content
    assert 'value="+44 20 7946 0958"' in content
    assert re.search(r'<input type="tel" name="phone"[^>]*autocomplete="tel"', content)
    assert 'placeholder="Sam Okafor"' in content
    assert f'href="{reverse("notification-settings")}"' in content


def test_saving_my_profile_shows_me_by_my_new_name_everywhere(client_for, ap):
    """A display name, phone and e-mail are saved, said so, and the top bar
    and crew sheet show the display name."""
    client = client_for(ap)
    response = client.post(
        PROFILE,
        profile_data(
            display_name="  Sammy O. ", email="sam@example.org", phone="020 7946 0958"
        ),
        follow=True,
    )
    assert response.redirect_chain == [(PROFILE, 302)]
    content = response.content.decode()
    assert "Saved: your crews see your profile as it is now." in content
    assert top_bar_name(content) == "Sammy O."
    ap.refresh_from_db()
    assert (ap.display_name, ap.email, ap.phone) == (
        "Sammy O.",
        "sam@example.org",
        "020 7946 0958",
    )
    crew = client.get(reverse("project-crew", args=["MORN"])).content.decode()
    assert "Sammy O." in crew and 'href="tel:02079460958"' in crew


def test_an_empty_display_name_shows_my_full_name_again(client_for, ap):
    """Clearing the display name brings back the first and last name."""
    User.objects.filter(pk=ap.pk).update(display_name="Sammy")
    client_for(ap).post(PROFILE, profile_data())
    ap.refresh_from_db()
    assert str(ap) == "Sam Okafor"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("phone", "call me", "Enter a phone number of 6 to 15 digits"),
        ("phone", "12345", "Enter a phone number of 6 to 15 digits"),
        ("email", "sam@", "Enter a valid email address."),
        ("display_name", "x" * 151, "Ensure this value has at most 150 characters"),
    ],
)
def test_bad_input_is_a_400_that_names_the_field(client_for, ap, field, value, error):
    """A bad phone, e-mail or overlong name is refused with an error summary
    linking to the field, which is marked; nothing is saved, and the top bar
    keeps the name as stored."""
    client = client_for(ap)
    before = User.objects.values().get(pk=ap.pk)
    response = client.post(
        PROFILE, profile_data(display_name="Not Saved") | {field: value}
    )
    content = response.content.decode()
    assert response.status_code == 400
    [(link, text)] = error_summary(content)
    assert link == f"id_{field}" and error in text
    assert_marked(content, f"id_{field}", error)
    assert top_bar_name(content) == "Sam Okafor"
    assert User.objects.values().get(pk=ap.pk) == before


@pytest.mark.parametrize(
    "number",
    [
        "+44 20 7946 0958",
        "(212) 555-0100",
        "020.7946.0958",
        "555010",
        "+123456789012345",
    ],
)
def test_phone_numbers_as_people_write_them_are_accepted(number):
    """Digits with a leading + and the usual separators pass."""
    validate_phone(number)


@pytest.mark.parametrize(
    "number",
    [
        "12345",
        "+1234567890123456",
        "555-CALL-NOW",
        "1+2345678",
        "+44 20 7946 0958 ext 2",
    ],
)
def test_phone_numbers_that_cannot_be_dialled_are_refused(number):
    """Too few or many digits, letters, or a + inside are refused."""
    with pytest.raises(ValidationError):
        validate_phone(number)


def test_the_phone_link_dials_only_digits_and_the_plus(ap):
    """tel: links carry the digits and the leading +, nothing a phone misreads."""
    ap.phone = "+1 (212) 555-0100"
    assert ap.phone_uri == "tel:+12125550100"
    ap.phone = ""
    assert ap.phone_uri == ""


def test_the_profile_costs_a_few_queries(client_for, ap):
    """Opening the profile is a handful of queries (session, me, the bell)."""
    client = client_for(ap)
    client.get(PROFILE)
    assert count_queries(client, PROFILE) <= 5


def test_anonymous_people_are_sent_to_log_in(client):
    """The profile is a logged-in person's own."""
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_admin_edits_and_finds_the_profile_fields(demo, client, ap):
    """A site administrator sees and searches a person's display name and phone."""
    User.objects.filter(pk=ap.pk).update(display_name="Sammy O.", phone="555 0100")
    root = User.objects.create_superuser("root", "root@slate.example", "x" * 16)
    client.force_login(root)
    page = client.get(reverse("admin:production_user_change", args=[ap.pk]))
    assert 'name="display_name"' in page.content.decode()
    assert 'name="phone"' in page.content.decode()
    found = client.get(reverse("admin:production_user_changelist"), {"q": "Sammy"})
    assert "Sammy O." in found.content.decode()


def test_saving_a_profile_keeps_what_else_was_written_meanwhile(ap):
    """The profile's save writes its own fields only: a feed token set in
    another tab since the page was loaded stays."""
    loaded = User.objects.get(pk=ap.pk)
    User.objects.filter(pk=ap.pk).update(calendar_token="set-meanwhile")
    services.profile_update(user=loaded, display_name="Sammy", email="", phone="")
    ap.refresh_from_db()
    assert (ap.display_name, ap.calendar_token) == ("Sammy", "set-meanwhile")
