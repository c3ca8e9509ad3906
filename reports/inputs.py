"""What the Excel plan needs from the reference database besides the plan itself.

One gathering for the 出力 page and ``python -m reports``: grant schemes and payer shares,
the readiness and privacy rows (answers joined to their questions, actions and bases) and
the sources of the reference rows the plan uses. Pure: takes a DuckDB cursor on the
reference database (:func:`datasets.refdb.connect`), never imports streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from assessments.programme import readiness as R
from assessments.records import records
from datasets import queries

from . import excel as X

__all__ = ["WorkbookInputs", "workbook_inputs", "READINESS_CONDITIONS"]

def _condition_names() -> dict[str, str]:
    """Condition id → Japanese name, in the readiness module's order; the names are the
    app's own labels (``assess.cond.<id>`` of the UI string tables, plain data)."""
    from ui.strings import load_all
    strings = load_all()
    return {c: strings[f"assess.cond.{c}"][0] for c in R.CONDITIONS}


#: Readiness condition id → name (docs/architecture.md "Readiness conditions").
READINESS_CONDITIONS = _condition_names()


@dataclass
class WorkbookInputs:
    """The reference-data arguments of :func:`reports.excel.build_workbook`.

    ``scheme`` is the plan's grant scheme row (None when none is chosen or known) and
    ``scheme_shares`` its payer rows for the plan's variant; both are for display, the
    workbook finds them itself from ``schemes`` / ``shares``.
    """

    schemes: list[dict] = field(default_factory=list)
    shares: list[dict] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    readiness_rows: list[dict] | None = None
    privacy_rows: list[dict] | None = None
    scheme: dict | None = None
    scheme_shares: list[dict] = field(default_factory=list)

    def kwargs(self) -> dict:
        """Keyword arguments for :func:`reports.excel.build_workbook`."""
        return {"schemes": self.schemes, "shares": self.shares, "calls": self.calls,
                "sources": self.sources,
                "readiness_rows": self.readiness_rows, "privacy_rows": self.privacy_rows}


def _table(cursor, sql: str) -> list[dict]:
    """Rows of a reference table; empty while the table does not exist (fixed SQL only)."""
    try:
        return records(cursor.execute(sql).fetch_df())
    except duckdb.Error:
        return []


def _query(cursor, name: str, **params) -> list[dict]:
    try:
        return records(queries.run(cursor, name, **params))
    except duckdb.Error:  # table not there yet on this machine
        return []


def readiness_rows(plan: dict, cursor) -> list[dict] | None:
    """One row per readiness question with the plan's level, gap and action; None while
    the plan has no answers or the tables are missing."""
    # a level that is not 0–4 (a damaged plan file) counts as unanswered; the
    # 準備度 page names those questions
    answers, _ = R.clean_answers((plan.get("readiness") or {}).get("answers"))
    questions = _table(cursor, "SELECT * FROM readiness_questions "
                               "ORDER BY condition_id, sort_order")
    if not answers or not questions:
        return None
    scores = R.condition_scores(questions, answers)
    actions = _table(cursor, "SELECT * FROM readiness_actions ORDER BY sort_order")
    rows = []
    for q in questions:
        a = answers.get(q["id"]) or {}
        cond = q["condition_id"]
        action = ""
        score = (scores.get(cond) or {}).get("score")
        if score is not None and score == score:  # NaN while a condition is unanswered
            b = R.band(score)
            action = next((r["action_ja"] for r in actions
                           if r["condition_id"] == cond and r["band"] == b), "")
        level = a.get("level")
        rows.append({"condition": READINESS_CONDITIONS.get(cond, cond),
                     "question": q["question_ja"], "level": level, "max_level": 4,
                     "gap": "" if level is not None and level >= 3 else (
                         "未回答" if level is None else f"レベル{level}（3以上が目安）"),
                     "action": action if (level is None or level < 3) else "",
                     "evidence": a.get("evidence", ""), "basis": q.get("basis_ja") or ""})
    order = list(READINESS_CONDITIONS.values())
    rows.sort(key=lambda r: order.index(r["condition"]) if r["condition"] in order else 99)
    return rows


def privacy_rows(plan: dict, cursor) -> list[dict] | None:
    """One row per answered privacy item with its status, gap and action; None while the
    plan has no answers or the table is missing."""
    answers = (plan.get("privacy") or {}).get("answers") or {}
    items = {r["id"]: r for r in _table(cursor, "SELECT * FROM privacy_items "
                                                "ORDER BY sort_order")}
    if not answers or not items:
        return None
    rows = []
    for item_id, item in items.items():
        if item_id not in answers:
            continue
        a = answers[item_id] or {}
        status = a.get("status", "")
        rows.append({"item": f"{item_id} {item['title_ja']}", "status": status,
                     "gap": X.PRIVACY_STATUS_LABELS.get(status, "")
                     if status in ("todo", "partial") else "",
                     "action": item.get("action_ja") or "" if status != "done" else "",
                     "owner": a.get("owner", ""), "due": a.get("due", ""),
                     "evidence": a.get("evidence", ""), "basis": item.get("basis_ja") or ""})
    return rows


def reference_sources(plan: dict, cursor) -> list[dict]:
    """``{"title", "source", "verified"}`` of the reference rows the plan uses (use cases,
    answered readiness questions and privacy items), each source once."""
    out, seen = [], set()

    def add(title, source, verified):
        if source and source not in seen:
            seen.add(source)
            out.append({"title": title, "source": source, "verified": verified})

    for uc in _table(cursor, "SELECT id, name_ja, verified, source FROM use_cases ORDER BY id"):
        if uc["id"] in (plan.get("use_cases") or []):
            add(f"活用事例: {uc['name_ja']}", uc["source"], uc["verified"])
    answered = (plan.get("readiness") or {}).get("answers") or {}
    if answered:
        for q in _table(cursor, "SELECT id, question_ja, verified, source "
                                "FROM readiness_questions"):
            if q["id"] in answered:
                add(f"準備度の設問の根拠 ({q['id']})", q["source"], q["verified"])
    answered = (plan.get("privacy") or {}).get("answers") or {}
    if answered:
        for p in _table(cursor, "SELECT id, title_ja, verified, source FROM privacy_items"):
            if p["id"] in answered:
                add(f"プライバシー項目の根拠 ({p['id']})", p["source"], p["verified"])
    return out


def workbook_inputs(plan: dict, cursor) -> WorkbookInputs:
    """Gather the reference data the Excel plan of ``plan`` cites and fills in.

    Parameters
    ----------
    plan : dict
        The plan (``grant``, ``use_cases``, ``readiness``, ``privacy`` are read).
    cursor : duckdb.DuckDBPyConnection
        A cursor on the reference database; a missing table gives empty rows.

    Returns
    -------
    WorkbookInputs
    """
    schemes = _query(cursor, "list_grant_schemes", level="", stage="")
    shares = _query(cursor, "list_grant_shares")  # payer splits (都 / 市 / 団体)
    calls = _query(cursor, "list_grant_calls")    # announced application windows
    scheme = X._scheme_for(plan, schemes)
    scheme_shares = X.shares_for(shares, scheme.get("id"), renewal=bool(
        (plan.get("grant") or {}).get("renewal"))) if scheme else []
    return WorkbookInputs(
        schemes=schemes, shares=shares, calls=calls,
        sources=X._sources_with_scheme(reference_sources(plan, cursor), scheme),
        readiness_rows=readiness_rows(plan, cursor), privacy_rows=privacy_rows(plan, cursor),
        scheme=scheme, scheme_shares=scheme_shares)
