"""Derive ``datasets/sources.csv`` (key, url, title) from §7 of the project's fact sheet.

Run once by hand::

    python datasets/tools/make_sources.py /work/shared/reference/facts.md

§7 is one line of ``KEY url-or-document (note) · KEY …`` entries. Ranges such as
``JI1–3`` are expanded to ``JI1, JI2, JI3``; ``same URL (…)`` / ``same (…)`` reuse the
previous entry's URL. URLs are stored with an ``https://`` prefix; entries that are a
document name rather than an address keep the text as given (e.g. ``city.inazawa.aichi.jp
稲沢市防犯カメラ規則``: address = first word, title = the rest). Ellipses (…) in the fact
sheet mean the address was shortened there; they are kept so nobody mistakes the address
for a complete one.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

DEFAULT_IN = Path("/work/shared/reference/facts.md")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "sources.csv"
SEED_KEY = "SEED"
SEED_URL = "shared/reference/seed/000_09f1d402d2539902.txt"
SEED_TITLE = ("日本防犯設備協会 防犯システム委員会『スーパー・スマートシティに向けた新たな防犯ソリューションの"
              "調査、研究』2024-03-31 (2023年度事業活動報告)")
SPECIAL_HOSTS = {"github": "github.com/code4fukui/localgovjp", "smrj": "machi.smrj.go.jp/support/4_0016.html"}


def parse_sources(text):
    """Parse the §7 line of facts.md into a list of {key, url, title} dicts."""
    sec = text[text.index("## 7. Sources"):text.index("## 8.")]
    line = next(l for l in sec.splitlines() if l.startswith("AD "))
    rows, prev_url = [], ""
    for part in line.split(" · "):
        key, _, rest = part.strip().rstrip(".").partition(" ")
        rest = rest.strip()
        m = re.fullmatch(r"([A-Z]+)(\d+)–(\d+)", key)
        keys = [f"{m[1]}{i}" for i in range(int(m[2]), int(m[3]) + 1)] if m else [key]
        if rest.startswith("same"):
            url, title = prev_url, rest
        else:
            first, _, title = rest.partition(" ")
            first = SPECIAL_HOSTS.get(first, first)
            if first in SPECIAL_HOSTS.values():
                title = rest
            url = "https://" + first
        title = title.strip()
        for k in keys:
            rows.append({"key": k, "url": url, "title": title})
        prev_url = url
    rows.append({"key": SEED_KEY, "url": SEED_URL, "title": SEED_TITLE})
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    src = Path(argv[0]) if argv else DEFAULT_IN
    dst = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    rows = parse_sources(src.read_text(encoding="utf-8"))
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["key", "url", "title"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {dst}")


if __name__ == "__main__":
    main()
