"""The confirmation e-mail as a mail client shows it: its HTML in Chromium, the
QR codes taken from the message's inline parts (cid:), as mail clients do."""

import base64

import pytest
from django.core import mail

from conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def as_shown(message) -> str:
    """The HTML part with each cid: reference replaced by its inline image."""
    html = message.alternatives[0].content
    for part in message.message().walk():
        if part.get_content_type() == "image/png":
            cid = part["Content-ID"].strip("<>")
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(f"cid:{cid}", f"data:image/png;base64,{data}")
    return html


def test_the_confirmation_email_shows_every_ticket_with_a_readable_qr_code(page, user, show, settings, screenshot):
    settings.CINEMA_NAME = "Kino Kosmos"
    client_for(user).post(f"/shows/{show.id}/book/", {"seat_labels": ["C4", "C5"]}, format="json")
    (message,) = mail.outbox

    page.set_viewport_size({"width": 720, "height": 900})
    page.set_content(as_shown(message))

    images = page.locator("img")
    assert images.count() == 2
    for index in range(2):
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth") > 0
    assert page.get_by_text("Seat C4").is_visible()
    assert page.get_by_text("Seat C5").is_visible()
    assert "Kino Kosmos" in page.inner_text("body")
    screenshot(page, "confirmation-email")
