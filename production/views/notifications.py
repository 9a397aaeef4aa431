"""The notifications page: what happened to my work, by day; and how I hear of it."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from production import notifications
from production.forms import NotificationPreferencesForm
from production.views.fragments import wants_fragment

PAGE = "production/notifications.html"
SETTINGS = "production/notification_settings.html"
PER_PAGE = 50


def _by_day(items) -> list[dict]:
    """The notifications under their day, in the site's time zone: a person's
    productions may each keep another clock."""
    today = timezone.localdate()
    days = []
    for notification in items:
        day = timezone.localtime(notification.created_at).date()
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "label": _day_label(day, today), "items": []})
        days[-1]["items"].append(notification)
    return days


def _day_label(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "Today"
    if day == today - dt.timedelta(days=1):
        return "Yesterday"
    return formats.date_format(day, "l j F" if day.year == today.year else "l j F Y")


def _list_context(request) -> dict:
    mine = notifications.notifications_for(request.user).select_related("task")
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    return {"page": page, "days": _by_day(page.object_list)}


def _with_bell(request, response: HttpResponse) -> HttpResponse:
    """Add the top bar's bell, counted again, for htmx to swap in place."""
    response.write(render_to_string("_base.html#bell", {"oob": True}, request))
    return response


@require_GET
@login_required
@vary_on_headers("HX-Request")
def notification_list(request):
    """My notifications, newest first, grouped by day."""
    template = f"{PAGE}#list" if wants_fragment(request) else PAGE
    return render(request, template, _list_context(request))


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one of my notifications read."""
    notification = get_object_or_404(
        notifications.notifications_for(request.user).select_related("task"), pk=pk
    )
    if notification.read_at is None:
        notifications.mark_read(request.user, pk=notification.pk)
        notification.read_at = timezone.now()
    if wants_fragment(request):
        context = {"notification": notification}
        return _with_bell(request, render(request, f"{PAGE}#item", context))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("notifications")


@require_POST
@login_required
def notification_read_all(request):
    """Mark all my notifications read."""
    notifications.mark_read(request.user)
    if wants_fragment(request):
        return _with_bell(
            request, render(request, f"{PAGE}#list", _list_context(request))
        )
    messages.success(request, "All your notifications are marked read.")
    return redirect("notifications")


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request):
    """How I hear of each kind of event: in the app, by e-mail, in the digest."""
    data = request.POST if request.method == "POST" else None
    form = NotificationPreferencesForm(
        data, current=notifications.preferences_of(request.user)
    )
    if form.is_valid():
        notifications.set_preferences(request.user, form.choices())
        messages.success(request, "Saved: you will hear of each event as you chose.")
        return redirect("notification-settings")
    status = 400 if form.is_bound else 200
    return render(request, SETTINGS, {"form": form}, status=status)
