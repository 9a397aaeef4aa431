"""My profile: the name my crews know me by, and how they reach me."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from production import services
from production.forms import ProfileForm

TEMPLATE = "production/profile.html"


@require_http_methods(["GET", "POST"])
@login_required
def profile(request):
    """My display name, e-mail and phone."""
    data = request.POST if request.method == "POST" else None
    # Validating writes the values onto the instance: a refused name must not
    # show in the top bar of the page that refuses it.
    form = ProfileForm(data, instance=copy.copy(request.user))
    if form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Saved: your crews see your profile as it is now.")
        return redirect("profile")
    status = 400 if form.is_bound else 200
    return render(request, TEMPLATE, {"form": form}, status=status)
