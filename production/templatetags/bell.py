"""The top bar's bell: how many notifications this person has not read."""

from django import template

from production import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """One small query, made only where a page shows the bell, and not again
    where the bell's poll counted for its ETag (views/live.py)."""
    request = context.get("request")
    if request is None:
        return 0
    counted = getattr(request, "unread_notifications", None)
    return notifications.unread_count(request.user) if counted is None else counted
