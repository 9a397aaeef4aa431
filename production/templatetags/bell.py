"""The top bar's bell: how many notifications this person has not read."""

from django import template

from production import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """One small query, made only where a page shows the bell."""
    request = context.get("request")
    return notifications.unread_count(request.user) if request else 0
