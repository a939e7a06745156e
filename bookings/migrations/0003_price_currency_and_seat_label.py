from django.conf import settings
from django.db import migrations, models


def seat_labels(layout):
    # Frozen here on purpose: seat numbers run row by row over places not blocked.
    labels, number = {}, 0
    for row in layout:
        blocked = set(row.get("blocked", ()))
        for place in range(1, row["seats"] + 1):
            if place not in blocked:
                number += 1
                labels[number] = f"{row['row']}{place}"
    return labels


def fill_from_shows(apps, schema_editor):
    """Bookings made before prices and labels existed: the show's price, the seat's label."""
    Booking = apps.get_model("bookings", "Booking")
    Show = apps.get_model("catalog", "Show")
    for show in Show.objects.filter(bookings__isnull=False).distinct().select_related("screen"):
        labels = seat_labels(show.screen.layout)
        for booking in Booking.objects.filter(show=show).only("id", "seat_number"):
            Booking.objects.filter(pk=booking.pk).update(
                price=show.price, currency=settings.CURRENCY, seat_label=labels.get(booking.seat_number, "")
            )


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0002_purchase_reference_and_idempotency_keys"),
        ("catalog", "0002_screens_genres_prices"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="currency",
            field=models.CharField(default="", max_length=3),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="booking",
            name="price",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=8),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="booking",
            name="seat_label",
            field=models.CharField(default="", max_length=8),
            preserve_default=False,
        ),
        migrations.RunPython(fill_from_shows, migrations.RunPython.noop),
    ]
