"""Figures per district (assessments.engine.districts): rasterising, overlaps, validation."""
from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from assessments.plan import validate as planfile
from assessments.engine.districts import district_figures, district_labels, district_meta
from assessments.engine.grid import Grid

LAT0, LON0 = 35.0, 139.0
G = Grid(LAT0, LON0, 1.0, (1, 1), 0.0, 0.0)          # the local projection, metres


def _poly(*rings_xy):
    """A GeoJSON Polygon from rings of local (x east, y north) [m]."""
    out = []
    for ring in rings_xy:
        xs, ys = np.array(ring, float).T
        la, lo = G.to_latlon(xs, ys)
        out.append([[float(o), float(a)] for a, o in zip(la, lo)])
    return {"type": "Polygon", "coordinates": out}


def _fc(*geoms, names=None):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": n} if n else {}, "geometry": g}
        for g, n in zip(geoms, names or [None] * len(geoms))]}


def _grid():
    """20 m × 10 m at 1 m: cell centres x = −9.5 … 9.5, y = 4.5 … −4.5."""
    area = _poly([(-10, -5), (10, -5), (10, 5), (-10, 5), (-10, -5)])
    return Grid(LAT0, LON0, 1.0, (10, 20), -9.5, 4.5), area


def test_labels_by_cell_centre_first_listed_wins_holes_and_off_grid():
    grid, _ = _grid()
    assert grid.shape == (10, 20)
    west = _poly([(-20, -20), (0, -20), (0, 20), (-20, 20), (-20, -20)])
    # the east half with a 4 m × 4 m hole centred at (5, 0): cells x 3.5…6.5, y −1.5…1.5
    east = _poly([(0, -20), (20, -20), (20, 20), (0, 20), (0, -20)],
                 [(3, -2), (7, -2), (7, 2), (3, 2), (3, -2)])
    everything = _poly([(-30, -30), (30, -30), (30, 30), (-30, 30), (-30, -30)])
    far = _poly([(500, 500), (510, 500), (510, 510), (500, 510), (500, 500)])
    lab = district_labels(grid, _fc(west, east, everything, far))
    assert lab.dtype == np.uint8                      # ≤ 254 districts: one byte a cell
    assert (lab[:, :10] == 0).all()                   # x < 0: the first district
    assert np.count_nonzero(lab == 1) == 10 * 10 - 16  # the east half less its hole
    # the hole's 16 cells are in no earlier district, so the third (everything) gets them
    assert np.count_nonzero(lab == 2) == 16
    assert_array_equal(np.flatnonzero((lab == 2).any(axis=0)), [13, 14, 15, 16])
    assert not (lab == 3).any()                       # entirely off the grid
    assert not (lab == 255).any()
    # above 254 districts the labels are int16 with −1 for none
    many = district_labels(grid, _fc(*[far] * 255, west))
    assert many.dtype == np.int16 and (many[:, :10] == 255).all() and (many[:, 10:] == -1).all()


def test_figures_add_up_and_count_each_level_and_camera():
    grid, _ = _grid()
    lab = district_labels(grid, _fc(
        _poly([(-20, -20), (0, -20), (0, 20), (-20, 20), (-20, -20)]),
        _poly([(0, -20), (20, -20), (20, 20), (0, 20), (0, -20)]), names=["西", "東"]))
    pd = np.zeros(grid.shape, np.float32)
    pd[0, 0:4] = [10.0, 30.0, 70.0, 300.0]            # west: 4 seen cells, levels below
    pd[5, 15] = 130.0                                 # east: one Recognise cell
    night = np.full(grid.shape, np.nan)
    night[0, 3] = 40.0                                # west at night: one Detect cell
    inside = np.ones(grid.shape, bool)
    inside[0, 0] = False                              # a roof: not assessed
    thr = {"detect": 25.0, "observe": 62.5, "recognise": 125.0, "identify": 250.0}
    meta = district_meta(_fc({}, {}, names=["西", "東"]))
    assert meta == [{"id": "西", "name": "西"}, {"id": "東", "name": "東"}]
    rows = district_figures(lab, meta, pixel_density=pd, inside=inside, thresholds=thr,
                            cell_area_m2=1.0, night_pixel_density=night,
                            cameras_rc={"C1": (0.2, 2.6), "C2": (9.0, 19.0), "C3": (50, 50)})
    w, e = rows
    # west: 10 × 10 cells less the roof = 99 m²; seen 30, 70, 300 (10 is on the roof)
    assert w["area_m2"] == 99.0 and w["covered_m2"] == 3.0
    assert w["dori_m2"] == {"detect": 3.0, "observe": 2.0, "recognise": 1.0, "identify": 1.0}
    assert w["night_dori_m2"] == {"detect": 1.0, "observe": 0.0, "recognise": 0.0,
                                  "identify": 0.0}
    assert w["coverage_fraction"] == pytest.approx(3 / 99)
    assert e["area_m2"] == 100.0 and e["dori_m2"]["recognise"] == 1.0 \
        and e["dori_m2"]["identify"] == 0.0
    # cameras by the cell they stand in (rounded): C1 → (0, 3) west, C2 → (9, 19) east;
    # C3 is off the grid
    assert w["cameras"] == ["C1"] and e["cameras"] == ["C2"]


def test_bad_districts_are_named_in_plan_errors():
    _, area = _grid()
    good = _poly([(-20, -20), (0, -20), (0, 20), (-20, 20), (-20, -20)])
    outside = {"type": "Polygon", "coordinates": [[[10.0, 10.0], [11.0, 10.0], [11.0, 11.0],
                                                   [10.0, 10.0]]]}
    line = {"type": "LineString", "coordinates": [[139.0, 35.0], [139.001, 35.0]]}
    plan = {"version": 1, "area": area, "districts": _fc(good, outside, line, good,
                                                         names=["A", "B", "C", "A"])}
    with pytest.raises(planfile.PlanError) as err:
        planfile.validate_plan(plan)
    got = {(i.item_id, i.field, i.code) for i in err.value.issues}
    assert got == {("district B", "coordinates", "outside_japan"),
                   ("district C", "geometry", "bad_geojson"),
                   ("district A", "id", "duplicate_id")}
    with pytest.raises(planfile.PlanError) as err:
        planfile.validate_plan({"version": 1, "area": area, "districts": [good]})
    assert err.value.issues[0].item_id == "districts"
    planfile.validate_plan({"version": 1, "area": area, "districts": _fc(good)})


def test_cli_and_page_agree_per_district_day_night_and_lighting():
    """The batch path counts the night and the lighting per district inside the night
    pass's blocks; the page counts them from its whole-grid night arrays: same figures.
    Three districts tile the area; one light stands in the first only."""
    import copy
    import json

    from assessments.simulate import simulate
    from benchmarks.scenes import district, school_districts
    from ui import simulation as S
    plan = district(seed=7, size_m=160.0, n_buildings=25, n_cameras=8, n_lights=6)
    plan["districts"] = school_districts(plan, nx=3, ny=1)
    plan["id"] = "districts-cli-page"
    cli = simulate(copy.deepcopy(plan), night_grids=False).result
    page = S.simulate_plan(plan).result
    assert len(cli["districts"]) == len(page["districts"]) == 3
    for a, b in zip(cli["districts"], page["districts"]):
        for key in ("area_m2", "covered_m2", "dori_m2", "night_dori_m2", "cameras"):
            assert json.dumps(a[key], sort_keys=True) == json.dumps(b[key], sort_keys=True)
        assert a["illuminance"]["mean_lx"] == pytest.approx(b["illuminance"]["mean_lx"],
                                                            rel=1e-6)
        assert a["illuminance"]["min_lx"] == pytest.approx(b["illuminance"]["min_lx"],
                                                           rel=1e-5, abs=1e-9)
        assert a["illuminance"]["ses_class"] == b["illuminance"]["ses_class"]
    # the districts tile the area: area-weighted means give the plan's mean illuminance,
    # the smallest minimum is the plan's minimum
    d = cli["districts"]
    assert sum(x["area_m2"] for x in d) == pytest.approx(cli["area_m2"])
    assert sum(x["illuminance"]["mean_lx"] * x["area_m2"] for x in d) / cli["area_m2"] == \
        pytest.approx(cli["illuminance"]["mean_lx"], rel=1e-9)
    assert min(x["illuminance"]["min_lx"] for x in d) == pytest.approx(
        cli["illuminance"]["min_lx"], rel=1e-9)
    # without lights: the IR-only night, no illuminance per district either
    dark = copy.deepcopy(plan)
    dark["lights"] = []
    assert all(set(x["illuminance"].values()) == {None}
               for x in simulate(dark, night_grids=False).result["districts"])


def test_page_simulation_reports_unusable_districts_instead_of_figures():
    # a plan file may carry districts the import would have refused: the page shows why
    # (ui.simulation) and still simulates the rest
    from benchmarks.scenes import district
    from ui import simulation as S
    plan = district(seed=7, size_m=120.0, n_buildings=10, n_cameras=3, n_lights=2)
    plan["id"] = "districts-unusable"
    plan["districts"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "線"}, "geometry": {
            "type": "LineString", "coordinates": [[139.0, 35.0], [139.001, 35.0]]}}]}
    res = S.simulate_plan(plan).result
    assert "districts" not in res and res["covered_m2"] > 0
    assert res["district_issues"] == ["district 線: geometry is not valid GeoJSON "
                                      "(expected a Polygon or MultiPolygon)"]
