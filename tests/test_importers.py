"""File import and export (``assessments.plan.iotools``): camera / light tables, GeoJSON,
PLATEAU CityGML, exports, and the bad-input corpus (``tests/data/bad/``)."""
from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from numpy.testing import assert_allclose

from assessments.plan import iotools as im

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"
YAIZU_CP932 = DATA / "yaizu_kasen_kaigan_kanshi_camera_from_dbf_cp932.csv"
YAIZU_UTF8 = DATA / "yaizu_kasen_kaigan_kanshi_camera_from_dbf_utf8.csv"
GML = DATA / "53395404_bldg_6697_op.gml"
GEOJSON = DATA / "niiza_53395404_bldg_lod0.geojson"


def codes(res, row="any"):
    return [p.code for p in res.problems if row == "any" or p.row == row]


# ----------------------------------------------------------------- real files
@pytest.mark.parametrize("path", [YAIZU_CP932, YAIZU_UTF8])
def test_yaizu_cameras_load(path):
    res = im.read_point_table(path.read_bytes(), path.name)
    assert res.ok and len(res.rows) == 30 and res.skipped == []
    assert res.meta["encoding"] == ("cp932" if "cp932" in path.name else "utf-8")
    assert res.meta["columns"] == {"設置主体": "installer", "番号": "id", "地点": "name",
                                   "北緯": "lat", "東経": "lon", "URL": "url"}
    first, last = res.rows[0], res.rows[-1]
    # first and last data rows of the file, as published
    assert first["id"] == "101" and first["name"] == "田尻北（駿河海岸）"
    assert_allclose([first["lat"], first["lon"]], [34.838730, 138.336139], atol=1e-9)
    assert last["name"] == "一色・横須賀川"
    assert_allclose([last["lat"], last["lon"]], [34.830354, 138.334995], atol=1e-9)
    # 国 101–113 + 細島 = 14; 県 201–209 + 2 = 11; 焼津市 1–5 = 5
    inst = [r["installer"] for r in res.rows]
    assert (inst.count("国設置カメラ"), inst.count("県設置カメラ"),
            inst.count("焼津市設置カメラ")) == (14, 11, 5)
    # three rows have 番号 0 in the DBF: ids made unique and reported
    assert [p.row for p in res.problems if p.code == "duplicate_id"] == [29, 30]
    assert len({r["id"] for r in res.rows}) == 30
    # the file has no camera parameters: every default applied and counted
    assert res.defaults_applied["mount_height_m"] == 30
    assert first["mount_height_m"] == 5.0 and first["hfov_deg"] == 90.0
    assert (first["width_px"], first["height_px"]) == (1920, 1080)


def test_yaizu_both_encodings_equal():
    a = im.read_point_table(YAIZU_CP932.read_bytes(), "a.csv").rows
    b = im.read_point_table(YAIZU_UTF8.read_bytes(), "b.csv").rows
    assert a == b


def test_citygml_and_geojson_give_same_buildings():
    g = im.read_citygml(GML.read_bytes(), GML.name)
    j = im.read_geojson(GEOJSON.read_bytes(), GEOJSON.name)
    assert g.ok and j.ok and g.problems == [] and j.problems == []
    assert g.meta["crs"] == "EPSG:6697"
    fg = {f["properties"]["gml_id"]: f for f in g.collection["features"]}
    fj = {f["properties"]["gml_id"]: f for f in j.collection["features"]}
    assert len(fg) == len(fj) == 657 and fg.keys() == fj.keys()
    from shapely.geometry import shape
    hg = np.array([fg[k]["properties"]["height_m"] for k in sorted(fg)])
    hj = np.array([fj[k]["properties"]["height_m"] for k in sorted(fg)])
    assert_allclose(hg, hj)
    assert hg.min() == 2.5 and hg.max() == 27.7      # shared/README: 2.5–27.7 m
    for k in sorted(fg):
        a, b = shape(fg[k]["geometry"]), shape(fj[k]["geometry"])
        assert a.hausdorff_distance(b) < 2e-7        # [°]; 7-decimal rounding
        assert abs(a.area - b.area) <= 5e-3 * b.area    # 1 cm rounding on ~12 m² sheds


def test_citygml_known_building():
    g = im.read_citygml(GML.read_bytes())
    f = next(f for f in g.collection["features"]
             if f["properties"]["id"] == "11230-bldg-1549")
    assert f["properties"]["height_m"] == 3.9
    ring = f["geometry"]["coordinates"][0]
    # posList starts "35.75599827822895 139.55424111138112 55.03…" (lat lon h) → lon, lat
    assert [139.5542411, 35.7559983] in ring
    assert "is_home" not in f["properties"]          # the file has no bldg:usage


def test_citygml_lod1_only_gives_floor_footprint():
    text = GML.read_text(encoding="utf-8")
    start = text.index("<bldg:lod0FootPrint>")
    end = text.index("</bldg:lod0FootPrint>") + len("</bldg:lod0FootPrint>")
    g = im.read_citygml((text[:start] + text[end:]).encode("utf-8"))
    f = next(f for f in g.collection["features"]
             if f["properties"]["id"] == "11230-bldg-1549")
    from shapely.geometry import shape
    ref = next(f for f in im.read_geojson(GEOJSON.read_bytes()).collection["features"]
               if f["properties"]["id"] == "11230-bldg-1549")
    assert shape(f["geometry"]).hausdorff_distance(shape(ref["geometry"])) < 2e-7


def test_citygml_usage_marks_homes():
    text = GML.read_text(encoding="utf-8")
    mark = '<bldg:measuredHeight uom="m">3.9</bldg:measuredHeight>'
    text = text.replace(mark, '<bldg:usage>411</bldg:usage>' + mark, 1)
    g = im.read_citygml(text.encode("utf-8"))
    homes = [f for f in g.collection["features"] if f["properties"].get("is_home")]
    assert [f["properties"]["id"] for f in homes] == ["11230-bldg-1549"]


# ----------------------------------------------------------------- values
def test_dms_by_hand():
    # 35°45'12.3" = 35 + 45/60 + 12.3/3600 = 35 + 0.75 + 0.0034166… = 35.7534166…
    for s in ("35°45'12.3\"", "35度45分12.3秒", "N35°45′12.3″", "３５°４５′１２．３″",
              "35:45:12.3", "35 45 12.3", "北緯35度45分12.3秒"):
        assert_allclose(im.parse_coordinate(s), 35.75341666666667, rtol=0, atol=1e-12), s
    # 139°33'10" = 139 + 0.55 + 0.0027777… = 139.5527777…
    assert_allclose(im.parse_coordinate("139°33'10\"E"), 139.55277777777778, atol=1e-12)
    assert im.parse_coordinate("35°45'S") == -35.75
    assert im.parse_coordinate(" ３５．７５ ") == 35.75
    assert im.parse_coordinate("") is None
    for bad in ("35°75'12\"", "abc", "35°45'12\"x"):
        with pytest.raises(ValueError):
            im.parse_coordinate(bad)


def test_numbers_zenkaku_units_separators():
    assert im.parse_number("５．５") == 5.5
    assert im.parse_number("1,234") == 1234.0
    assert im.parse_number("4.5m") == 4.5
    assert im.parse_number("90°") == 90.0
    assert im.parse_number("−3") == -3.0                 # U+2212 minus
    assert im.parse_number("なし") is None
    assert math.isnan(im.parse_number("nan"))


def test_plane_zone_ix_known_point_and_round_trip():
    # zone IX origin (告示第九号): 36°0'0" N, 139°50'0" E at X = Y = 0.
    # X = 1000 m north: Δφ = 1000 / 0.9999 / M(36°); M = a(1−e²)/(1−e² sin²φ)^1.5
    # = 6 357 482 m → 110 958.5 m per degree → Δφ = 1000.1 / 110 958.5 = 0.0090134°.
    data = "名称,X,Y\n原点,0,0\n北1km,1000,0\n".encode("utf-8")
    res = im.read_point_table(data, "xy.csv", prefecture="埼玉県")
    assert res.meta["crs"] == "EPSG:6677"
    assert_allclose([res.rows[0]["lat"], res.rows[0]["lon"]], [36.0, 139.8333333], atol=1e-7)
    assert_allclose(res.rows[1]["lat"], 36.0090134, atol=1e-6)
    # round trip: 新座市役所 (municipalities.csv) → zone IX → importer → same lat/lon
    from pyproj import Transformer
    fwd = Transformer.from_crs(6668, 6677, always_xy=True)
    e, n = fwd.transform(139.565278, 35.793333)
    res = im.read_point_table(f"X,Y\n{n:.3f},{e:.3f}\n".encode(), "xy.csv",
                              prefecture="埼玉県")
    assert_allclose([res.rows[0]["lat"], res.rows[0]["lon"]], [35.793333, 139.565278],
                    atol=2e-7)


def test_plane_zone_table_and_unknown():
    assert im.PLANE_ZONE_BY_PREFECTURE["埼玉県"] == 9
    assert im.PLANE_ZONE_BY_PREFECTURE["静岡県"] == 8
    assert len(im.PLANE_ZONE_BY_PREFECTURE) == 47
    assert im.plane_zone_epsg(1) == 6669 and im.plane_zone_epsg(19) == 6687
    with pytest.raises(ValueError, match="1–19"):
        im.plane_zone_epsg(20)
    res = im.read_point_table(b"X,Y\n0,0\n", "xy.csv")
    assert codes(res) == ["zone_unknown"] and not res.ok
    res = im.read_point_table(b"X,Y\n0,0\n", "xy.csv", prefecture="北海道")
    assert "zone_assumed" in codes(res) and res.meta["crs"] == "EPSG:6680"


def test_kind_validated():
    with pytest.raises(ValueError, match="camera"):
        im.read_point_table(b"", "x.csv", kind="pole")


def test_english_headers_and_resolution_and_lights():
    data = ("id,latitude,longitude,mount_height_m,azimuth_deg,tilt_deg,hfov_deg,resolution\n"
            "K1,35.757,139.553,6,-90,10,103,2560x1440\n").encode()
    r = im.read_point_table(data, "c.csv").rows[0]
    assert (r["azimuth_deg"], r["width_px"], r["height_px"], r["hfov_deg"]) == \
        (270.0, 2560, 1440, 103.0)
    lights = im.read_point_table("番号,緯度,経度,光束\n1,35.757,139.553,1300\n"
                                 "2,35.758,139.554,\n".encode(), "l.csv", kind="light")
    a, b = lights.rows
    assert a == {"id": "1", "lat": 35.757, "lon": 139.553, "lumens": 1300.0,
                 "mount_height_m": 5.0, "distribution": "wide"}
    assert b["lumens"] == im.DEFAULT_LIGHT["lumens"]


def test_default_light_matches_preset_csv():
    path = Path(__file__).resolve().parents[1] / "datasets" / "light_presets.csv"
    rows = {r["id"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}
    assert float(rows["led_10va_fl32"]["lumens"]) == im.DEFAULT_LIGHT["lumens"]


def test_out_of_range_row_skipped():
    res = im.read_point_table(b"lat,lon,hfov_deg\n35.7,139.5,400\n35.7,139.5,80\n", "c.csv")
    assert len(res.rows) == 1 and res.skipped == [2]
    assert [(p.row, p.field, p.code) for p in res.problems] == [(2, "hfov_deg",
                                                                  "out_of_range")]


# ----------------------------------------------------------------- bad-input corpus
# file → (ok, number of rows / features, problem codes that must be present)
CORPUS = {
    "cp932_zenkaku_dms.csv": (True, 2, ["encoding"]),
    "utf8_bom.csv": (True, 2, []),
    "utf16_bom.csv": (True, 2, []),
    "utf16le_nobom.tsv": (True, 2, ["delimiter"]),
    "shift_jis.csv": (True, 2, ["encoding"]),
    "swapped_latlon.csv": (True, 2, ["swapped_lat_lon"]),
    "empty.csv": (False, 0, ["empty"]),
    "header_only.csv": (False, 0, ["header_only"]),
    "semicolon.csv": (True, 2, ["delimiter"]),
    "tab.tsv": (True, 2, ["delimiter"]),
    "nan_inf.csv": (True, 1, ["not_finite"]),
    "outside_japan.csv": (True, 1, ["outside_japan"]),
    "binary.csv": (False, 0, ["unknown_encoding"]),
    "no_coordinates.csv": (False, 0, ["no_coordinates"]),
    "bad_dms.csv": (True, 1, ["bad_dms"]),
    "injection.csv": (True, 1, []),
    "address_only.csv": (True, 0, ["needs_geocoding"]),
    "plane_xy_zone9.csv": (True, 2, []),
    "title_row.csv": (True, 2, []),
    "formulas_cached.xlsx": (True, 3, []),
    "formulas_uncached.xlsx": (True, 2, ["formula_not_calculated"]),
    "hidden_sheet.xlsx": (True, 1, ["hidden_sheets_ignored"]),
    "merged_cells.xlsx": (True, 3, ["merged_cells"]),
    "renamed_csv.xlsx": (True, 2, ["renamed_csv"]),
    "not_zip.xlsx": (False, 0, ["not_xlsx"]),
    "encrypted_standin.xlsx": (False, 0, ["encrypted"]),
    "legacy.xls": (False, 0, ["xls_legacy"]),
    "damaged_zip.xlsx": (False, 0, ["bad_zip"]),
    "self_intersecting.geojson": (True, 1, ["repaired"]),
    "clockwise.geojson": (True, 1, []),
    "three_d.geojson": (True, 1, []),
    "point_only.geojson": (False, 0, ["not_polygon", "no_buildings"]),
    "bad_json.geojson": (False, 0, ["bad_json"]),
    "nan_coords.geojson": (False, 0, ["not_finite"]),
    "swapped.geojson": (True, 1, ["swapped_lat_lon"]),
    "no_height_usage.geojson": (True, 2, ["default_height", "bad_height"]),
    "not_geojson.json": (False, 0, ["not_geojson"]),
    "deep_nesting.geojson": (False, 0, ["bad_json"]),
    "xxe.gml": (False, 0, ["xml_entities"]),
    "billion_laughs.gml": (False, 0, ["xml_entities"]),
    "truncated.gml": (False, 0, ["bad_xml"]),
    "no_buildings.gml": (False, 0, ["no_buildings"]),
}


def _read_any(path: Path, **kw):
    data = path.read_bytes()
    if path.suffix in (".geojson", ".json", ".gml"):
        res = im.read_buildings(data, path.name, **kw)
        return res, len(res.collection["features"]) if res.collection else 0
    res = im.read_point_table(data, path.name, prefecture="埼玉県", **kw)
    return res, len(res.rows)


def test_corpus_is_complete():
    # the rest of the corpus is checked against tests/data/bad/MANIFEST.csv
    # (tests/test_hostile_corpus.py)
    files = {p.name for p in BAD.iterdir() if not p.name.startswith("_")}
    assert set(CORPUS) <= files


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_corpus(name):
    ok, n, want = CORPUS[name]
    res, got = _read_any(BAD / name)
    assert res.ok is ok, [p.as_dict() for p in res.problems]
    assert got == n
    for code in want:
        assert code in codes(res), (code, codes(res))
    for p in res.problems:       # every problem is complete and of a documented code
        assert p.code in im.PROBLEM_CODES and p.message and p.severity in (
            "error", "warning", "info")
    if not ok:
        with pytest.raises(im.ImportFileError) as exc:
            res.raise_for_fatal()
        assert exc.value.code == res.fatal.code


def test_every_problem_code_has_ui_text():
    from ui.strings.simulate import STRINGS
    for code in im.PROBLEM_CODES:
        ja, en = STRINGS[f"sim.imp.{code}"]
        assert ja.strip() and en.strip(), code


def test_corpus_values():
    res, _ = _read_any(BAD / "cp932_zenkaku_dms.csv")
    # ３５°４５′１２．３″ → 35.7534167 (see test_dms_by_hand); 139°33′10″ → 139.5527778
    assert_allclose([res.rows[0]["lat"], res.rows[0]["lon"]], [35.7534167, 139.5527778])
    assert res.rows[1]["mount_height_m"] == 4.5                    # ４．５
    res, _ = _read_any(BAD / "swapped_latlon.csv")
    assert (res.rows[0]["lat"], res.rows[0]["lon"]) == (35.757, 139.553)
    res, _ = _read_any(BAD / "merged_cells.xlsx")
    assert [r["installer"] for r in res.rows] == ["新座市"] * 3
    res, _ = _read_any(BAD / "formulas_cached.xlsx")
    assert res.rows[1]["lat"] == 35.756 and res.rows[2]["mount_height_m"] == 6.0
    res, _ = _read_any(BAD / "nan_inf.csv")
    assert [(p.row, p.field) for p in res.problems] == [(2, "lat"), (3, "lon"),
                                                         (4, "mount_height_m")]
    res, _ = _read_any(BAD / "clockwise.geojson")
    from shapely.geometry import shape
    g = shape(res.collection["features"][0]["geometry"])
    assert g.exterior.is_ccw and res.collection["features"][0]["properties"]["height_m"] == 9.5
    res, _ = _read_any(BAD / "three_d.geojson")
    ring = res.collection["features"][0]["geometry"]["coordinates"][0]
    assert all(len(p) == 2 for p in ring)
    assert res.collection["features"][0]["properties"]["height_m"] == 12.3
    res, _ = _read_any(BAD / "no_height_usage.geojson")
    props = [f["properties"] for f in res.collection["features"]]
    assert [p["is_home"] for p in props] == [True, False]           # usage 411 / 402
    assert [p["height_m"] for p in props] == [6.0, 6.0]
    res, _ = _read_any(BAD / "self_intersecting.geojson")
    # the bowtie 0.0002° × 0.0002° splits into two triangles of a quarter of the square
    assert_allclose(shape(res.collection["features"][0]["geometry"]).area,
                    0.0002 * 0.0002 / 2, rtol=1e-6)


# ----------------------------------------------------------------- big hostile files
def test_million_rows_rejected(tmp_path):
    path = tmp_path / "million.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,lat,lon\n")
        fh.write("A,35.75,139.55\n" * 1_000_000)
    res = im.read_point_table(path.read_bytes(), path.name)
    assert not res.ok and res.fatal.code == "too_many_rows" and res.rows == []
    assert res.fatal.value == "100000"
    small = im.read_point_table(path.read_bytes(), path.name,
                                limits=im.Limits(max_bytes=1_000_000))
    assert small.fatal.code == "too_large"


def _xlsx_bytes():
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["lat", "lon"])
    wb.active.append([35.75, 139.55])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_zip_bomb_rejected_before_parsing(tmp_path):
    zin = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in zin.infolist():
            z.writestr(item, zin.read(item.filename))
        z.writestr("xl/media/bomb.bin", b"\0" * 20_000_000)
    data = out.getvalue()
    assert len(data) < 100_000
    res = im.read_point_table(data, "bomb.xlsx")              # ratio ≈ 1000:1 > 200:1
    assert res.fatal.code == "zip_bomb"
    res = im.read_point_table(data, "bomb.xlsx", limits=im.Limits(
        max_compression_ratio=1e9, max_uncompressed_bytes=10_000_000))
    assert res.fatal.code == "zip_bomb"                       # declared total > limit


def test_damaged_workbooks_are_rejected_cleanly():
    # a valid workbook whose XML parts get bytes changed, cut and inserted (seeded): every
    # one either loads or is refused with a file-level problem, never an exception
    import random
    zin = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    parts = [(i, zin.read(i.filename)) for i in zin.infolist()]
    rng = random.Random(7)
    fatal = set()
    for _ in range(150):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info, body in parts:
                body = bytearray(body)
                if rng.random() < 0.4:
                    for _ in range(rng.randint(1, 6)):
                        p = rng.randrange(len(body))
                        if rng.random() < 0.5:
                            del body[p:p + rng.randint(1, 30)]
                        else:
                            body[p:p] = rng.choice([b"<", b"\"", b"&", b"</x>", b"-1"])
                z.writestr(info.filename, bytes(body))
        res = im.read_point_table(out.getvalue(), "damaged.xlsx")
        assert res.ok or res.fatal.code in im.PROBLEM_CODES
        if not res.ok:
            fatal.add(res.fatal.code)
    assert "unsupported_format" in fatal           # the corpus really reaches the parser


def test_zip_encrypted_workbook_part():
    # general-purpose flag bit 0 = the member is encrypted (PKWARE APPNOTE 4.4.4); zipfile
    # would ask for a password, so the workbook is refused as encrypted
    data = bytearray(_xlsx_bytes())
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    for info in z.infolist():
        data[info.header_offset + 6] |= 0x01          # local file header flags
    cd = bytes(data).rfind(b"PK\x05\x06")
    start = int.from_bytes(data[cd + 16:cd + 20], "little")
    pos = start
    while data[pos:pos + 4] == b"PK\x01\x02":          # central directory headers
        data[pos + 8] |= 0x01
        n, m, k = (int.from_bytes(data[pos + o:pos + o + 2], "little") for o in (28, 30, 32))
        pos += 46 + n + m + k
    res = im.read_point_table(bytes(data), "locked.xlsx")
    assert res.fatal.code == "encrypted"


def test_one_unrepairable_polygon_does_not_reject_the_file():
    # a MultiPolygon with a part of five identical vertices: shapely.make_valid raises
    # GEOSException ("Overlay input is mixed-dimension"); that building is skipped and the
    # others are read (the whole file used to be refused)
    sq = [[139.553, 35.757], [139.5531, 35.757], [139.5531, 35.7571], [139.553, 35.7571],
          [139.553, 35.757]]
    east = [[x + 2e-4, y] for x, y in sq]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {
            "type": "MultiPolygon", "coordinates": [[[[139.554, 35.757]] * 5], [east]]}},
        {"type": "Feature", "properties": {"id": "B9", "height_m": 9},
         "geometry": {"type": "Polygon", "coordinates": [sq]}}]}
    res = im.read_geojson(json.dumps(fc).encode())
    assert res.ok and res.skipped == [1]
    assert [(p.row, p.code) for p in res.problems] == [(1, "invalid_geometry")]
    assert [f["properties"] for f in res.collection["features"]] == [{"id": "B9",
                                                                     "height_m": 9.0}]


def test_deeply_nested_coordinates_are_an_invalid_geometry():
    # JSON nests 900 lists deep without complaint; shapely recurses into them
    coords = 1.0
    for _ in range(900):
        coords = [coords]
    data = json.dumps({"type": "Polygon", "coordinates": coords}).encode()
    res = im.read_geojson(data)
    assert [(p.row, p.code) for p in res.problems] == [(1, "invalid_geometry"),
                                                        (None, "no_buildings")]


@pytest.mark.parametrize("crs", [[1], "EPSG:6677", {"properties": [1]}, {"properties": None},
                                 {"properties": {"name": ["EPSG:6677"]}},
                                 {"properties": {"name": "EPSG:99999"}}])
def test_junk_crs_member(crs):
    sq = [[139.553, 35.757], [139.5531, 35.757], [139.5531, 35.7571], [139.553, 35.7571],
          [139.553, 35.757]]
    fc = {"type": "FeatureCollection", "crs": crs, "features": [
        {"type": "Feature", "properties": {"height_m": 9},
         "geometry": {"type": "Polygon", "coordinates": [sq]}}]}
    res = im.read_geojson(json.dumps(fc).encode())
    # a crs member that names no EPSG code is ignored (RFC 7946 dropped it: lon/lat);
    # an unknown code refuses the file
    unknown = isinstance(crs, dict) and crs["properties"] == {"name": "EPSG:99999"}
    assert (res.fatal.code if res.fatal else None) == ("unknown_crs" if unknown else None)


def test_json_integers_too_large_for_a_float():
    # JSON has no number limit: 10**400 overflows a float and is read as infinite
    assert im.parse_number(10 ** 400) == math.inf and im.parse_coordinate(-10 ** 400) == -math.inf
    sq = [[139.553, 35.757], [139.5531, 35.757], [139.5531, 35.7571], [139.553, 35.7571],
          [139.553, 35.757]]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"height_m": 10 ** 400},
         "geometry": {"type": "Polygon", "coordinates": [sq]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [[[10 ** 400, 35.757]] + sq[1:]]}}]}
    res = im.read_geojson(json.dumps(fc).encode())
    assert [(p.row, p.code) for p in res.problems] == [(1, "bad_height"), (2, "not_finite")]
    assert res.collection["features"][0]["properties"]["height_m"] == 6.0   # the default
    assert len(res.problems[0].message) < 200


def test_huge_vertex_counts():
    t = np.linspace(0, 2 * np.pi, 50_001)
    ring = np.column_stack([139.553 + 1e-3 * np.cos(t), 35.757 + 1e-3 * np.sin(t)])
    ring[-1] = ring[0]
    small = [[139.553, 35.757], [139.5531, 35.757], [139.5531, 35.7571], [139.553, 35.757]]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                            "coordinates": [ring.tolist()]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                            "coordinates": [small]}}]}
    data = json.dumps(fc).encode()
    res = im.read_geojson(data)
    assert res.ok and len(res.collection["features"]) == 1 and res.skipped == [1]
    assert codes(res, 1) == ["too_many_vertices"]
    res = im.read_geojson(data, limits=im.Limits(max_vertices_total=1000,
                                                 max_vertices_per_feature=10**6))
    assert res.fatal.code == "too_many_vertices_total"


def test_problem_list_is_bounded():
    data = ("lat,lon\n" + "x,y\n" * 2000).encode()
    res = im.read_point_table(data, "x.csv", limits=im.Limits(max_problems=50))
    assert len(res.problems) == 51 and res.problems[-1].code == "too_many_problems"
    assert len(res.skipped) == 2000


# ----------------------------------------------------------------- fuzz
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_load_or_yield_problems(data):
    for name in ("x.csv", "x.xlsx"):
        res = im.read_point_table(data, name)
        assert isinstance(res, im.ImportResult)
        assert res.rows or res.problems or not data.strip()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=8),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "cp932", "utf-16"]))
def test_any_table_text_loads_or_yields_problems(rows, delim, enc):
    body = "\n".join(delim.join(r) for r in [["名称", "緯度", "経度"]] + rows)
    try:
        data = body.encode(enc)
    except UnicodeEncodeError:
        data = body.encode("utf-8")
    res = im.read_point_table(data, "x.csv")
    assert res.ok or res.fatal.code in im.PROBLEM_CODES
    for r in res.rows:
        assert 20 <= r["lat"] <= 46 and 122 <= r["lon"] <= 154


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                        st.sampled_from(["type", "features", "geometry", "coordinates",
                                         "properties", "height_m"]), c, max_size=4),
                    max_leaves=30))
def test_any_json_geojson_loads_or_yields_problems(obj):
    res = im.read_geojson(json.dumps(obj).encode())
    assert res.ok == (res.collection is not None)


# ----------------------------------------------------------------- geocoding
class _Loc:
    def __init__(self, lat, lon):
        self.latitude, self.longitude = lat, lon


class FakeGeocoder:
    def __init__(self):
        self.calls = []

    def geocode(self, query):
        self.calls.append(query)
        if "新座市" in query:
            return _Loc(35.793333, 139.565278)
        if "Paris" in query:
            return _Loc(48.85, 2.35)
        if "timeout" in query:
            raise TimeoutError("fake")
        return None


def test_geocode_addresses_with_fake_geocoder():
    res = im.read_point_table(("名称,住所,緯度,経度\n市役所,埼玉県新座市野火止1-1-1,,\n"
                               "海外,Paris,,\n遅い,timeout,,\n不明,どこか,,\n").encode(), "a.csv")
    assert len(res.needs_geocoding) == 4 and res.rows == []
    geo = FakeGeocoder()
    pauses = []
    out = im.geocode_addresses(res.needs_geocoding, geo, sleep=pauses.append)
    assert geo.calls == ["埼玉県新座市野火止1-1-1", "Paris", "timeout", "どこか"]
    assert pauses == [1.0, 1.0, 1.0]                 # one second between requests
    assert [(r["name"], r["lat"], r["lon"]) for r in out.rows] == [
        ("市役所", 35.793333, 139.565278)]
    assert out.rows[0]["attributes"]["geocoded"] is True
    assert [(p.row, p.code) for p in out.problems] == [(2, "geocode_failed"),
                                                        (3, "geocode_failed"),
                                                        (4, "geocode_failed")]
    capped = im.geocode_addresses(res.needs_geocoding, FakeGeocoder(), min_delay_s=0,
                                  limits=im.Limits(max_geocode=1))
    assert codes(capped)[0] == "geocode_limit" and len(capped.rows) == 1


def test_geocoder_errors_are_reported_and_bugs_are_not_hidden():
    geopy_exc = pytest.importorskip("geopy.exc")

    class Failing:
        def __init__(self, exc):
            self.exc = exc

        def geocode(self, query):
            raise self.exc

    rows = [{"id": "C1", "address": "埼玉県新座市野火止1-1-1"}]
    for exc in (geopy_exc.GeocoderTimedOut("slow"), geopy_exc.GeocoderServiceError("503"),
                ConnectionRefusedError("offline"), ValueError("bad answer")):
        out = im.geocode_addresses(rows, Failing(exc), min_delay_s=0)
        assert [(p.row, p.code, p.message) for p in out.problems] == [
            (1, "geocode_failed", f"geocoding failed ({type(exc).__name__})")]
    with pytest.raises(AttributeError):              # a broken geocoder object is a bug
        im.geocode_addresses(rows, Failing(AttributeError("no such method")), min_delay_s=0)


# ----------------------------------------------------------------- exports
def test_points_csv_bom_injection_and_round_trip():
    rows = im.read_point_table(YAIZU_UTF8.read_bytes(), "y.csv").rows
    rows[0] = {**rows[0], "name": "=HYPERLINK(\"http://x\")", "model": "+1", "address": "@a",
               "use_case": "-2+3"}
    data = im.points_to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(text)))
    assert first["name"] == "'=HYPERLINK(\"http://x\")"
    assert (first["model"], first["address"], first["use_case"]) == ("'+1", "'@a", "'-2+3")
    back = im.read_point_table(data, "export.csv")
    assert back.ok and len(back.rows) == 30
    for a, b in zip(rows[1:], back.rows[1:]):
        for k in ("id", "lat", "lon", "mount_height_m", "hfov_deg", "width_px", "installer"):
            assert a[k] == b[k], k
    assert back.rows[0]["lat"] == rows[0]["lat"]


def test_escape_cell():
    assert im.escape_cell("=1+1") == "'=1+1"
    assert im.escape_cell("\tx") == "'\tx"
    assert im.escape_cell("駅前") == "駅前"
    assert im.escape_cell(-3.5) == -3.5                # numbers stay numbers


def test_features_geojson_round_trip():
    res = im.read_geojson(GEOJSON.read_bytes())
    data = im.features_to_geojson(res.collection, name="buildings")
    back = im.read_geojson(data)
    assert back.collection["features"] == res.collection["features"]
    from shapely.geometry import Point
    fp = im.features_to_geojson([(Point(139.5531234567, 35.75).buffer(1e-4), {"camera": "C1"})])
    obj = json.loads(fp)
    assert obj["features"][0]["properties"] == {"camera": "C1"}
    assert obj["features"][0]["geometry"]["type"] == "Polygon"
    pts = im.points_to_features([{"id": "C1", "lat": 35.75, "lon": 139.55}])
    assert pts["features"][0]["geometry"]["coordinates"] == [139.55, 35.75]


def test_area_kind_merges_polygons():
    sq = lambda x: [[x, 35.757], [x + 1e-3, 35.757], [x + 1e-3, 35.758], [x, 35.758],  # noqa
                    [x, 35.757]]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "対象"},
         "geometry": {"type": "Polygon", "coordinates": [sq(139.553)]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [sq(139.554)]}}]}
    res = im.read_geojson(json.dumps(fc).encode(), kind="area")
    feats = res.collection["features"]
    assert len(feats) == 1 and feats[0]["properties"]["name"] == "対象"
    from shapely.geometry import shape
    assert_allclose(shape(feats[0]["geometry"]).area, 2e-6, rtol=1e-6)   # two 1e-3² squares


def test_resolution_width_and_height_headers():
    """解像度幅 / 解像度高さ (as some 防犯カメラ台帳 name them): a 2560 × 1440 camera stays
    2560 × 1440 (it was stored as the 1920 × 1080 default)."""
    from assessments.plan.iotools.table import read_point_table
    data = "ID,緯度,経度,解像度幅,解像度高さ\nC1,35.86,139.97,2560,1440\n".encode("utf-8")
    res = read_point_table(data, "cams.csv", kind="camera")
    assert [(r["width_px"], r["height_px"]) for r in res.rows] == [(2560, 1440)]


def test_an_unclosed_quote_names_the_lines_it_swallowed():
    """10 cameras, line 4 (C3) opens a quote it never closes: the csv module would read
    lines 4–11 as one field; C1 and C2 are imported and lines 4–11 are reported."""
    from assessments.plan.iotools.table import read_point_table
    lines = ["ID,緯度,経度"] + [f"C{i},35.86{i},139.97{i}" for i in range(1, 11)]
    lines[3] = 'C3,"35.863,139.973'
    res = read_point_table(("\n".join(lines) + "\n").encode(), "cams.csv", kind="camera")
    assert [r["id"] for r in res.rows] == ["C1", "C2"]
    assert [(p.code, p.row, p.value) for p in res.problems] == [("unclosed_quote", 4, "4–11")]


def test_a_field_over_the_csv_limit_loses_only_its_line():
    """A 140,000-character note on line 3 (C2): that line is reported, the 9 others kept."""
    from assessments.plan.iotools.table import read_point_table
    lines = ["ID,緯度,経度,備考"] + [f"C{i},35.86{i},139.97{i},x" for i in range(1, 11)]
    lines[2] = "C2,35.862,139.972," + "x" * 140_000
    res = read_point_table(("\n".join(lines) + "\n").encode(), "cams.csv", kind="camera")
    assert [r["id"] for r in res.rows] == ["C1"] + [f"C{i}" for i in range(3, 11)]
    assert ("field_too_long", 3) in [(p.code, p.row) for p in res.problems]
