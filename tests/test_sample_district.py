"""The bundled sample district (新座市, PLATEAU) and the simulation presets."""
from __future__ import annotations

import csv
import importlib.util
import json
import math
import re
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

ROOT = Path(__file__).resolve().parents[1]
SD = ROOT / "datasets" / "sample_district"
ATTRIBUTION = "3D都市モデル（Project PLATEAU）新座市（2020年度）（国土交通省）を加工して作成"


def _load(name):
    return json.loads((SD / name).read_text(encoding="utf-8"))


def _presets(name):
    with open(ROOT / "datasets" / name, encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def _to_m():
    """lon/lat → zone IX metres (EPSG:6677; X north, Y east), as a shapely transform."""
    import numpy as np
    from pyproj import Transformer
    t = Transformer.from_crs(6668, 6677, always_xy=True)

    def fn(a):
        e, n = t.transform(a[:, 0], a[:, 1])
        return np.column_stack([e, n])
    return fn


@pytest.fixture(scope="module")
def geo():
    import shapely
    from shapely.geometry import shape
    fn = _to_m()
    plan = _load("plan.json")
    return {
        "plan": plan,
        "buildings": [shapely.transform(shape(f["geometry"]), fn)
                      for f in _load("buildings.geojson")["features"]],
        "streets": {f["properties"]["id"]: shapely.transform(shape(f["geometry"]), fn)
                    for f in _load("streets.geojson")["features"]},
        "park": shapely.transform(shape(_load("park.geojson")["features"][0]["geometry"]), fn),
        "area": shapely.transform(shape(plan["area"]), fn),
        "fn": fn,
    }


def test_buildings_file():
    fc = _load("buildings.geojson")
    assert fc["attribution"] == ATTRIBUTION and fc["licence"] == "CC BY 4.0"
    feats = fc["features"]
    heights = [f["properties"]["height_m"] for f in feats]
    assert len(feats) == 657 and min(heights) == 2.5 and max(heights) == 27.7
    assert not any("is_home" in f["properties"] for f in feats)   # no bldg:usage in the file
    known = next(f for f in feats if f["properties"]["id"] == "11230-bldg-1549")
    assert known["properties"]["height_m"] == 3.9
    text = (SD / "buildings.geojson").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{8,}", text)                    # ≤ 7 decimals
    assert (SD / "buildings.geojson").stat().st_size < 300_000
    assert ATTRIBUTION in (SD / "README.md").read_text(encoding="utf-8")


def test_area_is_300_m_square_inside_the_data(geo):
    from shapely.geometry import MultiPolygon
    area = geo["area"]
    assert_allclose(area.area, 300.0 * 300.0, rtol=0.01)          # [m²]
    minx, miny, maxx, maxy = area.bounds
    assert_allclose([maxx - minx, maxy - miny], [300.0, 300.0], rtol=0.01)
    extent = MultiPolygon(geo["buildings"]).envelope
    assert extent.contains(area)
    ex = extent.bounds                                             # about 580 m × 390 m
    assert 560 < ex[2] - ex[0] < 600 and 370 < ex[3] - ex[1] < 400
    inside = sum(area.contains(b.centroid) for b in geo["buildings"])
    assert inside > 300                                            # the residential blocks


def test_streets_run_along_real_gaps(geo):
    for sid, line in geo["streets"].items():
        d = min(line.distance(b) for b in geo["buildings"])
        assert d >= 1.3, (sid, d)                                  # [m]; script uses 1.4 m
        assert line.length > 100 and geo["area"].buffer(1.0).contains(line)


def test_park_on_open_ground(geo):
    park = geo["park"]
    assert geo["area"].contains(park) and park.area >= 900        # ≥ 30 m × 30 m
    assert all(not park.intersects(b) for b in geo["buildings"])
    assert all(park.distance(s) >= 2.9 for s in geo["streets"].values())


def test_plan_loads_and_matches_the_municipality():
    from assessments.plan.document import parse_plan_json
    plan = parse_plan_json((SD / "plan.json").read_bytes())
    assert plan["version"] == 1 and plan["name"] == "サンプル地区（新座市・PLATEAU）"
    m = plan["municipality"]
    with open(ROOT / "datasets" / "municipalities.csv", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["code"] == "112305")
    assert (m["code"], m["prefecture"], m["name"]) == (row["code"], row["prefecture"],
                                                       row["name"])
    assert_allclose([m["lat"], m["lon"]], [float(row["lat"]), float(row["lon"])])
    assert plan["sample"]["attribution"] == ATTRIBUTION
    assert len(plan["buildings"]["features"]) == 657
    assert (SD / "plan.json").stat().st_size < 300_000


def test_cameras_on_streets_aimed_along_them(geo):
    from shapely.geometry import Point
    plan, fn = geo["plan"], geo["fn"]
    presets = _presets("camera_presets.csv")
    cams = plan["cameras"]
    assert 8 <= len(cams) <= 12 and len({c["id"] for c in cams}) == len(cams)
    import numpy as np
    for c in cams:
        assert 4.0 <= c["mount_height_m"] <= 6.0
        pr = presets[c["preset"]]
        assert c["hfov_deg"] == float(pr["hfov_deg"]) and c["width_px"] == int(pr["width_px"])
        p = Point(fn(np.array([[c["lon"], c["lat"]]]))[0])
        assert geo["area"].contains(p)
        if c["id"] == "C11":                                      # the park camera
            assert p.distance(geo["park"]) < 1.5
            continue
        near = [s for s in geo["streets"].values() if s.distance(p) < 1.0]
        assert near, c["id"]
        # the camera looks along one of the streets it stands on (either direction);
        # grid north of zone IX differs from true north by < 0.2° here
        dirs = []
        for s in near:
            (x0, y0), (x1, y1) = s.coords[0], s.coords[-1]
            dirs.append(math.degrees(math.atan2(x1 - x0, y1 - y0)) % 180.0)
        diff = min(min(abs(c["azimuth_deg"] % 180.0 - d), 180 - abs(c["azimuth_deg"] % 180.0
                                                                     - d)) for d in dirs)
        assert diff < 2.0, (c["id"], c["azimuth_deg"], dirs)


def test_lights_on_streets_from_presets(geo):
    from shapely.geometry import Point
    import numpy as np
    plan, fn = geo["plan"], geo["fn"]
    presets = _presets("light_presets.csv")
    lights = plan["lights"]
    assert 15 <= len(lights) <= 20
    for lt in lights:
        pr = presets[lt["preset"]]
        assert lt["mount_height_m"] == 5.0 and lt["lumens"] == float(pr["lumens"])
        assert lt["distribution"] == "wide" and "intensity_cd" not in lt
        p = Point(fn(np.array([[lt["lon"], lt["lat"]]]))[0])
        assert min(s.distance(p) for s in geo["streets"].values()) < 0.5
    assert sum(lt["preset"] == "led_20va_mv100" for lt in lights) == 4   # the 4 junctions


def test_script_reproduces_the_files(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_sample_district", ROOT / "datasets" / "tools" / "make_sample_district.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    info = mod.make(ROOT / "tests" / "data" / "53395404_bldg_6697_op.gml", tmp_path)
    assert info["buildings"] == 657 and info["has_usage"] is False
    for name in ("buildings.geojson", "streets.geojson", "park.geojson", "area.geojson",
                 "plan.json"):
        assert (tmp_path / name).read_bytes() == (SD / name).read_bytes(), name


# ----------------------------------------------------------------- presets
def _schema_columns(table):
    text = (ROOT / "datasets" / "schema.sql").read_text(encoding="utf-8")
    body = text.split(f"CREATE TABLE {table} (", 1)[1].split(");", 1)[0]
    return [line.split()[0] for line in body.splitlines()
            if line.strip() and not line.strip().startswith("--")]


@pytest.mark.parametrize("table", ["camera_presets", "light_presets"])
def test_preset_csv_matches_schema_and_flags_judgement(table):
    with open(ROOT / "datasets" / f"{table}.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        assert reader.fieldnames == _schema_columns(table)
    assert rows
    for r in rows:
        assert r["source"].strip() and r["basis"].strip()
        if "judgement" in r["basis"]:
            assert r["verified"] == "false", r["id"]


def test_camera_preset_figures():
    p = _presets("camera_presets.csv")
    k = p["kakogawa_fullhd_103"]                    # facts.md §3a: 103°, Full HD
    assert (float(k["hfov_deg"]), int(k["width_px"]), int(k["height_px"])) == (103, 1920, 1080)
    e = p["outdoor_ir_2mp_example"]                 # facts.md §5c: 0.02 lx, 0 lx IR, 60 m
    assert (float(e["min_illuminance_color_lx"]), float(e["min_illuminance_ir_lx"]),
            float(e["ir_range_m"])) == (0.02, 0.0, 60.0)
    from assessments.engine.storage import bitrate_bps
    for r in p.values():                            # Kush gauge, 10 fps, low motion
        w, h = int(r["width_px"]), int(r["height_px"])
        assert_allclose(float(r["bitrate_h264_mbps"]),
                        bitrate_bps(w, h, fps=10, codec="h264") / 1e6, atol=0.006)
        assert_allclose(float(r["bitrate_h265_mbps"]),
                        bitrate_bps(w, h, fps=10, codec="h265") / 1e6, atol=0.006)


def test_presets_in_reference_db(ref_cursor):
    n = ref_cursor.execute("SELECT count(*) FROM camera_presets").fetchone()[0]
    assert n == len(_presets("camera_presets.csv"))
    row = ref_cursor.execute("SELECT lumens, verified FROM light_presets "
                             "WHERE id = 'led_10va_fl32'").fetchone()
    assert row == (1300.0, False)
