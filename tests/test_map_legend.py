"""The map's legend beside the map (``ui.map_legend``): what it lists for a plan, that its
swatches are the colours the map shows, and that the map's PNG draws the same legend."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assessments import palette
from ui import map_legend as L
from ui import map_view
from ui import simulation as S

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample():
    plan = json.loads((ROOT / "datasets/sample_district/plan.json").read_text("utf-8"))
    plan["id"] = "legend-sample"
    plan["map_layers"] = {
        "streets": json.loads((ROOT / "datasets/sample_district/streets.geojson").read_text()),
        "park": json.loads((ROOT / "datasets/sample_district/park.geojson").read_text())}
    return plan, S.simulate_plan(plan)


def test_sections_of_the_sample_district(sample):
    plan, sim = sample
    (t1, raster), (t2, symbols), (t3, base) = map_view.legend_sections(sim, plan)
    assert t1 == "昼の画素密度" and len(raster) == 6     # the six DORI levels of IEC 62676-4
    assert raster[0][0] == "Monitor（監視） ≥ 12.5 px/m"
    assert t2 == "地図の記号"
    assert [label for label, _ in symbols] == ["建物", "対象エリア", "撮影範囲", "防犯灯",
                                               "カメラ"]
    assert t3 == "地図" and [label for label, _ in base] == ["公園", "道路"]
    # turned-off overlays leave the legend; an inspected point joins it
    _, symbols = map_view.legend_sections(sim, plan, overlays=(), point=True)[1]
    assert [label for label, _ in symbols] == ["対象エリア", "防犯灯", "カメラ", "調べる地点"]


def test_swatches_are_the_colours_on_the_map(sample):
    plan, sim = sample
    _, raster = map_view.legend_sections(sim, plan)[0]
    # Detect #882E72 at opacity 215/255 over the map's #F4F5F7:
    # r = 136·0.843 + 244·0.157 = 153.0, g = 46·0.843 + 245·0.157 = 77.2, b = 135.0
    a = 215 / 255
    expect = tuple(round(c * a + u * (1 - a)) for c, u in zip((0x88, 0x2E, 0x72),
                                                              (0xF4, 0xF5, 0xF7)))
    assert palette.rgb(raster[1][1]) == expect == (153, 77, 135)
    # black at 128/255 over white: 255 · (1 − 128/255) = 127
    assert palette.painted("#000000", 128, "#FFFFFF") == "#7F7F7F"


def test_legend_png_draws_each_swatch(sample):
    plan, sim = sample
    sections = map_view.legend_sections(sim, plan)
    img = np.asarray(Image.open(io.BytesIO(L.legend_png(sections))).convert("RGB"))
    pad = 6
    assert img.shape[0] == L.legend_height(sections) + 2 * pad
    assert img.shape[1] == L.legend_width(sections) + 2 * pad
    # the first raster swatch: below the title, the square's centre
    y = pad + (L.TITLE_PX + 10) + L.ROW_PX // 2 - 1
    x = pad + L.SWATCH_PX // 2
    assert tuple(img[y, x]) == palette.rgb(sections[0][1][0][1])
    assert L.legend_png([("t", [])]) is None


def test_png_of_the_map_has_the_same_legend(sample):
    plan, sim = sample
    png = map_view.render_png(sim, plan, max_px=400)
    img = Image.open(io.BytesIO(png))
    sections = map_view.legend_sections(sim, plan)
    # the map (300 m at 1 m cells → 400 px) and the legend panel beside it
    assert img.width >= 400 + L.legend_width(sections)


def test_an_existing_camera_is_a_ring_on_the_map_and_in_the_legend(sample):
    plan, _ = sample
    plan = json.loads(json.dumps(plan))
    plan["id"] = "legend-existing"
    plan["cameras"][0]["existing"] = True          # C1 already installed
    sim = S.simulate_plan(plan)
    _, symbols = map_view.legend_sections(sim, plan)[1]
    assert ("既設カメラ", L.CAMERA_EXISTING) in symbols and ("カメラ", L.CAMERA) in symbols
    fig = map_view.figure(sim, plan)
    cams = next(tr for tr in fig.data if tr.name == "カメラ")
    i = list(cams.text).index("C1")
    # white inside, a ring of the camera colour; the others filled
    assert cams.marker.color[i] == "#ffffff" and cams.marker.line.width[i] == 3
    assert cams.marker.color[i + 1] == "rgba(13,71,161,1)"
    # all installed: no "new camera" entry
    for c in plan["cameras"]:
        c["existing"] = True
    _, symbols = map_view.legend_sections(S.simulate_plan(plan), plan)[1]
    assert ("カメラ", L.CAMERA) not in symbols


def test_camera_hover_is_kept_on_the_view_per_language(sample, monkeypatch):
    from ui import i18n
    _, sim = sample
    cid = next(iter(sim.model.views))
    for mod in (i18n, map_view):
        monkeypatch.setattr(mod, "lang", lambda: "ja")
    ja = map_view.camera_hover(sim, cid)
    assert ja.startswith(f"<b>{cid}</b>") and "m まで" in ja
    # asked again: the kept text, without the model
    real = sim.model.camera_summary
    monkeypatch.setattr(sim.model, "camera_summary", lambda _id: pytest.fail("recomputed"))
    assert map_view.camera_hover(sim, cid) == ja
    # another language: written again
    monkeypatch.setattr(sim.model, "camera_summary", real)
    for mod in (i18n, map_view):
        monkeypatch.setattr(mod, "lang", lambda: "en")
    en = map_view.camera_hover(sim, cid)
    assert "up to" in en and "まで" not in en
