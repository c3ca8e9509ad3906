"""A town with no PLATEAU data, planned in a real headless Chromium at 1366×768: the
基盤地図情報 base map and the DEM go in through the page's own file uploaders, the area is
set from a 町字, the map draws the layers and the hill, the buildings block the view (the
coverage shown is the one with buildings, not the one without), and a click on a building
marks it as a home.

Fixtures: ``tests/data/fgd/FG-GML-533967-two-files.zip`` and
``tests/data/town/FG-GML-5339-67-37-DEM5A-hill.xml`` (their READMEs / generator state the
geometry; the 町字 旭町一丁目 is the square 35.8590–35.8610 N × 139.9695–139.9715 E).
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from datasets.workspace import Workspace
from tests.browser import (browser_page, hover_map_point, pick, require_chromium,
                           screenshot, streamlit_server, wait_idle)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
FGD_ZIP = ROOT / "tests" / "data" / "fgd" / "FG-GML-533967-two-files.zip"
HILL = ROOT / "tests" / "data" / "town" / "FG-GML-5339-67-37-DEM5A-hill.xml"
#: A camera north of building 2 (35.8597–35.8599 N, 139.9702–139.9704 E), looking south.
CAMERA = {"id": "C1", "lat": 35.86005, "lon": 139.9703, "mount_height_m": 5.0,
          "azimuth_deg": 180.0, "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920,
          "height_px": 1080}


def _stored(workspace: Path) -> dict:
    ws = Workspace(workspace)
    try:
        return ws.get_plan(ws.list_plans()[0]["id"])
    finally:
        ws.close()


def _upload(page, path: Path, label: str) -> None:
    """Choose ``path`` in the uploader labelled ``label``, as a user would (waiting for the
    rerun that draws it: the uploader changes with the kind of data chosen)."""
    wait_idle(page, 60_000)
    box = page.get_by_test_id("stFileUploader").filter(has_text=label)
    box.wait_for()
    box.locator("input[type=file]").set_input_files(str(path))


def _trace_names(page) -> list[str]:
    return page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData"
                         ".map(d => d.name)")


def _covered_pct(page, expect: float | None = None, abs_tol: float = 0.051,
                 timeout_s: float = 60.0) -> float:
    """The coverage metric [%]; with ``expect``, polls until it shows that value.

    A rerun after an import or an area change can still be drawing when the page looks
    idle, so the value read first may be the previous scene's.
    """
    import time
    deadline = time.monotonic() + timeout_s
    while True:
        label = page.get_by_test_id("stMetric").filter(has_text="カメラに映る範囲").first
        text = label.get_by_test_id("stMetricValue").inner_text()
        value = float(text.replace("%", "").strip())
        if expect is None or abs(value - expect) <= abs_tol or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(500)


def _expected_plan() -> dict:
    """The plan the page should hold after the steps below."""
    from assessments.plan import basemap
    from assessments.plan.iotools import read_fgd, read_terrain
    square = [[139.9695, 35.8590], [139.9715, 35.8590], [139.9715, 35.8610],
              [139.9695, 35.8610], [139.9695, 35.8590]]
    return {"version": 1, "area": {"type": "Polygon", "coordinates": [square]},
            "resolution_m": 1.0, "cameras": [CAMERA],
            "buildings": read_fgd(FGD_ZIP.read_bytes(), FGD_ZIP.name).collection,
            "terrain": basemap.terrain_doc(read_terrain(HILL.read_bytes(), HILL.name).terrain)}


def test_town_from_fgd_and_dem_in_the_browser(tmp_path):
    require_chromium()
    from assessments.simulate import simulate
    from ui.strings.basemap import STRINGS as MAP
    workspace = tmp_path / "ws.duckdb"
    ws = Workspace(workspace)
    ws.add_plan({"version": 1, "name": "柏市 旭町一丁目 見守り",
                 "municipality": {"code": "122173", "prefecture": "千葉県", "name": "柏市",
                                  "lat": 35.8676, "lon": 139.9758},
                 "cameras": [CAMERA]})
    ws.close()
    with streamlit_server(workspace) as (url, _), browser_page((1366, 768)) as page:
        page.goto(url + "/simulate")
        page.get_by_role("heading", name="カメラ・照明シミュレーション").wait_for()
        wait_idle(page, 60_000)
        # no area yet: start from the town's base map (the start panel's uploader)
        page.get_by_text("町の地図データから始める").wait_for()
        _upload(page, FGD_ZIP, "基盤地図情報のファイル")
        page.get_by_text("建物 5 棟").first.wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        page.locator(".js-plotly-plot").first.wait_for()
        names = _trace_names(page)
        for layer in ("roads", "rail", "water", "boundaries"):
            assert MAP[f"map.layer.{layer}"][0] in names, (layer, names)
        screenshot(page, "town_fgd_imported")

        # the DEM through the 読み込み・書き出し tab
        page.get_by_role("tab", name="読み込み・書き出し").click()
        pick(page, page.get_by_test_id("stMainBlockContainer"), "読み込むもの",
             "地形（基盤地図情報 数値標高モデル / GeoTIFF）")
        _upload(page, HILL, "標高のファイル")
        page.get_by_text("標高 10.0〜17.9 m").first.wait_for(timeout=60_000)
        wait_idle(page, 60_000)

        # the area: the 町字 旭町一丁目
        page.get_by_role("tab", name="地図・範囲・住宅").click()
        pick(page, page.get_by_test_id("stMainBlockContainer"), "町字から選ぶ", "旭町一丁目")
        page.get_by_role("button", name="この町字を対象範囲にする").click()
        page.get_by_text("対象範囲を「旭町一丁目」にしました。").wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        page.wait_for_timeout(1000)
        names = _trace_names(page)
        assert any(n and n.startswith(MAP["map.layer.contours"][0].split("（")[0]) for n in names), \
            names
        page.evaluate("() => window.scrollTo(0, 0)")
        screenshot(page, "town_area_terrain")

        # the buildings block the view: the page shows the coverage with them (the scene
        # rebuilt here from the same files: the server holds the workspace)
        plan = _expected_plan()
        with_b = simulate(plan).result["coverage_fraction"] * 100
        bare = copy.deepcopy(plan)
        bare["buildings"] = {"type": "FeatureCollection", "features": []}
        without_b = simulate(bare).result["coverage_fraction"] * 100
        assert without_b - with_b > 1.0, (with_b, without_b)
        assert _covered_pct(page, with_b) == pytest.approx(with_b, abs=0.051)

        # a click on building 2 marks it as a home
        page.get_by_test_id("stMainBlockContainer").get_by_text("住宅を指定",
                                                              exact=True).click()
        wait_idle(page, 60_000)
        from assessments.engine.grid import Grid
        grid = Grid.from_area(plan["area"], plan["resolution_m"])
        x, y = grid.to_xy(35.8598, 139.9703)                # building 2's centre
        drag, pos = hover_map_point(page, x, y)
        drag.click(position=pos)
        page.get_by_text("を住宅にしました。").first.wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        page.wait_for_timeout(1000)
        names = _trace_names(page)
        screenshot(page, "town_home_clicked")
    homes = [f["properties"]["gml_id"] for f in _stored(workspace)["buildings"]["features"]
             if f["properties"].get("is_home")]
    assert homes == ["K10_533967_2"]
