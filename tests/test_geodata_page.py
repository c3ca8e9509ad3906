"""A town with no PLATEAU data on the シミュレーション page (AppTest): the 基盤地図情報 base
map and DEM imported, the area set from a 町字, homes marked by rule, terrain occluding,
bad files refused with the plan kept.

Fixtures: ``tests/data/fgd/`` (README: the 町字 square 35.8590–35.8610 N × 139.9695–139.9715 E,
five buildings) and ``tests/data/town/`` (a DEM5A mesh with an 8 m hill at the square's
centre, 35.8600 N 139.9705 E, on 10 m ground).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "simulate.py")
FGD = ROOT / "tests" / "data" / "fgd"
HILL = ROOT / "tests" / "data" / "town" / "FG-GML-5339-67-37-DEM5A-hill.xml"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _plan(at) -> dict:
    ws = Workspace(Path(os.environ["MIMAMORI_WORKSPACE"]))
    try:
        return ws.get_plan(at.session_state["plan_id"])
    finally:
        ws.close()


def _import(at, kind, path: Path, mode="replace"):
    at.session_state["sim.import_queue"] = [{"kind": kind, "name": path.name,
                                             "data": path.read_bytes(), "mode": mode}]
    return _run(at)


def _messages(at) -> list[str]:
    return [m.value for m in list(at.success) + list(at.warning) + list(at.error)
            + list(at.info)]


def _named(elements, name: str):
    return next(e for e in elements if e.key and e.key.split("@")[0] == "sim." + name)


def _bounds(geom) -> tuple:
    a = np.asarray(geom["coordinates"][0], float)
    return a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max()


@pytest.fixture
def town():
    """An empty plan with the FGD two-file zip imported."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "ja"
    _run(at)
    _import(at, "basemap", FGD / "FG-GML-533967-two-files.zip")
    return at


def test_fgd_zip_gives_layers_buildings_and_an_area(town):
    plan = _plan(town)
    layers = plan["map_layers"]
    # the README's counts: 道路縁 2 + 道路構成線 1, 軌道 1, 水涯線 1, 境界 5, 町字 2, 区域 1
    assert {k: len(v["features"]) for k, v in layers.items()} == {
        "roads": 3, "rail": 1, "water": 1, "boundaries": 5, "admin_areas": 1, "towns": 2,
        "town_areas": 1}
    assert len(plan["buildings"]["features"]) == 5
    # no area before: the area is the extent of what was read but the 行政区画 (柏市 would
    # be the whole city): rail, water and boundaries span 139.968–139.972 E, the
    # boundaries reach 35.857 N, the 町字 point 旭町二丁目 35.865 N
    assert _bounds(plan["area"]) == pytest.approx((139.968, 35.857, 139.972, 35.865),
                                                  abs=1e-6)
    assert plan["resolution_m"] == 1.0
    assert any("建物 5 棟" in m and "道路 3 本" in m for m in _messages(town))


def test_area_from_a_town_then_terrain_then_homes_by_rule(town):
    at = town
    towns = _named(at.selectbox, "geo_town")
    assert towns.options == ["旭町一丁目"]
    towns.set_value(0)
    _run(at)
    _named(at.button, "geo_use_town").click()
    _run(at)
    plan = _plan(at)
    # the square closed by the four 町字界線
    assert _bounds(plan["area"]) == pytest.approx((139.9695, 35.8590, 139.9715, 35.8610),
                                                  abs=1e-7)
    assert any("旭町一丁目" in m for m in _messages(at))

    _import(at, "terrain", HILL)
    plan = _plan(at)
    assert plan["terrain"]["rows"] == 75 and plan["terrain"]["cols"] == 180
    assert any("標高 10.0〜17.9 m" in m for m in _messages(at)), _messages(at)
    # the page's model stands on the hill: 10 + 8 = 18 m at the square's centre (the
    # nearest 0.2″ cell centre ≈ 1 m from it: 17.9 m)
    from ui import simulation as S
    sim = S.simulate_plan(plan)
    g = sim.grid
    r, c = g.cell_index(*g.to_xy(35.8600, 139.9705))
    assert float(sim.model.surface.ground_m[r, c]) == pytest.approx(17.9, abs=0.1)
    assert float(sim.model.surface.ground_m[0, 0]) < 12.0     # the square's corner, ≈ 90 m off

    # homes: buildings within 12 m of a 道路縁 (tests/test_homes.py: buildings 2 and 3 are
    # 0.0001° = 11.1 m from one; the others ≥ 33 m)
    _named(at.number_input, "geo_near_m").set_value(12.0)
    _run(at)
    _named(at.button, "geo_near_go").click()
    _run(at)
    homes = [f["properties"].get("id") for f in _plan(at)["buildings"]["features"]
             if f["properties"].get("is_home")]
    assert homes == ["20240101-53396-70010-s-2", "20240101-53396-70010-s-3"]


def test_data_outside_the_area_is_refused_and_the_plan_kept(town):
    at = town
    _import(at, "terrain", HILL)
    before = _plan(at)
    # the DEM fixture of tests/data/dem lies at 35.8667 N 139.975 E, ≈ 800 m north-east
    _import(at, "terrain", ROOT / "tests" / "data" / "dem" / "FG-GML-5339-67-DEM5A.zip")
    assert any("対象範囲の外" in m for m in _messages(at)), _messages(at)
    after = _plan(at)
    assert after["terrain"] == before["terrain"] and after["area"] == before["area"]


@pytest.mark.parametrize("name, text", [
    ("damaged.zip", "zip"), ("xxe.xml", "DOCTYPE"), ("zip_bomb.zip", "")])
def test_bad_base_map_files_keep_the_plan(town, name, text):
    at = town
    before = _plan(at)
    _import(at, "basemap", FGD / name)
    assert at.error, _messages(at)
    assert _plan(at)["map_layers"] == before["map_layers"]


def _office_plan(at_lang="ja"):
    """A plan with a 400 m square around 柏市役所 (35.8676 N, 139.9758 E), the place of the
    MBTiles fixture of tests/test_mbtiles.py."""
    from ui.simulation import square_area
    ws = Workspace(Path(os.environ["MIMAMORI_WORKSPACE"]))
    try:
        stored = ws.add_plan({"version": 1, "name": "柏市 背景図",
                              "municipality": {"prefecture": "千葉県", "name": "柏市",
                                               "lat": 35.8676, "lon": 139.9758},
                              "area": square_area(35.8676, 139.9758, size_m=400.0)})
    finally:
        ws.close()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = at_lang
    at.session_state["plan_id"] = stored["id"]
    return _run(at)


def test_mbtiles_and_world_file_backgrounds_are_stored_in_the_plan():
    from tests.test_mbtiles import build
    from tests.test_raster import encode, world
    at = _office_plan()
    at.session_state["sim.import_queue"] = [{"kind": "mbtiles", "name": "kashiwa.mbtiles",
                                             "data": build(), "mode": "replace"}]
    _run(at)
    bg = _plan(at)["background"]
    # the package's own attribution (metadata) is kept to print under every map
    assert bg["attribution"] == "柏市 都市計画課" and bg["georef"]["crs"] == "EPSG:3857"
    assert any("背景図" in m for m in _messages(at))

    img = np.zeros((30, 40, 3), np.uint8)
    img[:, :, 1] = 200
    files = {"ortho.jpg": encode(img, "JPEG", quality=95),
             # 1e-4° pixels from 139.9740 E, 35.8690 N: inside the 400 m square
             "ortho.jgw": world(1e-4, 0, 0, -1e-4, 139.9740 + 0.5e-4, 35.8690 - 0.5e-4)}
    at.session_state["sim.import_queue"] = [{"kind": "background", "name": "ortho.jpg",
                                             "data": files, "mode": "replace"}]
    _run(at)
    bg = _plan(at)["background"]
    assert bg["name"] == "ortho.jpg, ortho.jgw" and bg["georef"]["crs"] == "EPSG:6668"
    # the map draws it under the heat map (an image before the heat map's)
    from assessments.plan.basemap import background_from_doc
    assert background_from_doc(bg).rgba.shape == (30, 40, 4)


def test_background_outside_the_area_is_refused():
    from tests.test_raster import encode, world
    at = _office_plan("en")
    img = np.zeros((10, 10, 3), np.uint8)
    files = {"far.png": encode(img, "PNG"),
             # 0.001° pixels from 135.0 E, 34.7 N (大阪): 200 km from the area
             "far.pgw": world(1e-3, 0, 0, -1e-3, 135.0, 34.7)}
    at.session_state["sim.import_queue"] = [{"kind": "background", "name": "far.png",
                                             "data": files, "mode": "replace"}]
    _run(at)
    assert "background" not in _plan(at)
    assert any("outside the plan's area" in m for m in _messages(at)), _messages(at)


def test_area_from_corners_clicked_on_the_map(town):
    at = town
    # three corners clicked in the area mode (kept per plan in the session until used)
    corners = [(35.8592, 139.9697), (35.8592, 139.9712), (35.8608, 139.9712)]
    at.session_state[f"sim.sketch@{at.session_state['plan_id']}"] = corners
    _run(at)
    button = _named(at.button, "geo_use_sketch")
    assert not button.disabled
    button.click()
    _run(at)
    ring = _plan(at)["area"]["coordinates"][0]
    # shapely closes the ring: the three corners (lon, lat) and the first again
    assert {tuple(p) for p in ring} == {(lon, lat) for lat, lon in corners}
    assert len(ring) == 4 and ring[0] == ring[-1]
    assert any("3 点" in m for m in _messages(at))
    # a crossing (bow-tie) outline is refused, the area kept
    at.session_state[f"sim.sketch@{at.session_state['plan_id']}"] = [
        (35.8592, 139.9697), (35.8608, 139.9712), (35.8592, 139.9712), (35.8608, 139.9697)]
    _run(at)
    _named(at.button, "geo_use_sketch").click()
    _run(at)
    assert _plan(at)["area"]["coordinates"][0] == ring
    assert any("交差" in m for m in _messages(at))


def test_homes_by_building_type_and_back_to_usage(town):
    at = town

    def homes():
        return [f["properties"]["gml_id"] for f in _plan(at)["buildings"]["features"]
                if f["properties"].get("is_home")]
    _named(at.multiselect, "geo_home_kinds").set_value(["堅ろう建物"])
    _run(at)
    _named(at.button, "geo_home_kinds_go").click()
    _run(at)
    assert homes() == ["K10_533967_2", "K10_533967_6"]      # the two 堅ろう建物
    _named(at.button, "geo_all_homes").click()
    _run(at)
    assert len(homes()) == 5
    # back to the usage rule: FGD buildings carry no usage, so none is a home
    _named(at.button, "geo_usage_homes").click()
    _run(at)
    assert homes() == [] and all("is_home" not in f["properties"]
                                 for f in _plan(at)["buildings"]["features"])


def test_a_damaged_terrain_can_be_removed_from_the_error_page(town):
    at = town
    _import(at, "terrain", HILL)
    ws = Workspace(Path(os.environ["MIMAMORI_WORKSPACE"]))
    try:
        pid = at.session_state["plan_id"]
        ws.update_plan(pid, lambda p: p.update(terrain=dict(p["terrain"], rows=3)))
    finally:
        ws.close()
    _run(at)
    # named as the page names it: 計画：地形 の形式が正しくありません (not the field 'terrain')
    assert at.error and "計画：地形 の形式が正しくありません" in at.error[0].value
    _named(at.button, "geo_rm_terrain").click()
    _run(at)
    assert "terrain" not in _plan(at) and not at.error
