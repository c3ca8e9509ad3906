"""The app's own CSS: Japanese text for Streamlit's built-in English, and layout fixes.

Streamlit (1.67) has no translation of its frontend: the file uploader writes 「Upload」 and
「200MB per file」, an empty dropdown 「No results」. This module replaces those texts with
CSS (the original text is hidden, the translation drawn by ``::after { content: … }``), one
constant block per language, built only from ``ui/strings`` and the server's upload limit,
never from user text. It is the only module that calls ``st.html`` (a ``<style>``-only
block goes to Streamlit's event container and takes no space on the page).

The selectors are the test ids and component class names of Streamlit 1.67's frontend
(``streamlit/static/static/js``: ``FileUploader``, ``Selectbox``, ``Multiselect``);
``tests/test_browser_pages.py`` checks in Chromium that the English texts are gone, so a
Streamlit upgrade that renames them fails there.
"""
from __future__ import annotations

from functools import lru_cache

import streamlit as st

from ui.i18n import lang
from ui.strings.common import STRINGS as COMMON

#: Text of an empty dropdown: ``Selectbox``'s and ``Multiselect``'s empty-state spans
#: (emotion ``target`` classes of Streamlit 1.67's frontend build). A multiselect writes
#: the same span when its ``max_selections`` are chosen.
_EMPTY_SELECT = ".equpb2c9"
_EMPTY_MULTI = ".eo2qvtu11"
_UPLOADER = '[data-testid="stFileUploaderDropzone"]'

#: Both languages: metric labels wrap instead of ending in 「…」 (Streamlit truncates a
#: metric label to one line), and less empty space above the title on a 768 px screen.
_LAYOUT = """
[data-testid="stMetricLabel"] p {
  white-space: normal; overflow: visible; text-overflow: clip;
}
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
"""

#: Japanese only: hide Streamlit's English, draw the translation in its place.
_BUILTINS = """
%(uploader)s button [data-testid="stMarkdownContainer"] p { display: none; }
%(uploader)s button [data-testid="stMarkdownContainer"]::after { content: %(upload)s; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after { content: %(limit)s; }
%(uploader)s .euud7oh2 { display: none; }
%(uploader)s .euud7oh1::after { content: %(drop)s; }
%(select)s, %(multi)s { visibility: hidden; position: relative; }
%(select)s::after, %(multi)s::after {
  visibility: visible; position: absolute; inset: 0; display: flex;
  align-items: center; justify-content: center; text-align: center;
}
%(select)s::after { content: %(no_results)s; }
%(multi)s::after { content: %(no_results_multi)s; }
"""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes, braces, ``<`` and control
    characters written as CSS escapes (CSS Syntax Level 3 §4.3.7), so no text can end the
    string, the rule or the ``<style>`` element."""
    out = []
    for ch in text:
        if ch in '"\\{}<>' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@lru_cache(maxsize=4)
def language_css(language: str, upload_limit_mb: int) -> str:
    """The constant CSS block of ``language`` (``"ja"`` / ``"en"``); ``upload_limit_mb``:
    the server's ``server.maxUploadSize`` [MB], which the uploader's text states."""
    if language != "ja":
        return _LAYOUT
    return _LAYOUT + _BUILTINS % {
        "uploader": _UPLOADER,
        "upload": css_string(_ja("common.st.upload")),
        "limit": css_string(_ja("common.st.upload_limit").format(mb=int(upload_limit_mb))),
        "drop": css_string(_ja("common.st.drop")),
        "select": _EMPTY_SELECT,
        "multi": _EMPTY_MULTI,
        "no_results": css_string(_ja("common.st.no_results")),
        "no_results_multi": css_string(_ja("common.st.no_results_multi")),
    }


def _ja(key: str) -> str:
    return COMMON[key][0]  # the block is Japanese whatever the session's language


def inject_css(css: str | None = None) -> None:
    """Add a constant ``<style>`` block to the page: the session language's block
    (:func:`language_css`, once per page run, from :func:`ui.shell.setup_page`), or ``css``
    given by a page (presentation mode) — constant text of the app, never user data."""
    if css is None:
        css = language_css(lang(), int(st.get_option("server.maxUploadSize")))
    if "</" in css:
        raise ValueError("the CSS must not close the <style> element")
    st.html(f"<style>{css}</style>")
