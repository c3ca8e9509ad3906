"""Polygons that would take minutes to check or repair are refused first, with the limit.

A star polygon (n points on a circle joined with a step of about n / 2) crosses itself about
n² / 2 times in a file of a few kB; ``shapely.make_valid`` grew about with the square of the
crossings (GEOS 3.14: a 100-point star, 15 s; 8 kB, 300 points, minutes). A valid "comb" of
long parallel teeth makes GEOS's ``is_valid`` quadratic in the vertices (20,000 vertices,
19 s). Every path a polygon from a file or a plan takes is run here with both, timed in CPU
seconds of this process (other work on the machine does not count).
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Polygon, shape

from assessments.plan import iotools as im
from assessments.plan.iotools.polygons import (MAX_EDGE_PAIRS, MAX_REPAIR_CROSSINGS,
                                               edge_crossings)
from assessments.plan.validate import PlanError, validate_plan

DATA = Path(__file__).resolve().parent / "data"
BLDL = DATA / "fgd" / "FG-GML-533967-BldL-20240101-0001.xml"
PLATEAU_BLDG = DATA / "plateau" / "53394611_bldg_6697_op.gml"
PLATEAU_TRAN = DATA / "plateau" / "53394611_tran_6697_op.gml"
#: Star sizes of the issue: 8 kB, 16 kB and 80 kB as a GeoJSON polygon.
STAR_POINTS = (300, 600, 3000)
#: The CPU time every refusal must stay under [s].
FAST_S = 2.0


def star(n, lon0=139.75, lat0=35.68, r=0.002):
    """n points on a circle joined with step s ≈ n / 2 − 1 (coprime with n): a {n/s}
    star polygon, whose every edge crosses 2 (s − 1) others, n (s − 1) crossings in all."""
    step = n // 2 - 1
    while math.gcd(n, step) != 1:
        step -= 1
    pts = [[round(lon0 + r * math.cos(2 * math.pi * (i * step % n) / n), 7),
            round(lat0 + r * math.sin(2 * math.pi * (i * step % n) / n), 7)] for i in range(n)]
    return pts + [pts[0]]


def circle(n, lon0=139.75, lat0=35.68, r=0.01):
    """A valid ring of n distinct points (n + 1 positions, closed)."""
    pts = [[lon0 + r * math.cos(2 * math.pi * k / n), lat0 + r * math.sin(2 * math.pi * k / n)]
           for k in range(n)]
    return pts + [pts[0]]


def comb(n, lon0=139.75, lat0=35.68, length=0.01, gap=1e-7):
    """A valid comb of n / 2 long diagonal teeth 1e-7° apart: every tooth's edges overlap the
    extent of every other's, about n² / 2 pairs."""
    pts = []
    for i in range(n // 2):
        x = lon0 + i * gap
        pts += [[x, lat0], [x + length, lat0 + length]]
    end = lon0 + (n // 2) * gap
    pts += [[end, lat0], [end, lat0 - length], [lon0, lat0 - length]]
    return pts + [pts[0]]


def geojson(ring, props=None) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": props or {"name": "x", "height_m": 10},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}).encode()


def timed(fn, *args, **kw):
    t = time.process_time()
    out = fn(*args, **kw)
    return out, time.process_time() - t


def codes(res):
    return [(p.row, p.code) for p in res.problems]


# ---------------------------------------------------------------------------------------
# the count
# ---------------------------------------------------------------------------------------
def test_crossings_of_a_star_and_a_bow_tie_by_hand():
    # {11/4} star: each edge crosses 2 × (4 − 1) = 6 others → 11 × 6 / 2 = 33 crossings
    crossings, _ = edge_crossings(Polygon(star(11)), max_crossings=10**9)
    assert crossings == 33
    # a bow tie crosses itself once
    bow = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    assert edge_crossings(bow)[0] == 1
    # two squares side by side share an edge and two vertices: no point to add
    side = MultiPolygon([Polygon([(0, 0), (1, 0), (1, 1), (0, 1)]),
                         Polygon([(1, 0), (2, 0), (2, 1), (1, 1)])])
    assert edge_crossings(side)[0] == 0
    # a square whose fourth vertex lies on the middle of its first edge's extension…
    # … and a vertex landing inside another edge (a T) is one point to add
    tee = MultiPolygon([Polygon([(0, 0), (2, 0), (2, 1), (0, 1)]),
                        Polygon([(1, 1), (2, 2), (0, 2)])])
    assert edge_crossings(tee)[0] == 2      # (1, 1) inside the edge (2, 1)–(0, 1), twice


def test_the_count_stops_past_its_limits():
    # a 3,000-point star: every edge crosses ~3,000 others; the count stops at the first
    # step past the limit, and the pairs compared stay near the step's size
    (crossings, pairs), cpu = timed(edge_crossings, Polygon(star(3000)))
    assert MAX_REPAIR_CROSSINGS < crossings <= pairs < 2 * 100_000
    assert cpu < FAST_S
    (crossings, pairs), cpu = timed(edge_crossings, Polygon(comb(19_990)))
    assert crossings == 0 and MAX_EDGE_PAIRS < pairs < MAX_EDGE_PAIRS + 2 * 100_000
    assert cpu < FAST_S


# ---------------------------------------------------------------------------------------
# importers
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", STAR_POINTS)
@pytest.mark.parametrize("kind", ["area", "districts", "buildings"])
def test_a_star_in_geojson_is_refused_quickly_with_the_limit(n, kind):
    data = geojson(star(n))
    # 8, 16 and 80 kB: the sizes of the issue
    assert {300: 8_000, 600: 16_000, 3000: 80_000}[n] < len(data) < 1.03 * {
        300: 8_000, 600: 16_000, 3000: 80_000}[n]
    res, cpu = timed(im.read_geojson, data, "star.geojson", kind=kind)
    assert cpu < FAST_S
    assert not res.ok and res.collection is None
    assert codes(res)[0] == (1, "too_many_crossings")
    assert res.problems[0].value == "100" and "100 points" in res.problems[0].message


def test_a_40_point_star_is_refused_no_longer_repaired():
    # {40/19}: 40 × 18 = 720 crossings > 100 (the old code repaired it, 1.4 s)
    res = im.read_geojson(geojson(star(40)), "star.geojson", kind="area")
    assert codes(res)[0] == (1, "too_many_crossings")


def test_the_message_in_both_languages():
    import streamlit as st
    from ui.sim_files import problem_text
    res = im.read_geojson(geojson(star(300)), "star.geojson", kind="districts")
    pr = res.problems[0]
    try:
        st.session_state["lang"] = "ja"
        ja = problem_text(pr)
        st.session_state["lang"] = "en"
        en = problem_text(pr)
    finally:
        del st.session_state["lang"]
    assert ja == ("1行目・形状: 輪郭が交差・接触する箇所が多すぎるため修復できず、"
                  "除きました（上限 100 か所）"), ja
    assert en.endswith("Outlines crossing or touching at too many points cannot be "
                       "repaired; left out (limit 100 points)"), en


@pytest.mark.parametrize("n", STAR_POINTS)
def test_a_star_building_in_citygml_is_skipped_quickly(n):
    text = PLATEAU_BLDG.read_text(encoding="utf-8")
    square = ("35.67700 139.76500 0 35.67700 139.76510 0 35.67710 139.76510 0 "
              "35.67710 139.76500 0 35.67700 139.76500 0")
    assert text.count(square) == 1
    pos = " ".join(f"{lat} {lon} 0" for lon, lat in star(n, 139.76505, 35.67705, 0.00005))
    res, cpu = timed(im.read_buildings, text.replace(square, pos).encode(), PLATEAU_BLDG.name)
    assert cpu < FAST_S
    # the star (building 1) is skipped with its reason; the other two are kept
    assert (1, "too_many_crossings") in codes(res)
    assert res.ok and len(res.collection["features"]) == 2


@pytest.mark.parametrize("n", STAR_POINTS)
@pytest.mark.parametrize("closed", [True, False])
def test_a_star_outline_in_fgd_is_skipped_quickly(n, closed):
    # BldL 6 of the fixture (see tests/test_fgd.py) drawn as a star: closed, it is one
    # building's outline; open, it is joined with the other open outlines into faces
    # (as many as its crossings)
    square = (b"35.8592 139.9706\n35.8592 139.9710\n35.8594 139.9710\n35.8594 139.9706\n"
              b"35.8592 139.9706\n")
    data = BLDL.read_bytes()
    assert data.count(square) == 1
    pts = star(n, 139.9708, 35.8593, 0.0001)
    pos = "".join(f"{lat} {lon}\n" for lon, lat in (pts if closed else pts[:-1]))
    res, cpu = timed(im.read_fgd, data.replace(square, pos.encode()), BLDL.name)
    assert cpu < FAST_S
    if closed:
        assert (6, "too_many_crossings") in codes(res)
    else:
        # the file's open outlines are not joined, and are told as left out
        assert (None, "too_many_crossings") in codes(res)
        assert (None, "open_outline") in codes(res)
    assert res.ok             # the file's other buildings and layers are kept


@pytest.mark.parametrize("n", STAR_POINTS)
def test_a_star_town_boundary_in_fgd_is_not_joined(n):
    # a 大字・町・丁目界 of the town fixture drawn as an open star: the 町字 areas are the
    # faces the boundaries close, as many as the crossings (the old code: minutes at 3,000)
    data = (DATA / "fgd" / "FG-GML-533967-town-20240101-0001.xml").read_bytes()
    line = b"<gml:posList>35.8590 139.9695 35.8590 139.9715</gml:posList>"
    assert data.count(line) == 1
    pos = " ".join(f"{lat} {lon}" for lon, lat in star(n, 139.9705, 35.8585, 0.0005)[:-1])
    res, cpu = timed(im.read_fgd, data.replace(line, f"<gml:posList>{pos}</gml:posList>"
                                                     .encode()), "town.xml")
    assert cpu < FAST_S
    assert (None, "too_many_crossings") in codes(res)
    # the layers themselves are kept; only the areas are not made
    assert res.ok and "town_areas" not in res.layers and len(res.layers["towns"]["features"]) == 2


@pytest.mark.parametrize("n", STAR_POINTS)
def test_a_star_part_of_a_plateau_road_is_skipped_quickly(n):
    # road 2's second surface (a 10 m × 100 m strip) drawn as a star
    text = PLATEAU_TRAN.read_text(encoding="utf-8")
    strip = ("35.68010 139.76390 0 35.68010 139.76400 0 35.68100 139.76400 0 "
             "35.68100 139.76390 0 35.68010 139.76390 0")
    assert text.count(strip) == 1
    pos = " ".join(f"{lat} {lon} 0" for lon, lat in star(n, 139.76395, 35.68050, 0.00004))
    res, cpu = timed(im.read_plateau_roads, text.replace(strip, pos).encode(),
                     PLATEAU_TRAN.name)
    assert cpu < FAST_S
    assert [c for _, c in codes(res)].count("too_many_crossings") == 1


def test_a_comb_is_refused_before_is_valid():
    # 19,990 vertices (under the 20,000 of a feature): ~2 × 10⁸ pairs of overlapping edges
    res, cpu = timed(im.read_geojson, geojson(comb(19_990)), "comb.geojson", kind="area")
    assert cpu < FAST_S
    assert codes(res)[0] == (1, "outline_too_intricate")
    assert res.problems[0].value == "1,000,000"


def test_a_valid_20000_vertex_polygon_is_still_accepted():
    ring = circle(19_999)                    # 20,000 positions: the limit of one feature
    res, cpu = timed(im.read_geojson, geojson(ring), "big.geojson", kind="area")
    assert cpu < FAST_S
    assert res.ok and codes(res) == []
    got = shape(res.collection["features"][0]["geometry"])
    assert len(got.exterior.coords) == 20_000
    # the plan validator takes it too
    validate_plan({"version": 1, "area": res.collection["features"][0]["geometry"]})


def test_a_bow_tie_is_still_repaired():
    bow = [[139.75, 35.68], [139.76, 35.69], [139.76, 35.68], [139.75, 35.69], [139.75, 35.68]]
    res = im.read_geojson(geojson(bow), "bow.geojson", kind="buildings")
    assert res.ok and codes(res) == [(1, "repaired")]
    got = shape(res.collection["features"][0]["geometry"])
    # two triangles meeting at (139.755, 35.685), each ½ × 0.01 × 0.005 = 2.5e-5 deg²
    assert got.geom_type == "MultiPolygon" and len(got.geoms) == 2
    assert got.area == pytest.approx(5e-5, rel=1e-6)


def test_a_small_star_is_still_repaired():
    # {11/4}: 33 crossings ≤ 100
    res = im.read_geojson(geojson(star(11)), "star.geojson", kind="area")
    assert res.ok and codes(res) == [(1, "repaired")]


# ---------------------------------------------------------------------------------------
# plans (the sidebar's upload, the CLI, the area import's last check)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", STAR_POINTS)
def test_a_star_area_in_a_plan_is_refused_quickly(n):
    area = {"type": "Polygon", "coordinates": [star(n)]}
    t = time.process_time()
    with pytest.raises(PlanError) as exc:
        validate_plan({"version": 1, "area": area})
    assert time.process_time() - t < FAST_S
    # up to 1,414 vertices (n (n − 1) / 2 ≤ 10⁶ pairs) is_valid is asked at once; the
    # 3,000-point star has ~3,000² / 2 = 4.5 × 10⁶ pairs of overlapping edges
    assert [i.code for i in exc.value.issues] == [
        "self_intersecting" if n <= 1414 else "outline_too_intricate"]


def test_a_comb_area_or_building_in_a_plan_is_refused_with_the_limit():
    area = {"type": "Polygon", "coordinates": [comb(19_990)]}
    t = time.process_time()
    with pytest.raises(PlanError) as exc:
        validate_plan({"version": 1, "area": area})
    assert time.process_time() - t < FAST_S
    [issue] = exc.value.issues
    assert (issue.kind, issue.field, issue.code) == ("area", "coordinates",
                                                     "outline_too_intricate")
    assert "1,000,000" in issue.message
    building = {"type": "Feature", "properties": {"id": "B9", "height_m": 8},
                "geometry": area}
    ok = {"type": "Polygon", "coordinates": [circle(8)]}
    t = time.process_time()
    with pytest.raises(PlanError) as exc:
        validate_plan({"version": 1, "area": ok, "buildings": {
            "type": "FeatureCollection", "features": [building]}})
    assert time.process_time() - t < FAST_S
    assert [(i.kind, i.id, i.code) for i in exc.value.issues] == [
        ("building", "B9", "outline_too_intricate")]
    import streamlit as st
    from ui.issues import plan_issue_text
    try:
        st.session_state["lang"] = "ja"
        text = plan_issue_text(exc.value.issues[0])
    finally:
        del st.session_state["lang"]
    assert text == ("建物 B9：輪郭が入り組みすぎていて確認できません"
                    "（重なり合う辺の組の上限 1,000,000）"), text
