"""基盤地図情報 基本項目 GML (``assessments.plan.iotools.fgd``): layers, buildings and their
heights, .zip downloads, and damaged or hostile files (``tests/data/fgd/``).

The fixtures are written by hand from FGD_GMLSchema.xsd (see ``tests/data/fgd/README.md``);
positions in the files are ``latitude longitude``, so a file's ``35.8600 139.9690`` is the
GeoJSON ``[139.969, 35.86]``.
"""
from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import pytest
from shapely.geometry import shape

from assessments.plan import iotools as im

DATA = Path(__file__).resolve().parent / "data"
FGD = DATA / "fgd"
TOWN = FGD / "FG-GML-533967-town-20240101-0001.xml"
BLDL = FGD / "FG-GML-533967-BldL-20240101-0001.xml"
BLDA = FGD / "FG-GML-533967-BldA-20240101-0001.xml"
TWO = FGD / "FG-GML-533967-two-files.zip"
HEIGHTS = {"普通建物": 6.0, "堅ろう建物": 15.0, "普通無壁舎": 3.0}


def codes(res, row="any"):
    return [p.code for p in res.problems if row == "any" or p.row == row]


def _zip(members, nested=None) -> bytes:
    """A zip of ``members`` with a fixed date: the same bytes at every collection (the
    two pytest-xdist workers must collect the same parameters)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), blob,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _by_id(res):
    return {f["properties"]["id"]: f for f in res.collection["features"]}


def _ring(feature, i=0):
    return {tuple(p) for p in feature["geometry"]["coordinates"][i]}


# ------------------------------------------------------------------------ layers
def test_town_layers_hand_checked():
    res = im.read_fgd(TOWN.read_bytes(), TOWN.name)
    assert res.ok and res.collection is None             # no building in this file
    assert res.meta["counts"] == {"RdEdg": 2, "RdCompt": 1, "RailCL": 1, "WL": 1,
                                  "AdmBdry": 1, "CommBdry": 4, "CommPt": 2, "AdmArea": 1}
    assert res.meta["layers"] == {"roads": 3, "rail": 1, "water": 1, "boundaries": 5,
                                  "admin_areas": 1, "towns": 2, "town_areas": 1}
    assert res.meta["crs"].startswith("JGD2011")
    # ElevPt is not used: said once, as information
    assert res.meta["ignored"] == {"ElevPt": 1}
    info = [p for p in res.problems if p.code == "ignored_features"]
    assert len(info) == 1 and info[0].severity == "info" and info[0].value == "ElevPt×1"
    roads = res.layers["roads"]["features"]
    # RdEdg K1_533967_1: 35.8600 139.9690 → 35.8600 139.9710 (lat lon in the file)
    assert roads[0]["geometry"] == {"type": "LineString",
                                    "coordinates": [[139.969, 35.86], [139.971, 35.86]]}
    assert roads[0]["properties"] == {"class": "RdEdg", "gml_id": "K1_533967_1",
                                      "fid": "20240101-53396-70001-s-1", "type": "真幅道路",
                                      "vis": "表示"}
    assert roads[1]["geometry"]["coordinates"] == [[139.969, 35.8602], [139.97, 35.8602],
                                                   [139.971, 35.8602]]
    assert roads[2]["properties"]["class"] == "RdCompt"
    assert (roads[2]["properties"]["type"], roads[2]["properties"]["vis"]) == ("歩道", "非表示")
    # RailCL: two LineStringSegments sharing 35.8625 139.9700 → one line of 3 points
    rail = res.layers["rail"]["features"][0]
    assert rail["geometry"]["coordinates"] == [[139.968, 35.862], [139.97, 35.8625],
                                               [139.972, 35.863]]
    assert (rail["properties"]["type"], rail["properties"]["name"]) == ("普通鉄道", "東武野田線")
    water = res.layers["water"]["features"][0]
    assert water["properties"]["name"] == "大堀川"
    assert water["geometry"]["coordinates"][1] == [139.97, 35.8582]
    bdry = res.layers["boundaries"]["features"]
    assert [f["properties"]["class"] for f in bdry] == ["AdmBdry"] + ["CommBdry"] * 4
    assert bdry[0]["properties"]["type"] == "市区町村界"


def test_towns_points_and_the_face_their_boundaries_close():
    res = im.read_fgd(TOWN.read_bytes(), TOWN.name)
    towns = res.layers["towns"]["features"]
    assert [t["properties"]["name"] for t in towns] == ["旭町一丁目", "旭町二丁目"]
    assert towns[0]["geometry"] == {"type": "Point", "coordinates": [139.9705, 35.86]}
    assert towns[0]["properties"]["code"] == "12217"
    # the four CommBdry lines close the square lat 35.8590–35.8610, lon 139.9695–139.9715;
    # 旭町一丁目's point (35.8600, 139.9705) is inside, 旭町二丁目's (35.8650) is not
    (face,) = res.layers["town_areas"]["features"]
    assert face["properties"] == {"name": "旭町一丁目", "code": "12217", "type": "大字・町・丁目"}
    assert _ring(face) == {(139.9695, 35.859), (139.9715, 35.859), (139.9715, 35.861),
                           (139.9695, 35.861)}
    g = shape(face["geometry"])
    assert math.isclose(g.area, 0.002 * 0.002, rel_tol=1e-9)
    assert g.exterior.is_ccw                             # RFC 7946 winding
    (city,) = res.layers["admin_areas"]["features"]
    assert (city["properties"]["name"], city["properties"]["code"]) == ("柏市", "12217")
    assert math.isclose(shape(city["geometry"]).area, 0.010 * 0.015, rel_tol=1e-9)


# --------------------------------------------------------------------- buildings
def test_building_outlines_heights_by_type():
    res = im.read_fgd(BLDL.read_bytes(), BLDL.name, building_height_m=HEIGHTS)
    assert res.ok and res.layers == {}
    b = _by_id(res)
    # BldL 1, 2, 3, 6 close on their own; 4 + 5 close together; 7 closes nothing
    assert res.meta["outlines"] == {"closed": 4, "joined": 1, "open_unused": 1}
    got = {k: (f["properties"]["height_m"], f["properties"]["building_type"])
           for k, f in b.items()}
    assert got == {"20240101-53396-70010-s-1": (6.0, "普通建物"),
                   "20240101-53396-70010-s-2": (15.0, "堅ろう建物"),
                   "20240101-53396-70010-s-3": (3.0, "普通無壁舎"),
                   "20240101-53396-70010-s-6": (15.0, "堅ろう建物"),
                   "20240101-53396-70010-s-4": (6.0, "普通建物")}
    assert res.meta["building_types"] == {"普通建物": 2, "堅ろう建物": 2, "普通無壁舎": 1}
    assert res.meta["heights_by_type"] == HEIGHTS
    # BldL 1: 35.8595–35.8596 × 139.9700–139.9701, counter-clockwise in lon/lat
    one = b["20240101-53396-70010-s-1"]
    assert _ring(one) == {(139.97, 35.8595), (139.9701, 35.8595), (139.9701, 35.8596),
                          (139.97, 35.8596)}
    assert shape(one["geometry"]).exterior.is_ccw
    assert one["properties"]["gml_id"] == "K10_533967_1"
    # BldL 4 (35.8605 139.9706 → 35.8605 139.9708 → 35.8607 139.9708) + BldL 5 (back)
    joined = b["20240101-53396-70010-s-4"]
    assert _ring(joined) == {(139.9706, 35.8605), (139.9708, 35.8605), (139.9708, 35.8607),
                             (139.9706, 35.8607)}
    assert b["20240101-53396-70010-s-6"]["properties"]["name"] == "市民会館"
    (warn,) = [p for p in res.problems if p.code == "open_outline"]
    assert (warn.value, warn.severity) == ("1", "warning")
    # no building of FGD has a height of its own: none is reported one by one
    assert "default_height" not in codes(res)


def test_one_height_for_all_and_the_default():
    res = im.read_fgd(BLDL.read_bytes(), BLDL.name, building_height_m=9.5)
    assert {f["properties"]["height_m"] for f in res.collection["features"]} == {9.5}
    assert "heights_by_type" not in res.meta
    res = im.read_fgd(BLDL.read_bytes(), BLDL.name)
    assert {f["properties"]["height_m"] for f in res.collection["features"]} == {
        im.DEFAULT_BUILDING_HEIGHT_M}
    # a type missing from the mapping gets the default height (6 m)
    res = im.read_fgd(BLDL.read_bytes(), BLDL.name, building_height_m={"堅ろう建物": 20.0})
    assert sorted(f["properties"]["height_m"] for f in res.collection["features"]) == [
        6.0, 6.0, 6.0, 20.0, 20.0]


@pytest.mark.parametrize("bad", [0, -3.0, float("nan"), float("inf"), 1000, True, "6",
                                 {"普通建物": 0.0}, {"堅ろう建物": float("nan")}])
def test_a_bad_height_argument_raises(bad):
    with pytest.raises(ValueError):
        im.read_fgd(BLDL.read_bytes(), BLDL.name, building_height_m=bad)


def test_building_area_wins_and_its_outline_is_not_counted_twice():
    blob = _zip([(BLDA.name, BLDA.read_bytes()), (BLDL.name, BLDL.read_bytes())])
    res = im.read_fgd(blob, "FG-GML-533967-ALL.zip", building_height_m=HEIGHTS)
    assert res.ok and res.meta["files"] == [BLDA.name, BLDL.name]
    b = _by_id(res)
    # 5 buildings: BldA 市民会館 + BldL 1, 2, 3 + the joined 4/5; BldL 6 is BldA's outline
    assert sorted(b) == ["20240101-53396-70010-s-1", "20240101-53396-70010-s-2",
                         "20240101-53396-70010-s-3", "20240101-53396-70010-s-4",
                         "20240101-53396-70011-s-1"]
    assert res.meta["outlines"]["duplicate"] == 1
    hall = b["20240101-53396-70011-s-1"]
    assert hall["properties"]["name"] == "市民会館"
    assert hall["properties"]["height_m"] == 15.0
    # exterior 0.0002 × 0.0004 with a 0.0001 × 0.0002 courtyard
    g = shape(hall["geometry"])
    assert len(g.interiors) == 1
    assert math.isclose(g.area, 0.0002 * 0.0004 - 0.0001 * 0.0002, rel_tol=1e-6)
    # without the surfA link the outline is still recognised (it lies inside the BldA)
    unlinked = BLDL.read_bytes().replace(b'<surfA xlink:href="#K11_533967_1"/>', b"")
    blob = _zip([(BLDA.name, BLDA.read_bytes()), (BLDL.name, unlinked)])
    res = im.read_fgd(blob, "all.zip")
    assert len(res.collection["features"]) == 5 and res.meta["outlines"]["duplicate"] == 1


def test_a_building_problem_names_the_feature_row():
    # BldL 6 (feature 6 of the file, building 4 of the collection) drawn as a bow tie
    square = b"35.8592 139.9706\n35.8592 139.9710\n35.8594 139.9710\n35.8594 139.9706"
    bowtie = b"35.8592 139.9706\n35.8592 139.9710\n35.8594 139.9706\n35.8594 139.9710"
    assert BLDL.read_bytes().count(square) == 1
    res = im.read_fgd(BLDL.read_bytes().replace(square, bowtie), BLDL.name)
    assert res.ok
    assert [p.row for p in res.problems if p.code == "repaired"] == [6]


def test_buildings_pass_the_plan_validator():
    from assessments.plan.validate import validate_plan
    res = im.read_fgd(TWO.read_bytes(), TWO.name, building_height_m=HEIGHTS)
    area = res.layers["town_areas"]["features"][0]["geometry"]
    plan = {"version": 1, "name": "FGD", "resolution_m": 1.0, "target_height_m": 1.5,
            "area": area, "buildings": res.collection, "cameras": [], "lights": []}
    out = validate_plan(plan)
    # 5 footprints with the heights by type (2 × 6 m, 15 m, 3 m, 15 m)
    assert sorted(h for _r, h, _i in out["_footprints"]) == [3.0, 6.0, 6.0, 15.0, 15.0]


# -------------------------------------------------------------------------- zips
def test_zip_with_two_files():
    res = im.read_fgd(TWO.read_bytes(), TWO.name, building_height_m=HEIGHTS)
    assert res.ok
    assert res.meta["files"] == [TOWN.name, BLDL.name]
    assert len(res.collection["features"]) == 5
    assert res.meta["layers"]["roads"] == 3 and res.meta["layers"]["town_areas"] == 1
    assert sorted(codes(res)) == ["ignored_features", "open_outline"]


def test_zip_of_zips_as_the_download_service_packs_several_items():
    blob = _zip([("PackDLMap/" + TWO.name, TWO.read_bytes()), (BLDA.name, BLDA.read_bytes()),
                 ("readme.txt", b"not GML"), ("__MACOSX/._x.xml", b"junk")])
    res = im.read_fgd(blob, "PackDLMap.zip")
    assert res.ok
    assert res.meta["files"] == [TOWN.name, BLDL.name, BLDA.name]
    assert len(res.collection["features"]) == 5


def test_zip_member_names_in_cp932():
    # a zip made on Japanese Windows: the name in CP932 bytes, no UTF-8 flag (zipfile
    # itself would write UTF-8, so an ASCII name of the same length is patched)
    cp932 = "柏市_基盤地図.xml".encode("cp932")
    ascii_name = "A" * (len(cp932) - 4) + ".xml"
    raw = _zip([(ascii_name, TOWN.read_bytes())])
    assert raw.count(ascii_name.encode()) == 2       # local header and central directory
    raw = raw.replace(ascii_name.encode(), cp932)
    res = im.read_fgd(raw, "x.zip")
    assert res.ok and res.meta["files"] == ["柏市_基盤地図.xml"]


# --------------------------------------------------------- damaged and hostile
HOSTILE = {
    "xxe.xml": "xml_entities",
    "billion_laughs.xml": "xml_entities",
    "zip_bomb.zip": "zip_bomb",
    "wrong_root.xml": "not_fgd",
    "outside_japan.xml": "outside_japan",
    "damaged.xml": "bad_xml",
    "damaged.zip": "bad_zip",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_damaged_files_are_clean_coded_rejections(name):
    res = im.read_fgd((FGD / name).read_bytes(), name)
    assert not res.ok and res.fatal.code == HOSTILE[name]
    assert res.collection is None and res.layers == {}
    for p in res.problems:
        assert p.code in im.PROBLEM_CODES and p.message
    with pytest.raises(im.ImportFileError) as exc:
        res.raise_for_fatal()
    assert exc.value.code == HOSTILE[name]


def test_outside_japan_names_each_feature_then_the_file():
    res = im.read_fgd((FGD / "outside_japan.xml").read_bytes(), "outside_japan.xml")
    assert [(p.row, p.code) for p in res.problems] == [
        (1, "outside_japan"), (2, "outside_japan"), (None, "outside_japan")]
    assert res.skipped == [1, 2]


@pytest.mark.parametrize("data, code", [
    (b"", "empty"), (b"   \n", "empty"), (b"\x00\x01 not xml at all", "bad_xml"),
    (b"<Dataset xmlns='http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema'></Dataset>",
     "no_features"),
    (_zip([("readme.txt", b"hello")]), "no_gml_in_zip"),
    (b"PK\x05\x06" + b"\x00" * 18, "no_gml_in_zip"),
])
def test_other_bad_inputs(data, code):
    res = im.read_fgd(data, "x")
    assert not res.ok and res.fatal.code == code


def test_a_dem_file_is_told_to_go_to_terrain():
    dem = DATA / "dem" / "FG-GML-5339-67-48-DEM5A-20240101-west.xml"
    res = im.read_fgd(dem.read_bytes(), dem.name)
    assert res.fatal.code == "fgd_is_dem"


def test_bad_coordinates_skip_their_feature_only():
    res = im.read_fgd((FGD / "bad_coordinates.xml").read_bytes(), "bad_coordinates.xml")
    assert res.ok
    assert [(p.row, p.code) for p in res.problems] == [
        (2, "invalid_geometry"), (3, "invalid_geometry"), (4, "swapped_lat_lon")]
    assert res.skipped == [2, 3]
    roads = res.layers["roads"]["features"]
    assert [f["properties"]["gml_id"] for f in roads] == ["K1_x_1", "K1_x_4"]
    # 4 was written lon lat (139.9690 35.8604): swapped back
    assert roads[1]["geometry"]["coordinates"] == [[139.969, 35.8604], [139.971, 35.8604]]


def test_old_datum_warns_and_unknown_crs_refuses():
    town = TOWN.read_bytes()
    res = im.read_fgd(town.replace(b"fguuid:jgd2011.bl", b"fguuid:jgd2000.bl"), "old.xml")
    assert res.ok and "old_datum" in codes(res, None)
    assert res.meta["crs"].startswith("JGD2000")
    res = im.read_fgd(town.replace(b"fguuid:jgd2011.bl", b"fguuid:jgd2011.pr.9", 1), "pr.xml")
    assert res.fatal.code == "unknown_crs" and res.fatal.value == "fguuid:jgd2011.pr.9"


# ------------------------------------------------------------------------ limits
def test_huge_vertex_count_skips_that_feature():
    data = (FGD / "huge_vertices.zip").read_bytes()
    res = im.read_fgd(data, "huge_vertices.zip")
    assert res.ok
    (p,) = [p for p in res.problems if p.code == "too_many_vertices"]
    assert (p.row, p.value) == (1, "25000")         # over the default 20,000
    assert [f["properties"]["gml_id"] for f in res.layers["roads"]["features"]] == ["K1_x_2"]
    res = im.read_fgd(data, "huge_vertices.zip", limits=im.Limits(max_vertices_total=10_000))
    assert res.fatal.code == "too_many_vertices_total"


@pytest.mark.parametrize("path, limits, code", [
    (TOWN, im.Limits(max_geo_bytes=1000), "too_large"),             # the file is 7,880 bytes
    (TOWN, im.Limits(max_features=10), "too_many_features"),        # it has 14 features
    (TWO, im.Limits(max_uncompressed_bytes=10_000), "zip_bomb"),    # 7,880 + 4,884 bytes
    (TWO, im.Limits(max_zip_members=1), "zip_bomb"),                # 2 members
])
def test_limits_are_checked_before_the_work(path, limits, code):
    res = im.read_fgd(path.read_bytes(), path.name, limits=limits)
    assert res.fatal.code == code


def test_a_member_that_lies_about_its_size_is_refused():
    blob = _zip([(TOWN.name, TOWN.read_bytes())])
    size = len(TOWN.read_bytes()).to_bytes(4, "little")
    assert blob.count(size) == 2                     # local header and central directory
    # declared 100 bytes: only 100 are unpacked, and their CRC-32 does not match
    lying = blob.replace(size, (100).to_bytes(4, "little"))
    res = im.read_fgd(lying, "lying.zip")
    assert res.fatal.code == "bad_zip" and "CRC" in res.fatal.message


def test_a_courtyard_outline_becomes_a_hole():
    # BldL 3 redrawn as the courtyard of BldL 6 (市民会館, 35.8592–35.8594 × 139.9706–139.9710)
    shed = b"35.8603 139.9700\n35.8603 139.97005\n35.86035 139.97005\n35.86035 139.9700"
    court = b"35.85925 139.9707\n35.85935 139.9707\n35.85935 139.9709\n35.85925 139.9709"
    text = BLDL.read_bytes().replace(shed, court).replace(
        b"35.8603 139.9700\n</gml:posList>", b"35.85925 139.9707\n</gml:posList>")
    res = im.read_fgd(text, BLDL.name)
    assert res.ok and res.meta["outlines"]["inner"] == 1
    b = _by_id(res)
    assert "20240101-53396-70010-s-3" not in b and len(b) == 4
    hall = shape(b["20240101-53396-70010-s-6"]["geometry"])
    assert len(hall.interiors) == 1
    assert math.isclose(hall.area, 0.0002 * 0.0004 - 0.0001 * 0.0002, rel_tol=1e-6)
