"""Each written-out answer (core/answers.py) agrees with the schema its serializer
generates: the TypedDict's keys are the component's properties, its required
keys the component's required ones, each key's type the property's; and a
body built from real rows has exactly those keys and validates."""

import types
import typing
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from openapi_schema_validator import OAS30ReadValidator

from accounts.serializers import MeSerializer
from bookings import services as bookings_services
from bookings.serializers import BookingSerializer, HoldSerializer, PurchaseSerializer
from core.answers import Answer
from tickets import services as tickets_services
from tickets.serializers import CheckInSerializer

from .conformance import spec

ANSWERS: dict[str, type[Answer]] = {
    "Booking": BookingSerializer,
    "Purchase": PurchaseSerializer,
    "Hold": HoldSerializer,
    "CheckIn": CheckInSerializer,
    "Me": MeSerializer,
}
SCALARS = {int: "integer", str: "string", bool: "boolean", float: "number"}


def component(name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec()["components"]["schemas"][name]
    return found


def _resolved(prop: dict[str, Any]) -> dict[str, Any]:
    """The property's own schema, through DRF-spectacular's allOf-of-one-$ref wrapping."""
    if "$ref" in prop:
        return {**component(prop["$ref"].rsplit("/", 1)[1]), **{k: v for k, v in prop.items() if k != "$ref"}}
    if len(prop.get("allOf", [])) == 1:
        return {**_resolved(prop["allOf"][0]), **{k: v for k, v in prop.items() if k != "allOf"}}
    return prop


def disagreements(hint: Any, prop: dict[str, Any], where: str) -> list[str]:
    """How the Python type of a body's value and the schema of its property differ."""
    prop = _resolved(prop)
    args = get_args(hint)
    if get_origin(hint) in (Union, types.UnionType) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        found = [] if prop.get("nullable") else [f"{where}: None in the body, not nullable in the schema"]
        return found + disagreements(inner, {**prop, "nullable": False}, where)
    if prop.get("nullable"):
        return [f"{where}: nullable in the schema, never None in the body"]
    if get_origin(hint) is list:
        if prop.get("type") != "array":
            return [f"{where}: a list in the body, {prop.get('type')} in the schema"]
        return disagreements(args[0], prop["items"], f"{where}[]")
    if typing.is_typeddict(hint):
        return shape_disagreements(hint, prop, where)
    if SCALARS.get(hint) != prop.get("type"):
        return [f"{where}: {hint.__name__} in the body, {prop.get('type')} in the schema"]
    return []


def shape_disagreements(shape: Any, schema: dict[str, Any], where: str) -> list[str]:
    hints = get_type_hints(shape)
    properties = schema["properties"]
    found = (
        [f"{where}: keys {sorted(set(hints) ^ set(properties))} are on one side only"]
        if set(hints) != set(properties)
        else []
    )
    if set(shape.__required_keys__) != set(schema.get("required", [])):
        found.append(f"{where}: required {sorted(shape.__required_keys__)} against {schema.get('required')}")
    for key in sorted(set(hints) & set(properties)):
        found += disagreements(hints[key], properties[key], f"{where}.{key}")
    return found


@pytest.mark.parametrize("name", ANSWERS)
def test_the_answer_s_shape_is_the_schema_s_component(name):
    assert shape_disagreements(ANSWERS[name].shape, component(name), name) == []


def test_the_comparison_sees_a_difference():
    class Wrong(typing.TypedDict):
        id: str
        username: str | None
        extra: int

    assert shape_disagreements(Wrong, component("Me"), "Me") == [
        "Me: keys ['email', 'extra', 'is_staff'] are on one side only",
        "Me: required ['extra', 'id', 'username'] against ['email', 'id', 'is_staff', 'username']",
        "Me.id: str in the body, integer in the schema",
        "Me.username: None in the body, not nullable in the schema",
    ]


def _validator(name: str) -> OAS30ReadValidator:
    # As core/tests/conformance.py validates every response.
    return OAS30ReadValidator({"$ref": f"#/components/schemas/{name}", "components": spec()["components"]})


@pytest.fixture
def bodies(user, staff_user, show) -> dict[str, Any]:
    """One body of each answer, built from rows the services made."""
    purchase = bookings_services.booking_create(user=user, show_id=show.pk, seat_numbers=[1, 2])
    hold = bookings_services.hold_create(user=user, show_id=show.pk, seat_numbers=[5])
    door_opens = show.date_time  # scanned as the show starts: the door is open then
    check_in = tickets_services.check_in_create(code=purchase.bookings[0].code, by=staff_user, scanned_at=door_opens)
    return {
        "Booking": BookingSerializer(purchase.bookings[0], context={"email_queued": True}).data,
        "Purchase": PurchaseSerializer.of(purchase.bookings, email_queued=purchase.email_queued).data,
        "Hold": HoldSerializer(hold).data,
        "CheckIn": CheckInSerializer(check_in).data,
        "Me": MeSerializer(user).data,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", ANSWERS)
def test_a_built_body_has_the_shape_s_keys_and_validates(bodies, name):
    body = bodies[name]

    assert set(body) == set(get_type_hints(ANSWERS[name].shape))
    _validator(name).validate(body)
