"""Small drawing helpers shared by the pages: source links, chart font, money figures (yen,
the plan's cost lines with where each comes from)."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from assessments.programme.grants import latest_scheme
from assessments.records import is_missing, records
from datasets.citations import cite, citation_text
from ui.i18n import col, lang, t
from ui.state import md_escape

#: Plotly font readable on a projector.
FONT = {"size": 18}


def link_markdown(source: str) -> str:
    """A dataset ``source`` text as citations a reader can follow: ``"[title、publisher](url)
    · …"``; the internal research notes are never shown, only what they point to
    (:func:`reports.excel.cite`, the one reading of source texts)."""
    parts = []
    for c in cite(source):
        text = citation_text(c).replace("[", "(").replace("]", ")")
        parts.append(f"[{text}]({c['url']})" if c["url"] else text)
    return " · ".join(dict.fromkeys(parts))


def source_caption(sources) -> None:
    """One caption line 「出典: …」 with clickable links for a list of source cells."""
    seen: list[str] = []
    for s in sources:
        for part in str(s).split("; "):
            if part and part not in seen:
                seen.append(part)
    st.caption(t("compare.source") + " " + link_markdown("; ".join(seen)))


#: True for an empty cell (None, NaN, NaT, pandas.NA): the one rule, in assessments.records.
missing = is_missing


def is_unverified(row) -> bool:
    """True when a reference row's ``verified`` cell says false (bool or CSV text)."""
    value = row.get("verified") if hasattr(row, "get") else None
    return not missing(value) and str(value).strip().lower() in ("false", "0", "no")


def unverified_reason(row) -> str:
    """Why a reference row stays unverified, in the user's language (its
    ``unverified_reason_ja`` / ``_en``); ``""`` for a verified row or an empty reason."""
    if not is_unverified(row):
        return ""
    reason = col(row, "unverified_reason")
    return "" if missing(reason) else str(reason).strip()


def unverified_note(row) -> str:
    """「⚠️ 未確認: 〈reason〉」 to draw next to an unverified row's figure; ``""`` when the
    row is verified (or is no row)."""
    if not row or not is_unverified(row):
        return ""
    reason = unverified_reason(row)
    return t("compare.unverified_reason", reason=reason) if reason else t(
        "compare.unverified_no_reason")


def yen(value) -> str:
    """``1234567`` → ``"¥1,234,567"``; ``None`` / NA → ``"—"``."""
    if missing(value):
        return "—"
    return f"¥{value:,.0f}"


#: The money units a reader of each language counts in: (scale [円], strings key), largest
#: first; Japanese counts in 万 (10⁴) and 億 (10⁸), English in millions and billions.
_MONEY_UNITS = {"ja": ((1e8, "compare.money.large"), (1e4, "compare.money.medium")),
                "en": ((1e9, "compare.money.large"), (1e6, "compare.money.medium"))}


def yen_compact(value) -> str:
    """An amount in the units its reader counts in: ``400000000`` → 「4億円」 / "¥400
    million", ``50000000`` → 「5,000万円」 / "¥50 million", ``1250000`` → 「125万円」 /
    "¥1.25 million", small amounts exact (「9,800円」); ``None`` / NA → ``"—"``.

    At most two decimals, trailing zeros dropped: a figure for a heading, not a ledger.
    """
    if missing(value):
        return "—"
    value = float(value)
    for scale, key in _MONEY_UNITS[lang()]:
        if abs(value) >= scale:
            n = f"{value / scale:,.2f}".rstrip("0").rstrip(".")
            return t(key, n=n)
    return t("compare.money.small", n=f"{value:,.0f}")


def yen_ticks(max_jpy: float, *, n: int = 5) -> tuple[list[float], list[str]]:
    """Axis ticks from 0 to ``max_jpy`` [円] at a 1-2-5 step, labelled by
    :func:`yen_compact` (plotly's own labels would read 「10M」)."""
    if missing(max_jpy) or max_jpy <= 0:
        return [0.0], [yen_compact(0)]
    raw = max_jpy / max(n - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    values = [i * step for i in range(int(max_jpy // step) + 2)]
    return values, [yen_compact(v) for v in values]


def cost_line_label(line) -> str:
    """What a cost line is, in the user's language: the model (devices), the estimate item,
    or the typed name (:class:`assessments.programme.costs.CostLine`)."""
    cat = t(f"export.cat.item.{line.category}")
    if line.source == "estimate":
        return t(f"export.cost.estimate.{line.key}")
    if line.source in ("cameras", "lights"):
        return f"{cat}: {line.name or t('export.plan.model_unset')}"
    return f"{cat}: {line.name}" if line.name else cat


def cost_lines_frame(costs) -> pd.DataFrame:
    """The plan's initial and running cost lines as one table with where each comes from
    (``costs``: :class:`assessments.programme.costs.PlanCosts`)."""
    rows = [{t("export.cost.col.item"): cost_line_label(line),
             t("export.cost.col.source"): t(f"export.cost.source.{line.source}"),
             t("export.cost.col.qty"): round(line.quantity, 2),
             t("export.cost.col.unit"): f"{line.unit_price_jpy:,.0f}",
             t("export.cost.col.amount"): f"{line.amount_jpy:,.0f}"} for line in costs.lines]
    rows += [{t("export.cost.col.item"): f"{t('export.cat.running.' + r.category)}"
              + (f": {r.name}" if r.name else ""),
              t("export.cost.col.source"): t("export.cost.source.running"),
              t("export.cost.col.qty"): r.years,
              t("export.cost.col.unit"): f"{r.annual_jpy:,.0f}",
              t("export.cost.col.amount"): f"{r.amount_jpy:,.0f}"} for r in costs.running]
    return pd.DataFrame(rows)


def superseded_notes(costs) -> list[str]:
    """One message per estimate line left out because the same category is typed."""
    return [t("export.cost.superseded", item=t(f"export.cost.estimate.{key}"))
            for key in costs.superseded]


def labels(options, text) -> callable:
    """An idempotent ``format_func``: option → label, and a label maps to itself.

    (AppTest re-applies ``format_func`` to the shown label of untouched widgets.)
    """
    mapping = {o: text(o) for o in options}
    return lambda v: mapping.get(v, v)


def superseded_note(scheme: dict, schemes) -> str:
    """「計画の制度「…」は「…」に引き継がれています。」 for a plan whose scheme was replaced
    (``grants.latest_scheme`` over ``successor_id``), names escaped; "" otherwise."""
    newest = latest_scheme(scheme.get("id"), schemes)
    if not newest:
        return ""
    rows = {r["id"]: r for r in records(schemes)}
    return t("compare.grants.current_superseded",
             name=md_escape(col(scheme, "name") or scheme.get("id")),
             successor=md_escape(col(rows.get(newest) or {}, "name") or newest))
