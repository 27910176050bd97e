"""The admin's banner for open refresh alerts (refusal_guard.py), on every admin page."""

from django import template

from sources.tiktok import refusal_guard

register = template.Library()


@register.inclusion_tag("tiktok/refresh_alerts.html")
def refresh_alerts():
    return {"alerts": list(refusal_guard.open_alerts())}
