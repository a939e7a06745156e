from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from outbox.registry import register, register_email

        from .emails import render_password_reset
        from .services import PASSWORD_RESET, PASSWORD_RESET_REQUEST, password_reset_fan_out

        register(PASSWORD_RESET_REQUEST, password_reset_fan_out)
        register_email(PASSWORD_RESET, render_password_reset)
