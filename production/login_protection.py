"""How django-axes sees a login attempt: who tried, from where, how often."""

import ipaddress

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def axes_username(request, credentials=None):
    """The username tried, cut to the 255 characters django-axes stores.

    A longer one (a scanner's) would fail the insert on PostgreSQL with a 500
    (jazzband/django-axes#1381); cut, it is simply a failed login.
    """
    if credentials:
        username = credentials.get("username")
    elif request is not None:
        username = request.POST.get("username")
    else:
        username = None
    return username[:255] if isinstance(username, str) else username


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address a login came from.

    Behind TRUSTED_PROXY_COUNT proxies each one appends the address it was
    reached from to X-Forwarded-For, so the client is that many entries from
    the right; anything further left was written by the client and proves
    nothing. With no trusted proxy the header is ignored: anyone can send it.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if trusted and forwarded:
        return _address(forwarded[-min(trusted, len(forwarded))]) or _address(remote)
    return _address(remote)


def failures_from(address: str | None) -> int:
    """Failed logins from one address within the cool-off, whatever the names."""
    if address is None:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def failure_limit(request, credentials=None) -> int:
    """How many failures lock a username at this address: django-axes counts
    per (username, address); an address that has failed ADDRESS_FAILURE_LIMIT
    times across any names gets a limit of 0, which locks every name there,
    so that one address cannot try a password on every account."""
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    if failures_from(address) >= settings.ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.USERNAME_FAILURE_LIMIT
