from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waiting list"

    def ready(self) -> None:
        from bookings.services import take_checks
        from outbox.registry import register_email

        from . import emails, services

        if services.refuse_for_waiting_list not in take_checks:
            take_checks.append(services.refuse_for_waiting_list)
        register_email(services.OFFER_EMAIL, emails.render_offer)
