from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from .models import User


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email"]


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff"]


class SignupSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    password2 = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        help_text="Optional confirmation; when given it must equal password.",
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if "password2" in attrs and attrs["password2"] != attrs["password"]:
            raise serializers.ValidationError({"password2": ["The two passwords do not match."]})
        return attrs


class LoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login, also returning the user so a client needs no second request."""

    def validate(self, attrs):
        data = super().validate(attrs)
        data["user"] = UserSerializer(self.user).data
        return data


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResponseSerializer(TokenPairSerializer):
    user = UserSerializer()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, style={"input_type": "password"})
