from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import customer
from bookings.throttling import BookingThrottle
from catalog.models import Show
from core.routers import ID_PATTERN
from core.schema import ERROR_400, ERROR_401, ERROR_404, ERROR_409

from . import selectors, services
from .models import Entry
from .serializers import WaitingListEntrySerializer, WaitingListJoinSerializer


class ShowWaitingListViewSet(viewsets.GenericViewSet[Any]):
    """The waiting list side of /shows/{id}/: joining and leaving it."""

    lookup_value_regex = ID_PATTERN
    serializer_class = WaitingListEntrySerializer
    queryset = Show.objects.none()  # for the schema's path id: actions call services

    @extend_schema(
        summary="Join the show's waiting list: seats that come back are offered in turn",
        description=(
            "Only when the seats can not be had now: the show is sold out, has fewer than `seats` seats "
            "together, or its free seats are the waiting list's already (409 `seats_available` otherwise). "
            "Once per customer and show (409 `already_waiting`). When seats come back they are held for the "
            "first entry they fit, for WAITING_LIST_OFFER_MINUTES, and the customer is e-mailed; the offer is "
            "a hold, confirmed or ordered as any (GET /my-waiting-list/ shows it). docs/waiting-list.md."
        ),
        request=WaitingListJoinSerializer,
        responses={201: WaitingListEntrySerializer, 400: ERROR_400, 401: ERROR_401, 404: ERROR_404, 409: ERROR_409},
        tags=["waiting list"],
    )
    @action(detail=True, methods=["post"], url_path="waiting-list", throttle_classes=[BookingThrottle])
    def waiting_list(self, request: Request, pk: str) -> Response:
        asked = WaitingListJoinSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        entry = services.entry_join(user=customer(request), show_id=int(pk), seats=asked.validated_data["seats"])
        return Response(WaitingListEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Leave the show's waiting list (a standing offer is given up: its seats are released)",
        request=None,
        responses={204: None, 401: ERROR_401, 404: ERROR_404, 409: ERROR_409},
        tags=["waiting list"],
    )
    @waiting_list.mapping.delete
    def leave_waiting_list(self, request: Request, pk: str) -> Response:
        services.entry_leave(user=customer(request), show_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    summary="The caller's waiting list entries, newest first, with their place in the queue and offers",
    responses={200: WaitingListEntrySerializer(many=True), 401: ERROR_401},
    tags=["waiting list"],
)
class MyWaitingListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Entry]):
    serializer_class = WaitingListEntrySerializer
    queryset = Entry.objects.none()  # for the schema: get_queryset reads the caller's own

    def get_queryset(self) -> Any:
        return selectors.entries_of(user_id=customer(self.request).pk)
