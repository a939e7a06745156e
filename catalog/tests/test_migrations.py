"""Data written before screens, prices and labels existed survives the migrations."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("accounts", "0001_initial"),
    ("catalog", "0001_initial"),
    ("bookings", "0002_purchase_reference_and_idempotency_keys"),
]


@pytest.mark.django_db(transaction=True)
def test_shows_get_screens_and_bookings_get_labels_and_prices():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        user = old.get_model("accounts", "User").objects.create(username="old-timer")
        movie = old.get_model("catalog", "Movie").objects.create(title="Old film", duration_minutes=90)
        Show = old.get_model("catalog", "Show")
        when = timezone.now() + timedelta(days=3)
        big = Show.objects.create(movie=movie, screen_name="Screen 1", date_time=when, total_seats=45)
        Show.objects.create(movie=movie, screen_name="Screen 1", date_time=when + timedelta(hours=3), total_seats=45)
        odd = Show.objects.create(movie=movie, screen_name="Screen 1", date_time=when, total_seats=8)
        Booking = old.get_model("bookings", "Booking")
        Booking.objects.create(user=user, show=big, seat_number=22)
        Booking.objects.create(user=user, show=odd, seat_number=8, status="cancelled")

        executor = MigrationExecutor(connection)
        executor.migrate(latest)

        new = executor.loader.project_state(latest).apps
        screens = {s.name: s for s in new.get_model("catalog", "Screen").objects.all()}
        assert {name: s.capacity for name, s in screens.items()} == {"Screen 1": 45, "Screen 1 (8 seats)": 8}
        assert screens["Screen 1"].layout == [
            {"row": "A", "seats": 20},
            {"row": "B", "seats": 20},
            {"row": "C", "seats": 5},
        ]
        shows = new.get_model("catalog", "Show").objects.order_by("id")
        assert [s.screen.name for s in shows] == ["Screen 1", "Screen 1", "Screen 1 (8 seats)"]
        assert {s.price for s in shows} == {Decimal("10.00")}
        bookings = new.get_model("bookings", "Booking").objects.order_by("id")
        assert [(b.seat_number, b.seat_label, b.price, b.currency) for b in bookings] == [
            (22, "B2", Decimal("10.00"), "EUR"),
            (8, "A8", Decimal("10.00"), "EUR"),
        ]
    finally:
        MigrationExecutor(connection).migrate(latest)
