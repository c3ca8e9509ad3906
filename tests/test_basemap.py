"""The base-map parts of a plan (``assessments.plan.basemap``): terrain and raster
background stored as JSON round-trip exactly, are kept once in the workspace, and the
command line reads an imported terrain like the page."""
from __future__ import annotations

import numpy as np
import pytest

from assessments.engine.grid import Grid
from assessments.engine.visibility import Terrain
from assessments.plan import basemap
from assessments.plan import validate as planfile
from assessments.plan.iotools.raster import RasterBackground
from datasets.workspace import Workspace


def _terrain():
    # heights 10 + row − 0.5·col [m] on 0.2″ cells: 3 rows × 4 columns, one gap
    h = 10 + np.arange(3)[:, None] - 0.5 * np.arange(4)[None, :]
    h = h.astype(np.float32)
    h[1, 2] = np.nan
    return Terrain(h, lat_north=35.86, lon_west=139.97, dlat_deg=0.2 / 3600,
                   dlon_deg=0.2 / 3600)


def test_terrain_round_trip_is_exact():
    doc = basemap.terrain_doc(_terrain(), name="DEM5A.zip")
    assert basemap.is_terrain_doc(doc) and doc["rows"] == 3 and doc["cols"] == 4
    back = basemap.terrain_from_doc(doc)
    np.testing.assert_array_equal(back.height_m, _terrain().height_m)   # NaN kept
    assert (back.lat_north, back.lon_west) == (35.86, 139.97)
    # cell edges: north = 35.86 + 0.1″, 3 rows down; west = 139.97 − 0.1″, 4 columns east
    w, s, e, n = basemap.terrain_bounds(doc)
    cell = 0.2 / 3600
    assert (w, s, e, n) == pytest.approx((139.97 - cell / 2, 35.86 + cell / 2 - 3 * cell,
                                          139.97 - cell / 2 + 4 * cell, 35.86 + cell / 2))
    # the plan's terrain, read by the engine's loader (the command line's path too)
    assert planfile.load_terrain(doc).height_m.shape == (3, 4)


@pytest.mark.parametrize("change", [{"rows": 4}, {"height_m_f32": "***"},
                                    {"dlat_deg": float("nan")}, {"cols": None}])
def test_damaged_terrain_is_a_plan_error(change):
    doc = dict(basemap.terrain_doc(_terrain()), **change)
    with pytest.raises(ValueError):
        basemap.terrain_from_doc(doc)
    with pytest.raises(planfile.PlanError):
        planfile.load_terrain(doc)


def test_terrain_on_a_grid_has_nothing_to_store():
    g = Grid(35.86, 139.97, 1.0, (2, 2), 0.0, 0.0)
    with pytest.raises(ValueError):
        basemap.terrain_doc(Terrain.on_grid(g, np.zeros((2, 2))))


def test_background_round_trip():
    rgba = np.zeros((4, 6, 4), np.uint8)
    rgba[..., 0] = np.arange(6) * 40
    rgba[..., 3] = 255
    bg = RasterBackground(rgba, "EPSG:6677", (-7000.0, 0.5, 0.0, -35000.0, 0.0, -0.5),
                          {"name": "toshikeikaku.png"})
    doc = basemap.background_doc(bg, name="toshikeikaku.png", attribution="柏市 都市計画図")
    back = basemap.background_from_doc(doc)
    np.testing.assert_array_equal(back.rgba, rgba)
    assert back.crs == "EPSG:6677" and back.transform == bg.transform
    assert doc["attribution"] == "柏市 都市計画図"
    with pytest.raises(ValueError):
        basemap.background_from_doc(dict(doc, png="AAAA"))


def test_workspace_stores_terrain_and_background_once(tmp_path):
    big = Terrain(np.full((60, 60), 12.5, np.float32), lat_north=35.86, lon_west=139.97,
                  dlat_deg=1e-4, dlon_deg=1e-4)
    doc = basemap.terrain_doc(big, name="hill")            # 14,400 B → 19,200 base64 chars
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        a = ws.add_plan({"version": 1, "name": "A", "terrain": doc})
        b = ws.add_plan({"version": 1, "name": "B", "terrain": doc})
        blobs = ws._con.execute("SELECT count(*) FROM plan_blobs").fetchone()[0]
        assert blobs == 1                        # one copy for both plans
        assert ws.get_plan(a["id"])["terrain"] == doc == ws.get_plan(b["id"])["terrain"]
    finally:
        ws.close()


def test_layer_helpers():
    plan = {"map_layers": {"roads": {"type": "FeatureCollection", "features": [{"a": 1}]},
                           "towns": {"type": "FeatureCollection", "features": []}}}
    assert basemap.layer_features(plan, "roads") == [{"a": 1}]
    assert basemap.layer_features(plan, "rail") == []
    assert basemap.has_base_map(plan) and not basemap.has_base_map({"map_layers": {}})
    assert set(basemap.FGD_LAYERS) <= set(basemap.LAYERS)
