"""PLATEAU CityGML downloads (``assessments.plan.iotools``): several ``bldg`` mesh files in
one .zip, ``bldg:usage`` → homes, the road model ``tran`` → ``road_areas``, and bad input.

Fixtures: ``tests/data/plateau/`` (hand-written by ``_make_plateau.py``; its README lists
each object). The .zip is built here the way a PLATEAU download lays it out.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from assessments.plan import iotools as im
from assessments.plan.buildings import is_home
from assessments.plan.iotools.citygml import plateau_model

DATA = Path(__file__).resolve().parent / "data" / "plateau"
BLDG_11 = DATA / "53394611_bldg_6697_op.gml"
BLDG_12 = DATA / "53394612_bldg_6697_op.gml"
TRAN = DATA / "53394611_tran_6697_op.gml"
ROOT = "13101_chiyoda-ku_city_2023_citygml_1_op/"
#: A stand-in of the code list every download carries (it must not be read as data).
CODELIST = ('<?xml version="1.0" encoding="UTF-8"?><gml:Dictionary '
            'xmlns:gml="http://www.opengis.net/gml" gml:id="Building_usage">'
            '<gml:name>Building_usage</gml:name></gml:Dictionary>')


def make_zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def download(**extra) -> bytes:
    """A PLATEAU download: two bldg meshes, one tran mesh, a code list and metadata."""
    return make_zip({ROOT + "udx/bldg/" + BLDG_11.name: BLDG_11.read_bytes(),
                     ROOT + "udx/bldg/" + BLDG_12.name: BLDG_12.read_bytes(),
                     ROOT + "udx/tran/" + TRAN.name: TRAN.read_bytes(),
                     ROOT + "codelists/Building_usage.xml": CODELIST,
                     ROOT + "metadata/udx_13101_2023.xml": "<metadata/>", **extra})


def codes(res):
    return [p.code for p in res.problems]


def by_gml_id(collection):
    return {f["properties"]["gml_id"]: f for f in collection["features"]}


# ----------------------------------------------------------------- several mesh files
def test_multi_mesh_zip_gives_the_union_with_the_shared_building_once():
    res = im.read_buildings(download(), "13101_chiyoda-ku_city_2023_citygml_1_op.zip")
    assert res.ok, [p.as_dict() for p in res.problems]
    feats = res.collection["features"]
    # mesh 11: a, b, edge; mesh 12: edge (again), a, b, c, d → 3 + 5 − 1 = 7
    assert len(feats) == 7
    assert sorted(by_gml_id(res.collection)) == [
        "bldg_11_a", "bldg_11_b", "bldg_12_a", "bldg_12_b", "bldg_12_c", "bldg_12_d",
        "bldg_edge"]
    assert len({f["properties"]["id"] for f in feats}) == 7
    dup = next(p for p in res.problems if p.code == "duplicate_across_files")
    assert (dup.value, dup.severity) == ("1", "info")
    # only the two bldg meshes were read; the road mesh is named, code lists are not data
    assert res.meta["files"] == [ROOT + "udx/bldg/" + BLDG_11.name,
                                 ROOT + "udx/bldg/" + BLDG_12.name]
    ignored = next(p for p in res.problems if p.code == "file_ignored")
    assert ignored.value == "udx/tran ×1"
    assert res.meta["crs"] == "EPSG:6697"


def test_the_buildings_of_a_zip_equal_those_of_its_files():
    zipped = by_gml_id(im.read_citygml(download()).collection)
    single = {**by_gml_id(im.read_citygml(BLDG_11.read_bytes(), BLDG_11.name).collection),
              **by_gml_id(im.read_citygml(BLDG_12.read_bytes(), BLDG_12.name).collection)}
    assert zipped == single
    # the LOD1-only building's floor (z 3.0 m) from the file's lat lon h order:
    # 35.67800 139.76600 3 → [139.766, 35.678]
    ring = zipped["bldg_11_b"]["geometry"]["coordinates"][0]
    assert [139.766, 35.678] in ring and [139.7662, 35.6782] in ring
    assert zipped["bldg_11_b"]["properties"]["height_m"] == 21.5


def test_limits_apply_to_all_files_together():
    # 7 buildings kept in all; each file alone holds at most 5 objects
    res = im.read_citygml(download(), limits=im.Limits(max_features=5))
    assert not res.ok and res.fatal.code == "too_many_features"
    assert im.read_citygml(BLDG_12.read_bytes(), limits=im.Limits(max_features=5)).ok
    # vertices counted are those of each footprint kept: a closed square ring = 5 (the
    # solid's floor too); mesh 11: 3 × 5 = 15, mesh 12: 5 × 5 = 25, both: 7 × 5 = 35
    res = im.read_citygml(download(), limits=im.Limits(max_vertices_total=30))
    assert res.fatal.code == "too_many_vertices_total"
    for path in (BLDG_11, BLDG_12):
        assert im.read_citygml(path.read_bytes(), limits=im.Limits(max_vertices_total=30)).ok


def test_a_nested_zip_of_mesh_files_is_read():
    inner = make_zip({"udx/bldg/" + BLDG_11.name: BLDG_11.read_bytes()})
    res = im.read_citygml(make_zip({"part1.zip": inner,
                                    "udx/bldg/" + BLDG_12.name: BLDG_12.read_bytes()}))
    assert res.ok and len(res.collection["features"]) == 7


def test_plateau_model_of_a_path():
    assert plateau_model(ROOT + "udx/bldg/53394611_bldg_6697_op.gml") == "bldg"
    assert plateau_model("udx/tran/533946_tran_6697_op.gml") == "tran"
    assert plateau_model("53394611_tran_6697_op.gml") == "tran"
    assert plateau_model("53394611_bldg_6697_op_a-1.gml") == "bldg"
    assert plateau_model(ROOT + "codelists/Building_usage.xml") is None
    assert plateau_model("my_buildings.gml") is None


# ----------------------------------------------------------------- bldg:usage → homes
#: The fixture's buildings, their bldg:usage and whether that is a home (codelist
#: Building_usage: 411 住宅, 412 共同住宅, 413 店舗等併用住宅, 414 店舗等併用共同住宅,
#: 415 作業所併用住宅; 402 商業施設 is not).
USAGES = {"bldg_11_a": ("411", True), "bldg_11_b": ("412", True),
          "bldg_12_d": ("413", True), "bldg_12_a": ("414", True),
          "bldg_12_b": ("415", True), "bldg_edge": ("店舗等併用住宅", True),
          "bldg_12_c": ("402", False)}


def test_usage_is_kept_and_marks_homes():
    feats = by_gml_id(im.read_citygml(download()).collection)
    for gid, (usage, home) in USAGES.items():
        props = feats[gid]["properties"]
        assert props["usage"] == usage, gid
        assert props["is_home"] is home, gid
        assert is_home(props) is home, gid


@pytest.mark.parametrize("usage, home", [
    ("411", True), ("412", True), ("413", True), ("414", True), ("415", True),
    ("住宅", True), ("共同住宅", True), ("店舗等併用住宅", True), ("店舗等併用共同住宅", True),
    ("作業所併用住宅", True), ("４１１", True), (" 412 ", True),
    ("401", False), ("402", False), ("404", False), ("421", False), ("461", False),
    ("商業施設", False), ("不明", False)])
def test_is_home_for_each_building_usage(usage, home):
    assert is_home({"usage": usage}) is home
    assert is_home({"bldg:usage": usage}) is home


def test_usage_as_codelist_text_in_citygml():
    text = BLDG_11.read_text(encoding="utf-8").replace(">411<", ">共同住宅<")
    feats = by_gml_id(im.read_citygml(text.encode("utf-8")).collection)
    assert feats["bldg_11_a"]["properties"]["usage"] == "共同住宅"
    assert feats["bldg_11_a"]["properties"]["is_home"] is True


# ----------------------------------------------------------------- tran → road_areas
def test_tran_road_polygons():
    res = im.read_plateau_roads(TRAN.read_bytes(), TRAN.name)
    assert res.ok and res.collection is None
    roads = {f["properties"]["id"]: f for f in res.layers["road_areas"]["features"]}
    assert sorted(roads) == ["tran_r1", "tran_r2", "tran_r3"]
    r1 = roads["tran_r1"]
    assert r1["properties"] == {"id": "tran_r1", "lod": 1, "function": "4", "usage": "1"}
    # posList "35.67600 139.76300 0 35.67600 139.76400 0 …" (lat lon h) → [lon, lat]
    assert r1["geometry"] == {"type": "Polygon", "coordinates": [[
        [139.763, 35.676], [139.764, 35.676], [139.764, 35.6761], [139.763, 35.6761],
        [139.763, 35.676]]]}
    from shapely.geometry import shape
    # tran_r2: two LOD1 surfaces sharing an edge joined into one polygon;
    # area 0.001 × 0.0001 + 0.0001 × 0.0009 = 1.9e-7 deg²
    r2 = shape(roads["tran_r2"]["geometry"])
    assert r2.geom_type == "Polygon"
    assert_allclose(r2.area, 1.9e-7, rtol=1e-6)
    assert_allclose(r2.bounds, (139.763, 35.68, 139.764, 35.681))
    # tran_r3: no LOD1; its two LOD2 traffic areas, 0.0005 × (0.0001 + 0.00005) = 7.5e-8
    r3 = roads["tran_r3"]
    assert r3["properties"]["lod"] == 2 and r3["properties"]["function"] == "9020"
    assert_allclose(shape(r3["geometry"]).area, 7.5e-8, rtol=1e-6)
    # tran_r4 has only its LOD0 network line: reported on its row, naming the file
    p = next(p for p in res.problems if p.code == "not_polygon")
    assert (p.row, p.value) == (4, "tran_r4") and p.message.startswith(TRAN.name + ":")
    assert res.skipped == [4]


def test_tran_from_a_download_zip():
    res = im.read_plateau_roads(download())
    assert res.ok and len(res.layers["road_areas"]["features"]) == 3
    assert res.meta["files"] == [ROOT + "udx/tran/" + TRAN.name]
    p = next(p for p in res.problems if p.code == "not_polygon")
    assert p.message.startswith(ROOT + "udx/tran/" + TRAN.name + ":")


def test_read_plateau_reads_buildings_and_roads_at_once():
    res = im.read_plateau(download(), "plateau.zip")
    assert res.ok
    assert len(res.collection["features"]) == 7
    assert [f["properties"]["id"] for f in res.layers["road_areas"]["features"]] == [
        "tran_r1", "tran_r2", "tran_r3"]
    assert "file_ignored" not in codes(res)
    # a single file: whatever model it holds
    assert im.read_plateau(TRAN.read_bytes()).layers["road_areas"]
    only_b = im.read_plateau(BLDG_11.read_bytes())
    assert len(only_b.collection["features"]) == 3 and not only_b.layers


# ----------------------------------------------------------------- bad input
def _check_problems(res):
    for p in res.problems:
        assert p.code in im.PROBLEM_CODES and p.message, p


def test_zip_without_gml():
    res = im.read_citygml(make_zip({"readme.txt": "PLATEAU"}), "x.zip")
    assert res.fatal.code == "no_gml_in_zip"
    _check_problems(res)


def test_zip_of_code_lists_only():
    res = im.read_citygml(make_zip({ROOT + "codelists/Building_usage.xml": CODELIST}))
    assert res.fatal.code == "not_bldg" and res.fatal.value == "codelists ×1"


def test_doctype_is_refused_in_a_zip_member():
    evil = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '\n<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0">&x;'
            '</core:CityModel>')
    for reader in (im.read_citygml, im.read_plateau_roads, im.read_plateau):
        res = reader(download(**{ROOT + "udx/bldg/53394613_bldg_6697_op.gml": evil,
                                 ROOT + "udx/tran/53394613_tran_6697_op.gml": evil}))
        assert res.fatal.code == "xml_entities" and res.collection is None
        _check_problems(res)


def test_tran_file_given_as_buildings():
    res = im.read_buildings(TRAN.read_bytes(), TRAN.name)
    assert res.fatal.code == "not_bldg" and res.fatal.value == "tran:Road ×4"
    # an appearance beside the city objects is not one of them
    app = ('<app:appearanceMember xmlns:app="http://www.opengis.net/citygml/appearance/2.0">'
           '<app:Appearance><app:theme>rgbTexture</app:theme></app:Appearance>'
           '</app:appearanceMember>')
    text = TRAN.read_text(encoding="utf-8").replace("</core:CityModel>",
                                                    app + "</core:CityModel>")
    res = im.read_citygml(text.encode("utf-8"), TRAN.name)
    assert res.fatal.value == "tran:Road ×4"
    res = im.read_citygml(make_zip({ROOT + "udx/tran/" + TRAN.name: TRAN.read_bytes(),
                                    ROOT + "codelists/Building_usage.xml": CODELIST}))
    assert res.fatal.code == "not_bldg" and res.fatal.value == "udx/tran ×1, codelists ×1"
    _check_problems(res)


def test_bldg_file_given_as_roads():
    res = im.read_plateau_roads(BLDG_12.read_bytes(), BLDG_12.name)
    # 5 buildings, the edge one included (a single file has no duplicates to drop)
    assert res.fatal.code == "not_tran" and res.fatal.value == "bldg:Building ×5"
    _check_problems(res)


def test_damaged_mesh_file_is_named():
    cut = BLDG_12.read_bytes()[:1500]
    res = im.read_citygml(download(**{ROOT + "udx/bldg/" + BLDG_12.name: cut}))
    assert res.fatal.code == "bad_xml"
    assert res.fatal.value == ROOT + "udx/bldg/" + BLDG_12.name


def test_bad_coordinates_and_crs_are_problems():
    text = TRAN.read_text(encoding="utf-8")
    res = im.read_plateau_roads(text.replace("35.67600 139.76300", "abc 139.76300", 1)
                                .encode("utf-8"), TRAN.name)
    assert res.ok and [p.row for p in res.problems if p.code == "invalid_geometry"] == [1]
    assert len(res.layers["road_areas"]["features"]) == 2
    res = im.read_plateau_roads(text.replace("EPSG/0/6697", "EPSG/0/3857").encode("utf-8"),
                                TRAN.name)
    assert res.fatal.code == "unknown_crs" and res.fatal.value == "3857"
    assert "no_features" in codes(im.read_plateau_roads(
        text.replace("tran:lod1MultiSurface", "tran:lod0MultiSurface")
        .replace("tran:lod2MultiSurface", "tran:lod0MultiSurface").encode("utf-8")))
