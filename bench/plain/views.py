import secrets
import uuid

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response

from .models import Booking, Show, User


class BookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "show", "seat_number", "seat_label", "status", "price", "currency", "reference", "created_at"]


class BookSerializer(serializers.Serializer):
    seat_number = serializers.IntegerField(min_value=1)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name"]


class ShowViewSet(viewsets.GenericViewSet):
    queryset = Show.objects.all()

    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        body = BookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        seat = body.validated_data["seat_number"]
        with transaction.atomic():
            show = get_object_or_404(Show.objects.select_for_update(), pk=pk)
            if Booking.objects.filter(show=show, seat_number=seat, status__in=["booked", "held"]).exists():
                return Response({"detail": "This seat is taken."}, status=status.HTTP_409_CONFLICT)
            booking = Booking.objects.create(
                user=request.user,
                show=show,
                seat_number=seat,
                seat_label=str(seat),
                price=show.price,
                currency="EUR",
                reference=uuid.uuid4(),
                code=secrets.token_hex(9),
            )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class MeView(RetrieveAPIView):
    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user


def healthz(request):
    return JsonResponse({"status": "ok"})
