"""Marking homes and building heights: the pure parts (``assessments.engine.homes``,
``assessments.plan.buildings``) and the command line reading a 基盤地図情報 base map.

Fixture: ``tests/data/fgd/FG-GML-533967-two-files.zip``: 道路縁 1 along 35.8600 N and 2
along 35.8602 N (139.969–139.971 E); building 2 spans 35.8597–35.8599 N, building 3
35.8603–35.86035 N, building 4 35.8605–35.8607 N, building 1 35.8595–35.8596 N, building 6
35.8592–35.8594 N (0.0001° of latitude = 11.1 m).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assessments.engine.grid import Grid
from assessments.engine.homes import building_at, buildings_near_lines
from assessments.plan.buildings import is_home, with_heights_by_type, with_homes
from assessments.plan.iotools import read_fgd

ROOT = Path(__file__).resolve().parents[1]
ZIP = ROOT / "tests" / "data" / "fgd" / "FG-GML-533967-two-files.zip"
GRID = Grid(35.86, 139.9705, 1.0, (300, 300), -150.0, 150.0)


@pytest.fixture(scope="module")
def town():
    return read_fgd(ZIP.read_bytes(), ZIP.name)


def _ids(res, idx):
    return [res.collection["features"][i]["properties"]["gml_id"] for i in idx]


def test_buildings_near_road_edges(town):
    roads = [f for f in town.layers["roads"]["features"]
             if f["properties"]["class"] == "RdEdg"]
    # building 2's north edge is 0.0001° = 11.1 m south of edge 1, building 3's south edge
    # 11.1 m north of edge 2; building 4 is 0.0003° = 33.3 m away, building 1 44.4 m
    assert _ids(town, buildings_near_lines(GRID, town.collection, roads, 12.0)) == [
        "K10_533967_2", "K10_533967_3"]
    assert buildings_near_lines(GRID, town.collection, roads, 10.0) == []
    assert "K10_533967_1" in _ids(town, buildings_near_lines(GRID, town.collection, roads,
                                                             45.0))
    assert "K10_533967_1" not in _ids(town, buildings_near_lines(
        GRID, town.collection, roads, 44.0))
    with pytest.raises(ValueError):
        buildings_near_lines(GRID, town.collection, roads, -1.0)


def test_building_under_a_click(town):
    feats = town.collection["features"]
    ring = feats[0]["geometry"]["coordinates"][0]
    lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    x, y = GRID.to_xy(lat, lon)                     # the centre of building 1
    assert building_at(GRID, town.collection, x, y) == 0
    # 1 m outside its west edge (139.9700 E) still picks it (click tolerance 1.5 m) …
    xw, yw = GRID.to_xy(lat, 139.9700)
    assert building_at(GRID, town.collection, xw - 1.0, yw) == 0
    # … 5 m outside does not
    assert building_at(GRID, town.collection, xw - 5.0, yw) is None
    assert building_at(GRID, {"features": []}, x, y) is None


def test_home_choice_and_back_to_usage():
    c = {"type": "FeatureCollection", "features": [
        {"properties": {"usage": "411"}}, {"properties": {"usage": "402"}},
        {"properties": {"is_home": True}}]}
    out = with_homes(c, {0: False, 1: True, 2: None})
    assert [is_home(f["properties"]) for f in out["features"]] == [False, True, False]
    assert [is_home(f["properties"]) for f in c["features"]] == [True, False, True]
    back = with_homes(out, {0: None, 1: None})
    assert [is_home(f["properties"]) for f in back["features"]] == [True, False, False]


def test_heights_by_type(town):
    out = with_heights_by_type(town.collection, {"堅ろう建物": 15.0})
    got = {f["properties"]["gml_id"]: f["properties"]["height_m"] for f in out["features"]}
    # 2 and 6 are 堅ろう建物; the others keep the reader's default 6 m
    assert got == {"K10_533967_1": 6.0, "K10_533967_2": 15.0, "K10_533967_3": 6.0,
                   "K10_533967_6": 15.0, "K10_533967_4": 6.0}
    with pytest.raises(ValueError):
        with_heights_by_type(town.collection, {"普通建物": 0})


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "assessments", "simulate", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_reads_fgd_buildings_that_occlude(tmp_path):
    plan = {"version": 1, "area": {"type": "Polygon", "coordinates": [[
        [139.9695, 35.8590], [139.9715, 35.8590], [139.9715, 35.8610], [139.9695, 35.8610],
        [139.9695, 35.8590]]]},
        "cameras": [{"id": "C1", "lat": 35.8600, "lon": 139.9700, "mount_height_m": 5,
                     "azimuth_deg": 180, "tilt_deg": 15, "hfov_deg": 90, "width_px": 1920,
                     "height_px": 1080}]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    bare = _cli(str(path))
    assert bare.returncode == 0, bare.stderr
    fgd = _cli(str(path), "--fgd", str(ZIP), "--building-height", "9")
    assert fgd.returncode == 0, fgd.stderr
    # the camera looks south over building 1 (35.8595 N): 9 m buildings hide what lies
    # behind them, so less is covered than on open ground
    assert json.loads(fgd.stdout)["covered_m2"] < json.loads(bare.stdout)["covered_m2"]
    assert "open_outline" in fgd.stderr          # the BldL piece that closes nothing
    bad = _cli(str(path), "--fgd", str(ROOT / "tests" / "data" / "fgd" / "xxe.xml"))
    assert bad.returncode == 2 and "xml_entities" in bad.stderr
    both = _cli(str(path), "--fgd", str(ZIP), "--buildings", str(ZIP))
    assert both.returncode == 2 and "not allowed" in both.stderr
    neg = _cli(str(path), "--fgd", str(ZIP), "--building-height", "-3")
    assert neg.returncode == 2 and "(0, 1000)" in neg.stderr
