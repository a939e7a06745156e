from django.core.management.base import BaseCommand

from waitlist.services import offers_make


class Command(BaseCommand):
    help = "Offer seats that came back to the waiting lists (what the worker does every few seconds)."

    def handle(self, *args: object, **options: object) -> None:
        made = offers_make()
        self.stdout.write(f"{made} offers made.")
