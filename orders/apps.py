from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from bookings.services import release_checks

        from .services import refuse_release_of_ordered_hold

        if refuse_release_of_ordered_hold not in release_checks:
            release_checks.append(refuse_release_of_ordered_hold)
