from django.core.management.base import BaseCommand

from outbox.services import messages_sweep


class Command(BaseCommand):
    help = (
        "Hand on every outbox message that is due: new ones, retries, and those of a worker that died. "
        "Celery beat runs it every OUTBOX_SWEEP_SECONDS; without beat, run it from cron."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{messages_sweep()} message(s) handed on.")
