"""「配置を提案」 on the シミュレーション page (AppTest): the figures shown are those of
``assessments.propose`` called directly, ticked devices are added undoably, an infeasible
target says why and changes nothing; both languages."""
from __future__ import annotations

import pytest

from assessments.programme.costs import plan_costs
from assessments.propose import ProposalInfeasible, plan_requirement, propose
from tests.pagetest import run_page_on_plan, wkey
from tests.test_propose import _G, _line, _rect  # the same scene and its builders
from ui.compare_common import yen
from ui.sim_propose import ACCEPT_QUEUE, plan_figures

PRESET = "typical_bullet_2mp"
#: A camera of that preset at 180,000 円 fixes the preset's price for the proposal.
PRICE = 180_000


def street_plan() -> dict:
    """A street 60 m × 10 m (600 one-metre cells), its centre line a street: at the default
    10 m spacing and 2.5 m offset, 6 poles on each side (12 sites) × 8 bearings = 96 options
    for one preset; one existing camera outside the street fixes the preset's price."""
    lat, lon = _G.to_latlon(-0.5, -0.5)   # just outside the area's corner: sees nothing
    cam = {"id": "C1", "lat": float(lat), "lon": float(lon), "mount_height_m": 5.0,
           "azimuth_deg": 225.0, "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920,
           "height_px": 1080, "preset": PRESET, "model": "既設", "unit_price_jpy": PRICE}
    return {"version": 1, "name": "通学路の試験", "area": _rect(0, 0, 60, 10),
            "resolution_m": 1.0, "cameras": [cam], "lights": [], "use_cases": [],
            "map_layers": {"streets": {"type": "FeatureCollection",
                                       "features": [_line(0, 5, 60, 5)]}}}


def _by_key(elements, at, name):
    return next(e for e in elements if e.key == wkey(at, name))


def _set_target(at, level: str, pct: float):
    # (set in the session: AppTest would label the choice outside the page's language)
    at.session_state[wkey(at, "sim.propose.level_0")] = level
    at.session_state[wkey(at, "sim.propose.fraction")] = pct
    _by_key(at.button, at, "sim.propose.run").click()
    at.run()
    assert not at.exception, at.exception


def _stored(workspace_path, plan_id):
    from datasets.workspace import Workspace
    ws = Workspace(workspace_path)
    try:
        return ws.get_plan(plan_id)
    finally:
        ws.close()


def _direct(stored, level, fraction):
    from assessments.propose.cli import _reference_rows
    cams, _, ucs = _reference_rows()
    req = plan_requirement(stored, use_cases=ucs, target=f"{level}:{fraction}", night=False)
    return propose(stored, req, camera_presets=[c for c in cams if c["id"] == PRESET],
                   light_presets=[], candidate_options={"spacing_m": 10.0})


@pytest.mark.parametrize("lang, label, add, undo", [
    ("ja", "配置を提案", "選んだ機器を計画に追加", "元に戻す"),
    ("en", "Propose placement", "Add the ticked devices to the plan", "Undo")])
def test_propose_shows_direct_figures_accept_two_and_undo(workspace_path, lang, label, add,
                                                          undo):
    at, stored = run_page_on_plan("simulate", workspace_path, street_plan(), lang=lang,
                                  timeout=120)
    assert label in [tab.label for tab in at.tabs]
    _set_target(at, "observe", 90.0)
    pr = _direct(stored, "observe", 0.9)
    n = len(pr.cameras)
    # Observe 62.5 px/m reaches 960 / 62.5 ≈ 15 m ahead at most: a 60 m street needs more
    # than two cameras
    assert n >= 3 and not pr.lights
    # the headline: counts and the added cost, which plan_costs gives: each camera at
    # 180,000 円, no pole or installation rate set → n × 180,000 円
    assert pr.cost_jpy == pytest.approx(n * PRICE)
    head = next(m.value for m in at.markdown if yen(pr.cost_jpy) in m.value)
    assert f"{n}" in head
    # the before/after table equals the figures of the plans propose returns
    table = next(d.value for d in at.dataframe if d.value.shape == (5, 4))
    before, after = plan_figures(stored, 62.5), plan_figures(pr.plan, 62.5)
    assert before.cameras == 1 and after.cameras == 1 + n
    assert list(table.iloc[0, 1:3]) == ["1", f"{1 + n}"]
    assert list(table.iloc[2, 1:3]) == [yen(PRICE), yen(PRICE * (1 + n))]
    assert table.iloc[3, 2] == f"{after.day_fraction * 100:.1f} %"
    assert after.day_fraction >= 0.9 and before.day_fraction == 0.0
    assert after.day_fraction == pytest.approx(pr.verified[0])
    assert any(yen(pr.bound_jpy) in c.value for c in at.caption)
    # the proposal is drawn on the map: the proposed cameras' trace
    import json
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [tr.get("name") for tr in fig["data"]]
    assert ("提案カメラ（未追加）" if lang == "ja" else "Proposed cameras (not added)") in names

    assert any(b.label == add for b in at.button)
    # accept two of the n: the stored plan has exactly those two more cameras
    two = [pr.cameras[0]["id"], pr.cameras[-1]["id"]]
    at.session_state[ACCEPT_QUEUE] = two
    at.run()
    assert not at.exception, at.exception
    plan = _stored(workspace_path, stored["id"])
    assert [c["id"] for c in plan["cameras"]] == ["C1", *two]
    added = plan["cameras"][1:]
    assert all("proposed" not in c for c in added)
    assert added[0]["lat"] == pr.cameras[0]["lat"]
    assert plan_costs(plan).initial_jpy == pytest.approx(3 * PRICE)   # 3 cameras × 180,000
    assert any(("カメラ 2 台" if lang == "ja" else "Added 2 cameras") in m.value
               for m in at.success)
    # undo (the page's 元に戻す): back to the one camera
    next(b for b in at.button if b.label == undo).click()
    at.run()
    assert not at.exception, at.exception
    plan = _stored(workspace_path, stored["id"])
    assert [c["id"] for c in plan["cameras"]] == ["C1"]


@pytest.mark.parametrize("lang, says", [
    ("ja", "届く割合は最大"), ("en", "At most")])
def test_infeasible_target_says_why_and_changes_nothing(workspace_path, lang, says):
    at, stored = run_page_on_plan("simulate", workspace_path, street_plan(), lang=lang,
                                  timeout=120)
    rev = _stored(workspace_path, stored["id"])["_revision"]
    # Identify (250 px/m) needs depth ≤ 960 / 250 ≈ 3.8 m: no pole reaches 100 % of the street
    with pytest.raises(ProposalInfeasible) as err:
        _direct(stored, "identify", 1.0)
    _set_target(at, "identify", 100.0)
    text = " ".join(e.value for e in at.error)
    assert says in text
    assert f"{err.value.best_fraction[0] * 100:.1f} %" in text
    from ui.i18n import _strings
    assert _strings()["sim.propose.infeasible." + err.value.code][lang == "en"] in text
    plan = _stored(workspace_path, stored["id"])
    assert plan["_revision"] == rev and [c["id"] for c in plan["cameras"]] == ["C1"]
