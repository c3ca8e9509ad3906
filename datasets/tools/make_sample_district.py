"""Build ``datasets/sample_district/`` from the PLATEAU CityGML of 新座市 (埼玉県).

Run by a developer (the app never reads the input)::

    python datasets/tools/make_sample_district.py [/work/shared/data/plateau/53395404_bldg_6697_op.gml]

Output (``datasets/sample_district/``):

- ``buildings.geojson`` — the 657 PLATEAU buildings: LOD0 footprints (lon/lat, 7 decimals),
  ``height_m`` = ``bldg:measuredHeight`` [m], ``id`` = 建物ID, ``gml_id``. The file has no
  ``bldg:usage``, so no building is marked ``is_home`` (the user marks homes in the app).
- ``area.geojson`` — the area of interest: a 300 m × 300 m square placed by hand inside
  the 390 m × 580 m extent over the residential blocks.
- ``streets.geojson`` — five street centre lines placed by hand along real gaps between the
  footprints (each keeps at least ``MIN_CLEARANCE_M`` from every building; checked here).
  They are illustrative, not the surveyed road network.
- ``park.geojson`` — a park polygon placed by hand on the largest open space of the area.
- ``plan.json`` — a plan (``docs/architecture.md``) for 新座市 (112305) with the area,
  the buildings, cameras at street junctions aimed along the streets (presets of
  ``datasets/camera_presets.csv``) and 防犯灯 along the streets (``light_presets.csv``).

Attribution: 「3D都市モデル（Project PLATEAU）新座市（2020年度）（国土交通省）を加工して作成」
(CC BY 4.0).
"""
from __future__ import annotations

import csv
import json
import math
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assessments.plan import iotools  # noqa: E402

DEFAULT_IN = Path("/work/shared/data/plateau/53395404_bldg_6697_op.gml")
OUT = ROOT / "datasets" / "sample_district"
ATTRIBUTION = "3D都市モデル（Project PLATEAU）新座市（2020年度）（国土交通省）を加工して作成"
LICENCE = "CC BY 4.0"
#: Local frame: metres east / north of this corner (south-west of the data's extent).
LON0, LAT0 = 139.5500, 35.7550
MIN_CLEARANCE_M = 1.4          # [m]: a lane of about 3 m between walls
PLAN_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "mimamori:sample_district:niiza:53395404"))

# WGS 84 / GRS80 radii at the centre latitude give metres per degree (local tangent plane;
# error < 0.01 % over 600 m).
_A, _E2 = 6378137.0, 0.00669438002290
_PHI = math.radians(35.7568)
_N = _A / math.sqrt(1 - _E2 * math.sin(_PHI) ** 2)
_M = _A * (1 - _E2) / (1 - _E2 * math.sin(_PHI) ** 2) ** 1.5
KX = math.radians(1) * _N * math.cos(_PHI)       # [m / ° lon]
KY = math.radians(1) * _M                        # [m / ° lat]


def to_lonlat(x_m: float, y_m: float) -> list[float]:
    return [round(LON0 + x_m / KX, 7), round(LAT0 + y_m / KY, 7)]


def to_xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon - LON0) * KX, (lat - LAT0) * KY


#: Street centre lines in the local frame [m], read off the gaps between footprints: a
#: search over straight lines (offset and tilt; the blocks' grid is tilted about 3°) for
#: the largest distance to the nearest footprint. ``check_streets`` re-checks it.
STREETS = {
    "S1": ("東西通り（北）", [(290.0, 284.4), (499.0, 269.8)]),
    "S2": ("東西通り（西）", [(235.0, 188.8), (372.0, 179.2)]),
    "S3": ("南北通り（西）", [(299.8, 95.0), (320.3, 290.0)]),
    "S4": ("南北通り（東）", [(465.3, 95.0), (428.5, 375.0)]),
    "S5": ("東西通り（東）", [(376.0, 208.4), (499.0, 199.8)]),
}
#: Area of interest, 300 m × 300 m [m].
AREA_XY = (205.0, 78.0, 505.0, 378.0)


def load_presets():
    def read(name):
        with open(ROOT / "datasets" / name, encoding="utf-8") as fh:
            return {r["id"]: r for r in csv.DictReader(fh)}
    return read("camera_presets.csv"), read("light_presets.csv")


def building_geoms(fc):
    import shapely
    from shapely.geometry import shape
    return [shapely.transform(shape(f["geometry"]), _xy_array) for f in fc["features"]]


def _xy_array(a):
    import numpy as np
    return np.column_stack([(a[:, 0] - LON0) * KX, (a[:, 1] - LAT0) * KY])


def _ll_array(a):
    import numpy as np
    return np.column_stack([LON0 + a[:, 0] / KX, LAT0 + a[:, 1] / KY])


def check_streets(bgeoms):
    from shapely.geometry import LineString
    from shapely.strtree import STRtree
    tree = STRtree(bgeoms)
    out = {}
    for sid, (_, pts) in STREETS.items():
        line = LineString(pts)
        idx = tree.query_nearest(line)
        d = min(line.distance(bgeoms[i]) for i in idx)
        if d < MIN_CLEARANCE_M:
            raise SystemExit(f"street {sid} passes {d:.2f} m from a building")
        out[sid] = round(d, 2)
    return out


def find_park(bgeoms, streets_union):
    """The largest open square (side ≥ 30 m) in the area, away from buildings and streets."""
    import numpy as np
    from shapely.geometry import box
    from shapely.strtree import STRtree
    tree = STRtree(bgeoms)
    x0, y0, x1, y1 = AREA_XY
    best = None
    for side in (50.0, 45.0, 40.0, 35.0, 30.0):
        for cx in np.arange(x0 + side / 2 + 5, x1 - side / 2 - 5, 2.0):
            for cy in np.arange(y0 + side / 2 + 5, y1 - side / 2 - 5, 2.0):
                sq = box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
                near = tree.query(sq.buffer(3.0))
                if len(near) == 0 and sq.distance(streets_union) >= 3.0:
                    return sq
        if best:
            break
    raise SystemExit("no open space for the park")


def make(gml_path: Path = DEFAULT_IN, out_dir: Path = OUT) -> dict:
    from shapely.geometry import LineString, mapping
    from shapely.ops import unary_union
    res = iotools.read_citygml(gml_path.read_bytes(), gml_path.name)
    res.raise_for_fatal()
    fc = res.collection
    assert len(fc["features"]) == 657, len(fc["features"])
    has_usage = any("usage" in f["properties"] for f in fc["features"])
    for f in fc["features"]:
        f["properties"] = {k: f["properties"][k] for k in ("id", "gml_id", "height_m",
                                                           "is_home", "usage")
                           if k in f["properties"]}
    bgeoms = building_geoms(fc)
    clearance = check_streets(bgeoms)
    lines = {sid: LineString(pts) for sid, (_, pts) in STREETS.items()}
    park = find_park(bgeoms, unary_union(list(lines.values())))
    cam_presets, light_presets = load_presets()

    def ll(geom):
        import shapely
        return shapely.transform(geom, _ll_array)

    def bearing(p, q):
        return round(math.degrees(math.atan2(q[0] - p[0], q[1] - p[1])) % 360.0, 1)

    def at(sid, frac):
        pt = lines[sid].interpolate(frac, normalized=True)
        return pt.x, pt.y

    def junction(a, b):
        p = lines[a].intersection(lines[b])
        if p.is_empty:
            raise SystemExit(f"streets {a} and {b} do not cross")
        return p.x, p.y

    # --- cameras: junctions and street ends, aimed along the street
    def cam(cid, xy, toward, preset, h, note):
        pr = cam_presets[preset]
        lon, lat = to_lonlat(*xy)
        return {"id": cid, "lat": lat, "lon": lon, "mount_height_m": h,
                "azimuth_deg": bearing(xy, toward), "tilt_deg": 12.0 if h < 5 else 15.0,
                "hfov_deg": float(pr["hfov_deg"]), "width_px": int(pr["width_px"]),
                "height_px": int(pr["height_px"]), "vfov_deg": None, "max_range_m": None,
                "ir_range_m": float(pr["ir_range_m"] or 0.0),
                "min_illuminance_lx": float(pr["min_illuminance_color_lx"] or 0.5),
                "shutter_s": 0.0167, "model": pr["name_ja"], "preset": preset,
                "address": "", "use_case": "watch_children", "unit_price_jpy": 0,
                "note": note}

    j13, j14, j23, j45 = junction("S1", "S3"), junction("S1", "S4"), \
        junction("S2", "S3"), junction("S5", "S4")
    cams = [
        cam("C1", j13, at("S1", 1.0), "kakogawa_fullhd_103", 5.0, "S1×S3 交差点 → 東"),
        cam("C2", j13, at("S3", 0.0), "typical_bullet_2mp", 5.0, "S1×S3 交差点 → 南"),
        cam("C3", j14, at("S1", 0.0), "kakogawa_fullhd_103", 5.0, "S1×S4 交差点 → 西"),
        cam("C4", j14, at("S4", 0.0), "typical_bullet_2mp_tele", 6.0, "S1×S4 交差点 → 南"),
        cam("C5", j23, at("S2", 0.0), "typical_bullet_2mp", 4.5, "S2×S3 交差点 → 西"),
        cam("C6", at("S3", 0.03), at("S3", 1.0), "typical_bullet_2mp_tele", 6.0,
            "S3 南端 → 北"),
        cam("C7", j45, at("S5", 1.0), "kakogawa_fullhd_103", 5.0, "S5×S4 交差点 → 東"),
        cam("C8", j45, at("S4", 1.0), "typical_bullet_2mp", 5.0, "S5×S4 交差点 → 北"),
        cam("C9", at("S4", 0.03), at("S4", 1.0), "typical_bullet_2mp_tele", 6.0,
            "S4 南端 → 北"),
        cam("C10", at("S2", 0.97), at("S2", 0.0), "typical_dome_4mp", 4.0, "S2 東端 → 西"),
    ]
    pc = park.centroid
    pk = park.exterior.coords[0]
    corner = (pk[0] + (0.5 if pk[0] < pc.x else -0.5), pk[1] + (0.5 if pk[1] < pc.y else -0.5))
    cams.append(cam("C11", corner, (pc.x, pc.y), "typical_dome_4mp", 4.0, "公園の角 → 公園"))

    # --- lights: 防犯灯 along the streets (pole spacing grown until at most 20 lights);
    # 20VA class at junctions, 10VA (32 W fluorescent equivalent) elsewhere
    junctions = [j13, j14, j23, j45]
    from shapely.geometry import Point
    for spacing in range(30, 80, 2):
        pts = list(junctions)
        for sid, line in lines.items():
            n = max(1, int(line.length // spacing))
            for k in range(n + 1):
                p = line.interpolate(k * line.length / n)
                if all(Point(p.x, p.y).distance(Point(q)) > spacing * 0.6 for q in pts):
                    pts.append((p.x, p.y))
        if len(pts) <= 20:
            break
    lights = []
    for i, xy in enumerate(pts, start=1):
        preset = "led_20va_mv100" if xy in junctions else "led_10va_fl32"
        pr = light_presets[preset]
        lon, lat = to_lonlat(*xy)
        lights.append({"id": f"L{i}", "lat": lat, "lon": lon,
                       "mount_height_m": float(pr["mount_height_m"]),
                       "lumens": float(pr["lumens"]), "distribution": pr["distribution"],
                       "model": pr["name_ja"], "preset": preset})

    x0, y0, x1, y1 = AREA_XY
    area = {"type": "Polygon", "coordinates": [[to_lonlat(x0, y0), to_lonlat(x1, y0),
                                                to_lonlat(x1, y1), to_lonlat(x0, y1),
                                                to_lonlat(x0, y0)]]}
    street_fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": sid, "name": name, "kind": "street",
                                           "clearance_m": clearance[sid]},
         "geometry": {"type": "LineString", "coordinates": [to_lonlat(*p) for p in pts_]}}
        for sid, (name, pts_) in STREETS.items()]}
    park_geom = mapping(ll(park))
    park_fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "P1", "name": "公園（仮置き）", "kind": "park"},
         "geometry": {"type": park_geom["type"],
                      "coordinates": iotools.round_coords(park_geom["coordinates"])}}]}
    area_fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "area", "name": "対象エリア 300 m × 300 m"},
         "geometry": area}]}
    plan = {
        "version": 1, "id": PLAN_ID, "name": "サンプル地区（新座市・PLATEAU）",
        "municipality": {"code": "112305", "prefecture": "埼玉県", "name": "新座市",
                         "lat": 35.793333, "lon": 139.565278},
        "project": {"title": "通学路の見守りカメラと防犯灯（サンプル）",
                    "purpose": "サンプル地区での配置検討の例", "issues": "",
                    "target_state": "", "start_fy": None, "applicant": ""},
        "use_cases": ["watch_children"],
        "grant": {"scheme_id": None},
        "area": area, "resolution_m": 1.0, "target_height_m": 1.5,
        "cameras": cams, "lights": lights,
        "buildings": fc,
        "sample": {"attribution": ATTRIBUTION, "licence": LICENCE,
                   "layers": ["streets.geojson", "park.geojson", "area.geojson"],
                   "note": "streets, park, cameras and lights are placed by hand for "
                           "illustration; buildings are PLATEAU 新座市 (2020)"},
        "costs": {"years": 5, "items": [], "running": []},
        "kpis": [], "schedule": [], "readiness": {"answers": {}},
        "privacy": {"answers": {}, "settings": {"retention_days": 14}},
        "created_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00",
    }
    out_dir.mkdir(parents=True, exist_ok=True)

    def dump(name, obj):
        (out_dir / name).write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
                                    + "\n", encoding="utf-8")
    fc_out = dict(fc)
    fc_out["attribution"] = ATTRIBUTION
    fc_out["licence"] = LICENCE
    dump("buildings.geojson", fc_out)
    dump("streets.geojson", street_fc)
    dump("park.geojson", park_fc)
    dump("area.geojson", area_fc)
    (out_dir / "plan.json").write_text(json.dumps(plan, ensure_ascii=False, indent=None,
                                                  separators=(",", ":")) + "\n",
                                       encoding="utf-8")
    return {"buildings": len(fc["features"]), "has_usage": has_usage,
            "cameras": len(cams), "lights": len(lights), "clearance_m": clearance,
            "park_m2": round(park.area, 1), "light_spacing_m": spacing}


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_IN
    print(make(src))
