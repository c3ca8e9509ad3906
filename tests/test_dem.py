"""基盤地図情報 数値標高モデル GML (``assessments.plan.iotools.dem``): one mesh, a .zip
mosaic, no-data cells, damaged files, and ``--terrain`` on the command line
(``tests/data/dem/``).

The fixtures (``tests/data/dem/README.md``) are two adjacent meshes of 5 × 4 cells of
0.2″ written by hand: the west one from 35.866666667 N, 139.975 E to 35.866888889 N,
139.975277778 E, the east one the next 5 columns. Their heights were typed so that the
mosaic is the plane ``h = 12 − row + 0.5 · column`` [m] (row 0 = the north row, column 0 =
the west column).
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from assessments.engine.grid import Grid
from assessments.engine.visibility import Terrain
from assessments.plan import iotools as im

ROOT = Path(__file__).resolve().parents[1]
DEM = ROOT / "tests" / "data" / "dem"
WEST = DEM / "FG-GML-5339-67-48-DEM5A-20240101-west.xml"
EAST = DEM / "FG-GML-5339-67-48-DEM5A-20240101-east.xml"
ZIP = DEM / "FG-GML-5339-67-DEM5A.zip"
#: 0.2″ cells from corners written with 9 decimals: (35.866888889 − 35.866666667) / 4
DLAT = 0.000222222 / 4
DLON = 0.000277778 / 5
PLANE = 12.0 - np.arange(4)[:, None] + 0.5 * np.arange(10)[None, :]


def _zip(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members:
            z.writestr(name, blob)
    return buf.getvalue()


def test_one_mesh_hand_checked():
    res = im.read_dem(WEST.read_bytes(), WEST.name)
    assert res.ok and res.problems == []
    t = res.terrain
    assert isinstance(t, Terrain)
    # rows north → south: the file's first row (12.00 … 14.00) is the north row
    assert_array_equal(t.height_m, PLANE[:, :5].astype(np.float32))
    assert t.height_m[0, 0] == 12.0 and t.height_m[3, 4] == 11.0
    # cell centres: half a cell (0.1″) inside the north-west corner
    assert_allclose([t.lat_north, t.lon_west],
                    [35.866888889 - DLAT / 2, 139.975 + DLON / 2], rtol=0, atol=1e-12)
    assert_allclose([t.dlat_deg, t.dlon_deg], [DLAT, DLON], rtol=1e-9)
    assert_allclose([t.dlat_deg * 3600, t.dlon_deg * 3600], [0.2, 0.2], rtol=1e-5)
    assert res.meta["shape"] == (4, 5) and res.meta["meshes"] == ["53396748"]
    assert res.meta["dem_types"] == {"5mメッシュ（標高）": 1}
    assert res.meta["point_types"] == {"地表面": 20}
    assert res.meta["bounds"] == (35.866666667, 139.975, 35.866888889, 139.975277778)
    assert res.meta["height_range_m"] == (9.0, 14.0) and res.meta["nodata_cells"] == 0


def test_two_meshes_in_a_zip_are_mosaicked():
    res = im.read_dem(ZIP.read_bytes(), ZIP.name)
    assert res.ok and res.problems == []
    assert res.meta["files"] == [WEST.name, EAST.name]
    t = res.terrain
    assert t.height_m.shape == (4, 10)
    assert_array_equal(t.height_m, PLANE.astype(np.float32))
    assert_allclose([t.lat_north, t.lon_west],
                    [35.866888889 - DLAT / 2, 139.975 + DLON / 2], atol=1e-12)
    assert res.meta["point_types"] == {"地表面": 38, "表層面": 1, "内水面": 1}
    assert res.meta["bounds"] == (35.866666667, 139.975, 35.866888889, 139.975555556)
    # the order of the files in the zip does not matter
    swapped = im.read_dem(_zip([(EAST.name, EAST.read_bytes()),
                                (WEST.name, WEST.read_bytes())]), "x.zip")
    assert_array_equal(swapped.terrain.height_m, t.height_m)


def test_the_engine_samples_the_mosaic_the_right_way_up():
    t = im.read_dem(ZIP.read_bytes(), ZIP.name).terrain
    # a grid around the mosaic's middle; the heights are a plane, so bilinear sampling is
    # exact: h = 12 − (lat_north − lat)/Δlat + 0.5 (lon − lon_west)/Δlon
    g = Grid.from_bounds(35.8667778, 139.9752778, -8, -5, 8, 5, 1.0)
    lat, lon = g.lat, g.lon
    want = 12 - (t.lat_north - lat) / t.dlat_deg + 0.5 * (lon - t.lon_west) / t.dlon_deg
    assert_allclose(t.on(g), want, atol=1e-3)
    # north is higher than south (1 m per row), east higher than west (0.5 m per column)
    on = t.on(g)
    assert on[0].mean() > on[-1].mean() and on[:, -1].mean() > on[:, 0].mean()


def test_no_data_cells():
    res = im.read_dem((DEM / "nodata.xml").read_bytes(), "nodata.xml")
    assert res.ok
    nan = np.nan
    # startPoint 2 1: row 0 and row 1 columns 0–1 have no value; row 2 column 0 is
    # データなし, column 1 海水面 -9999.; the 10 values end at row 3 column 1
    want = np.array([[nan, nan, nan, nan, nan],
                     [nan, nan, 11.0, 11.5, 12.0],
                     [nan, nan, 11.0, 11.5, 12.0],
                     [9.0, 9.5, nan, nan, nan]], dtype=np.float32)
    assert_array_equal(res.terrain.height_m, want)
    (p,) = res.problems
    assert (p.code, p.value, p.severity) == ("dem_no_data", "12", "warning")
    assert res.meta["nodata_cells"] == 12
    assert res.meta["point_types"] == {"地表面": 8, "データなし": 1, "海水面": 1}


def test_overlapping_meshes_laser_survey_wins_and_gaps_are_filled():
    west = WEST.read_text(encoding="utf-8")
    photo = west.replace("地表面,", "地表面,1").replace("DEM001", "DEM009")   # 1xx m
    nodata = (DEM / "nodata.xml").read_text(encoding="utf-8")
    blob = _zip([("FG-GML-5339-67-48-DEM5B-20240101.xml", photo),
                 ("FG-GML-5339-67-48-DEM5A-20240101.xml", nodata)])
    res = im.read_dem(blob, "both.zip")
    h = res.terrain.height_m
    # DEM5A's 8 heights kept; its 12 empty cells filled from DEM5B (typed "1" + height)
    a = np.isfinite(im.read_dem(nodata.encode(), "a.xml").terrain.height_m)
    assert a.sum() == 8
    assert_array_equal(h[a], [11.0, 11.5, 12.0, 11.0, 11.5, 12.0, 9.0, 9.5])
    assert h[0, 0] == 112.0 and h[2, 0] == 110.0           # "1" + "12.00", "1" + "10.00"
    assert not np.isnan(h).any() and "dem_no_data" not in [p.code for p in res.problems]


def _moved(text, lower, upper, high=None):
    out = text.replace("35.866666667 139.975277778", lower).replace(
        "35.866888889 139.975555556", upper)
    return out if high is None else out.replace("<gml:high>4 3</gml:high>",
                                                f"<gml:high>{high}</gml:high>")


def test_mixed_cell_sizes_are_refused():
    east = EAST.read_text(encoding="utf-8")
    # the east mesh stretched to 0.4″ cells (10 m): twice the extent, same 5 × 4 cells
    ten = _moved(east, "35.866666667 139.975277778", "35.867111111 139.975833334")
    res = im.read_dem(_zip([(WEST.name, WEST.read_bytes()), ("ten.xml", ten)]), "x.zip")
    assert res.fatal.code == "dem_mixed_resolution" and res.terrain is None


def test_a_mesh_off_the_grid_is_refused():
    east = EAST.read_text(encoding="utf-8")
    # shifted east by half a cell (0.1″ = 0.000027778°)
    half = _moved(east, "35.866666667 139.975305556", "35.866888889 139.975583334")
    res = im.read_dem(_zip([(WEST.name, WEST.read_bytes()), ("half.xml", half)]), "x.zip")
    assert res.fatal.code == "bad_dem" and "aligned" in res.fatal.message


@pytest.mark.parametrize("name, code", [
    ("corrupt_value.xml", "bad_dem"),      # 地表面,11.5x
    ("corrupt_count.xml", "bad_dem"),      # 21 values for 20 cells
    ("damaged.xml", "bad_xml"),            # cut inside the tupleList
])
def test_damaged_files(name, code):
    res = im.read_dem((DEM / name).read_bytes(), name)
    assert not res.ok and res.fatal.code == code and res.terrain is None
    with pytest.raises(im.ImportFileError):
        res.raise_for_fatal()


WEST_TEXT = WEST.read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, code", [
    ('order="+x-y"', 'order="+y+x"', "bad_dem"),
    ("<gml:startPoint>0 0</gml:startPoint>", "<gml:startPoint>5 0</gml:startPoint>",
     "bad_dem"),
    ("<gml:high>4 3</gml:high>", "<gml:high>4</gml:high>", "bad_dem"),
    ("<gml:high>4 3</gml:high>", "<gml:high>-1 3</gml:high>", "bad_dem"),
    ("35.866666667 139.975000000", "35.866666667", "bad_dem"),
    ("地表面,9.50", "地表面9.50", "bad_dem"),
    ("地表面,9.50", "地表面,nan", "bad_dem"),
    ("fguuid:jgd2011.bl", "fguuid:jgd2011.pr.9", "unknown_crs"),
    ("35.866666667 139.975000000</gml:lowerCorner>\n          <gml:upperCorner>"
     "35.866888889 139.975277778", "51.5 -0.13</gml:lowerCorner>\n          "
     "<gml:upperCorner>51.5002 -0.1297", "outside_japan"),
    ("<DEM gml:id", "<Cntr gml:id", "not_dem"),
    ("<Dataset ", "<CityModel ", "not_dem"),
])
def test_broken_structure_is_a_coded_rejection(old, new, code):
    assert WEST_TEXT.count(old) >= 1
    text = WEST_TEXT.replace(old, new).replace("</Dataset>", "</CityModel>") \
        if new == "<CityModel " else WEST_TEXT.replace(old, new)
    if new == "<Cntr gml:id":
        text = text.replace("</DEM>", "</Cntr>")
    res = im.read_dem(text.encode("utf-8"), "x.xml")
    assert not res.ok and res.fatal.code == code, [p.as_dict() for p in res.problems]


def test_old_datum_is_read_with_a_warning():
    res = im.read_dem(WEST_TEXT.replace("jgd2011", "jgd2000").encode(), "old.xml")
    assert res.ok and [p.code for p in res.problems] == ["old_datum"]


@pytest.mark.parametrize("data, code", [
    ((ROOT / "tests/data/fgd/xxe.xml").read_bytes(), "xml_entities"),
    ((ROOT / "tests/data/fgd/billion_laughs.xml").read_bytes(), "xml_entities"),
    ((ROOT / "tests/data/fgd/zip_bomb.zip").read_bytes(), "zip_bomb"),
    ((ROOT / "tests/data/fgd/FG-GML-533967-town-20240101-0001.xml").read_bytes(), "not_dem"),
    (b"", "empty"),
])
def test_hostile_or_wrong_files(data, code):
    res = im.read_dem(data, "x")
    assert res.fatal.code == code


def test_cell_limits_before_allocating():
    # one mesh of 20 cells over a limit of 10; the 40-cell mosaic over a limit of 30
    res = im.read_dem(WEST.read_bytes(), WEST.name, limits=im.Limits(max_dem_cells=10))
    assert res.fatal.code == "too_many_cells"
    res = im.read_dem(ZIP.read_bytes(), ZIP.name, limits=im.Limits(max_dem_cells=30))
    assert res.fatal.code == "too_many_cells" and res.fatal.value == "40"
    # two meshes 0.4° × 1° apart span 7,200 × 18,000 cells: refused before the array is made
    far = _moved(EAST.read_text(encoding="utf-8"), "35.466666667 140.975277778",
                 "35.466888889 140.975555556")
    res = im.read_dem(_zip([(WEST.name, WEST.read_bytes()), ("far.xml", far)]), "x.zip")
    assert res.fatal.code == "too_many_cells"


# ------------------------------------------------------------ load_terrain and CLI
def test_load_terrain_reads_a_dem_zip(tmp_path):
    from assessments.plan.validate import load_terrain
    path = tmp_path / ZIP.name
    path.write_bytes(ZIP.read_bytes())
    t = load_terrain({"file": ZIP.name}, base_dir=tmp_path)
    assert_array_equal(t.height_m, PLANE.astype(np.float32))
    bad = tmp_path / "bad.xml"
    bad.write_bytes((DEM / "corrupt_count.xml").read_bytes())
    with pytest.raises(im.ImportFileError) as exc:
        load_terrain({"file": str(bad)})
    assert exc.value.code == "bad_dem"


def _plan():
    """A camera in the middle of the DEM mosaic looking east over a 20 m × 20 m area."""
    lat0, lon0 = 35.8667778, 139.9752778
    g = Grid.from_bounds(lat0, lon0, -1, -1, 1, 1, 1.0)
    lat, lon = g.to_latlon(np.array([-10.0, 10.0, 10.0, -10.0, -10.0]),
                           np.array([-10.0, -10.0, 10.0, 10.0, -10.0]))
    return {"version": 1, "name": "dem", "resolution_m": 0.5, "target_height_m": 1.5,
            "area": {"type": "Polygon",
                     "coordinates": [[[float(o), float(a)] for o, a in zip(lon, lat)]]},
            "cameras": [{"id": "C1", "lat": lat0, "lon": lon0, "mount_height_m": 3.0,
                         "azimuth_deg": 90.0, "tilt_deg": -10.0, "hfov_deg": 90.0,
                         "width_px": 1920, "height_px": 1080}],
            "lights": []}


def _run(*args):
    return subprocess.run([sys.executable, "-m", "assessments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def test_cli_terrain_accepts_a_dem_zip_like_the_same_heights_as_npz(tmp_path):
    plan = tmp_path / "PLAN.json"
    plan.write_text(json.dumps(_plan()), encoding="utf-8")
    t = im.read_dem(ZIP.read_bytes(), ZIP.name).terrain
    npz = tmp_path / "dem.npz"
    np.savez(npz, height_m=t.height_m, lat_north=t.lat_north, lon_west=t.lon_west,
             dlat_deg=t.dlat_deg, dlon_deg=t.dlon_deg)
    out_zip, out_npz = tmp_path / "zip.json", tmp_path / "npz.json"
    r = _run("simulate", str(plan), "--terrain", str(ZIP), "--out", str(out_zip))
    assert r.returncode == 0, r.stderr
    r = _run("simulate", str(plan), "--terrain", str(npz), "--out", str(out_npz))
    assert r.returncode == 0, r.stderr
    a = json.loads(out_zip.read_text(encoding="utf-8"))
    b = json.loads(out_npz.read_text(encoding="utf-8"))
    assert a == b and a["covered_m2"] > 0
    r = _run("simulate", str(plan), "--terrain", str(DEM / "corrupt_count.xml"))
    assert r.returncode == 2 and "bad_dem" in r.stderr and "Traceback" not in r.stderr
