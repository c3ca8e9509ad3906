"""The 配置図 (reports/layout_map.py): fonts, text, scale, paper sizes, flagged cameras, PNG."""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from assessments.simulate import simulate
from reports import layout_map as L
from reports.fonts import add_fpdf_fonts

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets/sample_district"
TODAY = dt.date(2026, 12, 7)
# 35.7590 N is about 216 m north of the area's centre: outside its 300 m × 300 m square
OUTSIDE_LAT = 35.7590


def _plan() -> dict:
    p = json.loads((SAMPLE / "plan.json").read_text())
    p["map_layers"] = {"streets": json.loads((SAMPLE / "streets.geojson").read_text()),
                       "park": json.loads((SAMPLE / "park.geojson").read_text())}
    p["cameras"][1]["signage"] = "交差点北側の電柱"
    p["cameras"][2]["privacy_masks_deg"] = [[-40.0, -10.0]]
    return p


def _with_outside(p: dict) -> dict:
    p = copy.deepcopy(p)
    c = dict(p["cameras"][0], id="C12", lat=OUTSIDE_LAT)
    p["cameras"].append(c)
    return p


def _run(args, data: bytes, tmp_path, name) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run([*args, str(path), *(["-"] if args[0] == "pdftotext" else [])],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def plan():
    return _plan()


@pytest.fixture(scope="module")
def a3(plan):
    return L.layout_map_pdf(plan, paper="A3", orientation="landscape", today=TODAY)


@pytest.fixture(scope="module")
def notice():
    # the notice-board preset with a camera outside the area
    return L.layout_map_pdf(_with_outside(_plan()), preset="notice", today=TODAY)


def test_round_scale_and_scale_bar_by_hand():
    # 330 m into 190 mm needs N ≥ 330 000 / 190 = 1736.8 → the next round step is 2000
    assert L.round_scale(330.0, 190.0) == 2000
    # exactly 1:1000 fits: 100 m into 100 mm
    assert L.round_scale(100.0, 100.0) == 1000
    # 402.4 m into 190 mm: 2117.9 → 2500; 1.2 km into 100 mm: 12 000 → 15 000
    assert L.round_scale(402.4, 190.0) == 2500
    assert L.round_scale(1200.0, 100.0) == 15000
    # 1:1500, bar ≤ 88.5 mm: 100 m = 66.7 mm fits, 200 m = 133 mm does not
    assert L.scale_bar_m(1500, 88.5) == 100
    # 1:2500, bar ≤ 40 mm: 100 m = 40 mm fits exactly
    assert L.scale_bar_m(2500, 40.0) == 100


def test_map_scale_of_the_sample_area(plan):
    sim = simulate(plan, night_grids=False)
    # the area is 300.0 m × 300.0 m (grid metres) with every device inside; the margin is
    # max(10 m, 5 % of 300 m) = 15 m each side → 330 m × 330 m.
    # A3 landscape map box: 420 − 2·10 − 100 (panel) − 5 (gap) = 295 mm wide, 297 − 20 =
    # 277 mm high → N ≥ max(330 000/295, 330 000/277) = 1191.3 → 1:1500
    assert L.map_box("A3", "landscape") == (10.0, 10.0, 295.0, 277.0)
    assert L.map_scale(plan, w_mm=295.0, h_mm=277.0, sim=sim) == 1500
    # A4 landscape: 297 − 20 − 78 − 5 = 194 mm × 190 mm → 330 000/190 = 1736.8 → 1:2000
    assert L.map_box("A4", "landscape") == (10.0, 10.0, 194.0, 190.0)
    assert L.map_scale(plan, w_mm=194.0, h_mm=190.0, sim=sim) == 2000
    # a camera 215.8 m north of the centre: y from −150.0 to 215.8 = 365.8 m, margin
    # 5 % = 18.3 m → 402.4 m; 402 400 / 190 = 2117.9 → 1:2500 (the camera is kept in view)
    out = _with_outside(plan)
    assert L.map_scale(out, w_mm=194.0, h_mm=190.0) == 2500


def test_pdf_embeds_a_japanese_font(a3, tmp_path):
    fonts = _run(["pdffonts"], a3, tmp_path, "a3.pdf")
    rows = [r for r in fonts.splitlines()[2:] if r.strip()]
    assert rows and all("NotoSansCJKJP" in r for r in rows)
    # emb, sub, uni columns: yes yes yes
    assert all(r.split()[-5:-2] == ["yes", "yes", "yes"] for r in rows)


def test_pdf_text_comes_back(a3, plan, tmp_path):
    text = _run(["pdftotext", "-layout"], a3, tmp_path, "a3.pdf")
    flat = text.replace(" ", "")
    assert "配置図" in text
    assert "埼玉県新座市" in flat
    assert plan["name"] in flat
    assert plan["project"]["title"] in flat
    assert "2026年12月7日" in flat
    assert "縮尺" in text and "1:1,500（A3で100%印刷時）" in flat   # see the scale test
    assert "北" in text
    for c in plan["cameras"]:
        assert c["id"] in text
    assert "C11" in text and "C1：東向き" in flat   # the table line of C1 (azimuth 94°)
    assert "C2:交差点北側の電柱" in flat               # 設置の表示
    assert "プライバシーマスク" in text
    assert "区域外" not in text                        # every camera inside the area
    assert "防犯灯" in text


def test_a3_landscape_page_size(a3, tmp_path):
    info = _run(["pdfinfo"], a3, tmp_path, "a3.pdf")
    # 420 mm × 297 mm = 420/25.4·72 × 297/25.4·72 = 1190.55 × 841.89 pt
    assert re.search(r"Page size:\s+1190\.55 x 841\.89 pts \(A3\)", info)
    assert re.search(r"Pages:\s+1\n", info)


def test_notice_preset_flags_the_camera_outside(notice, tmp_path):
    info = _run(["pdfinfo"], notice, tmp_path, "n.pdf")
    # A3 portrait: 841.89 × 1190.55 pt
    assert re.search(r"Page size:\s+841\.89 x 1190\.55 pts \(A3\)", info)
    text = _run(["pdftotext", "-layout"], notice, tmp_path, "n.pdf").replace(" ", "")
    assert "区域外のカメラ:C12" in text
    assert "C12" in text and "C1" in text
    # 1:1500: 336.6 m × 402.4 m into 277 × 295 mm → max(1215, 1364) → 1500 (the larger
    # text of the preset wraps the rest of that line)
    assert "1:1,500" in text
    # fewer technical layers: no DORI arcs in the legend, no camera table
    assert "到達距離" not in text and "カメラ一覧" not in text


def test_draw_into_a_box_of_another_pdf(plan):
    sim = simulate(_with_outside(plan), night_grids=False)
    pdf = FPDF(unit="mm", format="A4")
    add_fpdf_fonts(pdf, bold=False, mincho=False)
    pdf.add_page()
    info = L.draw_layout_map(pdf, _with_outside(plan), sim, x_mm=20, y_mm=40, w_mm=170,
                             h_mm=150)
    # 402.4 m into 150 mm: 2683 → 1:3000; 336.6 m into 170 mm: 1980
    assert info.scale_n == 3000
    assert info.outside == ["C12"]
    assert info.has_masks and info.has_signage and info.has_dori
    assert info.layers == ["park", "streets"]


def test_png_size_at_the_dpi(plan):
    data = L.layout_map_png(plan, dpi=60, today=TODAY)
    img = Image.open(io.BytesIO(data))
    # A4 landscape at 60 dpi: 297/25.4·60 = 701.6 → 702, 210/25.4·60 = 496.1 → 496
    assert img.size == (702, 496)
    # the camera number boxes are the camera blue (20, 60, 150): some pixels of it
    import numpy as np
    a = np.asarray(img.convert("RGB"))
    assert (a == (20, 60, 150)).all(axis=2).sum() > 50


def test_bad_options_are_refused(plan):
    with pytest.raises(ValueError, match="paper"):
        L.layout_map_png(plan, paper="B5")
    with pytest.raises(ValueError, match="orientation"):
        L.layout_map_png(plan, orientation="sideways")
    with pytest.raises(ValueError, match="preset"):
        L.layout_map_png(plan, preset="poster")
    with pytest.raises(ValueError, match="dpi"):
        L.layout_map_png(plan, dpi=5000)


def test_compass_names():
    from reports.layout_map import compass_ja
    # 16 points of 22.5°: 70° lies in 56.25–78.75° (東北東); 94° in 78.75–101.25° (東);
    # 8 points of 45°: 70° lies in 67.5–112.5° (東); −10° = 350° (北)
    assert [compass_ja(94), compass_ja(70), compass_ja(70, points=8), compass_ja(-10),
            compass_ja(337.4), compass_ja(180, points=8)] == ["東", "東北東", "東", "北",
                                                               "北北西", "南"]
    with pytest.raises(ValueError):
        compass_ja(10, points=4)
