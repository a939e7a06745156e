from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from core.answers import Answer
from core.fields import OptionalEmailField

from .answers import MeBody
from .lockout import login_authenticate
from .models import User
from .tokens import refresh_rotate


class UserSerializer(serializers.ModelSerializer[User]):
    email = OptionalEmailField(read_only=True, help_text="null when the user gave none.")

    class Meta:
        model = User
        fields = ["id", "username", "email"]


class MeSerializer(Answer, serializers.ModelSerializer[User]):
    email = OptionalEmailField(read_only=True, help_text="null when the user gave none.")

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff"]

    shape = MeBody

    def build(self, user: User) -> MeBody:
        # Written out: the fields above describe the answer (and the schema),
        # but building them (DRF deep-copies every field per answer) took a
        # sixth of GET /me/'s CPU.
        return {"id": user.pk, "username": user.username, "email": user.email or None, "is_staff": user.is_staff}


class SignupSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    password2 = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        help_text="Optional confirmation; when given it must equal password.",
    )
    email = OptionalEmailField(help_text="Optional; null or left out for none.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "password2" in attrs and attrs["password2"] != attrs["password"]:
            raise serializers.ValidationError({"password2": ["The two passwords do not match."]})
        return attrs


class LoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login through the shared lockout, also returning the user so a
    client needs no second request."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = login_authenticate(self.context["request"], username=attrs["username"], password=attrs["password"])
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        self.user = user
        # As the admin's login() does: the lockout forgets this name's failures,
        # and last_login is kept.
        user_logged_in.send(sender=type(user), request=self.context["request"], user=user)
        refresh = RefreshToken.for_user(user)
        return {"refresh": str(refresh), "access": str(refresh.access_token), "user": UserSerializer(user).data}


class TokenPairSerializer(serializers.Serializer[Any]):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResponseSerializer(TokenPairSerializer):
    user = UserSerializer()


class PasswordChangeSerializer(serializers.Serializer[Any]):
    old_password = serializers.CharField(max_length=128, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, style={"input_type": "password"})


class RefreshSerializer(TokenRefreshSerializer):
    """Rotation with reuse detection (accounts/tokens.py)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return refresh_rotate(token=attrs["refresh"])


class PasswordResetRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254, help_text="The address of the account.")


class PasswordResetAcceptedSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class PasswordResetConfirmSerializer(serializers.Serializer[Any]):
    uid = serializers.CharField(max_length=64, help_text="From the reset e-mail.")
    token = serializers.CharField(max_length=128, help_text="From the reset e-mail: works once, for a limited time.")
    new_password = serializers.CharField(max_length=128, style={"input_type": "password"})
