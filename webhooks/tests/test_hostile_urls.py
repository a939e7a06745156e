"""Webhook URLs and receivers an attacker chooses, with the production settings
(no private addresses, https only): nothing inside the network is ever called,
and no receiver holds a worker for longer than WEBHOOKS_TIMEOUT_SECONDS."""

import time

import pytest

from core.tests.realservers import HTTPReceiver
from webhooks.delivery import DeliveryFailed, Refused, check_url, deliver
from webhooks.models import Attempt, Endpoint

from .test_webhooks import queued_event, subscribe

pytestmark = pytest.mark.django_db

# Spellings of loopback, private, link-local and unspecified addresses that
# resolvers accept; each reaches this machine or its network when allowed.
INSIDE = [
    "127.0.0.1",
    "0x7f000001",
    "2130706433",
    "0177.0.0.1",
    "127.1",
    "0",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::]",
    "10.0.0.1",
    "192.168.1.1",
    "172.16.0.1",
    "100.64.0.1",
    "169.254.169.254",
    "[fe80::1]",
    "[fc00::1]",
    "localhost",
    "localhost.localdomain",
]
NOT_HTTP = [
    "ftp://example.com/hook",
    "file:///etc/passwd",
    "gopher://example.com/",
    "javascript:alert(1)",
    "data:text/plain,hi",
    "//example.com/hook",
    "example.com/hook",
    "https:///hook",
]


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    return settings


@pytest.fixture
def inside():
    """A receiver on loopback, standing for whatever listens inside the network."""
    server = HTTPReceiver()
    yield server
    server.close()


@pytest.mark.parametrize("host", INSIDE)
def test_no_spelling_of_an_inside_address_is_saved(staff_client, production, host):
    response = staff_client.post("/webhooks/", {"url": f"https://{host}/hook", "events": ["ping"]}, format="json")

    assert response.status_code == 400, response.content
    assert "url" in response.json()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("host", [h for h in INSIDE if h not in ("localhost.localdomain",)])
def test_an_endpoint_saved_with_an_inside_address_is_refused_at_delivery_and_nothing_is_sent(production, inside, host):
    # Saved before the settings were strict, or a name that resolved outside then.
    production.WEBHOOKS_REQUIRE_HTTPS = False
    endpoint = subscribe(f"http://{host}:{inside.port}/hook")

    with pytest.raises(Refused, match="inside a network"):
        deliver(queued_event(endpoint, "evt_inside"))

    assert inside.requests == []
    assert "inside a network" in Attempt.objects.get().error


def test_the_inside_receiver_is_reachable_when_private_addresses_are_allowed(settings, inside):
    # The control for the test above: the same URL, allowed, arrives.
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS, settings.WEBHOOKS_REQUIRE_HTTPS = True, False
    endpoint = subscribe(f"http://0x7f000001:{inside.port}/hook")

    deliver(queued_event(endpoint, "evt_allowed"))

    assert len(inside.requests) == 1


@pytest.mark.parametrize("url", NOT_HTTP)
def test_urls_of_other_schemes_or_without_a_host_are_refused_when_saved_and_delivering(staff_client, production, url):
    response = staff_client.post("/webhooks/", {"url": url, "events": ["ping"]}, format="json")

    assert response.status_code == 400, response.content
    assert not Endpoint.objects.exists()
    with pytest.raises(Refused):
        check_url(url)


# A megabyte is over the request body limit before the URL is looked at.
@pytest.mark.parametrize(("length", "status"), [(501, 400), (10_000, 400), (1_000_000, 413)])
def test_a_huge_url_is_refused(staff_client, production, length, status):
    url = "https://example.com/" + "a" * (length - len("https://example.com/"))

    response = staff_client.post("/webhooks/", {"url": url, "events": ["ping"]}, format="json")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert not Endpoint.objects.exists()


def test_a_redirect_is_not_followed_to_where_it_points(settings, inside):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS, settings.WEBHOOKS_REQUIRE_HTTPS = True, False
    redirecting = HTTPReceiver(answers=[302, 307], headers={"Location": f"{inside.url}?from=redirect"})
    endpoint = subscribe(redirecting.url)

    for event_id in ("evt_302", "evt_307"):
        with pytest.raises(DeliveryFailed, match="answered 30"):
            deliver(queued_event(endpoint, event_id))

    assert len(redirecting.requests) == 2
    assert inside.requests == []
    assert list(Attempt.objects.order_by("status_code").values_list("status_code", flat=True)) == [302, 307]
    redirecting.close()


def test_a_receiver_that_hangs_is_cut_at_the_timeout(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS, settings.WEBHOOKS_REQUIRE_HTTPS = True, False
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    hanging = HTTPReceiver(stall=30)
    endpoint = subscribe(hanging.url)

    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match="timed out"):
        deliver(queued_event(endpoint, "evt_hang"))

    assert time.monotonic() - started < 2.5
    assert Endpoint.objects.get().consecutive_failures == 1


def test_a_receiver_answering_10_mb_costs_a_bounded_read_and_a_bounded_row(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS, settings.WEBHOOKS_REQUIRE_HTTPS = True, False
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    flooding = HTTPReceiver(body=b"x" * 10_000_000, headers={"Content-Length": "10000000"})
    endpoint = subscribe(flooding.url)

    started = time.monotonic()
    deliver(queued_event(endpoint, "evt_flood"))

    assert time.monotonic() - started < 2
    attempt = Attempt.objects.get()
    assert attempt.status_code == 200
    assert len(attempt.response) == 500
    flooding.close()
