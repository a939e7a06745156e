from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from config.schema import ERROR_400, ERROR_401

from . import services
from .serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    MeSerializer,
    SignupSerializer,
    TokenPairSerializer,
    UserSerializer,
)


class SignupView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Create a customer account",
        request=SignupSerializer,
        responses={201: UserSerializer, 400: ERROR_400},
        tags=["accounts"],
    )
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.user_create(username=data["username"], password=data["password"], email=data["email"])
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Log in: get an access and a refresh token",
    responses={200: LoginResponseSerializer, 400: ERROR_400, 401: ERROR_401},
    tags=["accounts"],
)
class LoginView(TokenObtainPairView):
    serializer_class = LoginSerializer


@extend_schema(
    summary="Exchange a refresh token for a new pair (the old refresh token stops working)",
    responses={200: TokenPairSerializer, 400: ERROR_400, 401: ERROR_401},
    tags=["accounts"],
)
class RefreshView(TokenRefreshView):
    pass


@extend_schema(
    summary="Log out: the refresh token can no longer be used",
    responses={204: OpenApiResponse(description="Logged out."), 400: ERROR_400, 401: ERROR_401},
    tags=["accounts"],
)
class LogoutView(TokenBlacklistView):
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="The logged-in user's profile", responses={200: MeSerializer, 401: ERROR_401}, tags=["accounts"])
class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user
