"""The app shell under AppTest: home page in both languages, plan selector actions."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang, title, metric", [("ja", "見守りプランナー", "配置したカメラ"),
                                                 ("en", "Mimamori Planner", "Cameras placed")])
def test_home_in_both_languages(lang, title, metric):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert at.title[0].value == title
    labels = [m.label for m in at.metric]
    assert metric in labels
    assert at.metric[labels.index(metric)].value == "0"


def test_language_switch_changes_labels():
    at = _app()
    assert at.title[0].value == "見守りプランナー"
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Mimamori Planner"
    assert "Current plan" == at.sidebar.selectbox[0].label
    at.sidebar.radio[0].set_value("ja").run()
    assert at.sidebar.selectbox[0].label == "現在の計画"


def test_create_switch_rename_delete_plan(workspace_path):
    at = _app()
    first = at.sidebar.selectbox[0].value
    # create a plan for 柏市 through the form
    at.text_input(key="plan_new_name").input("柏の葉キャンパス駅周辺 見守り・人流計測")
    at.selectbox(key="plan_new_pref").select("千葉県").run()
    at.selectbox(key="plan_new_muni").select_index(
        at.selectbox(key="plan_new_muni").options.index("柏市")).run()
    at.button(key="plan_new_btn").click().run()
    assert not at.exception
    ws = Workspace(workspace_path)
    plans = {p["name"]: p for p in ws.list_plans()}
    assert "柏の葉キャンパス駅周辺 見守り・人流計測" in plans
    created = plans["柏の葉キャンパス駅周辺 見守り・人流計測"]
    assert ws.get_plan(created["id"])["municipality"]["code"] == "122173"
    assert at.sidebar.selectbox[0].value == created["id"]  # switched to the new plan
    assert at.metric[0].value == "柏市"

    # switch back to the first plan
    at.sidebar.selectbox[0].set_value(first).run()
    assert at.session_state["plan_id"] == first

    # rename it
    at.text_input(key=f"plan_rename_{first}").input("改名した計画")
    at.button(key="plan_rename_btn").click().run()
    assert Workspace(workspace_path).get_plan(first)["name"] == "改名した計画"

    # delete needs the confirmation box
    assert at.button(key="plan_del_btn").disabled
    at.checkbox(key=f"plan_del_ok_{first}").check().run()
    at.button(key="plan_del_btn").click().run()
    assert not at.exception
    remaining = [p["id"] for p in Workspace(workspace_path).list_plans()]
    assert first not in remaining and created["id"] in remaining
    assert at.session_state["plan_id"] in remaining


def test_duplicate_plan(workspace_path):
    at = _app()
    at.button(key="plan_dup_btn").click().run()
    names = sorted(p["name"] for p in Workspace(workspace_path).list_plans())
    assert names == ["はじめての計画", "はじめての計画（コピー）", "サンプル：新座市モデル地区（PLATEAU）"]


def test_first_start_offers_the_sample_district(workspace_path):
    at = _app()
    plans = {p["name"]: p for p in Workspace(workspace_path).list_plans()}
    assert set(plans) == {"はじめての計画", "サンプル：新座市モデル地区（PLATEAU）"}
    # the user's own empty plan is current; the sample is one switch away
    assert at.sidebar.selectbox[0].value == plans["はじめての計画"]["id"]
    sample = Workspace(workspace_path).get_plan(plans["サンプル：新座市モデル地区（PLATEAU）"]["id"])
    assert sample["municipality"]["name"] == "新座市"
    assert len(sample["buildings"]["features"]) == 657 and len(sample["cameras"]) == 11
    at.sidebar.selectbox[0].set_value(sample["id"]).run()
    labels = [m.label for m in at.metric]
    assert at.metric[labels.index("配置したカメラ")].value == "11"
    assert at.metric[labels.index("自治体")].value == "新座市"


def test_plan_json_download_is_the_stored_plan(workspace_path):
    from assessments.plan.document import parse_plan_json
    from ui.plan_selector import _plan_json
    ws = Workspace(workspace_path)
    plan = ws.create_plan("共有する計画")
    ws.update_plan(plan["id"], lambda p: p["use_cases"].append("people_count"))
    data = _plan_json(ws, plan["id"], "")()
    loaded = parse_plan_json(data)
    assert loaded["name"] == "共有する計画" and loaded["use_cases"] == ["people_count"]
    assert "_revision" not in loaded
    at = _app()
    assert at.get("download_button")  # the button is drawn without building the file


@pytest.mark.parametrize("lang, group, link", [("ja", "調べる・比較する", "事例比較"),
                                               ("en", "Research & compare", "Compare initiatives")])
def test_navigation_is_the_apps_own_links_in_the_sidebar(lang, group, link):
    # st.navigation's own sidebar is hidden (config: client.showSidebarNavigation = false,
    # so Streamlit's file-name list of pages/ never shows); every page draws these links
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    links = [e.proto.label for e in at.sidebar.get("page_link")]
    assert len(links) == 10 and links[0] == ("ホーム" if lang == "ja" else "Home")
    assert link in links
    assert group in [c.value for c in at.sidebar.caption]


def test_two_plans_of_the_same_name_can_both_be_chosen(workspace_path):
    # Streamlit sends a choice back as its label: two plans named alike must not share one
    at = _app()
    ws = Workspace(workspace_path)
    one = ws.create_plan("見守り計画")
    two = ws.create_plan("見守り計画")
    at.run()
    shown = at.sidebar.selectbox[0].options  # the labels
    assert sorted(s for s in shown if s.startswith("見守り計画")) == ["見守り計画", "見守り計画 (2)"]
    for target in (two["id"], one["id"], two["id"]):
        at.sidebar.selectbox[0].set_value(target).run()
        assert not at.exception
        assert at.session_state["plan_id"] == target


def test_state_never_imports_the_sidebar():
    # one dependency direction: ui.shell → ui.plan_selector → ui.state (no import cycle)
    import ast
    root = Path(APP).parent
    for module, forbidden in (("ui/state.py", {"ui.plan_selector", "ui.shell"}),
                              ("ui/plan_selector.py", {"ui.shell"})):
        tree = ast.parse((root / module).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {f"{n.module}.{a.name}" for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) for a in n.names}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                     for a in n.names}
        assert not imported & forbidden, (module, imported & forbidden)


def test_a_downloaded_new_plan_uploads_again_and_problems_are_in_japanese():
    """The sidebar's plan upload: a new plan (no area yet), downloaded and uploaded again,
    has no problem; a plan with a camera tilted 120° names the field as the cameras table
    does, in Japanese (never 'plan: area is missing' or 'tilt_deg')."""
    import streamlit as st

    from assessments.plan.document import dump_plan_json, new_plan, parse_plan_json
    from ui.plan_selector import _validate
    st.session_state["lang"] = "ja"
    try:
        plan = parse_plan_json(dump_plan_json(new_plan("はじめての計画")))
        assert not plan.get("area") and _validate(plan) == []
        bad = dict(plan, cameras=[{"id": "C1", "lat": 35.86, "lon": 139.97, "tilt_deg": 120,
                                   "mount_height_m": 5, "azimuth_deg": 0, "hfov_deg": 90,
                                   "width_px": 1920, "height_px": 1080}])
        problems = _validate(bad)
        assert any(p.startswith("カメラ C1：俯角 [°] = 120 は範囲外です") for p in problems), problems
        assert not any("tilt_deg" in p or "area" in p for p in problems)
    finally:
        del st.session_state["lang"]


def test_a_long_plan_name_is_shortened_and_said(workspace_path):
    """An uploaded plan named with 130 characters: stored with its first 120 (the one
    bound, ``MAX_NAME_CHARS``) and the sidebar says so, never cut in silence."""
    import json

    from assessments.plan.document import MAX_NAME_CHARS, new_plan
    plan = new_plan("x")
    plan["name"] = "長" * 130
    at = _app()
    at.run()
    at.sidebar.file_uploader(key="plan_upload").upload(
        "plan.json", json.dumps(plan, ensure_ascii=False).encode("utf-8"), "application/json")
    at.run()
    assert not at.exception
    said = " ".join(s.value for s in at.sidebar.success)
    assert f"先頭の {MAX_NAME_CHARS} 文字" in said and MAX_NAME_CHARS == 120
    ws = Workspace(workspace_path)
    try:
        assert "長" * 120 in [p["name"] for p in ws.list_plans()]
    finally:
        ws.close()
