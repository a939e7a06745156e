from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.auth import customer
from core.routers import ID_PATTERN
from core.schema import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409

from . import services
from .exports import codes_csv
from .models import PromoCode
from .selectors import with_uses
from .serializers import PromoBatchAnswerSerializer, PromoBatchSerializer, PromoCodeSerializer

TAGS = ["promo codes"]
STAFF = {401: ERROR_401, 403: ERROR_403}
BATCH = OpenApiParameter("batch", str, description="Only the codes of this batch.")


@extend_schema_view(
    list=extend_schema(
        summary="Promo codes and vouchers, newest first (staff)",
        parameters=[BATCH],
        responses={200: PromoCodeSerializer(many=True), **STAFF},
        tags=TAGS,
    ),
    retrieve=extend_schema(
        summary="One promo code, with its uses (staff)",
        responses={200: PromoCodeSerializer, 404: ERROR_404, **STAFF},
        tags=TAGS,
    ),
    create=extend_schema(
        summary="Make a promo code (staff)", responses={201: PromoCodeSerializer, 400: ERROR_400, **STAFF}, tags=TAGS
    ),
    partial_update=extend_schema(
        summary="Change a promo code's rules, or turn it off (staff)",
        responses={200: PromoCodeSerializer, 400: ERROR_400, 404: ERROR_404, **STAFF},
        tags=TAGS,
    ),
    destroy=extend_schema(
        summary="Delete a promo code no order used (staff)",
        responses={204: None, 404: ERROR_404, 409: ERROR_409, **STAFF},
        tags=TAGS,
    ),
)
class PromoCodeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[PromoCode],
):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = PromoCodeSerializer
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[PromoCode]:
        codes = PromoCode.objects.all()
        batch = self.request.query_params.get("batch")
        if batch:
            codes = codes.filter(batch=batch)
        return with_uses(codes).order_by("-created_at", "code")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        promo = services.promo_create(by=customer(self.request), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=promo.pk)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        assert serializer.instance is not None
        changes = dict(serializer.validated_data)
        changes.pop("code", None)  # a code's text is what customers were given: it stays
        promo = services.promo_update(promo=serializer.instance, **changes)
        serializer.instance = self.get_queryset().get(pk=promo.pk)

    def perform_destroy(self, instance: PromoCode) -> None:
        services.promo_delete(promo=instance)

    @extend_schema(
        summary="Make a batch of codes with the same rules, e.g. 500 one-time vouchers (staff)",
        request=PromoBatchSerializer,
        responses={201: PromoBatchAnswerSerializer, 400: ERROR_400, **STAFF},
        tags=TAGS,
    )
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        asked = PromoBatchSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        made = services.promo_batch_create(by=customer(request), **asked.validated_data)
        answer = {"batch": made[0].batch, "count": len(made), "codes": [promo.code for promo in made]}
        return Response(PromoBatchAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The codes as CSV, e.g. one batch for printing (staff)",
        parameters=[BATCH],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="code,kind,value,..."), **STAFF},
        tags=TAGS,
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        codes = self.get_queryset()
        response = HttpResponse(codes_csv(codes), content_type="text/csv; charset=utf-8")
        name = request.query_params.get("batch") or "promo-codes"
        safe = "".join(c for c in name if c.isalnum() or c in "-_")[:64] or "promo-codes"
        response["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
        return response
