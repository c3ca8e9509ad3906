"""ui/theme.py: the CSS that replaces Streamlit's English built-ins is built from constants
only, and every text it embeds is a properly escaped CSS string."""
from __future__ import annotations

import re

import pytest

from ui import theme
from ui.strings.common import STRINGS


@pytest.mark.parametrize("text, css", [
    ("ファイルを選択", '"ファイルを選択"'),
    ('a"b', r'"a\22 b"'),              # U+0022 QUOTATION MARK
    ("a\\b", r'"a\5C b"'),             # U+005C REVERSE SOLIDUS
    ("x{y}", r'"x\7B y\7D "'),         # braces cannot open or close a rule
    ("</style>", r'"\3C /style\3E "'),  # cannot end the <style> element
    ("行1\n行2", r'"行1\A 行2"'),        # CSS strings cannot hold a raw newline
])
def test_css_string_escapes(text, css):
    assert theme.css_string(text) == css


STRING_RE = re.compile(r'"(?:[^"\\\n]|\\[0-9A-F]{1,6} ?|\\.)*"')


def test_japanese_css_is_constant_and_escaped(monkeypatch):
    css = theme.language_css("ja", 200)
    assert '"ファイルを選択"' in css and '"1ファイル200MBまで"' in css
    # every brace belongs to the template: the embedded texts add none
    template = theme._LAYOUT + theme._BUILTINS
    assert css.count("{") == template.count("{") == css.count("}")
    # with hostile text in the strings table, every embedded text stays one CSS string
    monkeypatch.setitem(STRINGS, "common.st.upload", ('x" } body { display: none; \\', "Upload"))
    theme.language_css.cache_clear()
    try:
        hostile = theme.language_css("ja", 200)
    finally:
        theme.language_css.cache_clear()
    assert hostile.count("{") == template.count("{")
    upload = re.search(r"::after \{ content: (.*?); \}", hostile).group(1)
    assert STRING_RE.fullmatch(upload), upload
    assert upload == r'"x\22  \7D  body \7B  display: none; \5C "'


def test_english_css_leaves_streamlit_texts():
    css = theme.language_css("en", 200)
    assert "content:" not in css   # nothing replaced in English
    assert "stMetricLabel" in css  # the layout rules apply in both languages
