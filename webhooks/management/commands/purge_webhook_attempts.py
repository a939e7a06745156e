from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from webhooks.models import Attempt


class Command(BaseCommand):
    help = "Delete webhook delivery attempts older than WEBHOOKS_ATTEMPT_RETENTION_DAYS."

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(days=settings.WEBHOOKS_ATTEMPT_RETENTION_DAYS)
        deleted, _ = Attempt.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} attempt(s) older than {settings.WEBHOOKS_ATTEMPT_RETENTION_DAYS} days.")
