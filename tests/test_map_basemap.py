"""The imported base map on the simulation map (``ui.map_view.figure``) and in the map PNG
(``render_png``): 基盤地図情報 layers from the FGD fixture, a terrain doc, a raster
background, attributions, the area sketch; features outside the grid and a 50,000-line
layer.

The plan's area is 139.9685–139.9725 E × 35.8575–35.8635 N (≈ 361 m × 666 m, 2 m cells)
around the fixture's features (``tests/data/fgd/README.md``): all of them reach into it
except the 市区町村界 AdmBdry (35.8570 N) and the 町字 point 旭町二丁目 (35.8650 N); the
行政区画 柏市 encloses the area.
"""
from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from PIL import Image

from assessments.engine import Terrain
from assessments.plan import basemap, freeze
from assessments.plan import iotools as im
from assessments.plan.iotools.raster import RasterBackground
from ui import map_base, map_view
from ui import simulation as S

TOWN = Path(__file__).resolve().parent / "data" / "fgd" / "FG-GML-533967-town-20240101-0001.xml"
LON_W, LON_E, LAT_S, LAT_N = 139.9685, 139.9725, 35.8575, 35.8635
AREA = {"type": "Polygon", "coordinates": [[[LON_W, LAT_S], [LON_E, LAT_S], [LON_E, LAT_N],
                                            [LON_W, LAT_N], [LON_W, LAT_S]]]}
#: Terrain rising 0.05 m per metre to the east, on cells of 0.0001° (≈ 9 m × 11 m).
SLOPE_EAST = 0.05


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in (map_base._BACKGROUND_CACHE, map_base._RELIEF_CACHE, map_base._FILL_CACHE,
                  map_base._FLAT_CACHE):
        cache.clear()


def _fgd_layers() -> dict:
    return im.read_fgd(TOWN.read_bytes(), TOWN.name).layers


def _plan(plan_id: str, **parts) -> dict:
    plan = {"version": 1, "id": plan_id, "area": AREA, "resolution_m": 2.0,
            "target_height_m": 1.5, "lights": [],
            "buildings": {"type": "FeatureCollection", "features": []},
            # looks east from 139.9700 E: the roads' west ends (139.9690–139.9695) are unseen
            "cameras": [{"id": "C1", "lat": 35.8601, "lon": 139.9700, "mount_height_m": 5.0,
                         "azimuth_deg": 90.0, "tilt_deg": 15.0, "hfov_deg": 60.0,
                         "width_px": 1920, "height_px": 1080}]}
    plan.update(parts)
    return plan


def _terrain_doc(name="DEM5A 533967") -> dict:
    lat_n, lon_w, d = LAT_N + 0.0005, LON_W - 0.0005, 0.0001
    rows, cols = 75, 55
    # metres east of the area's west edge: 0.0001° of longitude at 35.86° N is
    # 111,320 m · cos(35.86°) · 0.0001 ≈ 9.026 m
    x_m = (np.arange(cols) * d - 0.0005) * 111_320 * np.cos(np.radians(35.86))
    heights = np.tile(10.0 + SLOPE_EAST * x_m, (rows, 1))
    terrain = Terrain(heights, lat_north=lat_n, lon_west=lon_w, dlat_deg=d, dlon_deg=d)
    return basemap.terrain_doc(terrain, name=name)


def _background_doc(**kw) -> dict:
    # 40 × 40 pixels of 0.0001°, from the area's north-west corner: the north 444 m
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[...] = (250, 230, 200, 255)
    bg = RasterBackground(rgba, "EPSG:6668", (0.0001, 0.0, LON_W, 0.0, -0.0001, LAT_N))
    return basemap.background_doc(bg, **kw)


def _full_plan(plan_id="basemap-full", **kw) -> dict:
    return _plan(plan_id, map_layers=_fgd_layers(), terrain=_terrain_doc(),
                 background=_background_doc(name="都市計画図.png", attribution=""), **kw)


def _trace(fig, name):
    hits = [tr for tr in fig.data if tr.name == name]
    assert len(hits) == 1, [tr.name for tr in fig.data]
    return hits[0]


def _parts(trace) -> int:
    """NaN-separated parts of a trace (one NaN after each)."""
    return int(np.isnan(np.asarray(trace.x, float)).sum())


def _note(fig) -> str:
    """The attributions in the map's bottom-left corner (after the north mark)."""
    return _note_annotation(fig).text


def _note_annotation(fig):
    return next(a for a in fig.layout.annotations if a.yanchor == "bottom")


def _base_legend(sim, plan) -> tuple[str, list[str]]:
    """The base map's section of the legend beside the map: its title and labels."""
    title, entries = map_view.legend_sections(sim, plan)[2]
    return title, [label for label, _ in entries]


def _decode(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


# ------------------------------------------------------------------------ the figure
def test_one_trace_per_layer_with_a_part_per_feature_in_view():
    plan = _full_plan()
    sim = S.simulate_plan(plan)
    fig = map_view.figure(sim, plan)
    # fixture: RdEdg ×2 (the RdCompt of the 歩道 is 非表示: standard maps leave it out);
    # RailCL ×1; WL ×1; CommBdry ×4 (the AdmBdry along 35.8570 N is south of the area);
    # AdmArea 柏市 (one ring); the 町字 face closed by the CommBdry square (one ring)
    expected = {"道路": 2, "鉄道": 1, "水涯線（川・池など）": 1, "行政界・町字界": 4,
                "行政区画": 1, "町字の区域": 1}
    for name, n in expected.items():
        assert _parts(_trace(fig, name)) == n, name
    # 2 + 3 points of the two road edges, a NaN after each
    roads = _trace(fig, "道路")
    assert len(roads.x) == 2 + 3 + 2
    # RdEdg K1_533967_1 runs 139.969 → 139.971 E along 35.86 N: its local metres are the
    # grid's own projection (interpolation of many points is off by < 1 cm)
    g = sim.grid
    x, y = g.to_xy([35.86, 35.86], [139.969, 139.971])
    assert_allclose(roads.x[:2], x, atol=0.01)
    assert_allclose(roads.y[:2], y, atol=0.01)
    # only 旭町一丁目 (35.8600 N) is inside; 旭町二丁目 (35.8650 N) is north of the area
    towns = _trace(fig, "町字名")
    assert list(towns.text) == ["旭町一丁目"] and towns.mode == "text"
    # drawing order = basemap.LAYERS, the contours first; the same order in the legend
    # beside the map (no legend on the map)
    names = ["等高線（2 m 間隔）", "行政区画", "町字の区域", "水涯線（川・池など）", "道路",
             "鉄道", "行政界・町字界", "町字名"]
    base = [tr for tr in fig.data if tr.name in names]
    assert [tr.name for tr in base] == names
    assert all(tr.hoverinfo == "skip" and tr.showlegend is False for tr in base)
    assert fig.layout.showlegend is False
    assert _base_legend(sim, plan) == ("地図", names)


def test_contours_and_hillshade_of_the_terrain():
    plan = _full_plan("basemap-relief")
    sim = S.simulate_plan(plan)
    fig = map_view.figure(sim, plan)
    # the ground rises 0.05 m/m over the area's ≈ 361 m: ≈ 18 m of relief → 1 m would be
    # 18 lines (> 12), 2 m gives 9
    contours = _trace(fig, "等高線（2 m 間隔）")
    assert 8 <= _parts(contours) <= 10
    # each contour runs north–south (constant x): along one line x varies by < 1 pixel
    xs = np.asarray(contours.x, float)
    first = xs[:np.flatnonzero(np.isnan(xs))[0]]
    assert np.ptp(first) < 5.0
    images = {i.name: i for i in fig.layout.images}
    shade = _decode(images["hillshade"].source)
    # a plane rising 0.05 m/m to the east faces west; light from 315° at 45°:
    # (½ · 0.05 + √½) / √(1 + 0.05²) = 0.73227 → grey 187, at the hillshade's opacity
    centre = shade[shade.shape[0] // 2, shade.shape[1] // 2]
    assert_allclose(centre[:3], 187, atol=1)
    assert centre[3] == map_base.HILLSHADE_ALPHA


def test_background_and_hillshade_lie_below_the_heat_map():
    plan = _full_plan("basemap-images")
    sim = S.simulate_plan(plan)
    fig = map_view.figure(sim, plan)
    # layout images of one layer are drawn in list order: the heat map on top
    assert [i.name for i in fig.layout.images] == ["background", "hillshade", "heatmap"]
    assert all(i.layer == "below" for i in fig.layout.images)
    bg = basemap.background_from_doc(plan["background"]).on_grid(sim.grid,
                                                                 map_view.OVERLAY_MAX_PX)
    img = fig.layout.images[0]
    assert (img.x, img.y, img.sizex, img.sizey) == pytest.approx(
        (bg.x_w_m, bg.y_n_m, bg.sizex_m, bg.sizey_m))
    # the background ends 0.004° (≈ 444 m) south of the area's north edge
    assert img.sizey == pytest.approx(444.0, abs=12.0)
    # a background goes to the browser as WebP (lossy colours, exact transparency)
    assert img.source.startswith("data:image/webp;base64,")
    pixels = _decode(img.source)
    assert_allclose(pixels[pixels.shape[0] // 2, pixels.shape[1] // 2], (250, 230, 200, 255),
                    atol=4)
    assert_allclose(pixels[..., 3], bg.rgba[..., 3])


def test_a_rerun_does_not_warp_the_background_again(monkeypatch):
    calls = []
    warp = RasterBackground.on_grid

    def counting(self, grid, max_px, **kw):
        calls.append(grid)
        return warp(self, grid, max_px, **kw)
    monkeypatch.setattr(RasterBackground, "on_grid", counting)
    plan = _full_plan("basemap-cache")
    sim = S.simulate_plan(plan)
    first = map_view.figure(sim, plan)
    # the plan as the workspace hands it back: the same content, a new object
    again = dict(plan, background=dict(plan["background"]))
    second = map_view.figure(sim, again)
    assert len(calls) == 1
    assert first.layout.images[0].source == second.layout.images[0].source
    # another background is warped
    other = dict(plan, background=_background_doc(name="別の図.png"))
    other["background"]["georef"]["transform"][2] += 0.0002
    map_view.figure(sim, other)
    assert len(calls) == 2


def test_attributions_in_the_bottom_left_note():
    plan = _full_plan("basemap-notes")
    sim = S.simulate_plan(plan)
    note = _note(map_view.figure(sim, plan))
    assert note == "出典：国土地理院 基盤地図情報 / 背景図：都市計画図.png / 地形：DEM5A 533967"
    plan["background"] = _background_doc(name="ortho.tif", attribution="〇〇市 都市計画図（令和5年）")
    note = _note(map_view.figure(sim, plan))
    assert note == "出典：国土地理院 基盤地図情報 / 〇〇市 都市計画図（令和5年） / 地形：DEM5A 533967"
    ann = _note_annotation(map_view.figure(sim, plan))
    assert (ann.x, ann.y, ann.xanchor, ann.yanchor) == (0, 0, "left", "bottom")


def test_base_map_can_be_turned_off_and_is_absent_without_data():
    plan = _full_plan("basemap-off")
    sim = S.simulate_plan(plan)
    fig = map_view.figure(sim, plan, basemap=False)
    assert [i.name for i in fig.layout.images] == ["heatmap"]
    assert [a.text for a in fig.layout.annotations] == ["北 ↑"]   # no attributions
    bare = _plan("basemap-none")
    assert _base_legend(S.simulate_plan(bare), bare)[1] == []


def test_features_outside_the_grid_are_left_out():
    def line(lon0, lat0, lon1, lat1):
        return {"type": "Feature", "properties": {"class": "RdEdg"},
                "geometry": {"type": "LineString", "coordinates": [[lon0, lat0], [lon1, lat1]]}}
    roads = {"type": "FeatureCollection", "features": [
        line(139.9690, 35.8600, 139.9710, 35.8600),     # inside
        line(139.9600, 35.8600, 139.9800, 35.8600),     # both ends outside, crosses the area
        line(139.9800, 35.8600, 139.9900, 35.8600),     # east of the area
        line(139.9690, 35.8700, 139.9710, 35.8710),     # north of it
        line(139.9500, 35.8000, 139.9600, 35.8100)]}    # far south-west
    plan = _plan("basemap-outside", map_layers={"roads": roads})
    fig = map_view.figure(S.simulate_plan(plan), plan)
    assert _parts(_trace(fig, "道路")) == 2
    # nothing of a layer in view: no trace, no attribution for it
    plan = _plan("basemap-outside", map_layers={"roads": dict(roads,
                                                features=roads["features"][2:])})
    fig = map_view.figure(S.simulate_plan(plan), plan)
    assert not [tr for tr in fig.data if tr.name == "道路"]
    assert [a.text for a in fig.layout.annotations] == ["北 ↑"]   # no attributions


def test_damaged_features_and_stored_values_give_no_traceback():
    good = {"type": "Feature", "geometry": {"type": "LineString",
                                            "coordinates": [[139.969, 35.86], [139.971, 35.86]]}}
    roads = {"type": "FeatureCollection", "features": [
        good, None, {"geometry": None}, {"geometry": {"type": "LineString", "coordinates": "x"}},
        {"geometry": {"type": "LineString", "coordinates": [[139.969, "a"], [139.97, 35.86]]}},
        # 3-D positions are read as lon/lat
        {"geometry": {"type": "MultiLineString",
                      "coordinates": [[[139.969, 35.861, 4.0], [139.971, 35.861, 5.0]]]}}]}
    plan = _plan("basemap-damaged", map_layers={"roads": roads},
                 background={"name": "x.png", "png": "not base64!", "georef": {}})
    sim = S.simulate_plan(plan)
    # a terrain the simulation would refuse (the page reports that); the map still draws
    plan["terrain"] = {"name": "dem", "height_m_f32": "AAAA", "rows": 5, "cols": 5}
    fig = map_view.figure(sim, plan)
    assert _parts(_trace(fig, "道路")) == 2
    assert _note(fig) == ("出典：国土地理院 基盤地図情報 / 背景図は保存されたデータを読めないため表示していません"
                          " / 地形は保存された標高を読めないため表示していません")
    assert [i.name for i in fig.layout.images] == ["heatmap"]


def test_road_areas_are_filled_under_the_heat_map_with_their_holes_empty():
    def ring(lon0, lat0, lon1, lat1):
        return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    # a road around a block: 139.9690–139.9710 E × 35.8590–35.8610 N less the block
    # 139.9695–139.9705 E × 35.8595–35.8605 N
    road = {"type": "Feature", "properties": {"id": "tran-1"},
            "geometry": {"type": "Polygon",
                         "coordinates": [ring(139.9690, 35.8590, 139.9710, 35.8610),
                                         ring(139.9695, 35.8595, 139.9705, 35.8605)[::-1]]}}
    far = dict(road, geometry={"type": "Polygon",
                               "coordinates": [ring(139.99, 35.88, 139.991, 35.881)]})
    plan = _plan("basemap-road-areas", map_layers={
        "road_areas": {"type": "FeatureCollection", "features": [road, far]}})
    sim = S.simulate_plan(plan)
    fig = map_view.figure(sim, plan)
    assert [i.name for i in fig.layout.images] == ["road_areas", "heatmap"]
    # a filled image layer: a filled square in the legend beside the map
    (label, style), = [e for e in map_view.legend_sections(sim, plan)[2][1]]
    assert label == "道路の区域（PLATEAU）" and style.fill is not None
    assert _note(fig) == "出典：国土交通省 Project PLATEAU"
    image = fig.layout.images[0]
    pixels = _decode(image.source)
    g = sim.grid
    # one image pixel per 2 m cell (181 × 334 cells < 1,200 px), from the grid's corner
    assert image.sizex == pytest.approx(2.0 * pixels.shape[1])

    def alpha(lat, lon):
        x, y = g.to_xy(lat, lon)
        return pixels[int((image.y - y) / 2.0), int((x - image.x) / 2.0), 3]
    assert alpha(35.8600, 139.9692) == round(255 * 0.6)     # on the road
    assert alpha(35.8600, 139.9700) == 0                    # the block (hole)
    assert alpha(35.8600, 139.9720) == 0                    # east of the road


def test_sketch_of_a_new_area():
    plan = _plan("basemap-sketch")
    sim = S.simulate_plan(plan)
    two = _trace(map_view.figure(sim, plan, sketch=[(0.0, 0.0), (50.0, 0.0)]), "作図中のエリア")
    assert list(two.x) == [0.0, 50.0] and two.mode == "lines+markers"
    three = _trace(map_view.figure(sim, plan, sketch=[(0, 0), (50, 0), (50, 40)]),
                   "作図中のエリア")
    # closed back to the first corner once there are three
    assert list(three.x) == [0, 50, 50, 0] and list(three.y) == [0, 0, 40, 0]
    assert three.line.color == three.marker.color == map_base.SKETCH_COLOUR


def test_fifty_thousand_lines_stay_fast():
    rng = np.random.default_rng(7)
    n = 50_000
    lon = rng.uniform(LON_W, LON_E, n)
    lat = rng.uniform(LAT_S, LAT_N, n)
    d = 0.0001
    feats = [{"type": "Feature", "properties": {"class": "RdEdg"},
              "geometry": {"type": "LineString",
                           "coordinates": [[a, b], [a + d, b], [a + d, b + d], [a + 2 * d, b + d]]}}
             for a, b in zip(lon.tolist(), lat.tolist())]
    # as the workspace hands it out: read-only, shared between reruns
    roads = freeze({"type": "FeatureCollection", "features": feats})
    plan = _plan("basemap-speed", map_layers={"roads": roads})
    sim = S.simulate_plan(plan)
    start = time.perf_counter()
    fig = map_view.figure(sim, plan)
    cold_s = time.perf_counter() - start
    trace = _trace(fig, "道路")
    # every line starts inside the area: 50,000 parts of 4 points and a NaN
    assert _parts(trace) == n and len(trace.x) == 5 * n
    warm_s = []
    for _ in range(3):
        start = time.perf_counter()
        map_view.figure(sim, plan)
        warm_s.append(time.perf_counter() - start)
    # a rerun reuses the flattened layer; both bounds hold with room on a busy machine,
    # and both fail when each line is projected on its own
    assert min(warm_s) < 0.3, warm_s
    assert cold_s < 1.0, cold_s


# ------------------------------------------------------------------------ the PNG
def _png(plan) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(map_view.render_png(S.simulate_plan(plan), plan))))


def test_png_draws_the_roads_under_the_heat_map_and_the_attribution():
    plain = _plan("basemap-png")
    with_roads = _plan("basemap-png", map_layers=_fgd_layers())
    sim = S.simulate_plan(plain)
    g = sim.grid
    h, w = g.shape
    # 666 m / 2 m = 334 rows → scale = min(4, 1400 / 334) = 4 px per cell
    scale = min(4.0, 1400 / max(h, w))
    assert scale == 4.0
    # RdEdg K1_533967_1 at 139.9692 E, 35.8600 N: west of the camera, not covered
    x, y = g.to_xy(35.86, 139.9692)
    col = int((x - (g.x0_m - g.resolution_m / 2)) / g.resolution_m * scale)
    row = int(((g.y0_m + g.resolution_m / 2) - y) / g.resolution_m * scale)
    a, b = _png(plain), _png(with_roads)
    assert a.shape[1] == b.shape[1]
    window = (slice(row - 1, row + 2), slice(col - 1, col + 2))
    # the plain map's ground colour there; the road: (80, 80, 80) at 0.9 opacity over it,
    # 0.9 · 80 + 0.1 · 244 = 96
    assert_allclose(a[window].reshape(-1, 3).min(axis=0), (244, 245, 247), atol=2)
    assert_allclose(b[window].reshape(-1, 3).min(axis=0), (96, 96, 96), atol=3)
    # the attribution line under the map: text only in the PNG with the FGD layers
    H = int(round(h * scale))
    assert (a[H + 8:H + 28, :400] < 128).sum() == 0
    assert (b[H + 8:H + 28, :400] < 128).sum() > 100


def test_png_labels_are_drawn_with_a_japanese_font():
    font = map_view._font(24)
    # a font without kana / kanji draws the same missing-glyph box for every character
    glyphs = {ch: bytes(font.getmask(ch)) for ch in ("旭", "町", "丁")}
    assert len(set(glyphs.values())) == 3
    layers = _fgd_layers()
    named = _plan("basemap-png-towns", map_layers=layers)
    unnamed = _plan("basemap-png-towns", map_layers={k: v for k, v in layers.items()
                                                      if k != "towns"})
    g = S.simulate_plan(named).grid
    # 旭町一丁目 at 139.9705 E, 35.8600 N; 4 px per cell (see above)
    x, y = g.to_xy(35.86, 139.9705)
    col = int((x - (g.x0_m - g.resolution_m / 2)) / g.resolution_m * 4)
    row = int(((g.y0_m + g.resolution_m / 2) - y) / g.resolution_m * 4)
    window = (slice(row - 12, row + 12), slice(col - 45, col + 45))
    a, b = _png(unnamed)[window], _png(named)[window]
    # five characters of 12 px centred there: grey (70, anti-aliased) strokes on a white
    # halo over the heat map's blue
    changed = (a != b).any(axis=2)
    px = b[changed].astype(int)
    assert changed.sum() > 300
    grey = (px.max(axis=1) - px.min(axis=1) < 12) & (px.max(axis=1) < 120)
    assert grey.sum() > 80
    assert (px.min(axis=1) >= 250).sum() > 150


def test_buildings_far_from_the_map_are_not_projected():
    # a town's base map holds buildings far beyond the area: one inside the area and one
    # 0.05° (≈ 4.5 km) east of it; only the first is outlined (5 ring points + NaN)
    def square(lon, lat, d=0.0001):
        return {"type": "Feature", "properties": {"height_m": 6.0},
                "geometry": {"type": "Polygon", "coordinates": [[
                    [lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                    [lon, lat]]]}}
    plan = _plan("basemap-far", buildings={"type": "FeatureCollection", "features": [
        square(139.9705, 35.8595), square(139.9705 + 0.05, 35.8595)]})
    fig = map_view.figure(S.simulate_plan(plan), plan)
    outline = _trace(fig, "建物")
    assert len(outline.x) == 6 and _parts(outline) == 1
