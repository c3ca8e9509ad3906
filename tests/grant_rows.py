"""The grant tables as the CSVs hold them (rows of text, as the matcher gets them from a
query), read once for the money tests."""
from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "datasets"


def csv_rows(name: str) -> list[dict]:
    """Rows of ``datasets/<name>.csv`` as dicts of text."""
    with open(DATA / f"{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


SCHEMES = csv_rows("grant_schemes")
SHARES = csv_rows("grant_shares")
SCOPES = csv_rows("grant_scheme_scope")
CALLS = csv_rows("grant_calls")
BY_ID = {s["id"]: s for s in SCHEMES}
