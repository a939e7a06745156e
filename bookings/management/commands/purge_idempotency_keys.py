from django.conf import settings
from django.core.management.base import BaseCommand

from core.idempotency import purge_expired_keys


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS (run hourly or daily)."

    def handle(self, *args, **options):
        deleted = purge_expired_keys()
        self.stdout.write(f"Deleted {deleted} idempotency keys older than {settings.IDEMPOTENCY_KEY_TTL_HOURS} h.")
