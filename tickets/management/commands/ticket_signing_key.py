from django.core.management.base import BaseCommand

from tickets.keys import new_key


class Command(BaseCommand):
    help = (
        "Make a new key for signing tickets' QR codes. Prints the TICKET_SIGNING_KEY line for the "
        "environment, and the public half to list in TICKET_RETIRED_KEYS once a newer key replaces it."
    )

    def handle(self, *args, **options) -> None:
        key = new_key()
        self.stdout.write(f"TICKET_SIGNING_KEY={key.setting}")
        self.stdout.write(f"# when replaced, add to TICKET_RETIRED_KEYS: {key.retired_setting}")
