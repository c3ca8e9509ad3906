"""Privacy-rule gap assessment: which checklist items a plan triggers, its score and gaps.

The checklist (``datasets/privacy_items.csv``) holds 25 items every camera programme meets
(ids P01–P25) and items that face identification, attribute estimation or children's data
add (P26–). Each item names its basis and ``basis_kind``: a legal obligation (``law``), a
published guideline (``guideline``) or good practice seen in municipal rules
(``good_practice``); severity ranks them in that order. A basis that is only a bill (P29:
the APPI amendment) is ``good_practice`` and says so in its text; never ``law``. An item
whose basis could not be confirmed has ``verified = false`` and says why in
``unverified_reason_ja`` / ``_en``. This module is pure: rows and plan fragments in, dicts
out; it never imports streamlit or duckdb.

Rules
-----
* An item is asked when its ``applies_to`` is ``all`` or names one of the plan's use cases.
* Answers: ``done`` (済), ``partial`` (一部), ``todo`` (未), ``na`` (対象外). An unanswered
  item counts as ``todo`` for the gaps, and as not yet answered for progress.
* Score = (done + ½ · partial) / number of asked items that are not ``na``. ``na`` items
  leave the score entirely (numerator and denominator).
* Gaps = asked items that are ``todo``, ``partial`` or unanswered, ranked by severity
  (law > guideline > good practice), then unanswered/todo before partial, then item order.
* Statistics-only people counting (``people_count`` with ``settings["statistics_only"]``
  not false): when it is the plan's only use case every item with a variant uses the
  variant text (``mode == "statistics_only"``); next to other use cases the variant is a
  note for the counting cameras (``mode == "mixed"``).

References
----------
.. [1] 個人情報保護委員会, 「個人情報の保護に関する法律についてのガイドライン」に関する Q&A,
   Q1-13, Q1-14, Q7-50, Q9-13, Q3-3-2 (https://www.ppc.go.jp/all_faq_index/, read
   2026-12-07).
.. [2] 経済産業省・総務省, カメラ画像利活用ガイドブック ver3.0, 2022-03-30 (総務省 報道資料
   https://www.soumu.go.jp/menu_news/s-news/01kiban18_01000152.html, read 2026-12-07).
.. [3] UK Home Office, Surveillance Camera Code of Practice, June 2013, amended November
   2021 (12 guiding principles), Protection of Freedoms Act 2012 s.30
   (https://www.gov.uk/government/publications/update-to-surveillance-camera-code,
   read 2026-12-07).
"""
from __future__ import annotations

import math
from assessments.programme.answers import clean_entries
from assessments.records import records
from collections.abc import Iterable, Mapping

#: Use-case ids (docs/architecture.md, "Shared identifiers").
USE_CASES = ("watch_elderly", "watch_children", "people_count", "people_attributes",
             "abnormal_behavior", "intrusion_flood", "crime_info_sharing",
             "face_identification", "dangerous_driving", "disaster_monitoring")
STATUSES = ("done", "partial", "todo", "na")
CREDIT = {"done": 1.0, "partial": 0.5, "todo": 0.0}
BASIS_KINDS = ("law", "guideline", "good_practice")
SEVERITY = {"law": 3, "guideline": 2, "good_practice": 1}
LINKS = ("storage", "dori")
#: Legal forms of the operating rules: 条例, 要綱, 規則, 運用基準.
LEGAL_FORMS = ("ordinance", "guideline", "rules", "standard")
#: Use cases whose cameras can run statistics-only (video deleted on the device).
STATISTICS_ONLY_USE_CASES = frozenset({"people_count"})
UK_PRINCIPLES = tuple(range(1, 13))
#: Principles whose exact wording was not read in an official text (the summaries of 1–7
#: follow the R (Bridges) judgment's quotation of the Code).
UK_PRINCIPLES_UNVERIFIED = frozenset({8, 9, 10, 11, 12})
#: Largest retention period accepted [day] (ten years; municipal rules use 7–30 days).
MAX_RETENTION_DAYS = 3650


def check_use_cases(use_cases: Iterable[str]) -> list[str]:
    """Validate use-case ids; returns them as a list.

    Raises
    ------
    ValueError
        When an id is not one of :data:`USE_CASES` (all allowed values are named).
    """
    out = list(use_cases or [])
    for uc in out:
        if uc not in USE_CASES:
            raise ValueError(f"use case must be one of {', '.join(USE_CASES)}, got {uc!r}")
    return out


def split_use_cases(use_cases: Iterable) -> tuple[list[str], list]:
    """A stored use-case list split into the known ids (order kept) and the unknown values.

    A plan file edited by hand, or saved by an older version, can hold values that are not
    ids (e.g. a display label); callers use the known ids and name the others to the user
    instead of failing on them.
    """
    known, unknown = [], []
    for uc in use_cases or []:
        (known if isinstance(uc, str) and uc in USE_CASES else unknown).append(uc)
    return known, unknown


def clean_answers(answers: Mapping | None) -> tuple[dict, list[str]]:
    """Stored answers with an unknown ``status`` treated as unanswered (the entry's other
    fields kept), and the ids of those items."""
    return clean_entries(answers, "status", check_status)


def clean_settings(settings: Mapping | None) -> tuple[dict, list[str]]:
    """:func:`check_settings` of the stored settings with every field it rejects left at its
    default; returns the clean settings and the names of the rejected fields."""
    out = dict(settings or {}) if isinstance(settings, Mapping) else {}
    bad = []
    for field in ("retention_days", "legal_form"):
        try:
            check_settings({field: out.get(field)})
        except ValueError:
            out.pop(field, None)
            bad.append(field)
    return check_settings(out), bad


def check_status(status) -> str:
    """Validate an answer status (``done``, ``partial``, ``todo`` or ``na``)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    return status


def applies_to(item: Mapping) -> frozenset[str] | None:
    """Use cases that trigger ``item``; ``None`` means every plan (``applies_to == "all"``).

    Raises
    ------
    ValueError
        When the item names an unknown use case.
    """
    text = str(item.get("applies_to") or "").strip()
    if text == "all":
        return None
    ids = frozenset(s.strip() for s in text.split(";") if s.strip())
    if not ids:
        raise ValueError(f"item {item.get('id')!r}: applies_to must be 'all' or use-case ids")
    check_use_cases(ids)
    return ids


def triggered_items(items, use_cases: Iterable[str]) -> list[dict]:
    """Checklist items the plan's use cases trigger, in checklist order.

    Parameters
    ----------
    items : DataFrame or iterable of mappings
        Rows of ``privacy_items``.
    use_cases : iterable of str
        ``plan["use_cases"]``.
    """
    chosen = set(check_use_cases(use_cases))
    out = []
    for row in records(items):
        ucs = applies_to(row)
        if ucs is None or ucs & chosen:
            out.append(row)
    return sorted(out, key=lambda r: (int(r.get("sort_order") or 0), r["id"]))


def counting_mode(use_cases: Iterable[str], settings: Mapping | None = None) -> str:
    """``"none"``, ``"statistics_only"`` (people counting is the only use) or ``"mixed"``
    (statistics-only counting next to uses that keep video).

    ``settings["statistics_only"] = False`` declares that counting keeps video (mode
    ``"none"``).
    """
    ucs = set(check_use_cases(use_cases))
    if not ucs & STATISTICS_ONLY_USE_CASES or (settings or {}).get("statistics_only") is False:
        return "none"
    return "statistics_only" if ucs <= STATISTICS_ONLY_USE_CASES else "mixed"


def status_of(answers: Mapping | None, item_id: str) -> str | None:
    """Answered status of an item, or ``None`` when unanswered."""
    entry = (answers or {}).get(item_id)
    if not isinstance(entry, Mapping) or not entry.get("status"):
        return None
    return check_status(entry["status"])


def score(items: Iterable[Mapping], answers: Mapping | None) -> dict:
    """Score of the asked items.

    Parameters
    ----------
    items : iterable of mappings
        The asked items (output of :func:`triggered_items`).
    answers : mapping
        ``plan["privacy"]["answers"]``: ``{item_id: {"status", "evidence", "owner", "due"}}``.

    Returns
    -------
    dict
        ``score`` [0–1] (``nan`` when every item is ``na``), ``total`` asked items,
        ``answered``, ``applicable`` (not ``na``) and counts per status incl. ``unanswered``.
    """
    counts = dict.fromkeys(STATUSES + ("unanswered",), 0)
    for item in items:
        counts[status_of(answers, item["id"]) or "unanswered"] += 1
    applicable = counts["done"] + counts["partial"] + counts["todo"] + counts["unanswered"]
    credit = counts["done"] + 0.5 * counts["partial"]
    total = applicable + counts["na"]
    return {"score": credit / applicable if applicable else math.nan, "total": total,
            "answered": total - counts["unanswered"], "applicable": applicable, **counts}


def item_text(item: Mapping, field: str, lang: str, mode: str = "none") -> str:
    """Text of ``field`` (``title`` or ``action``) in ``lang`` for the counting ``mode``.

    In ``statistics_only`` mode the action of an item with a variant is the variant; in
    ``mixed`` mode the variant is appended as a note for the counting cameras.
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be one of ja, en, got {lang!r}")
    if field not in ("title", "action"):
        raise ValueError(f"field must be one of title, action, got {field!r}")
    text = item.get(f"{field}_{lang}") or item.get(f"{field}_ja") or ""
    variant = item.get(f"stats_only_{lang}") or item.get("stats_only_ja")
    if field == "action" and variant:
        if mode == "statistics_only":
            return variant
        if mode == "mixed":
            note = "人数計測カメラ: " if lang == "ja" else "People-counting cameras: "
            return f"{text}\n{note}{variant}"
    return text


def gaps(items: Iterable[Mapping], answers: Mapping | None, *, mode: str = "none",
         lang: str = "ja") -> list[dict]:
    """Asked items that are not done, most severe first.

    Returns
    -------
    list of dict
        ``{"id", "status" ("todo" | "partial" | None = unanswered), "basis_kind",
        "severity" (3 law, 2 guideline, 1 good practice), "title", "action", "basis",
        "example", "link", "uk_principles", "verified", "unverified_reason" (why the basis
        is unverified, in ``lang``; empty when verified), "source", "item"}``.
    """
    out = []
    for item in items:
        status = status_of(answers, item["id"])
        if status in ("done", "na"):
            continue
        kind = item.get("basis_kind")
        if kind not in SEVERITY:
            raise ValueError(f"basis_kind must be one of {', '.join(BASIS_KINDS)}, "
                             f"got {kind!r} (item {item.get('id')!r})")
        out.append({"id": item["id"], "status": status, "basis_kind": kind,
                    "severity": SEVERITY[kind],
                    "title": item_text(item, "title", lang, mode),
                    "action": item_text(item, "action", lang, mode),
                    "basis": item.get(f"basis_{lang}") or item.get("basis_ja") or "",
                    "example": item.get(f"example_{lang}") or item.get("example_ja") or "",
                    "link": item.get("link") or None,
                    "uk_principles": principles_of(item),
                    "verified": _truthy(item.get("verified")),
                    "unverified_reason": unverified_reason(item, lang),
                    "source": item.get("source") or "", "item": dict(item)})
    rank = {None: 0, "todo": 0, "partial": 1}
    return sorted(out, key=lambda g: (-g["severity"], rank[g["status"]],
                                      int(g["item"].get("sort_order") or 0), g["id"]))


def _truthy(value) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def unverified_reason(item: Mapping, lang: str = "ja") -> str:
    """Why an item's basis is unverified, in ``lang`` (Japanese when the English text is
    missing); empty for a verified item."""
    if _truthy(item.get("verified")):
        return ""
    for key in (f"unverified_reason_{lang}", "unverified_reason_ja"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def principles_of(item: Mapping) -> list[int]:
    """UK Surveillance Camera Code principle numbers of an item.

    Raises
    ------
    ValueError
        When a number is outside 1–12.
    """
    out = []
    for part in str(item.get("uk_principles") or "").split(";"):
        if part.strip():
            n = int(float(part))
            if n not in UK_PRINCIPLES:
                raise ValueError(f"UK principle must be 1–12, got {n} (item {item.get('id')!r})")
            out.append(n)
    return out


def uk_view(items: Iterable[Mapping], answers: Mapping | None) -> list[dict]:
    """The same answers mapped onto the UK Surveillance Camera Code's 12 principles.

    Returns
    -------
    list of dict
        For principles 1–12: ``{"principle", "item_ids", "score" [0–1] or nan, "gaps"
        (item ids not done), "verified" (wording read in an official text)}``.
    """
    items = list(items)
    out = []
    for n in UK_PRINCIPLES:
        mine = [it for it in items if n in principles_of(it)]
        s = score(mine, answers)
        out.append({"principle": n, "item_ids": [it["id"] for it in mine], "score": s["score"],
                    "gaps": [it["id"] for it in mine
                             if status_of(answers, it["id"]) not in ("done", "na")],
                    "verified": n not in UK_PRINCIPLES_UNVERIFIED})
    return out


def check_settings(settings: Mapping | None) -> dict:
    """Validate ``plan["privacy"]["settings"]`` and return a clean copy.

    Known fields: ``retention_days`` [day] (int 0–3650 or None), ``manager`` (管理責任者,
    post), ``operators`` (取扱担当者), ``purpose``, ``locations`` (設置場所), ``coverage``
    (撮影範囲), ``sign_text`` (表示の文言), ``contact`` (問合せ・苦情窓口), ``legal_form``
    (``ordinance`` | ``guideline`` | ``rules`` | ``standard``), ``statistics_only`` (bool),
    ``audio`` (bool), ``live_viewing`` (bool). Unknown fields are kept.

    Raises
    ------
    ValueError
        When ``retention_days`` is not a whole number of days in 0–3650 or ``legal_form``
        is not one of the allowed values.
    """
    out = dict(settings or {})
    days = out.get("retention_days")
    if days is not None and days != "":
        if isinstance(days, bool) or not isinstance(days, (int, float)) or days != days \
                or int(days) != days or not 0 <= days <= MAX_RETENTION_DAYS:
            raise ValueError(f"retention_days must be a whole number of days in "
                             f"0–{MAX_RETENTION_DAYS}, got {days!r}")
        out["retention_days"] = int(days)
    else:
        out["retention_days"] = None
    form = out.get("legal_form") or "guideline"
    if form not in LEGAL_FORMS:
        raise ValueError(f"legal_form must be one of {', '.join(LEGAL_FORMS)}, got {form!r}")
    out["legal_form"] = form
    for key in ("manager", "operators", "purpose", "locations", "coverage", "sign_text",
                "contact"):
        value = out.get(key)
        out[key] = "" if value is None else str(value).strip()
    return out


def missing_settings(settings: Mapping | None, *, mode: str = "none") -> list[str]:
    """Settings the draft rules need but the plan lacks, in draft order.

    ``retention_days`` is not required in ``statistics_only`` mode (no video is kept).
    """
    s = check_settings(settings)
    need = ["purpose", "locations", "manager", "sign_text", "contact"]
    if mode != "statistics_only":
        need.insert(3, "retention_days")
    return [k for k in need if s.get(k) in (None, "")]


def cross_link(gap_or_item: Mapping, settings: Mapping | None = None) -> dict | None:
    """Data for the link to the simulation page, or ``None``.

    * ``storage`` (retention ↔ storage estimate): ``{"target": "storage",
      "retention_days": int or None}``.
    * ``dori`` (image quality ↔ simulated DORI level): ``{"target": "dori"}``.
    """
    link = gap_or_item.get("link") or (gap_or_item.get("item") or {}).get("link")
    if not link:
        return None
    if link not in LINKS:
        raise ValueError(f"link must be one of {', '.join(LINKS)}, got {link!r}")
    if link == "storage":
        return {"target": "storage",
                "retention_days": check_settings(settings).get("retention_days")}
    return {"target": "dori"}


def set_answer(plan: dict, item_id: str, *, status=None, evidence=None, owner=None,
               due=None) -> None:
    """Store one answer in ``plan["privacy"]["answers"]`` (mutates ``plan``; use as the body
    of ``ui.state.update_plan``). ``status=None`` clears the status."""
    answers = plan.setdefault("privacy", {}).setdefault("answers", {})
    entry = dict(answers.get(item_id) or {})
    entry["status"] = None if status is None else check_status(status)
    for key, value in (("evidence", evidence), ("owner", owner), ("due", due)):
        if value is not None:
            entry[key] = str(value)
        entry.setdefault(key, "")
    answers[item_id] = entry
