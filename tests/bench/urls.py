"""Slate's URLs plus the minimal view every figure is compared with."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

MINIMAL_URL = "/bench/minimal/"


@require_GET
def minimal(request):
    """The cheapest response the same middleware can give: the yardstick."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path(MINIMAL_URL.strip("/") + "/", minimal, name="bench-minimal"),
    path("", include("production.urls")),
]
