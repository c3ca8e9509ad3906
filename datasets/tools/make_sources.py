"""Check ``datasets/sources.csv`` and list what is left to confirm.

Run by hand after adding or confirming a source::

    python datasets/tools/make_sources.py            # report
    python datasets/tools/make_sources.py --strict   # exit 1 when a cited key is missing

``sources.csv`` is edited by hand: one row per short key the datasets' ``source`` texts cite
(``https://… (KEY)``). ``title``, ``publisher`` and ``date_read`` are filled only from the page
itself, on the day it was read; ``note`` keeps what the address was said to hold before anyone
read it. This tool rewrites nothing: it reports keys cited but not listed, rows whose address
was shortened (…), and rows without a confirmed title, publisher or read date.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
FIELDS = ["key", "url", "title", "publisher", "date_read", "note"]
_KEY = r"[A-Z][A-Z0-9]*(?:[–-][A-Z]*\d+)?"
_KEYS_IN_PARENS = re.compile(rf"\(({_KEY}(?:,\s*{_KEY})*)\)")
_RANGE = re.compile(r"^([A-Z][A-Z0-9]*?)(\d+)[–-]([A-Z]*)(\d+)$")


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cited_keys(data_dir: Path = DATA) -> dict[str, set[str]]:
    """``{key: {table, …}}`` of every key a ``source`` text of ``data_dir`` cites."""
    out: dict[str, set[str]] = {}
    for path in sorted(data_dir.glob("*.csv")):
        if path.stem == "sources":
            continue
        for row in _rows(path):
            for group in _KEYS_IN_PARENS.findall(row.get("source") or ""):
                for token in (t.strip() for t in group.split(",")):
                    m = _RANGE.match(token)
                    keys = ([f"{m[1]}{i}" for i in range(int(m[2]), int(m[4]) + 1)]
                            if m and m[3] in ("", m[1]) else [token])
                    for key in keys:
                        out.setdefault(key, set()).add(path.stem)
    return out


def report(data_dir: Path = DATA) -> dict[str, list[str]]:
    """Problems and to-dos of ``sources.csv``: ``missing`` (cited, not listed),
    ``bad_date`` (``date_read`` not YYYY-MM-DD), ``shortened`` (address with …),
    ``unconfirmed`` (cited, without title, publisher or read date)."""
    rows = _rows(data_dir / "sources.csv")
    by_key = {r["key"]: r for r in rows}
    cited = cited_keys(data_dir)
    return {
        "missing": sorted(k for k in cited if k not in by_key),
        "bad_date": sorted(r["key"] for r in rows if r.get("date_read")
                           and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date_read"])),
        "shortened": sorted(r["key"] for r in rows if "…" in r["url"]),
        "unconfirmed": sorted(k for k in cited if k in by_key and not all(
            by_key[k].get(f) for f in ("title", "publisher", "date_read"))),
    }


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    header = next(csv.reader(open(DATA / "sources.csv", encoding="utf-8")))
    if header != FIELDS:
        print(f"sources.csv columns {header} != {FIELDS}")
        return 1
    found = report()
    for name, keys in found.items():
        print(f"{name} ({len(keys)}): {', '.join(keys)}")
    return 1 if "--strict" in argv and (found["missing"] or found["bad_date"]) else 0


if __name__ == "__main__":
    sys.exit(main())
