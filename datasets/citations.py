"""Citations of the reference tables' ``source`` texts: the one reading of the short forms
the datasets use (an address, the research notes' keys resolved through ``sources.csv``,
the 日本防犯設備協会 report) into title, publisher, date and address. Internal research notes
are never cited themselves. Used by the workbook's 出典 sheet, the plan book and the pages'
source captions."""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

__all__ = ["JSSA_REPORT", "cite", "citation_text"]

#: The 2024 report the project's research started from, as printed on its title page
#: (公益社団法人 日本防犯設備協会 防犯システム委員会, 2024年3月31日). No public address of the
#: report itself was found; the publisher's site is given instead and the sheet says so.
JSSA_REPORT = {
    "title": "『スーパー・スマートシティに向けた新たな防犯ソリューションの調査、研究』"
             "（2023年度 事業活動報告）",
    "publisher": "公益社団法人 日本防犯設備協会 防犯システム委員会",
    "date": "2024年3月31日",
    "url": "https://www.ssaj.or.jp/",
    "url_note": "発行者のサイト（報告書自体のURLは未確認）",
}
_JSSA_MARKS = ("防犯ソリューションの調査", "シード報告", "seed report", "shared/reference/seed")
#: Internal research notes named in the datasets' source texts; never printed.
_INTERNAL_NOTE = re.compile(r"(?:shared/reference/)?facts\.md(?:\s*§[\w.]+)?(?:\s*#[\d, #]+)?")
_KEY_TOKEN = re.compile(r"^([A-Z][A-Z0-9]*?)(\d*)(?:[–-]([A-Z]*)(\d+))?$")
_ADDRESS = re.compile(r"^(https?://\S+|(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?)", re.I)
_SOURCES_CSV = Path(__file__).with_name("sources.csv")


@functools.lru_cache(maxsize=1)
def _source_keys() -> dict[str, dict]:
    """Short keys of the datasets' source texts (``HR``, ``KG1`` …) → ``{"url", "title"}``
    (``datasets/sources.csv``, the one list of them)."""
    try:
        with open(_SOURCES_CSV, encoding="utf-8") as f:
            return {r["key"]: r for r in csv.DictReader(f)}
    except OSError:  # the table is part of the package; without it keys stay unresolved
        return {}


def _expand_keys(text: str) -> list[str]:
    """``"HR, DG"`` → ``["HR", "DG"]``; ``"RP1–RP5"`` / ``"JI1–3"`` → each key of the range;
    ``"KG1, KG3 in facts.md §3a"`` → ``["KG1", "KG3"]``. Empty when any part is not a key."""
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


def _web_citation(url: str, title: str = "") -> dict:
    url = url if url.lower().startswith("http") else "https://" + url
    host = re.sub(r"^https?://(www\.)?", "", url).split("/")[0]
    return {"title": title or "ウェブページ", "publisher": host, "date": "", "url": url,
            "url_note": "省略された部分あり（…）" if "…" in url else ""}


def cite(source_text) -> list[dict]:
    """Citations ``{"title", "publisher", "date", "url", "url_note", "locator"}`` of a
    ``source`` text of the reference tables.

    The datasets name their sources in a short form: ``https://… (KEY)``, a bare address,
    the research notes' keys (``facts.md §3a (HR, DG)``, resolved through
    ``datasets/sources.csv``) or the 日本防犯設備協会 report (also called シード報告 in
    the notes). The internal notes are never cited themselves: only what they point to.
    A part that names no address or report is kept as plain text; a note without any
    pointer becomes 「原典未記載（要確認）」.
    """
    keys = _source_keys()
    out = []
    for part in re.split(r";\s*", str(source_text or "")):
        part = part.strip()
        if not part:
            continue
        if any(mark in part for mark in _JSSA_MARKS):
            locator = re.split(r"2024-03-31\)?,?|シード報告|seed report", part)[-1]
            locator = _INTERNAL_NOTE.sub("", locator).strip(" ,")
            out.append(dict(JSSA_REPORT, locator=locator))
            continue
        parens = re.findall(r"\(([^()]*)\)", part)
        cited = [keys[k] for p in parens for k in _expand_keys(p) if k in keys]
        notes = [p for p in parens if not _expand_keys(p) and "facts.md" not in p]
        address = None if _INTERNAL_NOTE.match(part) else _ADDRESS.match(part)
        if address:
            title = "；".join(notes)
            if not title and cited:
                title = (cited[0].get("title") or "").strip("()")
            out.append(dict(_web_citation(address.group(1).rstrip(",;"), title), locator=""))
            continue
        if cited:
            out += [dict(_web_citation(c["url"], (c.get("title") or "").strip("()")),
                         locator="") for c in cited]
            continue
        # a note of the research files without a pointer names nothing a reader can check
        text = "" if "facts.md" in part else part
        out.append({"title": text or "原典未記載（要確認）", "publisher": "", "date": "",
                    "url": "", "url_note": "", "locator": ""})
    return list({(c["title"], c["url"], c["locator"]): c for c in out}.values())


def citation_text(c: dict) -> str:
    """One citation as printed: ``title、publisher、date、locator``."""
    return "、".join(x for x in (c.get("title"), c.get("publisher"), c.get("date"),
                                c.get("locator")) if x)
