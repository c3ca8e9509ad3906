"""Small drawing helpers shared by the 調べる・比較する pages (source links, chart font)."""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from ui.i18n import t

#: Plotly font readable on a projector.
FONT = {"size": 18}

_ITEM = re.compile(r"^(https?://\S+)\s+\(([^)]+)\)$")


def link_markdown(source: str) -> str:
    """``"https://a (KEY); https://b (K2)"`` → ``"[KEY](https://a) · [K2](https://b)"``.

    Parts that are not ``url (key)`` (e.g. the seed report with its section) stay as text.
    """
    parts = []
    for part in str(source).split("; "):
        part = part.strip()
        hit = _ITEM.match(part)
        if hit:
            parts.append(f"[{hit.group(2)}]({hit.group(1)})")
        elif part.startswith("http"):
            parts.append(f"<{part}>")
        elif part:
            parts.append(part)
    return " · ".join(parts)


def source_caption(sources) -> None:
    """One caption line 「出典: …」 with clickable links for a list of source cells."""
    seen: list[str] = []
    for s in sources:
        for part in str(s).split("; "):
            if part and part not in seen:
                seen.append(part)
    st.caption(t("compare.source") + " " + link_markdown("; ".join(seen)))


def missing(value) -> bool:
    """True for None, NaN, NaT and pandas.NA (scalars only)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def yen(value) -> str:
    """``1234567`` → ``"¥1,234,567"``; ``None`` / NA → ``"—"``."""
    if missing(value):
        return "—"
    return f"¥{value:,.0f}"


def labels(options, text) -> callable:
    """An idempotent ``format_func``: option → label, and a label maps to itself.

    (AppTest re-applies ``format_func`` to the shown label of untouched widgets.)
    """
    mapping = {o: text(o) for o in options}
    return lambda v: mapping.get(v, v)
