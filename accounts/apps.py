from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from outbox.registry import register_email

        from .emails import render_password_reset
        from .services import PASSWORD_RESET

        register_email(PASSWORD_RESET, render_password_reset)
