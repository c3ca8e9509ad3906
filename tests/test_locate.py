"""Camera / light sites from a table with 住所 only: the 町字 matcher (offline), the opt-in
address lookup with a fake geocoder (no network), the rows kept in the plan until placed, and
the approximate-position mark (kept through CSV, cleared by a typed position)."""
from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from assessments.engine.devices import check_camera
from assessments.plan import iotools as im
from assessments.plan.document import new_plan
from assessments.plan.iotools.columns import APPROXIMATE
from assessments.plan.iotools.towns import kanji_number, match_towns, norm_address
from tests.pagetest import run_page_on_plan, wkey

ROOT = Path(__file__).resolve().parents[1]
TOWN_FILE = ROOT / "tests" / "data" / "fgd" / "FG-GML-533967-town-20240101-0001.xml"
PAGE = str(ROOT / "pages" / "simulate.py")


@pytest.fixture(scope="module")
def fgd_layers():
    res = im.read_fgd(TOWN_FILE.read_bytes(), TOWN_FILE.name)
    assert res.ok
    return res.layers


def _point(name, lon, lat, code="12217"):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": name, "code": code}}


def _face(name, cells, lon0=139.95, lat0=35.89, step=0.001):
    """A 町字 face made of unit squares ``(x, y)`` (lower-left corners) of ``step`` [°]."""
    from shapely.geometry import box, mapping
    from shapely.ops import unary_union
    geom = unary_union([box(lon0 + x * step, lat0 + y * step, lon0 + (x + 1) * step,
                            lat0 + (y + 1) * step) for x, y in cells])
    return {"type": "Feature", "geometry": mapping(geom), "properties": {"name": name}}


# --------------------------------------------------------------------- the matcher (pure)
def test_kanji_numbers_and_normalised_addresses():
    assert [kanji_number(s) for s in ("一", "二", "十", "十二", "二十", "二十三", "二〇")] == \
        [1, 2, 10, 12, 20, 23, 20]
    assert kanji_number("百") is None and kanji_number("一二三") is None
    assert norm_address("千葉県柏市柏の葉２丁目３－１") == "千葉県柏市柏の葉2丁目3-1"
    assert norm_address("柏の葉　二丁目") == norm_address("柏の葉2丁目") == "柏の葉2丁目"
    # 四 of 四谷 is a name, not a number: only the digits right before 丁目 are converted
    assert norm_address("四谷一丁目") == "四谷1丁目"
    assert norm_address("霞ヶ関") == norm_address("霞が関") == norm_address("霞ケ関")
    assert norm_address("旭町2ー3") == "旭町2-3"          # a long-vowel mark typed as hyphen


def test_fixture_towns_area_centroid_or_point(fgd_layers):
    towns = fgd_layers["towns"]["features"]
    areas = fgd_layers["town_areas"]["features"]
    assert [f["properties"]["name"] for f in towns] == ["旭町一丁目", "旭町二丁目"]
    out = match_towns(["千葉県柏市旭町１丁目２－３", "柏市旭町二丁目5番地", "旭町2-5-1",
                       "柏市末広町1-1", ""], towns, areas, municipality="柏市")
    one, two, two_b, none, empty = out.matches
    # 旭町一丁目's face is the square the four CommBdry close: 35.859–35.861 N ×
    # 139.9695–139.9715 E → centroid (35.860, 139.9705)
    assert (one.name, one.source, one.approximate) == ("旭町一丁目", "area", True)
    assert (one.lat, one.lon) == pytest.approx((35.860, 139.9705), abs=1e-9)
    # 旭町二丁目 lies outside the closed square: no face, its CommPt (35.865, 139.970)
    assert (two.name, two.source, two.lat, two.lon) == ("旭町二丁目", "point", 35.865, 139.97)
    assert two_b == two                                # 「2-5-1」 is 二丁目 5番 1号
    assert none is None and empty is None
    assert out.unmatched == [3, 4]


def test_hand_cases_longest_name_prefix_and_oaza():
    towns = [_point("柏の葉", 139.951, 35.891), _point("柏の葉二丁目", 139.9505, 35.8905),
             _point("大字十余二", 139.96, 35.9), _point("柏", 139.97, 35.87)]
    # 柏の葉二丁目's face: an L of three 0.001° squares (0,0), (1,0), (0,1) — centroid
    # x = (0.5 + 1.5 + 0.5) / 3 = 0.8333, y = (0.5 + 0.5 + 1.5) / 3 = 0.8333 (inside the L)
    areas = [_face("柏の葉二丁目", [(0, 0), (1, 0), (0, 1)])]
    addresses = ["千葉県柏市柏の葉２丁目3-1", "柏の葉二丁目", "柏市柏の葉2-3", "柏市柏の葉5-2",
                 "柏市十余二178", "柏市大字十余二178-4", "千葉県柏市若柴178", "柏市柏3-1"]
    out = match_towns(addresses, towns, areas)
    names = [m.name if m else None for m in out.matches]
    assert names == ["柏の葉二丁目", "柏の葉二丁目", "柏の葉二丁目", "柏の葉", "大字十余二",
                     "大字十余二", None, "柏"]
    assert out.unmatched == [6]          # 柏 of 柏市 is the city, not the 町字 柏
    lshape = out.matches[0]
    assert lshape.source == "area"
    assert (lshape.lon, lshape.lat) == pytest.approx((139.95 + 0.001 * 2.5 / 3,
                                                      35.89 + 0.001 * 2.5 / 3), abs=1e-7)
    assert out.matches[3][2:5] == (35.891, 139.951, "point")


def test_u_shaped_town_gets_a_point_inside_it():
    # a U of 7 unit squares: the bottom row (centres y 0.5) and two arms (y 1.5, 2.5):
    # centroid x = (0.5 + 1.5 + 2.5 + 2·0.5 + 2·2.5) / 7 = 1.5,
    # y = (3·0.5 + 2·1.5 + 2·2.5) / 7 = 9.5 / 7 = 1.357 — in the gap between the arms
    face = _face("中町", [(0, 0), (1, 0), (2, 0), (0, 1), (0, 2), (2, 1), (2, 2)])
    geom = shape(face["geometry"])
    assert (geom.centroid.x, geom.centroid.y) == pytest.approx(
        (139.95 + 0.0015, 35.89 + 0.001 * 9.5 / 7), abs=1e-9)
    assert not geom.covers(geom.centroid)
    m = match_towns(["中町5"], [], [face]).matches[0]
    assert m.name == "中町" and m.source == "area"
    assert geom.covers(Point(m.lon, m.lat))


# --------------------------------------------------------------- the field and the CSV
def test_camera_validator_ignores_the_mark_and_csv_keeps_it():
    cam = {"id": "C1", "lat": 35.86, "lon": 139.9705, "mount_height_m": 5.0,
           "azimuth_deg": 0.0, "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920,
           "height_px": 1080, APPROXIMATE: True}
    typed, issues = check_camera(cam)
    assert issues == [] and typed.lat_deg == 35.86
    data = im.points_to_csv([cam, dict(cam, id="C2", **{APPROXIMATE: None})])
    assert data.decode("utf-8-sig").splitlines()[0].endswith(",location_approximate")
    back = im.read_point_table(data, "cameras.csv")
    assert [r.get(APPROXIMATE) for r in back.rows] == [True, None]
    assert not any(r.get("attributes") for r in back.rows)
    # a Japanese header and a ○ mark; anything else leaves the field out
    rows = im.read_point_table("ID,緯度,経度,位置は概略\nC1,35.86,139.97,○\nC2,35.86,139.97,0\n"
                               .encode(), "c.csv").rows
    assert [r.get(APPROXIMATE) for r in rows] == [True, None]


def test_typed_position_clears_the_mark():
    from ui.sim_edits import _typed_position
    rows = [{"id": "C1", APPROXIMATE: True}, {"id": "C2", APPROXIMATE: True},
            {"id": "C3", APPROXIMATE: True}]
    out = _typed_position(rows, {"edited_rows": {"0": {"lat": 35.1}, 2: {"tilt_deg": 10}},
                                 "deleted_rows": [1]})
    assert [r.get(APPROXIMATE) for r in out] == [None, True, True]
    assert rows[0][APPROXIMATE] is True                    # the input is not changed


def test_placed_rows_get_free_ids_and_bad_rows_stay():
    from ui.sim_locate import placed
    row = dict(im.DEFAULT_CAMERA, address="旭町1丁目")
    plan = {"cameras": [{"id": "C1", "lat": 35.86, "lon": 139.97, **im.DEFAULT_CAMERA}],
            "pending_sites": [{"kind": "camera", "row": dict(row, id="C1")},
                              {"kind": "camera", "row": dict(row, tilt_deg=120.0)},
                              {"kind": "light", "row": {"address": "旭町2丁目",
                                                        "mount_height_m": 5.0,
                                                        "lumens": 1300.0,
                                                        "distribution": "wide"}}]}
    fields, issues, n = placed(plan, {0: (35.86, 139.9705, {"town": "旭町一丁目"}),
                                      1: (35.86, 139.9705, {}), 2: (35.865, 139.97, {})})
    assert n == 2
    assert [(c["id"], c["lat"], c["lon"], c.get(APPROXIMATE)) for c in fields["cameras"]] == [
        ("C1", 35.86, 139.97, None), ("C2", 35.86, 139.9705, True)]   # C1 taken → C2
    assert fields["cameras"][1]["attributes"] == {"town": "旭町一丁目"}
    assert [(x["id"], x[APPROXIMATE]) for x in fields["lights"]] == [("L1", True)]
    assert [(i.field, i.code) for i in issues] == [("tilt_deg", "out_of_range")]
    assert [e["row"]["tilt_deg"] for e in fields["pending_sites"]] == [120.0]


# ------------------------------------------------------------------- opt-in geocoding
class _Loc:
    def __init__(self, lat, lon):
        self.latitude, self.longitude = lat, lon


#: What the fake service finds (any other address: not found).
FOUND = {"千葉県柏市旭町１丁目２－３": (35.86012, 139.97034),
         "柏市旭町二丁目5番地": (35.86488, 139.97011)}


class FakeGeocoder:
    """Finds the addresses of :data:`FOUND`; ``down=True`` behaves like a PC without
    network (geopy's error for a name that does not resolve)."""

    def __init__(self, down=False):
        self.calls, self.down = [], down

    def geocode(self, query):
        self.calls.append(query)
        if self.down:
            from geopy.exc import GeocoderUnavailable
            raise GeocoderUnavailable("Failed to resolve 'nominatim.openstreetmap.org'")
        return _Loc(*FOUND[query]) if query in FOUND else None


def test_geocode_positions_and_stop_when_unreachable():
    rows = [{"address": a} for a in ("千葉県柏市旭町１丁目２－３", "柏市末広町1-1",
                                     "柏市旭町二丁目5番地")]
    out = im.geocode_addresses(rows, FakeGeocoder(), min_delay_s=0)
    assert out.meta["found"] == [1, 3] and [r["lat"] for r in out.rows] == [35.86012, 35.86488]
    down = FakeGeocoder(down=True)
    out = im.geocode_addresses(rows, down, min_delay_s=0, stop_when_unreachable=True)
    assert down.calls == ["千葉県柏市旭町１丁目２－３"]     # nothing more is sent
    assert out.meta["unreachable"] == "GeocoderUnavailable" and out.rows == []
    assert not out.ok                                    # a file-level geocode_failed
    # without the stop every address is tried (the importer's default)
    down = FakeGeocoder(down=True)
    im.geocode_addresses(rows, down, min_delay_s=0)
    assert len(down.calls) == 3


# ----------------------------------------------------------------- the page (AppTest)
CSV = ("名称,住所,設置高さ\n"
       "駅前,千葉県柏市旭町１丁目２－３,4.5\n"
       "公園,柏市旭町二丁目5番地,6\n"
       "商店街,柏市末広町1-1,5\n").encode()


def _plan(fgd_layers):
    from ui.simulation import square_area
    plan = new_plan("住所だけのカメラ", municipality={
        "code": "122173", "prefecture": "千葉県", "name": "柏市", "lat": 35.8625,
        "lon": 139.97025})
    plan.update(area=square_area(35.8625, 139.97025, size_m=800.0), resolution_m=4.0,
                map_layers={k: fgd_layers[k] for k in ("towns", "town_areas")})
    return plan


def _stored(at):
    from datasets.workspace import Workspace
    import os
    ws = Workspace(Path(os.environ["MIMAMORI_WORKSPACE"]))
    try:
        return ws.get_plan(at.session_state["plan_id"])
    finally:
        ws.close()


def _run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _import_addresses(workspace_path, plan):
    at, _ = run_page_on_plan(PAGE, workspace_path, plan, timeout=120)
    at.session_state["sim.import_queue"] = [{"kind": "cameras", "name": "sites.csv",
                                             "data": CSV}]
    _run(at)
    assert any("3 行は住所だけで位置がない" in w.value for w in at.warning), \
        [w.value for w in at.warning]
    stored = _stored(at)
    assert stored["cameras"] == []
    assert [e["row"]["name"] for e in stored["pending_sites"]] == ["駅前", "公園", "商店街"]
    return at


def test_page_places_address_rows_at_their_town(workspace_path, fgd_layers):
    at = _import_addresses(workspace_path, _plan(fgd_layers))
    assert "sim.loc" not in "".join(m.value for m in at.markdown)   # every key translated
    at.button(key=wkey(at, "sim.loc_towns")).click()
    _run(at)
    stored = _stored(at)
    # 旭町一丁目: the face's centroid (35.860, 139.9705); 旭町二丁目: its point
    assert [(c["id"], c["name"], c["lat"], c["lon"], c["mount_height_m"], c[APPROXIMATE],
             c["attributes"]["town"]) for c in stored["cameras"]] == [
        ("C1", "駅前", 35.86, 139.9705, 4.5, True, "旭町一丁目"),
        ("C2", "公園", 35.865, 139.97, 6.0, True, "旭町二丁目")]
    assert [e["row"]["name"] for e in stored["pending_sites"]] == ["商店街"]
    assert any("2 件を町字の代表点に仮置きしました" in s.value for s in at.success)
    assert any("位置が概略です" in w.value and "カメラ C1, カメラ C2" in w.value
               for w in at.warning)
    # a typed latitude is the user's own position: C1 loses the mark, C2 keeps it
    at.session_state["sim.edit_queue"] = [{"kind": "cameras",
                                           "delta": {"edited_rows": {"0": {"lat": 35.8603}}}}]
    _run(at)
    cams = _stored(at)["cameras"]
    assert [(c["lat"], c.get(APPROXIMATE)) for c in cams] == [(35.8603, None), (35.865, True)]
    # undo brings the rows and the pending list back together
    at.button(key=wkey(at, "sim.undo_btn")).click()
    _run(at)
    at.button(key=wkey(at, "sim.undo_btn")).click()
    _run(at)
    stored = _stored(at)
    assert stored["cameras"] == [] and len(stored["pending_sites"]) == 3


def test_page_without_towns_explains_and_geocodes_only_after_consent(
        workspace_path, fgd_layers, monkeypatch):
    from ui import sim_locate
    fake = FakeGeocoder()
    monkeypatch.setattr(sim_locate, "make_geocoder", lambda: fake)
    monkeypatch.setattr(sim_locate, "GEOCODE_DELAY_S", 0.0)
    plan = _plan(fgd_layers)
    plan.pop("map_layers")
    at = _import_addresses(workspace_path, plan)
    assert at.button(key=wkey(at, "sim.loc_towns")).disabled
    assert any("町字のデータがないため使えません" in c.value for c in at.caption)
    geocode = at.button(key=wkey(at, "sim.loc_geocode"))
    assert geocode.disabled and fake.calls == []          # nothing is sent without consent
    consent = at.checkbox(key=wkey(at, "sim.loc_consent"))
    assert "OpenStreetMap Nominatim" in consent.label and "3 件の住所" in consent.label
    consent.check()
    _run(at)
    # offline: one address is tried, a clear message, nothing lost
    fake.down = True
    at.button(key=wkey(at, "sim.loc_geocode")).click()
    _run(at)
    assert fake.calls == ["千葉県柏市旭町１丁目２－３"]
    assert any("OpenStreetMap Nominatim" in e.value and "接続できませんでした" in e.value
               for e in at.error), [e.value for e in at.error]
    stored = _stored(at)
    assert stored["cameras"] == [] and len(stored["pending_sites"]) == 3
    # online: the two addresses found are placed where the service says, marked approximate
    fake.down, fake.calls[:] = False, []
    at.button(key=wkey(at, "sim.loc_geocode")).click()
    _run(at)
    assert fake.calls == ["千葉県柏市旭町１丁目２－３", "柏市旭町二丁目5番地", "柏市末広町1-1"]
    stored = _stored(at)
    assert [(c["id"], c["lat"], c["lon"], c[APPROXIMATE], c["attributes"]["geocoded"])
            for c in stored["cameras"]] == [("C1", 35.86012, 139.97034, True, True),
                                            ("C2", 35.86488, 139.97011, True, True)]
    assert [e["row"]["address"] for e in stored["pending_sites"]] == ["柏市末広町1-1"]
    assert any("2 件を住所検索で見つかった位置に置きました" in w.value
               for w in list(at.success) + list(at.warning))
