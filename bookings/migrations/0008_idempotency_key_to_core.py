"""The idempotency keys' model moved to core (core 0003); its table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0007_ticket_codes"),
        ("core", "0003_idempotency_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
