from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def my_work(request):
    """The signed-in person's open work."""
    return render(request, "production/my_work.html")
