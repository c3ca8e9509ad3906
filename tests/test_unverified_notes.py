"""Unverified reference rows show why, next to the figure (ui.compare_common.unverified_note),
in the user's language; the 事例比較 table carries the reason column."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pagetest import run_page

def _page():
    import streamlit as st

    from ui.compare_common import unverified_note
    for row in [{"verified": False, "unverified_reason_ja": "光束は判断値",
                 "unverified_reason_en": "lumens are a judgement"},
                {"verified": "true", "unverified_reason_ja": "（表示されない）"},
                {"verified": "false"}]:
        st.caption(unverified_note(row) or "—")


@pytest.mark.parametrize("lang, want", [
    ("ja", ["⚠️ 未確認: 光束は判断値", "—", "⚠️ 未確認（理由の記載なし）"]),
    ("en", ["⚠️ Unverified: lumens are a judgement", "—", "⚠️ Unverified (no reason recorded)"]),
])
def test_note_gives_the_reason_only_for_unverified_rows(lang, want):
    at = AppTest.from_function(_page)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert [c.value for c in at.caption] == want


def test_cases_table_has_the_reason_column():
    at = run_page(str(Path(__file__).resolve().parents[1] / "pages" / "compare_cases.py"))
    table = at.dataframe[0].value
    assert "未確認の理由" in table.columns
    # every initiative is confirmed now (the last three in this round), so no reason is shown
    assert table["未確認の理由"].eq("").all() and table["確認済み"].all()
