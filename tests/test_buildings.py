"""The one building-id rule and the one is-home rule (``assessments.plan.buildings``), and
every part of the app that names a building or asks for a home giving the same answer."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assessments.engine.grid import Grid
from assessments.engine.privacy_geometry import home_facade_cells
from assessments.engine.visibility import building_footprints
from assessments.plan import iotools
from assessments.plan.buildings import (RESIDENTIAL_USAGE_CODES, building_id, declared_id,
                                        home_status, is_home)
from assessments.plan.validate import PlanError, validate_plan

LAT0, LON0 = 35.7570, 139.5540


def _grid(half=30.0):
    return Grid.from_bounds(LAT0, LON0, -half, -half, half, half, 1.0)


def _square(grid, x0, y0, side_m=6.0, **props):
    """A ``side_m`` [m] square building with its south-west corner at (x0, y0) [m]."""
    xs = np.array([x0, x0 + side_m, x0 + side_m, x0, x0], float)
    ys = np.array([y0, y0, y0 + side_m, y0 + side_m, y0], float)
    lat, lon = grid.to_latlon(xs, ys)
    return {"type": "Feature", "properties": {"height_m": 6.0, **props},
            "geometry": {"type": "Polygon",
                         "coordinates": [[[float(o), float(a)] for a, o in zip(lat, lon)]]}}


# ----------------------------------------------------------------- building_id
def test_building_id_with_and_without_an_id():
    feat = {"type": "Feature", "properties": {"id": "11230-bldg-1549"}, "geometry": None}
    assert building_id(feat, 0) == "11230-bldg-1549"
    assert declared_id(feat) == "11230-bldg-1549"
    bare = {"type": "Feature", "properties": {"height_m": 6.0}, "geometry": None}
    assert declared_id(bare) is None
    assert building_id(bare, 0) == "B1" and building_id(bare, 41) == "B42"   # 1-based


def test_building_id_order_of_sources():
    # properties.id, then 建物ID, then the feature's own id, then gml_id
    props = {"id": "P", "建物ID": "J", "gml_id": "G"}
    assert building_id({"id": "F", "properties": props}, 0) == "P"
    del props["id"]
    assert building_id({"id": "F", "properties": props}, 0) == "J"
    del props["建物ID"]
    assert building_id({"id": "F", "properties": props}, 0) == "F"
    assert building_id({"properties": props}, 0) == "G"


def test_building_id_skips_empty_values_and_reads_numbers_as_text():
    assert building_id({"properties": {"id": "", "建物ID": None, "gml_id": "bldg_1"}}, 2) \
        == "bldg_1"
    assert building_id({"id": 0, "properties": {}}, 5) == "0"        # 0 is an id, "" is not
    assert building_id({"properties": {"id": 101}}, 0) == "101"
    # not a feature at all (a hand-edited plan): named by position
    assert building_id("junk", 2) == "B3" and building_id({"properties": "x"}, 0) == "B1"


# ----------------------------------------------------------------- is_home
@pytest.mark.parametrize("code", sorted(RESIDENTIAL_USAGE_CODES))
def test_plateau_dwelling_codes_are_homes(code):
    # PLATEAU Building_usage 411 住宅 … 415 作業所併用住宅
    assert is_home({"usage": code}) and home_status({"bldg:usage": code}) is True


@pytest.mark.parametrize("code", ["401", "402", "403", "404", "421", "422", "431", "441",
                                  "454", "461"])
def test_other_plateau_codes_are_not_homes(code):
    # 401 業務施設, 402 商業施設, … 461 不明
    assert home_status({"usage": code}) is False and not is_home({"usage": code})


def test_dwelling_words_and_zenkaku_codes():
    for usage in ("住宅", "共同住宅", "店舗等併用住宅", "residential", "House", "apartments"):
        assert is_home({"用途": usage}), usage
    assert is_home({"建物用途": "４１２"})                  # 全角 digits: NFKC → 412
    for usage in ("商業施設", "工場", "office"):
        assert home_status({"usage": usage}) is False, usage


def test_is_home_flag_wins_over_usage():
    assert is_home({"is_home": True, "usage": "402"})
    assert not is_home({"is_home": False, "usage": "411"})     # the user's choice
    for text in ("true", "TRUE", "1", "yes", "y", "はい", "住宅"):
        assert is_home({"is_home": text}), text
    for text in ("false", "0", "no", "いいえ", ""):
        assert home_status({"is_home": text, "usage": "411"}) is False, text
    assert is_home({"is_home": 1}) and not is_home({"is_home": 0})
    assert is_home({"is_home": 10 ** 400})               # JSON integers have no bound
    assert home_status({"is_home": float("nan"), "usage": "402"}) is False   # NaN: no flag


def test_unknown_home_status():
    assert home_status({}) is None and home_status(None) is None
    assert home_status({"is_home": "maybe"}) is None          # not yes/no: nothing known
    assert home_status({"is_home": "maybe", "usage": "411"}) is True
    assert not is_home({}) and not is_home(None) and not is_home("x")


# ----------------------------------------------------------------- one answer everywhere
def _mixed_collection(grid):
    """Five buildings naming themselves in every way the rule knows, 10 m apart."""
    feats = [_square(grid, -25, -3, id="P1", gml_id="G1"),
             _square(grid, -15, -3, **{"建物ID": "J2", "gml_id": "G2"}),
             _square(grid, -5, -3, gml_id="G3", usage="412"),           # a home by usage
             _square(grid, 5, -3, is_home=True),                         # no id at all
             _square(grid, 15, -3, id="", is_home="はい")]
    feats[2]["id"] = "F3"            # the feature's own id comes before gml_id
    return {"type": "FeatureCollection", "features": feats}


def test_engine_validator_importer_and_privacy_use_the_same_ids():
    g = _grid()
    fc = _mixed_collection(g)
    want = ["P1", "J2", "F3", "B4", "B5"]
    assert [building_id(f, i) for i, f in enumerate(fc["features"])] == want
    assert [fid for _, _, fid in building_footprints(fc)] == want
    plan = {"version": 1, "area": {"type": "Polygon", "coordinates": [[
        [LON0 - 1e-3, LAT0 - 1e-3], [LON0 + 1e-3, LAT0 - 1e-3], [LON0 + 1e-3, LAT0 + 1e-3],
        [LON0 - 1e-3, LAT0 + 1e-3], [LON0 - 1e-3, LAT0 - 1e-3]]]}, "resolution_m": 1.0,
        "cameras": [], "buildings": fc}
    assert [fid for _, _, fid in validate_plan(plan)["_footprints"]] == want
    # the validator names a building without a height by the same rule
    bad = dict(plan, buildings=dict(fc, features=[
        dict(f, properties={k: v for k, v in f["properties"].items() if k != "height_m"})
        for f in fc["features"]]))
    with pytest.raises(PlanError) as err:
        validate_plan(bad)
    assert [(i.kind, i.id, i.code) for i in err.value.issues] == \
        [("building", fid, "missing") for fid in want]
    res = iotools.read_geojson(json.dumps(fc).encode())
    assert res.ok and [f["properties"]["id"] for f in res.collection["features"]] == want
    # homes: F3 by its usage 412, B4 by the flag, B5 by はい — the privacy check, the
    # importer and the map (is_home) agree
    _, _, home_ids = home_facade_cells(g, fc)
    assert home_ids == ["F3", "B4", "B5"]
    assert [f["properties"].get("is_home") for f in res.collection["features"]] == \
        [None, None, True, True, True]
    assert [is_home(f["properties"]) for f in fc["features"]] == \
        [False, False, True, True, True]
