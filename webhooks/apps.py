from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from outbox.registry import register

        from .delivery import KIND, deliver, retry

        register(KIND, deliver, retry)
