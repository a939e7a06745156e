from django.core.management.base import BaseCommand

from accounts.models import User


class Command(BaseCommand):
    help = "List accounts whose name collides with an older account's canonical name; rename them in the admin."

    def handle(self, *args, **options) -> None:
        colliding = User.objects.filter(username_key__contains="~").order_by("pk")
        for user in colliding:
            self.stdout.write(f"{user.pk}\t{user.username}\t{user.username_key}")
        self.stderr.write(f"{colliding.count()} colliding account(s)")
