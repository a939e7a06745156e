"""Business events as structured log lines: one JSON object per event.

    {"time": "...", "level": "INFO", "logger": "events", "message": "booking_created",
     "event": "booking_created", "user_id": 7, "show_id": 3, "seats": [14, 15], ...}

Never pass passwords or tokens here.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("events")


def log_event(event: str, *, level: int = logging.INFO, **fields: Any) -> None:
    logger.log(level, event, extra={"event": event, **fields})
