"""Derive ``datasets/municipalities.csv`` from the code4fukui/localgovjp open data.

Run once by hand (the app never reads the input at run time)::

    python datasets/tools/make_municipalities.py /work/shared/data/municipalities_localgovjp.csv

The input is UTF-8 with BOM, licence CC0, columns
``pid, pref, cid, city, citykana, lat, lng, url, phrase, lgcode``. The output keeps the
地方公共団体コード (6 digits incl. check digit) as text with its leading zeros.

References
----------
code4fukui/localgovjp, ``localgovjp-utf8.csv`` @232edc3, CC0,
https://github.com/code4fukui/localgovjp
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

SOURCE = ("code4fukui/localgovjp localgovjp-utf8.csv @232edc3 (CC0; 国土地理院 / J-LIS 由来) "
          "https://github.com/code4fukui/localgovjp")
COLUMNS = ["code", "prefecture_code", "prefecture", "name", "kana", "lat", "lon",
           "website", "source"]
DEFAULT_IN = Path("/work/shared/data/municipalities_localgovjp.csv")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "municipalities.csv"


def convert_rows(rows):
    """Turn localgovjp dict rows into municipalities rows (list of dicts), sorted by code.

    Raises
    ------
    ValueError
        If a 地方公共団体コード is not 6 digits or a coordinate is outside Japan's extent.
    """
    out = []
    for r in rows:
        code = r["lgcode"].strip()
        if len(code) != 6 or not code.isdigit():
            raise ValueError(f"expected a 6-digit 地方公共団体コード, got {code!r}")
        lat, lon = float(r["lat"]), float(r["lng"])
        if not (20.0 <= lat <= 46.0 and 122.0 <= lon <= 154.0):
            raise ValueError(f"{code}: coordinates outside Japan: {lat}, {lon}")
        out.append({
            "code": code,
            "prefecture_code": code[:2],
            "prefecture": r["pref"].strip(),
            "name": r["city"].strip(),
            "kana": r["citykana"].strip(),
            "lat": f"{lat:.6f}",
            "lon": f"{lon:.6f}",
            "website": r["url"].strip(),
            "source": SOURCE,
        })
    out.sort(key=lambda d: d["code"])
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    src = Path(argv[0]) if argv else DEFAULT_IN
    dst = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    with open(src, encoding="utf-8-sig", newline="") as f:
        rows = convert_rows(csv.DictReader(f))
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {dst}")


if __name__ == "__main__":
    main()
