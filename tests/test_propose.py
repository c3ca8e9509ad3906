"""Proposing a placement (assessments.propose): hand-solvable set covers, the corridor, night,
privacy, costs, infeasible targets, determinism and the command line."""
from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import sparse

from assessments.cli import main
from assessments.engine.night import night_result_for_model
from assessments.engine.privacy_geometry import privacy_hits
from assessments.engine.grid import Grid
from assessments.plan.validate import validate_plan
from assessments.programme.costs import plan_costs
from assessments.propose import (ProposalInfeasible, Requirement, Target, build_problem,
                                 greedy, parse_target, propose, solve)
from assessments.propose.coverage_sets import CoverageSets
from assessments.simulate import simulate

LAT, LON = 35.0, 139.0
_G = Grid.from_bounds(LAT, LON, -1, -1, 1, 1, 1.0)

#: A camera preset row as the reference table gives it (1920 px over 90°:
#: f = 960 / tan 45° = 960 px; no IR, colour from 0.5 lx).
PRESET = {"id": "t90", "name_ja": "試験用カメラ", "hfov_deg": 90.0, "width_px": 1920,
          "height_px": 1080, "ir_range_m": 0.0, "min_illuminance_color_lx": 0.5}
LIGHT = {"id": "t_light", "name_ja": "試験用防犯灯", "lumens": 2600.0, "distribution": "wide",
         "mount_height_m": 5.0}
#: Poles every 2 m on the corridor's centre line, cameras at 2.5 m, level, 4 bearings.
CORRIDOR_OPTIONS = dict(spacing_m=2, offset_m=0, heights_m=(2.5,), tilts_deg=(0.0,),
                        azimuths=4)


def _rect(x0, y0, x1, y1):
    lat, lon = _G.to_latlon(np.array([x0, x1, x1, x0, x0], float),
                            np.array([y0, y0, y1, y1, y0], float))
    return {"type": "Polygon", "coordinates": [[[float(o), float(a)]
                                                for o, a in zip(lon, lat)]]}


def _line(x0, y0, x1, y1):
    lat, lon = _G.to_latlon(np.array([x0, x1], float), np.array([y0, y1], float))
    return {"type": "Feature", "properties": {},
            "geometry": {"type": "LineString",
                         "coordinates": [[float(o), float(a)] for o, a in zip(lon, lat)]}}


def corridor(length_m=100.0, **extra):
    """A street 3 m wide and ``length_m`` long (1 m cells), its centre line as a street."""
    plan = {"version": 1, "area": _rect(0, 0, length_m, 3), "resolution_m": 1.0,
            "cameras": [], "lights": [],
            "map_layers": {"streets": {"type": "FeatureCollection",
                                       "features": [_line(0, 1.5, length_m, 1.5)]}}}
    plan.update(extra)
    return plan


def day_fraction(plan, px_per_m):
    """Share of the assessed cells at ≥ px_per_m when ``plan`` is simulated."""
    model = simulate(plan, night_grids=False).model
    return float(np.mean(model.pixel_density[model.inside] >= px_per_m))


# ------------------------------------------------------------------ hand-made set covers
def _sets(day_rows, n_cells, *, night_rows=None, need_night=False):
    """CoverageSets of hand-made option → cell lists (one target, whole area)."""
    def csr(rows):
        indptr = np.cumsum([0] + [len(r) for r in rows])
        idx = np.concatenate([np.asarray(r, np.int32) for r in rows]) if rows else []
        return sparse.csr_matrix((np.ones(len(idx), bool), idx, indptr),
                                 shape=(len(rows), n_cells))
    n = len(day_rows)
    return CoverageSets(
        cells=np.arange(n_cells), target=np.zeros(n_cells, np.int16),
        need_night=np.full(n_cells, need_night), day=csr(day_rows),
        night=csr(night_rows if night_rows is not None else [[]] * n),
        base_day=np.zeros(n_cells, bool), base_night=np.zeros(n_cells, bool),
        admissible=np.ones(n, bool), masks=[None] * n,
        privacy_cells=np.zeros(n_cells, bool), zone_cells=np.array([n_cells]),
        cell_area_m2=1.0)


def _problem(day_rows, n_cells, costs, *, fraction=1.0, budget=None, sites=None):
    req = Requirement(targets=(Target(px_per_m=1.0, fraction=fraction),), budget_jpy=budget)
    sites = np.arange(len(day_rows)) if sites is None else np.asarray(sites)
    return build_problem(_sets(day_rows, n_cells), np.asarray(costs, float), sites, 0.0, req)


def test_interval_cover_of_a_100_m_corridor_needs_4():
    # 100 one-metre cells, cameras covering 30 m starting at every metre: 3 × 30 = 90 < 100,
    # so at least ⌈100 / 30⌉ = 4; [0, 30) [30, 60) [60, 90) [70, 100) is 4
    rows = [list(range(s, s + 30)) for s in range(0, 71)]
    p = _problem(rows, 100, np.zeros(len(rows)))
    sol = solve(p, method="milp")
    assert sol.status == "optimal" and sol.count == 4
    assert sol.bound_jpy == pytest.approx(4.0)       # objective = 1 円 a device, no prices
    assert sol.gap == pytest.approx(0.0)
    g = greedy(p)
    assert g.count >= 4 and g.status == "heuristic"


def test_cheapest_beats_fewest():
    # one camera over all 60 cells at 1,000 円, or two over 30 each at 300 円:
    # 2 × 300 = 600 < 1,000, so two devices win
    rows = [list(range(60)), list(range(30)), list(range(30, 60))]
    sol = solve(_problem(rows, 60, [1000, 300, 300]), method="milp")
    assert sorted(sol.chosen.tolist()) == [1, 2]
    assert sol.cost_jpy == 600
    # at 700 円 each (1,400 > 1,000) the single camera wins
    sol = solve(_problem(rows, 60, [1000, 700, 700]), method="milp")
    assert sol.chosen.tolist() == [0] and sol.cost_jpy == 1000


def test_milp_beats_greedy_where_greedy_is_fooled():
    # 14 cells; A = 0–6, B = 7–13; C = {0–3, 7–10} (8 cells), D = {4, 5, 11, 12}, E = {6, 13}.
    # Greedy takes the largest first: C (8), then D (4), then E (2) = 3 devices;
    # the optimum is A + B = 2
    rows = [list(range(7)), list(range(7, 14)), [0, 1, 2, 3, 7, 8, 9, 10], [4, 5, 11, 12],
            [6, 13]]
    p = _problem(rows, 14, np.zeros(5))
    g = greedy(p)
    m = solve(p, method="milp")
    assert g.count == 3 and m.count == 2
    assert m.objective_jpy <= g.objective_jpy
    assert m.gap is not None and m.gap >= 0
    # the greedy answer carries a bound too, below its own objective (gap ≥ 0)
    g2 = solve(p, method="greedy")
    assert g2.bound_jpy is not None and 0 <= g2.gap < 1
    assert g2.bound_jpy <= m.objective_jpy + 1e-9


def test_partial_cover_counts_cells_not_devices():
    # 10 cells, 80 %: 8 cells. Options {0–4} (5 cells), {5–7} (3), {8, 9} (2), each 100 円:
    # 5 + 3 = 8 → two devices, 200 円
    rows = [list(range(5)), [5, 6, 7], [8, 9]]
    sol = solve(_problem(rows, 10, [100, 100, 100], fraction=0.8), method="milp")
    assert sorted(sol.chosen.tolist()) == [0, 1] and sol.cost_jpy == 200
    assert sol.met_cells.tolist() == [8]


def test_budget_too_small_is_infeasible():
    rows = [list(range(5)), list(range(5, 10))]
    p = _problem(rows, 10, [100, 100], budget=150)   # both needed: 200 円 > 150 円
    assert solve(p, method="milp").status == "infeasible"
    assert greedy(p).status == "infeasible"


def test_parse_target():
    assert parse_target("observe:0.8", standard="iec62676_4_2014") == ("observe", 62.5, 0.8)
    assert parse_target("recognise:90%", standard="iec62676_4_2014")[1:] == (125.0, 0.9)
    with pytest.raises(ValueError, match="unknown level"):
        parse_target("sharp:0.5", standard="iec62676_4_2014")
    with pytest.raises(ValueError, match="fraction"):
        parse_target("observe:1.5", standard="iec62676_4_2014")


# ------------------------------------------------------------------ the engine's corridor
def test_corridor_proposal_meets_target_with_hand_optimum():
    # 100 m × 3 m = 300 cells; 32 px/m needs depth ≤ f / 32 = 960 / 32 = 30 m, so a camera
    # at 2.5 m (level) serves at most 28 columns × 3 = 84 cells (asserted below): 90 % is
    # 270 cells > 3 × 84 = 252, so at least 4 cameras, and 4 suffice
    plan = corridor()
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.9),))
    pr = propose(plan, req, camera_presets=[PRESET], candidate_options=CORRIDOR_OPTIONS)
    assert pr.stats["cells"] == 300
    assert pr.count == 4 and len(pr.cameras) == 4 and not pr.lights
    assert pr.method == "milp" and pr.status == "optimal"
    assert pr.gap == pytest.approx(0.0) and pr.bound_jpy == pytest.approx(4.0)
    assert pr.greedy_count >= pr.count
    assert all(c["proposed"] is True for c in pr.cameras)
    # re-simulated, the proposal meets 90 %
    assert day_fraction(pr.plan, 32.0) >= 0.9
    assert pr.verified[0] >= 0.9
    from assessments.propose import build_candidates, coverage_sets
    cand = build_candidates(plan, camera_presets=[PRESET], **CORRIDOR_OPTIONS)
    sets = coverage_sets(plan, cand, req)
    assert np.diff(sets.day.indptr).max() == 84


def test_proposal_keeps_the_plan_and_validates():
    cam = {"id": "C1", "lat": LAT, "lon": LON, "mount_height_m": 4.0, "azimuth_deg": 0.0,
           "tilt_deg": 10.0, "hfov_deg": 60.0, "width_px": 1920, "height_px": 1080}
    plan = corridor(cameras=[cam], name="通学路")
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.5),))
    pr = propose(plan, req, camera_presets=[PRESET], candidate_options=CORRIDOR_OPTIONS,
                 verify=False)
    assert pr.plan["cameras"][0] == cam and pr.plan["name"] == "通学路"
    assert {c["id"] for c in pr.cameras}.isdisjoint({"C1"})
    checked = validate_plan(pr.plan)                 # "proposed" is kept, not rejected
    assert len(checked["cameras"]) == 1 + len(pr.cameras)
    assert plan["cameras"] == [cam]                  # the input is not changed


def test_cost_comes_from_plan_costs():
    # price 200,000 円 a camera, pole 100,000 円 a site, installation 20,000 円 a device:
    # each proposed camera on its own pole costs 200,000 + 100,000 + 20,000 = 320,000 円
    plan = corridor(simulation={"unit_prices_jpy": {"pole": 100_000, "installation": 20_000}})
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.9),))
    pr = propose(plan, req, camera_presets=[PRESET], candidate_options=dict(
        CORRIDOR_OPTIONS, unit_prices_jpy={"t90": 200_000}), verify=False)
    assert pr.count == 4
    assert pr.cost_jpy == pytest.approx(4 * 320_000)
    assert pr.cost_jpy == plan_costs(pr.plan).initial_jpy - plan_costs(plan).initial_jpy
    assert all(c["unit_price_jpy"] == 200_000 for c in pr.cameras)


def test_budget_limits_and_reason():
    plan = corridor()
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.9),), budget_jpy=500_000)
    with pytest.raises(ProposalInfeasible) as err:
        propose(plan, req, camera_presets=[PRESET], verify=False,
                candidate_options=dict(CORRIDOR_OPTIONS, unit_prices_jpy={"t90": 200_000}))
    # 500,000 円 buys 2 cameras: at most 2 × 84 = 168 of 300 cells = 56 %
    assert err.value.code == "budget"
    assert 0 < err.value.best_fraction[0] <= 168 / 300
    assert "budget" in str(err.value)


def test_unreachable_target_says_best_fraction():
    # poles only along the western 50 m; a camera serves 32 px/m up to 30 m ahead, so the
    # cells east of about 50 + 30 = 80 m cannot be served: at most ~80 % of 100 m
    plan = corridor()
    plan["map_layers"]["streets"]["features"] = [_line(0, 1.5, 50, 1.5)]
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.95, level="detect"),))
    with pytest.raises(ProposalInfeasible) as err:
        propose(plan, req, camera_presets=[PRESET], candidate_options=CORRIDOR_OPTIONS)
    assert err.value.code == "unreachable"
    assert 0.7 < err.value.best_fraction[0] <= 0.8
    assert "at most" in str(err.value)


def test_one_device_per_site_limits():
    # Identify-like 250 px/m: depth ≤ 960 / 250 = 3.84 m, so a pole serves the cells a few
    # metres to both sides only with two cameras (east and west): 99 % needs that, and
    # one device per site is not enough, two are
    plan = corridor(20.0)
    req = Requirement(targets=(Target(px_per_m=250.0, fraction=0.99),))
    with pytest.raises(ProposalInfeasible) as err:
        propose(plan, req, camera_presets=[PRESET], candidate_options=CORRIDOR_OPTIONS,
                verify=False)
    assert err.value.code == "max_per_site"


def test_same_seed_same_proposal():
    plan = corridor()
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.8),))
    kw = dict(camera_presets=[PRESET], verify=False,
              candidate_options=dict(CORRIDOR_OPTIONS, max_sites=30))
    a = propose(plan, req, seed=7, **kw)
    b = propose(plan, req, seed=7, **kw)
    assert a.cameras == b.cameras and a.cost_jpy == b.cost_jpy


# ------------------------------------------------------------------ privacy
def _home(x0, x1, y0=-2.0, y1=5.0):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "H1", "height_m": 6.0, "is_home": True},
         "geometry": _rect(x0, y0, x1, y1)}]}


def test_home_in_view_excludes_the_option():
    # a house along the south edge (x 40–60 m): its façade band (1.5 m) is the corridor's
    # south row there. A camera on the north row (1 m off the centre line) at 2.5 m, tilted
    # 30° and looking south, has its lower edge at 30 + 29.4 = 59.4° below the horizontal,
    # reaching 1.5 m at 1.0 / tan 59.4° = 0.59 m: it sees the south row (1.5 m away) and
    # nothing else of the corridor, all façade, so a mask would blank it → inadmissible
    plan = corridor(buildings=_home(40, 60, -4.0, 0.2))
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.5),))
    from assessments.propose import build_candidates, coverage_sets
    opts = dict(CORRIDOR_OPTIONS, offset_m=1.0, tilts_deg=(30.0,))
    cand = build_candidates(plan, camera_presets=[PRESET], walls=False, **opts)
    sets = coverage_sets(plan, cand, req)
    mid = (cand.grid.x_axis_m[0] + cand.grid.x_axis_m[-1]) / 2   # the corridor's x = 50 m
    facing_home = [i for i, o in enumerate(cand.options)
                   if abs(cand.sites[o.site].x_m - mid) <= 8 and cand.sites[o.site].y_m > 0
                   and o.camera["azimuth_deg"] == 180.0]
    assert len(facing_home) == 8 and not sets.admissible[facing_home].any()
    # looking east along the street, a mask over the house's bearings keeps the camera
    along = [i for i, o in enumerate(cand.options)
             if abs(cand.sites[o.site].x_m - mid + 10) <= 1 and cand.sites[o.site].y_m > 0
             and o.camera["azimuth_deg"] == 90.0]
    assert along and all(sets.admissible[i] and sets.masks[i] for i in along)
    # the proposal never looks into the home: the re-simulated plan has no hits
    pr = propose(plan, req, camera_presets=[PRESET], candidate_options=opts)
    sim = simulate(pr.plan, night_grids=False)
    assert privacy_hits(sim.model, pr.plan["buildings"]) == []
    assert pr.verified[0] >= 0.5


def test_masked_cells_do_not_count():
    # the masked options of the scene above, simulated alone with their mask: the cells
    # they serve are exactly their coverage set, and none is a façade cell
    plan = corridor(buildings=_home(40, 60, -4.0, 0.2))
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.5),))
    from assessments.propose import build_candidates, coverage_sets
    cand = build_candidates(plan, camera_presets=[PRESET], walls=False,
                            **dict(CORRIDOR_OPTIONS, offset_m=1.0, tilts_deg=(30.0,)))
    sets = coverage_sets(plan, cand, req)
    masked = [i for i, m in enumerate(sets.masks) if m]
    assert masked
    for i in masked[:3]:
        cam = dict(cand.options[i].camera, id="M", privacy_masks_deg=sets.masks[i])
        sim = simulate(dict(plan, cameras=[cam]), night_grids=False)
        served = sim.model.pixel_density[sim.model.inside] >= 32.0
        assert served.sum() == np.diff(sets.day.indptr)[i]
        assert privacy_hits(sim.model, plan["buildings"]) == []


# ------------------------------------------------------------------ night
def test_night_proposal_brings_lights_and_meets_target():
    # cameras without IR see nothing at night without light (no plan lights): every camera
    # the proposal adds needs a light on its pole, and the re-simulated night meets 80 %
    plan = corridor(60.0)
    req = Requirement(targets=(Target(px_per_m=32.0, fraction=0.8, night=True),))
    pr = propose(plan, req, camera_presets=[PRESET], light_presets=[LIGHT],
                 candidate_options=CORRIDOR_OPTIONS)
    assert pr.lights and len(pr.lights) == len(pr.cameras)
    assert all(lt["proposed"] is True for lt in pr.lights)
    sim = simulate(pr.plan, night_grids=False)
    night = night_result_for_model(sim.model, pr.plan["lights"], lighting_verdict=False,
                                   failing_cells=False).night_pixel_density_px_m
    inside = sim.model.inside
    met = (sim.model.pixel_density >= 32) & (night >= 32)
    assert met[inside].mean() >= 0.8
    assert pr.verified[0] == pytest.approx(met[inside].mean())


# ------------------------------------------------------------------ command line
def test_cli_proposes_and_prints_figures(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(corridor(40.0)), encoding="utf-8")
    out = tmp_path / "proposed.json"
    rc = main(["propose", str(plan_path), "--out", str(out), "--target", "detect:0.9",
               "--presets", "typical_bullet_2mp", "--spacing", "4", "--offset", "0",
               "--azimuths", "4", "--price", "typical_bullet_2mp=250000"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "cost:" in text and "bound:" in text and "gap:" in text
    proposed = json.loads(out.read_text(encoding="utf-8"))
    new = [c for c in proposed["cameras"] if c.get("proposed")]
    assert new and all(c["unit_price_jpy"] == 250000 for c in new)
    assert day_fraction(proposed, 25.0) >= 0.9        # Detect 25 px/m


def test_cli_infeasible_exits_2_with_reason(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(corridor(40.0)), encoding="utf-8")
    rc = main(["propose", str(plan_path), "--out", str(tmp_path / "p.json"),
               "--target", "inspect:0.99", "--presets", "typical_bullet_2mp",
               "--offset", "0", "--azimuths", "4"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "cannot be met" in err and "at most" in err
    assert not (tmp_path / "p.json").exists()


def test_cli_bad_target_exits_2(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(corridor(40.0)), encoding="utf-8")
    rc = main(["propose", str(plan_path), "--out", str(tmp_path / "p.json"),
               "--target", "sharp:0.5"])
    assert rc == 2 and "unknown level" in capsys.readouterr().err
