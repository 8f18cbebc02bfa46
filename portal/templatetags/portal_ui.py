"""Small helpers for what pages show."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_until(day: dt.date | None) -> int | None:
    """Whole days from today (Europe/Berlin) until ``day``: 0 on the day itself, negative after it."""
    if day is None:
        return None
    return (day - timezone.localdate()).days
