from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, viewsets
from rest_framework.decorators import action

from config.routers import ID_PATTERN
from config.schema import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409

from . import services
from .filters import ShowFilter, filter_or_400
from .models import Movie
from .permissions import IsStaffOrReadOnly
from .selectors import show_queryset, upcoming_shows
from .serializers import MovieSerializer, ShowSerializer

STAFF_WRITE_ERRORS = {400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}


def catalog_schema(serializer, noun: str, list_summary: str, create_summary: str):
    """Docs for a resource everyone reads and staff write."""
    return extend_schema_view(
        list=extend_schema(summary=list_summary, responses={200: serializer(many=True), 400: ERROR_400}),
        retrieve=extend_schema(summary=f"One {noun} (public)", responses={200: serializer, 404: ERROR_404}),
        create=extend_schema(summary=create_summary, responses={201: serializer, **STAFF_WRITE_ERRORS}),
        update=extend_schema(summary=f"Replace a {noun} (staff)", responses={200: serializer, **STAFF_WRITE_ERRORS}),
        partial_update=extend_schema(
            summary=f"Change a {noun} (staff)", responses={200: serializer, **STAFF_WRITE_ERRORS}
        ),
        destroy=extend_schema(
            summary=f"Delete a {noun} without bookings (staff)",
            responses={204: None, **STAFF_WRITE_ERRORS, 409: ERROR_409},
        ),
    )


@catalog_schema(MovieSerializer, "movie", "List movies (public)", "Add a movie (staff)")
class MovieViewSet(viewsets.ModelViewSet):
    queryset = Movie.objects.all()
    serializer_class = MovieSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [filters.SearchFilter]
    search_fields = ["title"]
    lookup_value_regex = ID_PATTERN

    def perform_destroy(self, instance: Movie) -> None:
        services.movie_delete(movie=instance)

    @extend_schema(
        summary="Upcoming shows of a movie (public)",
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description=ShowFilter.base_filters["date"].label)],
        responses={200: ShowSerializer(many=True), 400: ERROR_400, 404: ERROR_404},
    )
    @action(detail=True, methods=["get"], serializer_class=ShowSerializer, filter_backends=[])
    def shows(self, request, pk=None):
        movie = get_object_or_404(Movie, pk=pk)
        queryset = filter_or_400(ShowFilter, request, upcoming_shows().filter(movie=movie))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@catalog_schema(ShowSerializer, "show", "List upcoming shows, soonest first (public)", "Schedule a show (staff)")
class ShowViewSet(viewsets.ModelViewSet):
    serializer_class = ShowSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ShowFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        # The list is what a customer can still book; a single show stays
        # reachable by id after it has started.
        return upcoming_shows() if self.action == "list" else show_queryset()

    def perform_create(self, serializer) -> None:
        show = services.show_create(**serializer.validated_data)
        serializer.instance = show_queryset().get(pk=show.pk)

    def perform_update(self, serializer) -> None:
        show = services.show_update(show=serializer.instance, **serializer.validated_data)
        serializer.instance = show_queryset().get(pk=show.pk)

    def perform_destroy(self, instance) -> None:
        services.show_delete(show=instance)
