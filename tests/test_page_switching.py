"""Every page under AppTest: switching the language on the page and switching between two
plans that differ on every field saves nothing and raises nothing (widget state is keyed by
plan and language, ``ui.state.widget_key``; saves happen only in on_change callbacks).
The browser version is ``tests/test_browser_plan_switch.py``."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace
from tests.two_plans import store_two_plans, stored_rows

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["home", "compare_cases", "grants", "use_cases", "readiness", "privacy", "simulate",
         "project_plan", "export"]


def _rows(workspace_path):
    # the app holds the file open in this process: a connection with the same (read-write)
    # configuration shares its database
    con = duckdb.connect(str(workspace_path))
    try:
        return {pid: (rev, data) for pid, rev, data in
                con.execute("SELECT id, revision, data FROM plans").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("first", ["ja", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_language_and_plan_switches_save_nothing(workspace_path, page, first):
    a, b = store_two_plans(workspace_path)
    before = stored_rows(workspace_path)
    other = "en" if first == "ja" else "ja"
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
    at.session_state["lang"] = first
    at.session_state["plan_id"] = a
    at.run()
    assert not at.exception, at.exception
    # the language switched on the page, then plans switched in it, and once more back
    steps = [("lang", other), ("plan", b), ("plan", a), ("lang", first), ("plan", b),
             ("plan", a)]
    for kind, value in steps:
        if kind == "lang":
            at.radio(key="_lang_widget").set_value(value).run()
        else:
            at.selectbox(key="_plan_widget").set_value(value).run()
        assert not at.exception, (kind, value, at.exception)
        if kind == "plan":
            assert at.session_state["plan_id"] == value
    assert _rows(workspace_path) == before  # byte-identical JSON, same revisions


@pytest.mark.parametrize("page", ["home", "privacy", "readiness", "use_cases"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_unknown_stored_values_are_named_not_a_traceback(workspace_path, page, lang):
    """A plan saved with a display label as a use case (the old bug), a label as a level,
    a status and a legal form: the page says so in the user's language and shows the rest."""
    a, _ = store_two_plans(workspace_path)
    ws = Workspace(workspace_path)

    def damage(p):
        p["use_cases"] = ["災害監視", "people_count"]
        p["readiness"]["answers"]["vision_1"]["level"] = "1: 関連する計画を把握している"
        p["privacy"]["answers"]["P01"]["status"] = "一部"
        p["privacy"]["settings"]["legal_form"] = "規則"
    ws.update_plan(a, damage)
    ws.close()
    before = stored_rows(workspace_path)
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["plan_id"] = a
    at.run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    lead = {"ja": "この計画には、このアプリで扱えない値が保存されています",
            "en": "This plan holds values the app cannot use"}[lang]
    assert lead in warnings
    if page in ("home", "privacy", "use_cases"):
        assert "「災害監視」" in warnings
    if page == "privacy":
        assert "「P01」" in warnings  # the answer whose status cannot be read
        draft = next(m.value for m in at.markdown if m.value.startswith("# "))
        # the known use case stays in 第3条; the unknown value is an open point
        assert "(1) 人流計測（人数）" in draft or "(1) people counting" in draft
        assert "災害監視" in draft
    if page == "readiness":
        assert "「vision\\_1」" in warnings  # md_escape: the id shows as typed
    assert _rows(workspace_path) == before  # showing the page changed nothing


@pytest.mark.parametrize("page", ["simulate", "project_plan", "export", "grants", "home"])
def test_opening_a_plan_of_an_older_version_saves_nothing(workspace_path, page):
    # prices the simulation page once kept in plan["simulation"] and a stored total cost:
    # upgraded when read (assessments.plan.document.upgrade), never saved by opening a page
    import json
    ws = Workspace(workspace_path)
    a, _ = store_two_plans(workspace_path)
    old = ws.get_plan(a)
    old.pop("_revision")
    old["simulation"] = {"unit_prices_jpy": {"camera": 250_000, "pole": 90_000}}
    old["grant"] = dict(old.get("grant") or {}, total_cost_jpy=6_249_000)
    ws._con.execute("UPDATE plans SET data = $data WHERE id = $id",
                    {"data": json.dumps(old, ensure_ascii=False), "id": a})
    ws.close()
    before = _rows(workspace_path)
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
    at.session_state["plan_id"] = a
    at.run()
    assert not at.exception, at.exception
    assert _rows(workspace_path) == before
