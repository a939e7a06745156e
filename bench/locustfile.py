"""One benchmark scenario per run, chosen by BENCH_SCENARIO; data from BENCH_FIXTURE.

Every simulated client sends its next request as soon as the last one is
answered (no think time), so the server sees exactly as many requests in
flight as there are clients.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, events, task

with open(os.environ["BENCH_FIXTURE"]) as fixture:
    FIXTURE = json.load(fixture)
SCENARIO = os.environ["BENCH_SCENARIO"]
CREATED: list[dict] = []  # what every 201 said was booked, checked against the database afterwards
REFUSED = {"count": 0}


class Client(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.user_id, token = self.rng.choice(FIXTURE["tokens"])
        self.auth = {"Authorization": f"Bearer {token}"}

    def book(self, show_id: int, seats: int) -> None:
        seat = self.rng.randint(1, seats)
        with self.client.post(
            f"/shows/{show_id}/book/", json={"seat_number": seat}, headers=self.auth, name="book", catch_response=True
        ) as response:
            if response.status_code == 201:
                booking = response.json()
                CREATED.append({"id": booking["id"], "show": show_id, "seat": seat, "user": self.user_id})
                response.success()
            elif response.status_code == 409:
                REFUSED["count"] += 1  # the seat was taken: an expected answer, not an error
                response.success()
            else:
                response.failure(f"{response.status_code}")

    @task
    def request(self) -> None:
        if SCENARIO == "baseline":
            self.client.get("/healthz", name=SCENARIO)
        elif SCENARIO == "movies":
            self.client.get("/movies/", name=SCENARIO)
        elif SCENARIO == "shows_by_date":
            self.client.get(f"/shows/?date={FIXTURE['busy_date']}", name=SCENARIO)
        elif SCENARIO == "seat_map":
            self.client.get(f"/shows/{FIXTURE['seat_map_show']}/seats/", name=SCENARIO)
        elif SCENARIO == "my_bookings":
            self.client.get("/my-bookings/", headers=self.auth, name=SCENARIO)
        elif SCENARIO == "book_spread":
            self.book(self.rng.choice(FIXTURE["shows"]), FIXTURE["spread_seats"])
        elif SCENARIO == "book_premiere":
            self.book(FIXTURE["premiere_show"], FIXTURE["premiere_seats"])
        else:
            raise ValueError(f"unknown scenario {SCENARIO}")


@events.test_stop.add_listener
def save_bookings(environment, **kwargs) -> None:
    with open(os.environ["BENCH_CREATED"], "w") as out:
        json.dump({"created": CREATED, "refused": REFUSED["count"]}, out)
