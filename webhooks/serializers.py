from typing import Any

from rest_framework import serializers

from . import services
from .models import SUBSCRIBABLE, Attempt, Endpoint


class WebhookEndpointSerializer(serializers.ModelSerializer[Endpoint]):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE),
        min_length=1,
        help_text="The event types to receive.",
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "active",
            "created_at",
            "consecutive_failures",
            "deactivated_reason",
        ]
        read_only_fields = ["id", "created_at", "consecutive_failures", "deactivated_reason"]

    def validate_url(self, url: str) -> str:
        services.endpoint_check_url(url)
        return url

    def validate_events(self, events: list[str]) -> list[str]:
        return services.endpoint_events(events)

    def update(self, instance: Endpoint, validated_data: dict[str, Any]) -> Endpoint:
        if validated_data.get("active") and not instance.active:
            # Turned on again by staff: the count of failures starts over.
            instance.consecutive_failures, instance.deactivated_reason = 0, ""
        return super().update(instance, validated_data)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown once, in this answer: the key that signs every delivery (Standard Webhooks)."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookPingSerializer(serializers.Serializer[Any]):
    event = serializers.CharField(help_text="The id of the test event, as in its webhook-id header.")


class WebhookAttemptSerializer(serializers.ModelSerializer[Attempt]):
    succeeded = serializers.BooleanField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "event_id",
            "event_type",
            "created_at",
            "status_code",
            "duration_ms",
            "response",
            "error",
            "succeeded",
        ]
        read_only_fields = fields
