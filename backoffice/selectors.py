"""What the box office's pages show: today's shows and sales, a day's programme per screen."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from bookings.models import Booking
from catalog.models import Screen, Show
from catalog.selectors import sold_filter
from orders.selectors import takings


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def shows_of_day(day: date) -> list[Show]:
    """The day's shows with their sold seats and revenue, soonest first (one query)."""
    start, end = day_bounds(day)
    return list(
        Show.objects.filter(date_time__gte=start, date_time__lt=end)
        .select_related("movie", "screen")
        .annotate(sold=Count("bookings", filter=sold_filter()), revenue=Sum("bookings__price", filter=sold_filter()))
        .order_by("date_time", "screen__name")
    )


def sales_of_day(day: date) -> dict[str, Any]:
    """Tickets sold today (whatever the show's date), their value, cancellations,
    and the money taken for orders (orders.selectors.takings)."""
    start, end = day_bounds(day)
    sold = Booking.objects.filter(Booking.sold(), created_at__gte=start, created_at__lt=end).aggregate(
        tickets=Count("id"), revenue=Sum("price")
    )
    cancelled = Booking.objects.filter(cancelled_at__gte=start, cancelled_at__lt=end).count()
    return {
        "tickets": sold["tickets"],
        "revenue": sold["revenue"] or Decimal("0"),
        "currency": settings.CURRENCY,
        "cancelled": cancelled,
        # Money taken for orders: at the box office per method, online, less refunds.
        **takings(start, end),
    }


def programme(day: date, first_hour: int = 9, last_hour: int = 24) -> list[dict[str, Any]]:
    """Per screen, the day's shows as blocks on a timeline from first_hour to last_hour:
    ``left`` and ``width`` in percent, the cleaning buffer after each show as its own block."""
    start, _ = day_bounds(day)
    origin = start + timedelta(hours=first_hour)
    span = (last_hour - first_hour) * 60

    def percent(moment: datetime) -> float:
        return max(0.0, min(100.0, (moment - origin).total_seconds() / 60 / span * 100))

    rows: dict[int, dict[str, Any]] = {
        screen.pk: {"screen": screen, "blocks": []} for screen in Screen.objects.order_by("name")
    }
    for show in shows_of_day(day):
        ends = show.date_time + timedelta(minutes=show.movie.duration_minutes)
        free = ends + timedelta(minutes=settings.CLEANING_BUFFER_MINUTES)
        rows[show.screen_id]["blocks"].append(
            {
                "show": show,
                "ends": ends,
                "left": percent(show.date_time),
                "width": percent(ends) - percent(show.date_time),
                "buffer_left": percent(ends),
                "buffer_width": percent(free) - percent(ends),
                "capacity": show.screen.capacity,
            }
        )
    return list(rows.values())
