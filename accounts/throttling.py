"""Rate limits of sign-up and log-in. Failed log-ins are counted by the lockout (accounts/lockout.py)."""

from core.throttling import IPThrottle, UserChangesThrottle, UsernameThrottle

from .identity import username_key


class LoginThrottle(IPThrottle):
    """Every log-in attempt, per client address."""

    scope = "login"


class SignupThrottle(IPThrottle):
    scope = "signup"


class SignupUsernameThrottle(UsernameThrottle):
    """Sign-ups asking for one name (in its canonical form), from anywhere."""

    scope = "signup_username"

    def ident(self, username: str) -> str:
        return username_key(username)


class PasswordChangeThrottle(UserChangesThrottle):
    """Password changes count against the same per-user budget of changes as bookings."""

    scope = "bookings"


class PasswordResetThrottle(IPThrottle):
    scope = "password_reset"


class PasswordResetEmailThrottle(UsernameThrottle):
    """Reset e-mails asked for one address, from anywhere: nobody floods a mailbox."""

    scope = "password_reset_email"
    field = "email"


class PasswordResetConfirmThrottle(IPThrottle):
    scope = "password_reset_confirm"
