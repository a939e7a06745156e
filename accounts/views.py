from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from accounts.auth import customer
from core.events import log_event
from core.schema import ERROR_400, ERROR_401, ERROR_429

from . import services
from .models import User
from .serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PasswordResetAcceptedSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    RefreshSerializer,
    SignupSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from .throttling import (
    LoginThrottle,
    PasswordChangeThrottle,
    PasswordResetConfirmThrottle,
    PasswordResetEmailThrottle,
    PasswordResetThrottle,
    SignupThrottle,
    SignupUsernameThrottle,
)

RESET_ACCEPTED = {
    "detail": "If an account has this address, an e-mail with a reset link is on its way. It works once, for a while."
}


class SignupView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [SignupThrottle, SignupUsernameThrottle]

    @extend_schema(
        summary="Create a customer account",
        request=SignupSerializer,
        responses={201: UserSerializer, 400: ERROR_400, 429: ERROR_429},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.user_create(username=data["username"], password=data["password"], email=data.get("email", ""))
        log_event("signup", user_id=user.pk)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Log in: get an access and a refresh token",
    responses={200: LoginResponseSerializer, 400: ERROR_400, 401: ERROR_401, 429: ERROR_429},
    tags=["accounts"],
)
class LoginView(TokenObtainPairView):
    serializer_class = LoginSerializer
    throttle_classes = [LoginThrottle]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            response = super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            username = request.data.get("username") if isinstance(request.data, dict) else None
            log_event("login_failed", username=str(username)[:150], ip=LoginThrottle().get_ident(request))
            raise
        log_event("login", user_id=response.data["user"]["id"])
        return response


@extend_schema(
    summary="Exchange a refresh token for a new pair (the old refresh token stops working)",
    responses={200: TokenPairSerializer, 400: ERROR_400, 401: ERROR_401},
    tags=["accounts"],
)
class RefreshView(TokenRefreshView):
    serializer_class = RefreshSerializer


@extend_schema(
    summary="Log out: the refresh token can no longer be used",
    responses={204: OpenApiResponse(description="Logged out."), 400: ERROR_400, 401: ERROR_401},
    tags=["accounts"],
)
class LogoutView(TokenBlacklistView):
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="The logged-in user's profile", responses={200: MeSerializer, 401: ERROR_401}, tags=["accounts"])
class MeView(generics.RetrieveAPIView[User]):
    serializer_class = MeSerializer

    def get_object(self) -> User:
        return customer(self.request)


class PasswordChangeView(APIView):
    throttle_classes = [PasswordChangeThrottle]

    @extend_schema(
        summary="Change the password: every refresh token issued so far stops working; answers a new pair",
        request=PasswordChangeSerializer,
        responses={200: TokenPairSerializer, 400: ERROR_400, 401: ERROR_401, 429: ERROR_429},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = customer(request)
        services.user_change_password(user=user, **serializer.validated_data)
        log_event("password_changed", user_id=user.pk)
        refresh = RefreshToken.for_user(user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class PasswordResetView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [PasswordResetThrottle, PasswordResetEmailThrottle]

    @extend_schema(
        summary="Ask for a password reset e-mail; the answer is the same whether the address has an account or not",
        request=PasswordResetRequestSerializer,
        responses={202: PasswordResetAcceptedSerializer, 400: ERROR_400, 429: ERROR_429},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return Response(RESET_ACCEPTED, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [PasswordResetConfirmThrottle]

    @extend_schema(
        summary="Set a new password with the uid and token of a reset e-mail; every refresh token stops working",
        request=PasswordResetConfirmSerializer,
        responses={204: None, 400: ERROR_400, 429: ERROR_429},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
