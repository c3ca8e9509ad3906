"""Tiled runs (assessments.engine.tiles) equal the single-grid run; GRID.tif round trip."""
from __future__ import annotations

import json
import math
import shutil
import subprocess

import numpy as np
import pytest

from assessments.engine import tiles as T
from assessments.engine.devices import as_camera
from assessments.engine.grid import Grid
from assessments.engine.gridfile import read_grid_tif, write_grid_tif
from assessments.plan import validate as planfile
from assessments.simulate import simulate

ORIGIN = (35.8676, 139.9758)
_LOCAL = Grid(ORIGIN[0], ORIGIN[1], 1.0, (1, 1), 0.0, 0.0)   # only for metres → lat/lon


def _lonlat_ring(xs, ys):
    lat, lon = _LOCAL.to_latlon(np.asarray(xs, float), np.asarray(ys, float))
    return {"type": "Polygon", "coordinates": [[[float(o), float(a)]
                                                for o, a in zip(lon, lat)]]}


def _box(x0, x1, y0, y1):
    return _lonlat_ring([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])


def _point(x, y):
    lat, lon = _LOCAL.to_latlon(float(x), float(y))
    return {"lat": lat, "lon": lon}


def _plan():
    """400 m × 300 m at 1 m (a 301 × 401 grid): tiles of 201 cells meet near x ≈ 0 m
    (column 201) and y ≈ −50 m (row 201). Six cameras stand by those borders looking
    across them, buildings straddle them (B5, a wall in the east tiles, hides part of the
    west tiles from C2), two districts split the area off the tile border (x = 7.3 m), six
    lights."""
    cams = [dict(_point(x, y), id=f"C{i + 1}", mount_height_m=5.0, azimuth_deg=az,
                 tilt_deg=15.0, hfov_deg=90.0, width_px=1920, height_px=1080,
                 max_range_m=40.0, ir_range_m=15.0, min_illuminance_lx=0.5)
            for i, (x, y, az) in enumerate([(-3, 5, 90), (4, -48, 270), (-60, -52, 0),
                                            (70, -47, 180), (2, 100, 135), (-150, 20, 45)])]
    buildings = [{"type": "Feature", "properties": {"id": f"B{i + 1}", "height_m": h},
                  "geometry": _box(x - w / 2, x + w / 2, y - d / 2, y + d / 2)}
                 for i, (x, y, w, d, h) in enumerate([(10, -20, 8, 30, 12), (-15, -50, 30, 6, 9),
                                                      (30, 10, 6, 6, 20), (-40, -60, 10, 10, 6),
                                                      (2.6, -49, 1.2, 4, 10)])]
    lights = [dict(_point(x, y), id=f"L{i + 1}", mount_height_m=5.0, intensity_cd=300.0)
              for i, (x, y) in enumerate([(0, 0), (15, -45), (-30, -55), (60, -40),
                                          (-120, 30), (150, 120)])]
    districts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "W", "name": "西"},
         "geometry": _box(-200, 7.3, -150, 150)},
        {"type": "Feature", "properties": {"id": "E", "name": "東"},
         "geometry": _box(7.3, 200, -150, 150)}]}
    return {"version": 1, "name": "tiles", "standard": "iec62676_4_2014",
            "area": _box(-200, 200, -150, 150), "resolution_m": 1.0, "cameras": cams,
            "lights": lights, "buildings": {"type": "FeatureCollection", "features": buildings},
            "districts": districts}


@pytest.fixture(scope="module")
def single():
    return simulate(_plan())


@pytest.fixture(scope="module")
def tiled():
    import sys
    import types
    from dask.distributed import Client, LocalCluster
    # a spawned worker re-imports the parent's __main__ from its file: after an AppTest in
    # the same pytest run that is a page script (AppTest leaves it there), which the worker
    # would run; an empty __main__ keeps the workers to the engine
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with LocalCluster(**T.local_cluster_kwargs(2)) as cluster, Client(cluster) as client:
            return T.run_tiles(_plan(), client=client, tile_cells=201, grid_arrays=True)
    finally:
        sys.modules["__main__"] = main


def test_split_cores_cover_the_grid_once():
    g = Grid(ORIGIN[0], ORIGIN[1], 1.0, (301, 401), 0.5, 0.5)
    tiles = T.split(g, tile_cells=201, overlap_cells=43)
    # rows 0–201 and 201–301, cols 0–201 and 201–401; windows grow by 43, clipped
    assert [t.core for t in tiles] == [(0, 201, 0, 201), (0, 201, 201, 401),
                                       (201, 301, 0, 201), (201, 301, 201, 401)]
    assert [t.window for t in tiles] == [(0, 244, 0, 244), (0, 244, 158, 401),
                                         (158, 301, 0, 244), (158, 301, 158, 401)]
    assert tiles[3].core_in_window == (slice(43, 143), slice(43, 243))
    with pytest.raises(ValueError, match="tile_cells"):
        T.split(g, tile_cells=0)


def test_camera_reach():
    cam = as_camera(_plan()["cameras"][0])
    assert T.camera_reach_m(cam, 12.5) == 40.0          # its max_range_m
    cam = as_camera(dict(_plan()["cameras"][0], max_range_m=None))
    # f = 960 / tan 45° = 960 px; depth 960 / 12.5 = 76.8 m; tan(vfov/2) = 1080/1920 = 0.5625
    # → 76.8 · √(1 + 1 + 0.31640625) = 116.88 m
    assert T.camera_reach_m(cam, 12.5) == pytest.approx(76.8 * math.sqrt(2.31640625), rel=1e-9)


def test_tasks_hold_what_reaches_each_core():
    grid, tiles, tasks, cams = T.tile_tasks(_plan(), tile_cells=201)
    assert grid.shape == (301, 401) and len(tiles) == 4
    # overlap = ceil(40 m / 1 m) + 2 = 42 cells
    assert tiles[0].window == (0, 243, 0, 243)
    ids = [[c.id for c in t["plan"]["cameras"]] for t in tasks]
    # C1 (−3, 5) looks east across x ≈ 0: tiles 0 and 1; C6 (−150, 20) stays in tile 0
    assert "C1" in ids[0] and "C1" in ids[1] and "C6" in ids[0] and "C6" not in ids[1]
    assert all(len(t["plan"]["lights"]) >= 1 for t in tasks)


def test_tiled_equals_single(single, tiled):
    result, arrays, grid = tiled
    assert grid.shape == single.model.grid.shape
    # byte for byte: areas are cell counts × 1 m², the lighting means sums / counts
    assert planfile.result_json(result) == planfile.result_json(single.result)
    ref = single.grid_arrays()
    for name in T.TILE_ARRAYS:
        np.testing.assert_array_equal(arrays[name], ref[name], err_msg=name)
    assert list(arrays["camera_ids"]) == list(ref["camera_ids"])
    # the scene does cross borders: C2 stands at x = 4 m (column 203, the east tiles) and
    # looks west into the west tiles' cores
    seen = np.argwhere(arrays["best_camera"] == 1)
    assert grid.to_rc(4.0, -48.0)[1] == 203.5          # x0 = −199.5 m
    assert seen.size and seen[:, 1].min() < 201
    # 西 ends at x = 7.3 m: C2 (x = 4, east tiles) and C5 (x = 2) stand in it; C4 (x = 70) in 東
    assert result["districts"][0]["cameras"] == ["C1", "C2", "C3", "C5", "C6"]
    assert result["districts"][1]["cameras"] == ["C4"]


def test_no_overlap_would_differ(single):
    """The overlap matters: with none, the west tiles do not know wall B5 (columns 202–203)
    and C2 (column 203) sees through it (the test above could not pass without it)."""
    grid, tiles, tasks, cams = T.tile_tasks(_plan(), tile_cells=201)
    tiles0 = T.split(grid, tile_cells=201, overlap_cells=0)
    outs = []
    for t, task in zip(tiles0, tasks):
        task = dict(task, grid=grid.window(*t.window), core=t.core_in_window,
                    night_grids=False)
        outs.append(T.run_tile(task))
    merged = T.merge(grid, tiles0, outs, plan_cameras=cams)
    assert merged["cameras"][1]["covered_m2"] > single.result["cameras"][1]["covered_m2"]


def test_grid_tif_round_trip_and_georeference(single, tmp_path):
    g = single.model.grid
    arrays = single.grid_arrays()
    path = tmp_path / "grid.tif"
    write_grid_tif(arrays, g, path)
    back, info = read_grid_tif(path)
    assert info["camera_ids"] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    for name, a in back.items():
        np.testing.assert_array_equal(a, arrays[name], err_msg=name)
    import tifffile
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        assert page.is_tiled and page.tilewidth == 256 and page.compression == 8  # deflate
        # grid 301 × 401 from x = −200.5 … : cell [0, 0]'s west edge = x0 − 0.5 m
        assert page.tags[33922].value[3:5] == (g.x0_m - 0.5, g.y0_m + 0.5)
    if not shutil.which("/usr/bin/python3"):
        pytest.skip("no /usr/bin/python3 for GDAL")
    code = ("import json,sys\nfrom osgeo import gdal, osr\ngdal.UseExceptions()\n"
            "ds = gdal.Open(sys.argv[1])\nsr = osr.SpatialReference(wkt=ds.GetProjection())\n"
            "sr.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)\n"
            "ll = osr.SpatialReference(); ll.ImportFromEPSG(6668)\n"
            "ll.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)\n"
            "t = osr.CoordinateTransformation(sr, ll)\ngt = ds.GetGeoTransform()\n"
            "print(json.dumps({'gt': gt, 'nw': t.TransformPoint(gt[0], gt[3])[:2],"
            " 'size': [ds.RasterXSize, ds.RasterYSize]}))\n")
    run = subprocess.run(["/usr/bin/python3", "-c", code, str(path)], capture_output=True,
                         text=True, timeout=60)
    if run.returncode and "osgeo" in run.stderr:
        pytest.skip("GDAL (python3-gdal) is not installed for /usr/bin/python3")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["size"] == [401, 301]
    assert out["gt"] == [g.x0_m - 0.5, 1.0, 0.0, g.y0_m + 0.5, 0.0, -1.0]
    lat, lon = g.to_latlon(g.x0_m - 0.5, g.y0_m + 0.5)     # the north-west corner via pyproj
    assert out["nw"] == pytest.approx([lon, lat], abs=1e-9)


def test_cli_tiles_write_tif(tmp_path):
    from assessments.cli import main
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(), ensure_ascii=False), encoding="utf-8")
    assert main(["simulate", str(plan), "--out", str(tmp_path / "a.json"), "--grid",
                 str(tmp_path / "a.tif")]) == 0
    back, _ = read_grid_tif(tmp_path / "a.tif")
    assert back["pixel_density"].shape == (301, 401)
    with pytest.raises(SystemExit):
        main(["simulate", str(plan), "--tiles", "0"])
