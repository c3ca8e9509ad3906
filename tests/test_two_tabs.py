"""Two tabs on one plan (two AppTests on one workspace, as two browser tabs on one server):
what one tab saves is never undone by the other's stale copy. A table is merged per field
onto the latest plan or refused with a message; an undo reverts only its own tab's change;
a device table's rows are matched by id, not by position. The browser version is
``tests/test_browser_two_tabs.py``."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace
from tests.pagetest import wkey
from tests.two_plans import plan_a

ROOT = Path(__file__).resolve().parents[1]


def _store(workspace_path, plan=None) -> str:
    ws = Workspace(workspace_path)
    try:
        return ws.add_plan(plan or plan_a())["id"]
    finally:
        ws.close()


def _tab(page: str, plan_id: str, lang: str = "ja") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["plan_id"] = plan_id
    at.run()
    assert not at.exception, at.exception
    return at


def _stored(workspace_path, plan_id: str) -> dict:
    # the app holds the file open in this process; the test reads through the app's handle
    from ui.state import workspace
    return workspace().get_plan(plan_id)


def _editor(at: AppTest, prefix: str):
    return next(d for d in at.dataframe if d.key and d.key.startswith(prefix))


def edit_table(at: AppTest, prefix: str, delta: dict) -> None:
    """Send an ``st.data_editor`` edit as the browser does: the editor's widget state (its
    delta as JSON) in the next run's widget states, which fires its ``on_change``.
    ``prefix``: the start of the editor's key."""
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = _editor(at, prefix).proto.id
    state.string_value = json.dumps({"edited_rows": {}, "added_rows": [], "deleted_rows": [],
                                     **delta})
    at._run(states)
    assert not at.exception, at.exception


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


# ------------------------------------------------------------------------------ 事業計画
def test_stale_schedule_table_does_not_overwrite_the_other_tabs_rows(workspace_path):
    pid = _store(workspace_path)
    a, b = _tab("project_plan", pid), _tab("project_plan", pid)
    # tab B adds a schedule row: stored schedule = [A 設計, B 工事]
    edit_table(b, "pp_schedule", {"added_rows": [{"task": "B 工事", "start": "2026-10",
                                                  "end": "2027-03"}]})
    assert [s["task"] for s in _stored(workspace_path, pid)["schedule"]] == ["A 設計", "B 工事"]
    # tab A, still showing one row, changes that row's end month: the old code wrote A's
    # one-row table over B's two rows; now it is refused and said so
    edit_table(a, "pp_schedule", {"edited_rows": {"0": {"end": "2026-12"}}})
    stored = _stored(workspace_path, pid)
    assert stored["schedule"] == [{"task": "A 設計", "start": "2026-04", "end": "2026-09"},
                                  {"task": "B 工事", "start": "2026-10", "end": "2027-03"}]
    errors = _texts(a, "error")
    assert any("「スケジュール」を変更しました" in e and "保存していません" in e
               and "計画は変更していません" in e for e in errors), errors
    # A's table starts again from the stored plan (a new key), showing B's row
    table = _editor(a, "pp_schedule~1@").value
    assert list(table["task"]) == ["A 設計", "B 工事"]
    # re-entered on the fresh table, the edit is saved (merged onto B's rows)
    edit_table(a, "pp_schedule~1@", {"edited_rows": {"0": {"end": "2026-12"}}})
    assert [s["end"] for s in _stored(workspace_path, pid)["schedule"]] == ["2026-12",
                                                                             "2027-03"]


def test_stale_kpi_table_is_refused_in_english_too(workspace_path):
    pid = _store(workspace_path)
    a, b = _tab("project_plan", pid, "en"), _tab("project_plan", pid)
    # B changes the KPI baseline 120 → 150; A (stale) renames the KPI
    edit_table(b, "pp_kpis", {"edited_rows": {"0": {"baseline": 150}}})
    edit_table(a, "pp_kpis", {"edited_rows": {"0": {"name": "A 犯罪件数"}}})
    kpis = _stored(workspace_path, pid)["kpis"]
    assert [(k["name"], k["baseline"]) for k in kpis] == [("A 刑法犯認知件数", 150)]
    assert any("changed “KPIs”" in e and "not saved" in e for e in _texts(a, "error"))


def test_title_and_tables_of_different_parts_merge(workspace_path):
    pid = _store(workspace_path)
    a, b = _tab("project_plan", pid), _tab("project_plan", pid)
    # B: a KPI cell and a cost line; A (stale): the cost of running, then 事業名
    edit_table(b, "pp_kpis", {"edited_rows": {"0": {"t1": 105}}})
    edit_table(b, "pp_item", {"edited_rows": {"0": {"quantity": 3}}})
    edit_table(a, "pp_running", {"edited_rows": {"0": {"annual_jpy": 130_000}}})
    a.text_input(key=wkey(a, "pp_title")).input("A 新しい事業名").run()
    assert not a.exception and not _texts(a, "error")
    p = _stored(workspace_path, pid)
    assert p["project"]["title"] == "A 新しい事業名"
    assert p["kpis"][0]["targets"][:1] == [105]          # B's cell
    assert p["costs"]["items"][0]["quantity"] == 3         # B's cost line
    assert p["costs"]["running"][0]["annual_jpy"] == 130_000  # A's


# ---------------------------------------------------------------------------- シミュレーション
def _add_light(at: AppTest, **values) -> None:
    edit_table(at, "sim.lights_", {"added_rows": [values]})


def test_undo_keeps_a_light_the_other_tab_added(workspace_path):
    pid = _store(workspace_path)
    a, b = _tab("simulate", pid), _tab("simulate", pid)
    # tab A raises camera C1 (5 → 7 m): its undo step
    edit_table(a, "sim.cams_", {"edited_rows": {"0": {"mount_height_m": 7.0}}})
    # tab B then adds light L2
    _add_light(b, lat=35.8677, lon=139.9759, mount_height_m=6.0, intensity_cd=250.0)
    assert [x["id"] for x in _stored(workspace_path, pid)["lights"]] == ["L1", "L2"]
    # tab A undoes its camera change: the old code restored A's whole light list ([L1])
    a.button(key=wkey(a, "sim.undo_btn")).click().run()
    assert not a.exception
    p = _stored(workspace_path, pid)
    assert [x["mount_height_m"] for x in p["cameras"]] == [5.0, 5.0]
    assert [x["id"] for x in p["lights"]] == ["L1", "L2"]
    assert any("元に戻しました" in s for s in _texts(a, "success"))


def test_undo_leaves_a_part_the_other_tab_changed_and_says_so(workspace_path):
    pid = _store(workspace_path)
    a, b = _tab("simulate", pid), _tab("simulate", pid)
    edit_table(a, "sim.cams_", {"edited_rows": {"0": {"mount_height_m": 7.0}}})
    # B (fresh) sets C1 to 8 m after A's change: undoing A's 5 → 7 would overwrite B's 8
    b.run()
    edit_table(b, "sim.cams_", {"edited_rows": {"0": {"mount_height_m": 8.0}}})
    a.button(key=wkey(a, "sim.undo_btn")).click().run()
    assert [x["mount_height_m"] for x in _stored(workspace_path, pid)["cameras"]] == [8.0, 5.0]
    assert any("「カメラ」" in w and "元に戻していません" in w for w in _texts(a, "warning"))


def test_table_edit_goes_to_the_device_drawn_not_the_row_now_there(workspace_path):
    plan = plan_a()
    l1 = plan["lights"][0]
    plan["lights"] = [dict(l1, id=f"L{i}", mount_height_m=6.0) for i in (1, 2, 3)]
    pid = _store(workspace_path, plan)
    a, b = _tab("simulate", pid), _tab("simulate", pid)
    # B deletes L1: stored [L2, L3]
    edit_table(b, "sim.lights_", {"deleted_rows": [0]})
    # A still shows [L1, L2, L3] and sets row 1 (L2) to 9 m: the old code applied it to
    # the stored row 1, L3
    edit_table(a, "sim.lights_", {"edited_rows": {"1": {"mount_height_m": 9.0}}})
    lights = _stored(workspace_path, pid)["lights"]
    assert [(x["id"], x["mount_height_m"]) for x in lights] == [("L2", 9.0), ("L3", 6.0)]


def test_new_rows_of_both_tabs_get_their_own_ids(workspace_path):
    pid = _store(workspace_path)
    a, b = _tab("simulate", pid), _tab("simulate", pid)
    _add_light(b, lat=35.8677, lon=139.9759)   # B: L2
    _add_light(a, lat=35.8678, lon=139.9760)   # A (stale, knows only L1): not L2 again
    lights = _stored(workspace_path, pid)["lights"]
    assert [(x["id"], x["lat"]) for x in lights] == [("L1", 35.8676), ("L2", 35.8677),
                                                     ("L3", 35.8678)]


def _use_cases(at: AppTest):
    return next(m for m in at.multiselect if m.key and m.key.startswith("sim.uc_"))


def test_use_case_choice_keeps_the_other_tabs_tick(workspace_path):
    pid = _store(workspace_path)   # stored: disaster_monitoring, people_count
    a, b = _tab("simulate", pid), _tab("simulate", pid)
    _use_cases(b).select("abnormal_behavior").run()
    # A (stale: without B's choice) removes people_count: the old code saved A's list
    _use_cases(a).unselect("people_count").run()
    assert not a.exception
    assert _stored(workspace_path, pid)["use_cases"] == ["disaster_monitoring",
                                                         "abnormal_behavior"]
