"""Slate's own deployment checks, run by `manage.py check --deploy`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

SITE_URL_UNSET = checks.Warning(
    "SITE_URL points at this machine, so the links in Slate's e-mails lead "
    "nowhere for the people who get them.",
    hint="Set SITE_URL to where people reach Slate, e.g. https://slate.example.org.",
    id="slate.W001",
)


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """SITE_URL defaults to the local server: fine on a laptop, wrong in production."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    return [SITE_URL_UNSET] if host in LOCAL_HOSTS else []
