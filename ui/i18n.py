"""Language selection and translated UI text (``t("key")``)."""
from __future__ import annotations

from functools import lru_cache

import streamlit as st

from ui.strings import LANGS, load_all

DEFAULT_LANG = "ja"


@lru_cache(maxsize=1)
def _strings() -> dict[str, tuple[str, str]]:
    return load_all()


def lang() -> str:
    """Current language of this browser session, ``"ja"`` (default) or ``"en"``."""
    value = st.session_state.get("lang", DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, /, **fmt) -> str:
    """Text for ``key`` in the session's language, with ``{name}`` fields filled from ``fmt``.

    An unknown key is shown as itself (visible in tests and screenshots, never a crash).
    """
    pair = _strings().get(key)
    if pair is None:
        return key
    text = pair[LANGS.index(lang())] or pair[0]
    return text.format(**fmt) if fmt else text


def col(row, name: str):
    """Pick ``row[name_ja]`` or ``row[name_en]`` (falling back to Japanese) for data rows."""
    if lang() == "en":
        value = row.get(f"{name}_en") if hasattr(row, "get") else None
        if value is not None and value == value and str(value).strip():
            return value
    return row.get(f"{name}_ja") if hasattr(row, "get") else None
