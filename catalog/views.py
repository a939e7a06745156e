from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.httpcache import CachedReadMixin
from core.routers import ID_PATTERN
from core.schema import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409

from . import services
from .filters import MovieFilter, ShowFilter
from .models import Genre, Movie, Screen, Show, TicketType
from .permissions import IsStaffOrReadOnly
from .selectors import movie_queryset, show_queryset, upcoming_shows
from .serializers import GenreSerializer, MovieSerializer, ScreenSerializer, ShowSerializer, TicketTypeSerializer

M = TypeVar("M", bound=models.Model)


def _instance(serializer: BaseSerializer[M]) -> M:
    """The row an update changes (DRF gives every update serializer its instance)."""
    assert serializer.instance is not None
    return serializer.instance


STAFF_WRITE_ERRORS = {400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}


def catalog_schema(
    serializer: type[BaseSerializer[Any]], noun: str, list_summary: str, create_summary: str, delete_summary: str
) -> Callable[[Any], Any]:
    """Docs for a resource everyone reads and staff write."""
    return extend_schema_view(
        list=extend_schema(summary=list_summary, responses={200: serializer(many=True), 400: ERROR_400}),
        retrieve=extend_schema(summary=f"One {noun} (public)", responses={200: serializer, 404: ERROR_404}),
        create=extend_schema(summary=create_summary, responses={201: serializer, **STAFF_WRITE_ERRORS}),
        update=extend_schema(
            summary=f"Replace a {noun} (staff)", responses={200: serializer, **STAFF_WRITE_ERRORS, 409: ERROR_409}
        ),
        partial_update=extend_schema(
            summary=f"Change a {noun} (staff)", responses={200: serializer, **STAFF_WRITE_ERRORS, 409: ERROR_409}
        ),
        destroy=extend_schema(summary=delete_summary, responses={204: None, **STAFF_WRITE_ERRORS, 409: ERROR_409}),
    )


@extend_schema_view(
    list=extend_schema(summary="List genres (public)"),
    retrieve=extend_schema(summary="One genre by its slug (public)", responses={200: GenreSerializer, 404: ERROR_404}),
)
class GenreViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet[Genre]):
    queryset = Genre.objects.all()
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,50}"
    serializer_class = GenreSerializer
    permission_classes = [IsStaffOrReadOnly]
    pagination_class = None


@extend_schema_view(
    list=extend_schema(
        summary="List ticket types: who a ticket is for, its name and what the door checks (public)",
        description="A show's prices per type are its ticket_types; an order chooses a type per seat.",
    ),
    retrieve=extend_schema(summary="One ticket type (public)", responses={200: TicketTypeSerializer, 404: ERROR_404}),
)
class TicketTypeViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet[TicketType]):
    queryset = TicketType.objects.all()
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,20}"
    serializer_class = TicketTypeSerializer
    permission_classes = [IsStaffOrReadOnly]
    pagination_class = None


@catalog_schema(
    MovieSerializer,
    "movie",
    "List movies; filter by genre or now showing, search title and description (public)",
    "Add a movie (staff)",
    "Delete a movie without bookings (staff)",
)
class MovieViewSet(CachedReadMixin, viewsets.ModelViewSet[Movie]):
    serializer_class = MovieSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]
    filterset_class = MovieFilter
    search_fields = ["title", "description"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Any]:  # the movie's shows, for the shows action
        return upcoming_shows() if self.action == "shows" else movie_queryset()

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.movie_create(**serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.movie_update(movie=_instance(serializer), **serializer.validated_data)

    def perform_destroy(self, instance: Movie) -> None:
        services.movie_delete(movie=instance)

    @extend_schema(
        summary="Upcoming shows of a movie, with the same filters as /shows/ (public)",
        responses={200: ShowSerializer(many=True), 400: ERROR_400, 404: ERROR_404},
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=ShowSerializer,
        filter_backends=[DjangoFilterBackend],
        filterset_class=ShowFilter,
    )
    def shows(self, request: Request, pk: str) -> HttpResponseBase:
        def upcoming(request: Request, pk: str) -> Response:
            movie = get_object_or_404(Movie, pk=pk)
            queryset = self.filter_queryset(self.get_queryset().filter(movie=movie))
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)

        return self.cached(request, upcoming, pk=pk, scopes=("catalog", "seats"))


@catalog_schema(
    ScreenSerializer,
    "screen",
    "List screens with their seat layouts (public)",
    "Add a screen (staff)",
    "Delete a screen without shows (staff)",
)
class ScreenViewSet(CachedReadMixin, viewsets.ModelViewSet[Screen]):
    queryset = Screen.objects.all()
    serializer_class = ScreenSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = []
    lookup_value_regex = ID_PATTERN

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.screen_save(
            screen=Screen(),
            name=data["name"],
            layout=data["layout"],
            ticket_prices=data.get("ticket_prices"),
            **{field: data[field] for field in services.SEATING_FIELDS if field in data},
        )

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        screen, data = _instance(serializer), serializer.validated_data
        serializer.instance = services.screen_save(
            screen=screen,
            name=data.get("name", screen.name),
            layout=data.get("layout", screen.layout),
            ticket_prices=data.get("ticket_prices"),
            **{field: data[field] for field in services.SEATING_FIELDS if field in data},
        )

    def perform_destroy(self, instance: Screen) -> None:
        services.screen_delete(screen=instance)


@catalog_schema(
    ShowSerializer,
    "show",
    "List upcoming shows, soonest first; filter by day, movie, screen, free seats (public)",
    "Schedule a show (staff)",
    "Delete a show without bookings (staff)",
)
class ShowViewSet(CachedReadMixin, viewsets.ModelViewSet[Show]):
    cache_scopes = ("catalog", "seats")  # available_seats changes with every booking
    serializer_class = ShowSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ShowFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Show]:
        # The list is what a customer can still book; a single show stays
        # reachable by id after it has started.
        return upcoming_shows() if self.action == "list" else show_queryset()

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        show = services.show_create(**serializer.validated_data)
        serializer.instance = show_queryset().get(pk=show.pk)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        show = services.show_change(show=_instance(serializer), **serializer.validated_data)
        serializer.instance = show_queryset().get(pk=show.pk)

    def perform_destroy(self, instance: Show) -> None:
        services.show_delete(show=instance)
