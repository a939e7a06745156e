"""Redis, as cache and broker, stopped for 20 s while customers book and door staff scan, against
gunicorn in production mode: every answer tells the truth (a 201 has its row, a refusal left none),
and no seat is sold twice nor a ticket checked in twice."""

import http.client
import json
import threading
import time
from datetime import timedelta

from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_show
from conftest import PASSWORD
from core.tests.realservers import ProductionServer
from tickets.models import CheckIn
from tickets.tests.conftest import door_staff_group

OUTAGE_SECONDS = 20


def post(port: int, path: str, token: str, body: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Host": "127.0.0.1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_redis_down_for_20_s_during_bookings_and_check_ins_never_makes_an_answer_lie(
    transactional_db, redis_server, request
):
    customers = [User.objects.create_user(username=f"c{i}", password=PASSWORD) for i in range(2)]
    door = User.objects.create_user(username="dora", password=PASSWORD)
    door.groups.add(door_staff_group())
    show = make_show(starts_in=timedelta(minutes=30), total_seats=1000)
    tickets = [make_booking(user=customers[0], show=show, seat_number=n) for n in range(801, 1001)]
    token = {user.pk: str(RefreshToken.for_user(user).access_token) for user in [*customers, door]}
    server = ProductionServer(broker_url=redis_server.url, REDIS_URL=redis_server.url)
    request.addfinalizer(server.close)
    bookings: list[tuple[int, int, int]] = []  # customer, seat, status
    scans: list[tuple[int, int]] = []  # ticket, status
    stop = threading.Event()

    def book(index: int) -> None:
        customer = customers[index]
        for seat in range(1 + index, 800, 2):  # each customer its own seats, and a rival's now and then
            if stop.is_set():
                return
            for attempt in (seat, seat + 1):
                status, _ = post(server.port, f"/shows/{show.pk}/book/", token[customer.pk], {"seat_number": attempt})
                bookings.append((customer.pk, attempt, status))
            time.sleep(0.05)

    def check_in() -> None:
        for ticket in tickets:
            if stop.is_set():
                return
            for _ in range(2):  # the second scan of a ticket is a 409
                status, _ = post(server.port, "/check-ins/", token[door.pk], {"code": ticket.code, "show": show.pk})
                scans.append((ticket.pk, status))
            time.sleep(0.1)

    workers = [threading.Thread(target=book, args=(i,)) for i in range(2)] + [threading.Thread(target=check_in)]
    for worker in workers:
        worker.start()
    time.sleep(3)
    redis_server.stop()
    during = len(bookings) + len(scans)
    time.sleep(OUTAGE_SECONDS)
    during = len(bookings) + len(scans) - during
    redis_server.start()
    time.sleep(3)
    stop.set()
    for worker in workers:
        worker.join(timeout=60)

    print(f"redis outage: {len(bookings)} bookings, {len(scans)} scans, {during} of them during the outage")
    assert during > 100  # requests really were answered while Redis was down
    assert {status for *_, status in bookings} <= {201, 409}, sorted({s for *_, s in bookings})
    assert {status for _, status in scans} <= {201, 409}, sorted({s for _, s in scans})
    booked = {
        (user, seat)
        for user, seat in Booking.objects.filter(show=show, seat_number__lte=800).values_list("user", "seat_number")
    }
    assert booked == {(user, seat) for user, seat, status in bookings if status == 201}
    seats = [seat for _, seat in booked]
    assert len(seats) == len(set(seats))
    checked_in = list(CheckIn.objects.filter(ended_at__isnull=True).values_list("booking_id", flat=True))
    assert sorted(checked_in) == sorted(ticket for ticket, status in scans if status == 201)
    assert len(checked_in) == len(set(checked_in))
