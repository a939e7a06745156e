from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_show
from conftest import PASSWORD, client_for


def door_staff_group() -> Group:
    """The group the migrations make (made again after a transactional test's flush, which empties it)."""
    group, _ = Group.objects.get_or_create(name="Door staff")
    group.permissions.add(Permission.objects.get(codename="check_in", content_type__app_label="tickets"))
    return group


@pytest.fixture
def door_user(db) -> User:
    """Door staff: in the door staff group, not staff."""
    user = User.objects.create_user(username="dora", password=PASSWORD)
    user.groups.add(door_staff_group())
    return user


@pytest.fixture
def door_client(door_user):
    return client_for(door_user)


@pytest.fixture
def tonight(movie):
    """A 50-seat show starting in 30 minutes: check-in is open."""
    return make_show(movie, starts_in=timedelta(minutes=30))


@pytest.fixture
def ticket(user, tonight):
    """Alice's ticket for seat 7 of tonight's show."""
    return make_booking(user=user, show=tonight, seat_number=7)


def scan(client, code: str, **fields):
    return client.post("/check-ins/", {"code": code, **fields}, format="json")
