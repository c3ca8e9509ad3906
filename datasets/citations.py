"""Citations of the reference tables' ``source`` texts: the one reading of the short forms
the datasets use (an address, the keys of ``sources.csv``, the 日本防犯設備協会 report) into
title, publisher, date, address and the date the page was read. Used by the workbook's 出典
sheet, the plan book and the pages' source captions.

A page's title and publisher are printed only as they were confirmed on the page itself
(``sources.csv`` ``title`` / ``publisher`` / ``date_read``); an address nobody has confirmed
is cited with 「表題未確認」 and its host (「発行者名未確認」), so a reader sees which
citations still need checking.
"""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

__all__ = ["JSSA_REPORT", "UNCONFIRMED_PUBLISHER", "UNCONFIRMED_TITLE", "cite", "citation_text",
           "source_keys"]

#: The 2024 report the project's research started from, as printed on its title page
#: (公益社団法人 日本防犯設備協会 防犯システム委員会, 2024年3月31日). No public address of the
#: report itself was found; the publisher's site is given instead and the sheet says so.
JSSA_REPORT = {
    "title": "『スーパー・スマートシティに向けた新たな防犯ソリューションの調査、研究』"
             "（2023年度 事業活動報告）",
    "publisher": "公益社団法人 日本防犯設備協会 防犯システム委員会",
    "date": "2024年3月31日",
    "date_read": "",
    "url": "https://www.ssaj.or.jp/",
    "url_note": "発行者のサイト（報告書自体のURLは未確認）",
}
#: Printed in place of a page title nobody has confirmed on the page.
UNCONFIRMED_TITLE = "表題未確認"
#: Added to the host where the page's publisher was not confirmed.
UNCONFIRMED_PUBLISHER = "発行者名未確認"
#: Words that name the JSSA report in a source text (its title, or its series name).
_JSSA_MARKS = ("防犯ソリューションの調査", "事業活動報告")
_KEY_TOKEN = re.compile(r"^([A-Z][A-Z0-9]*?)(\d*)(?:[–-]([A-Z]*)(\d+))?$")
_ADDRESS = re.compile(r"^(https?://\S+|(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?)", re.I)
#: A file name of a working note (``notes.md``): not an address, names nothing a reader can check.
_NOTE_FILE = re.compile(r"^\S*\.md\b", re.I)
_SOURCES_CSV = Path(__file__).with_name("sources.csv")


@functools.lru_cache(maxsize=1)
def source_keys() -> dict[str, dict]:
    """Short keys of the datasets' source texts (``HR``, ``KG1`` …) → their row of
    ``datasets/sources.csv`` (``url``, ``title``, ``publisher``, ``date_read``, ``note``;
    the one list of them). Empty cells are ``""``."""
    try:
        with open(_SOURCES_CSV, encoding="utf-8") as f:
            return {r["key"]: {k: (v or "").strip() for k, v in r.items() if k}
                    for r in csv.DictReader(f)}
    except OSError:  # the table is part of the package; without it keys stay unresolved
        return {}


def _norm_address(url: str) -> str:
    """``https://www.a.jp/x/`` and ``a.jp/x`` → ``a.jp/x`` (to find an address's row)."""
    return re.sub(r"^(https?://)?(www\.)?", "", url.strip().lower()).rstrip("/")


@functools.lru_cache(maxsize=1)
def _rows_by_address() -> dict[str, dict]:
    return {_norm_address(r["url"]): r for r in source_keys().values()
            if r.get("url") and "…" not in r["url"]}


def _expand_keys(text: str) -> list[str]:
    """``"HR, DG"`` → ``["HR", "DG"]``; ``"RP1–RP5"`` / ``"JI1–3"`` → each key of the range.
    Empty when any part is not a key."""
    out = []
    for part in text.split(","):
        token = part.strip().split(" ")[0] if part.strip() else ""
        m = _KEY_TOKEN.match(token)
        if not m:
            return []
        prefix, first, prefix2, last = m.groups()
        if last and first and prefix2 in ("", prefix):
            out += [f"{prefix}{i}" for i in range(int(first), int(last) + 1)]
        else:
            out.append(token)
    return out


def _host(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).split("/")[0]


def _web_citation(url: str, row: dict | None = None, note: str = "") -> dict:
    """A web page: its confirmed title, publisher and read date from ``row`` (a
    ``sources.csv`` row), else 「表題未確認」 and the host marked 「発行者名未確認」."""
    row = row or {}
    url = row.get("url") or url
    url = url if url.lower().startswith("http") else "https://" + url
    title = row.get("title") or ""
    if not title:
        hint = note or row.get("note") or ""
        title = UNCONFIRMED_TITLE + (f"（{hint}）" if hint else "")
    publisher = row.get("publisher") or f"{_host(url)}（{UNCONFIRMED_PUBLISHER}）"
    return {"title": title, "publisher": publisher, "date": "",
            "date_read": row.get("date_read") or "", "url": url,
            "url_note": "省略された部分あり（…）" if "…" in url else "", "locator": ""}


def cite(source_text) -> list[dict]:
    """Citations ``{"title", "publisher", "date", "date_read", "url", "url_note",
    "locator"}`` of a ``source`` text of the reference tables.

    The datasets name their sources in a short form: ``https://… (KEY)`` (the key's row of
    ``datasets/sources.csv`` gives the confirmed title, publisher and read date), a bare
    address (looked up in the same table), or the 日本防犯設備協会 report (:data:`JSSA_REPORT`,
    with the section after its title as ``locator``). A part that names no address or report
    is kept as plain text; a working note's file name becomes 「原典未記載（要確認）」.
    """
    keys = source_keys()
    out = []
    for part in re.split(r";\s*", str(source_text or "")):
        part = part.strip()
        if not part:
            continue
        if any(mark in part for mark in _JSSA_MARKS):
            locator = re.split(r"2024-03-31\)?,?|2024年3月31日,?", part)[-1].strip(" ,")
            out.append(dict(JSSA_REPORT, locator=locator if locator != part else ""))
            continue
        parens = re.findall(r"\(([^()]*)\)", part)
        cited = [keys[k] for p in parens for k in _expand_keys(p) if k in keys]
        notes = [p for p in parens if not _expand_keys(p)]
        note_file = _NOTE_FILE.match(part)
        address = None if note_file else _ADDRESS.match(part)
        if cited:
            out += [_web_citation(c["url"], c) for c in cited]
            continue
        if address:
            url = address.group(1).rstrip(",;")
            out.append(_web_citation(url, _rows_by_address().get(_norm_address(url)),
                                     "；".join(notes)))
            continue
        out.append({"title": "原典未記載（要確認）" if note_file else part, "publisher": "",
                    "date": "", "date_read": "", "url": "", "url_note": "", "locator": ""})
    return list({(c["title"], c["url"], c["locator"]): c for c in out}.values())


def citation_text(c: dict) -> str:
    """One citation as printed: ``title、publisher、date、locator（閲覧日 YYYY-MM-DD）``;
    the address is printed by the caller (a link, a URL column)."""
    text = "、".join(x for x in (c.get("title"), c.get("publisher"), c.get("date"),
                                c.get("locator")) if x)
    return text + (f"（閲覧日 {c['date_read']}）" if c.get("date_read") else "")
