"""Codes as CSV, for printing vouchers or handing to a partner."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .models import PromoCode

COLUMNS = ["code", "kind", "value", "max_uses", "max_uses_per_customer", "valid_from", "valid_until", "batch", "uses"]


def codes_csv(codes: Iterable[PromoCode]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for code in codes:
        writer.writerow([_cell(getattr(code, name, "")) for name in COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell starting with one of these as a formula (a batch name is typed by staff).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
