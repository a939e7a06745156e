"""A webhook receiver to try the service's webhooks with, and the verification a
receiver needs, with the standard library only (docs/webhooks.md).

    python scripts/webhook_receiver.py --port 9000 --secret whsec_...

prints each event it receives with its headers, after checking its signature
(Standard Webhooks: HMAC-SHA256 over "id.timestamp.body"); it answers 401 to a
delivery that does not verify and 204 to one that does.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import time

TOLERANCE_SECONDS = 5 * 60  # older or newer deliveries are refused: a replay of a captured one fails


class InvalidSignature(Exception):
    pass


def verify(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> dict:
    """The event, if ``body`` was signed with ``secret`` within the last five minutes; InvalidSignature otherwise."""
    headers = {name.lower(): value for name, value in headers.items()}
    try:
        msg_id, timestamp, signatures = (
            headers["webhook-id"],
            headers["webhook-timestamp"],
            headers["webhook-signature"],
        )
    except KeyError as exc:
        raise InvalidSignature(f"missing header {exc}") from None
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidSignature("the timestamp is too old or too new")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    for signature in signatures.split():
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(base64.b64decode(value), expected):
            return json.loads(body)
    raise InvalidSignature("no signature matches")


def serve(port: int, secret: str) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  # http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                event = verify(secret, dict(self.headers), body)
            except InvalidSignature as exc:
                print(f"refused: {exc}", flush=True)
                self.send_response(401)
                self.end_headers()
                return
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent"):
                print(f"{name}: {self.headers[name]}")
            print("signature verified:", json.dumps(event, indent=2), flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", required=True, help="the endpoint's secret, as POST /webhooks/ answered it")
    arguments = parser.parse_args()
    serve(arguments.port, arguments.secret)
