"""Slate's URLs plus the minimal view every figure is compared with."""

import os

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

# Slate's 404 page here too (production/urls.py).
handler404 = "production.views.errors.not_found"

MINIMAL_URL = "/bench/minimal/"
WORKER_URL = "/bench/worker/"


@require_GET
def minimal(request):
    """The cheapest response the same middleware can give: the yardstick."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def worker(request):
    """Which gunicorn worker answers this connection (its process id)."""
    return HttpResponse(str(os.getpid()), content_type="text/plain")


urlpatterns = [
    path(MINIMAL_URL.strip("/") + "/", minimal, name="bench-minimal"),
    path(WORKER_URL.strip("/") + "/", worker, name="bench-worker"),
    path("", include("production.urls")),
]
