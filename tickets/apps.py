from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self) -> None:
        from bookings.services import cancel_checks
        from outbox.registry import register_email

        from . import emails
        from .services import refuse_cancel_if_checked_in

        if refuse_cancel_if_checked_in not in cancel_checks:
            cancel_checks.append(refuse_cancel_if_checked_in)
        register_email(emails.CONFIRMED, emails.render_confirmation)
        register_email(emails.CANCELLED, emails.render_cancellation)
