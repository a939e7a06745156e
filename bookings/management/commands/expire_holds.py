from django.conf import settings
from django.core.management.base import BaseCommand

from bookings.services import holds_expire


class Command(BaseCommand):
    help = (
        "Mark holds past their expiry as expired and free their seats, and delete holds that ended more than "
        "HOLD_RETENTION_DAYS ago. Expiry is exact without it; this keeps the tables tidy (run every few minutes)."
    )

    def handle(self, *args, **options):
        expired, deleted = holds_expire()
        self.stdout.write(
            f"Expired {expired} holds; deleted {deleted} holds that ended over {settings.HOLD_RETENTION_DAYS} days ago."
        )
