import os

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def throttling(settings):
    """Throttling on (the test settings turn it off), with small rates and fresh counters."""
    settings.THROTTLING = settings.AXES_ENABLED = True
    settings.THROTTLE_RATES = {
        "reads": "3/minute",
        "login": "8/minute",
        "signup": "3/hour",
        "signup_username": "2/minute",
        "bookings": "2/minute",
    }
    cache.clear()
    yield
    cache.clear()


def login(client, username="alice", password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, format="json", **extra)


def assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"]


def test_successful_logins_do_not_count_as_failures(api_client, user):
    for _ in range(7):
        assert login(api_client).status_code == 200


def test_logins_per_address_are_limited_whatever_the_usernames(api_client, user):
    for n in range(8):
        login(api_client, username=f"guess{n}", password="x")

    assert_throttled(login(api_client))


def test_signups_per_address_and_per_username_are_limited(api_client):
    def signup(username, address="10.0.0.1"):
        body = {"username": username, "password": PASSWORD}
        return api_client.post("/signup/", body, format="json", REMOTE_ADDR=address)

    assert signup("dora").status_code == 201
    assert signup("dora", "10.0.0.2").status_code == 400  # taken
    assert_throttled(signup("dora", "10.0.0.3"))  # third try at this username this minute
    assert signup("eve").status_code == 201
    assert signup("fred").status_code == 201
    assert_throttled(signup("gina"))  # fourth signup from 10.0.0.1 this hour


def test_bookings_and_cancels_are_limited_per_user(user, other_user, show):
    mine, theirs = client_for(user), client_for(other_user)
    url = f"/shows/{show.id}/book/"

    assert mine.post(url, {"seat_number": 1}, format="json").status_code == 201
    assert mine.post(url, {"seat_number": 2}, format="json").status_code == 201
    assert_throttled(mine.post(url, {"seat_number": 3}, format="json"))
    assert_throttled(mine.post("/bookings/1/cancel/"))
    assert theirs.post(url, {"seat_number": 3}, format="json").status_code == 201


def test_reads_are_limited_per_address(api_client, movie):
    for _ in range(3):
        assert api_client.get("/movies/").status_code == 200

    assert_throttled(api_client.get(f"/movies/{movie.id}/"))
    assert api_client.get("/movies/", REMOTE_ADDR="10.1.1.1").status_code == 200


def test_x_forwarded_for_is_ignored_without_trusted_proxies(api_client, movie):
    for n in range(3):
        api_client.get("/movies/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert_throttled(api_client.get("/movies/", HTTP_X_FORWARDED_FOR="203.0.113.99"))


def test_behind_one_proxy_the_last_forwarded_address_is_the_client(api_client, movie, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(3):
        # A client can put anything in front; the proxy appends the real address last.
        api_client.get("/movies/", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.7")

    assert_throttled(api_client.get("/movies/", HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7"))
    assert api_client.get("/movies/", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_throttling_can_be_turned_off(api_client, user, settings):
    settings.THROTTLING = settings.AXES_ENABLED = False  # as DJANGO_THROTTLING=0 sets both

    for _ in range(10):
        login(api_client, password="wrong")
        api_client.get("/movies/")
    assert login(api_client).status_code == 200


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings):
    probe = RedisCache(REDIS_URL, {})
    try:
        probe.get("probe")
    except Exception as exc:  # noqa: BLE001 - any connection error means "no Redis here"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    probe.clear()
    yield probe
    probe.clear()


def test_with_redis_the_counters_are_shared_by_every_app_server(api_client, movie, redis_cache):
    for _ in range(2):
        api_client.get("/movies/")

    # Another process sees the same counter: here, a second client of the same Redis.
    keys = [key for key in redis_cache._cache.get_client().keys("*") if b"throttle_reads" in key]
    assert len(keys) == 1
    assert len(redis_cache.get(keys[0].decode().split(":", 2)[-1])) == 2
    api_client.get("/movies/")
    assert_throttled(api_client.get("/movies/"))
