from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from bookings.services import cancel_one_checks, kept_holds, release_checks
        from outbox.registry import Retry, register, register_email
        from pricing import selectors as pricing

        from . import emails, services

        if services.refuse_release_of_ordered_hold not in release_checks:
            release_checks.append(services.refuse_release_of_ordered_hold)
        if services.refuse_cancel_of_ordered_booking not in cancel_one_checks:
            cancel_one_checks.append(services.refuse_cancel_of_ordered_booking)
        if services.promo_uses not in pricing.uses_counted:
            pricing.uses_counted.append(services.promo_uses)
        if services.ORDERED not in kept_holds:
            kept_holds.append(services.ORDERED)
        # A provider that does not answer is asked again for about a day: 30 s doubling up to an hour.
        register(
            services.REFUND, services.deliver_refund, lambda: Retry(attempts=30, base=30, longest=3600, jitter=0.2)
        )
        register_email(services.REFUNDED, emails.render_refunded)
