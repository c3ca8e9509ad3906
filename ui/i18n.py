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


_NO_VALUE = object()


def lang_key(name: str, value=_NO_VALUE) -> str:
    """Session key of a widget whose labels depend on the language but whose value does not
    belong to a plan (filters, a chosen initiative).

    Streamlit serialises a choice widget's value as its shown label and maps it back on the
    next run; after a language switch the label no longer matches and the label string
    itself would come back as the value. A key per language avoids that: the widget in the
    new language starts from the id the other language's widget held (or ``value``, once).
    Pass the start value here, not as the widget's ``index`` / ``default``.
    """
    key = f"{name}.{lang()}"
    if key not in st.session_state:
        for other in LANGS:
            if f"{name}.{other}" in st.session_state:
                st.session_state[key] = st.session_state[f"{name}.{other}"]
                break
        else:
            if value is not _NO_VALUE:
                st.session_state[key] = value
    return key


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
