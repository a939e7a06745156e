import django.utils.timezone
from django.db import migrations, models

import bookings.codes


def give_every_row_a_code(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    for booking in Booking.objects.filter(code__isnull=True).only("pk").iterator():
        Booking.objects.filter(pk=booking.pk).update(code=bookings.codes.new_ticket_code())


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_my_bookings_index"),
    ]

    operations = [
        # Nullable first: a callable default is evaluated once for the rows
        # already there, which would give them all the same code.
        migrations.AddField(
            model_name="booking",
            name="code",
            field=models.CharField(editable=False, max_length=18, null=True),
        ),
        migrations.RunPython(give_every_row_a_code, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="code",
            field=models.CharField(
                default=bookings.codes.new_ticket_code, editable=False, max_length=18, unique=True
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["show", "changed_at"], name="bookings_show_changed"),
        ),
    ]
