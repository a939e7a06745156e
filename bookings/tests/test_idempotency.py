from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking
from core.models import IdempotencyKey

pytestmark = pytest.mark.django_db

KEY = "3f1c2d9e-6a7b-4c1d-9e8f-0a1b2c3d4e5f"


def book(client, show, body, key=KEY, slash="/"):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(f"/shows/{show.id}/book{slash}", body, format="json", **headers)


def test_a_retry_with_the_same_key_replays_the_first_answer_and_books_nothing_new(auth_client, show):
    first = book(auth_client, show, {"seat_numbers": [1, 2]})
    retry = book(auth_client, show, {"seat_numbers": [1, 2]}, slash="")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Booking.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_without_a_key_a_retry_is_a_new_request(auth_client, show):
    book(auth_client, show, {"seat_number": 1}, key=None)

    assert book(auth_client, show, {"seat_number": 1}, key=None).status_code == 409
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("other_body", [{"seat_number": 2}, {"seat_numbers": [1]}, {"seat_number": 1, "x": 1}])
def test_the_same_key_with_a_different_body_is_422(auth_client, show, other_body):
    book(auth_client, show, {"seat_number": 1})

    response = book(auth_client, show, other_body)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1


def test_the_same_key_on_another_show_or_path_is_422(auth_client, show, movie):
    from catalog.tests.factories import make_show

    booking_id = book(auth_client, show, {"seat_number": 1}).json()["id"]
    other_show = make_show(movie)

    other = book(auth_client, other_show, {"seat_number": 1})
    cancel = auth_client.post(f"/bookings/{booking_id}/cancel/", HTTP_IDEMPOTENCY_KEY=KEY)

    assert other.status_code == 422
    assert cancel.status_code == 422
    assert list(Booking.objects.values_list("status", flat=True)) == ["booked"]


def test_keys_are_per_user(auth_client, other_client, show):
    mine = book(auth_client, show, {"seat_number": 1})
    theirs = book(other_client, show, {"seat_number": 2})

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert Booking.objects.count() == 2


def test_a_failed_attempt_is_not_stored_so_it_can_be_retried(auth_client, other_client, show):
    taken = book(other_client, show, {"seat_number": 5}, key=None).json()["id"]

    refused = book(auth_client, show, {"seat_number": 5})
    other_client.post(f"/bookings/{taken}/cancel/")
    retried = book(auth_client, show, {"seat_number": 5})

    assert refused.status_code == 409
    assert retried.status_code == 201
    assert IdempotencyKey.objects.count() == 1


def test_an_invalid_body_is_not_stored(auth_client, show):
    assert book(auth_client, show, {"seat_number": 0}).status_code == 400
    assert not IdempotencyKey.objects.exists()


def test_cancel_with_a_key_replays_200_instead_of_409(auth_client, show):
    booking_id = book(auth_client, show, {"seat_number": 1}, key=None).json()["id"]
    url = f"/bookings/{booking_id}/cancel/"

    first = auth_client.post(url, HTTP_IDEMPOTENCY_KEY="cancel-1")
    retry = auth_client.post(url, HTTP_IDEMPOTENCY_KEY="cancel-1")
    without_key = auth_client.post(url)

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert without_key.status_code == 409


def test_an_expired_key_is_free_again(auth_client, show):
    first = book(auth_client, show, {"seat_number": 1})
    auth_client.post(f"/bookings/{first.json()['id']}/cancel/")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    again = book(auth_client, show, {"seat_number": 1})

    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]  # a fresh booking, not a replay
    assert "Idempotent-Replayed" not in again
    assert IdempotencyKey.objects.get().created_at > timezone.now() - timedelta(minutes=1)


def test_purge_command_deletes_only_expired_keys(auth_client, show, capsys):
    book(auth_client, show, {"seat_number": 1}, key="old")
    book(auth_client, show, {"seat_number": 2}, key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    call_command("purge_idempotency_keys")

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1" in capsys.readouterr().out


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "a\tb"])
def test_an_invalid_key_is_400(auth_client, show, key):
    response = book(auth_client, show, {"seat_number": 1}, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Booking.objects.exists()


def test_a_database_error_inside_a_keyed_booking_rolls_back_everything_and_stores_nothing(
    auth_client, other_user, show, monkeypatch
):
    from bookings import services
    from bookings.tests.factories import make_booking

    make_booking(user=other_user, show=show, seat_number=4)
    # Blind the check, as a bug in it would: the constraint refuses the insert inside the key's transaction.
    monkeypatch.setattr(services, "occupants_freeing_lapsed", lambda **kwargs: [])

    refused = book(auth_client, show, {"seat_numbers": [3, 4]})

    assert refused.status_code == 409
    assert refused.json()["seat_numbers"] == [3, 4]
    assert list(Booking.objects.values_list("seat_number", flat=True)) == [4]
    assert not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    assert book(auth_client, show, {"seat_numbers": [3]}, key="another").status_code == 201
