"""IEC 62676-4:2025 as the default DORI edition of new plans, 2014 for older plans, the
switch on the シミュレーション page, and one label naming a cited 2014 level under 2025."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assessments.engine import dori
from assessments.engine import sim_summary as S
from assessments.plan import new_plan, validate_plan
from assessments.plan.document import normalise
from datasets.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "simulate.py")
Y14, Y25 = "iec62676_4_2014", "iec62676_4_2025"


def test_new_plans_use_2025_and_plans_without_the_field_keep_2014():
    assert new_plan("x")["standard"] == Y25
    old = _small_plan(name="saved before 2025 was the default")
    # normalising (the workspace, an upload) writes nothing: the field stays absent …
    assert "standard" not in normalise(old)
    # … and the plan is simulated with the 2014 edition it was made with
    assert validate_plan(old)["standard"] == Y14
    assert validate_plan(dict(old, standard=Y25))["standard"] == Y25
    assert dori.plan_standard({"standard": None}) == Y14


def test_only_validate_is_confirmed_in_2025():
    # 2025: Validate 500 px/m confirmed (JVSG, Hikvision); the six others are draft values
    assert [lv.key for lv in dori.DORI_TABLE[Y25] if lv.confirmed] == ["validate"]
    assert all(lv.confirmed for lv in dori.DORI_TABLE[Y14])
    assert dori.is_confirmed("validate") and not dori.is_confirmed("perceive")
    assert "facts.md" not in (dori.__doc__ or "") + "".join(dori.DORI_SOURCES.values())


@pytest.mark.parametrize("key, standard, ja, en", [
    # own edition: the name, marked when its threshold is unconfirmed
    ("recognise", Y14, "Recognise（認識）", "Recognise"),
    ("overview", Y25, "Overview*", "Overview*"),
    ("validate", Y25, "Validate", "Validate"),
    # a 2014 level under 2025 at the same threshold: 125 = Perceive, 250 = Characterize
    ("recognise", Y25, "Perceive（2014年版の Recognise（認識））*",
     "Perceive (2014 edition: Recognise)*"),
    ("identify", Y25, "Characterize（2014年版の Identify（識別））*",
     "Characterize (2014 edition: Identify)*"),
    # no 2025 level at 25 px/m: the cited name with its edition (2014 values are confirmed)
    ("detect", Y25, "Detect（検知）（2014年版）", "Detect (2014 edition)"),
    # and back: 2025 Validate 500 has no 2014 level
    ("validate", Y14, "Validate（2025年版）", "Validate (2025 edition)"),
])
def test_one_label_for_both_editions(key, standard, ja, en):
    assert dori.dori_label(key, "ja", standard=standard, unconfirmed="*") == ja
    assert dori.dori_label(key, "en", standard=standard, unconfirmed="*") == en


def test_level_for_maps_by_pixel_density():
    t25 = dori.dori_thresholds(Y25)
    # same threshold: Recognise 125 → Perceive 125; Identify 250 → Characterize 250
    assert dori.level_for("recognise", t25) == "perceive"
    assert dori.level_for("identify", t25) == "characterize"
    # between levels, the next one up (reaching it meets the cited level):
    # Detect 25 → Outline 40, Observe 62.5 → Discern 80; Inspect 1000 → Scrutinize 1500
    assert dori.level_for("detect", t25) == "outline"
    assert dori.level_for("observe", t25) == "discern"
    assert dori.level_for("inspect", t25) == "scrutinize"
    assert dori.level_for("recognise", dori.dori_thresholds(Y14)) == "recognise"
    assert dori.level_for("nonsense", t25) is None


def test_use_case_requirement_is_the_same_px_under_both_editions():
    """The use cases cite 2014 levels; under 2025 the requirement keeps their px/m (before:
    no requirement at all, since 'recognise' is not a 2025 key)."""
    rows = [{"id": "count", "dori_level": "detect", "night_operation": False},
            {"id": "child", "dori_level": "recognise", "night_operation": True,
             "recording_needed": True}]
    r14 = S.use_case_requirement(rows, ["count", "child"], thresholds=dori.dori_thresholds(Y14))
    r25 = S.use_case_requirement(rows, ["count", "child"], thresholds=dori.dori_thresholds(Y25))
    # strictest by px/m: Recognise 125 > Detect 25, in both editions
    assert (r14["level"], r14["cited_level"], r14["px_per_m"], r14["standard"]) == (
        "recognise", "recognise", 125.0, Y14)
    assert (r25["level"], r25["cited_level"], r25["px_per_m"], r25["standard"]) == (
        "perceive", "recognise", 125.0, Y25)
    assert r25["night"] and r25["recording"]
    # Detect alone: 25 px/m stays the requirement; Outline (40) is the 2025 level for figures
    r = S.use_case_requirement(rows, ["count"], thresholds=dori.dori_thresholds(Y25))
    assert (r["level"], r["px_per_m"]) == ("outline", 25.0)


# ------------------------------------------------------------------------------ the page
def _small_plan(**fields) -> dict:
    """A 60 m square with one camera and the 見守り・子ども use case (Recognise 125 px/m):
    a scene that simulates in well under a second."""
    from ui.simulation import square_area
    lat, lon = 35.7570, 139.5540
    plan = {"version": 1, "name": "小さな計画", "area": square_area(lat, lon, size_m=60.0),
            "cameras": [{"id": "C1", "lat": lat, "lon": lon, "mount_height_m": 5.0,
                         "azimuth_deg": 90.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
                         "width_px": 1920, "height_px": 1080}],
            "use_cases": ["watch_children"]}
    plan.update(fields)
    return plan


def _stored(pid: str) -> dict:
    ws = Workspace(Path(__import__("os").environ["MIMAMORI_WORKSPACE"]))
    try:
        return ws.get_plan(pid)
    finally:
        ws.close()


def _requirement(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("要件："))


def test_page_switches_the_standard_undoably_and_names_both_levels():
    ws = Workspace(Path(__import__("os").environ["MIMAMORI_WORKSPACE"]))
    try:
        pid = ws.add_plan(_small_plan(standard=Y25), new_id=True)["id"]
    finally:
        ws.close()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "ja"
    at.session_state["plan_id"] = pid
    at.run()
    assert not at.exception, at.exception
    # the 2025 plan: the use case's Recognise is named by the 2025 level at 125 px/m
    assert _requirement(at).startswith(
        "要件：**Perceive（2014年版の Recognise（認識）） ※値は未確認**（125 px/m 以上）")
    assert any(c.value.startswith("※値は未確認：") for c in at.caption)
    box = next(s for s in at.selectbox if s.key and s.key.startswith("sim.standard_"))
    assert box.value == Y25 and box.options == ["IEC 62676-4:2025（現行版）",
                                                 "IEC 62676-4:2014（旧版・2025年10月廃止）"]
    box.set_value(Y14).run()
    assert not at.exception, at.exception
    assert _stored(pid)["standard"] == Y14
    assert _requirement(at).startswith("要件：**Recognise（認識）**（125 px/m 以上）")
    # undo: back to 2025
    next(b for b in at.button if b.key and b.key.startswith("sim.undo_btn")).click().run()
    assert not at.exception, at.exception
    assert _stored(pid)["standard"] == Y25
    assert "Perceive" in _requirement(at)
