"""The customer's side of paying online, for the order_and_pay scenario: a
Stripe emulator (localstripe) for the servers to talk to, and a payer that
confirms each PaymentIntent the scenario wrote down, as Stripe.js would. The
emulator's signed webhooks then reach the server under test, whose CPU for
them counts in the scenario's."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.servers import wait_until_up  # noqa: E402

WEBHOOK_SECRET = "whsec_bench"
CARD = "4242424242424242"


class Emulator:
    def __init__(self, port: int) -> None:
        binary = Path(sys.executable).with_name("localstripe")
        if not binary.exists():
            raise SystemExit("order_and_pay needs localstripe (requirements-dev.txt)")
        self.url = f"http://127.0.0.1:{port}"
        self.log = Path(tempfile.mkdtemp(prefix="bench-localstripe-")) / "localstripe.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(binary), "--port", str(port), "--from-scratch"], stdout=out, stderr=subprocess.STDOUT
            )
        wait_until_up(self.url + "/v1/events", name="localstripe", log=self.log, process=self.process)

    def env(self) -> dict[str, str]:
        """What a server under test needs to pay through the emulator."""
        return {
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": self.url,
        }

    def send_webhooks_to(self, url: str) -> None:
        requests.post(f"{self.url}/_config/webhooks/bench", data={"url": url, "secret": WEBHOOK_SECRET}, timeout=10)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


class Payer:
    """Reads the intents wrk's threads write to <prefix>.*.pay and pays each once."""

    def __init__(self, emulator: Emulator, prefix: Path) -> None:
        self.emulator, self.prefix = emulator, prefix
        self.session = requests.Session()
        # Stripe.js would use the publishable key; localstripe takes only the secret one.
        self.session.auth = ("sk_test_bench", "")
        self.paid = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _pay(self, intent: str) -> None:
        url = self.emulator.url
        card = {"card[number]": CARD, "card[exp_month]": "12", "card[exp_year]": "2035", "card[cvc]": "123"}
        method = self.session.post(f"{url}/v1/payment_methods", data={"type": "card", **card}, timeout=10).json()
        self.session.post(f"{url}/v1/payment_intents/{intent}", data={"payment_method": method["id"]}, timeout=10)
        confirmed = self.session.post(f"{url}/v1/payment_intents/{intent}/confirm", timeout=10).json()
        self.paid += confirmed.get("status") == "succeeded"

    def _run(self) -> None:
        offsets: dict[Path, int] = {}
        while True:
            stopping = self.stopping.is_set()  # read before the files: what is written by then is paid
            found = False
            for path in self.prefix.parent.glob(self.prefix.name + ".*.pay"):
                with path.open() as lines:
                    lines.seek(offsets.get(path, 0))
                    for line in iter(lines.readline, ""):
                        if not line.endswith("\n"):
                            break
                        offsets[path] = lines.tell()
                        self._pay(line.strip())
                        found = True
            if stopping and not found:
                return
            if not found:
                time.sleep(0.05)

    def finish(self) -> int:
        """Pay what is still written down, then wait for the emulator's webhooks (sent 1 s after)."""
        self.stopping.set()
        self.thread.join()
        time.sleep(1.5)
        return self.paid
