"""シミュレーション in a real headless Chromium: the sample district's map with the heat-map
image layer, a click on the map and the preview of what the cameras record there."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from datasets.workspace import Workspace
from tests.browser import (
    HEATMAP_HREF,
    browser_page,
    hover_map_point,
    pick,
    require_chromium,
    screenshot,
    streamlit_server,
    type_first_camera_lat,
    wait_idle,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


def _sample_workspace(path: Path) -> None:
    plan = json.loads((ROOT / "datasets" / "sample_district" / "plan.json").read_text("utf-8"))
    plan["map_layers"] = {
        "streets": json.loads((ROOT / "datasets/sample_district/streets.geojson").read_text()),
        "park": json.loads((ROOT / "datasets/sample_district/park.geojson").read_text())}
    ws = Workspace(path)
    ws.add_plan(plan)
    ws.close()


def test_map_heatmap_click_preview(tmp_path):
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    _sample_workspace(workspace)
    with streamlit_server(workspace) as (url, _), browser_page((1600, 1000)) as page:
        page.goto(url + "/simulate")
        page.get_by_role("heading", name="カメラ・照明シミュレーション").wait_for()
        wait_idle(page, 60_000)
        chart = page.locator(".js-plotly-plot").first
        chart.wait_for()
        # the heat map is one image in the plot (layout.images), not a trace per cell
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .imagelayer image').length >= 1")
        n_points = page.evaluate(
            "() => document.querySelector('.js-plotly-plot')._fullData"
            ".reduce((n, tr) => n + (tr._length || 0), 0)")
        assert n_points < 20_000  # 90,000 cells: drawn as an image, not as points
        page.get_by_text("要件：").first.wait_for()
        screenshot(page, "simulate_map")

        # click the grid point nearest to (91.5 m E, -19.5 m N), seen by two cameras →
        # the preview of each camera
        drag, pos = hover_map_point(page, 91.5, -19.5)
        # the grid is drawn as one marker (marker.maxdisplayed) but hovers everywhere
        hovered = page.evaluate(
            "() => (document.querySelector('.js-plotly-plot')._hoverdata || [])"
            ".map(p => p.data.name)")
        assert "grid" in hovered, hovered
        drag.click(position=pos)
        wait_idle(page, 60_000)
        page.get_by_text("この地点で記録される人物の見え方").wait_for()
        page.get_by_text("SSIM").first.wait_for(timeout=30_000)
        page.get_by_text("カメラ C").first.wait_for()
        page.get_by_text("この地点で記録される人物の見え方").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshot(page, "simulate_preview")))


def test_click_on_the_map_places_a_camera_in_one_run(tmp_path):
    """カメラを置く, then a click on the map: the camera is saved and shown by the run the
    click starts (the selection is handled in the chart's callback, before the page)."""
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    _sample_workspace(workspace)
    runs = []
    with streamlit_server(workspace) as (url, _), browser_page((1600, 1000)) as page:
        page.on("websocket", lambda w: w.on("framereceived", lambda p: runs.append(p)))
        page.goto(url + "/simulate")
        page.get_by_role("heading", name="カメラ・照明シミュレーション").wait_for()
        wait_idle(page, 60_000)
        page.get_by_test_id("stMainBlockContainer").get_by_text("カメラを置く",
                                                              exact=True).click()
        wait_idle(page, 60_000)
        drag, pos = hover_map_point(page, 0.0, 0.0)       # the middle of the area
        runs.clear()
        drag.click(position=pos)
        page.get_by_text("カメラ C12 を東").wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        page.wait_for_timeout(1000)
        screenshot(page, "simulate_placed_camera")
    ws = Workspace(workspace)
    try:
        stored = ws.get_plan(ws.list_plans()[0]["id"])
    finally:
        ws.close()
    assert [c["id"] for c in stored["cameras"]][-1] == "C12" and len(stored["cameras"]) == 12
    # one script run: the click's (no st.rerun after it). Each run the server starts opens
    # with a new_session message carrying the script-run id (ForwardMsg field "new_session")
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    kinds = []
    for frame in runs:
        msg = ForwardMsg()
        msg.ParseFromString(frame if isinstance(frame, bytes) else frame.encode())
        kinds.append(msg.WhichOneof("type"))
    assert kinds.count("new_session") == 1, kinds


def _scene_workspace(path: Path) -> dict:
    """A workspace with one plan: a 400 m × 400 m cut of the district benchmark scene at
    its density (0.5 m: 640,000 cells, 40 cameras, 320 buildings, 48 lights)."""
    from benchmarks.scenes import district
    plan = district(seed=1, size_m=400.0, n_buildings=320, n_cameras=40, n_lights=48)
    plan["name"] = "speed"
    ws = Workspace(path)
    ws.add_plan(plan)
    ws.close()
    return plan


def test_move_one_camera_updates_the_heat_map(tmp_path):
    """Move camera C0 through the table (type a new latitude, Enter): the map's heat-map
    image changes and the page says that only C0 was recomputed. The time it takes is
    measured by ``benchmarks/bench_browser_edit.py`` (the full district), not here."""
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    plan = _scene_workspace(workspace)
    with streamlit_server(workspace) as (url, _), browser_page((1600, 1000)) as page:
        page.goto(url + "/simulate")
        page.get_by_role("heading", name="カメラ・照明シミュレーション").wait_for()
        wait_idle(page, 180_000)
        page.wait_for_function(f"() => ({HEATMAP_HREF})()", timeout=180_000)
        before = page.evaluate(HEATMAP_HREF)
        assert before.startswith("data:image/png;base64,")
        new_lat = plan["cameras"][0]["lat"] + 1e-4          # ≈ 11 m north
        type_first_camera_lat(page, new_lat)
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => ({HEATMAP_HREF})() !== {json.dumps(before)}",
                               timeout=60_000, polling=50)
        wait_idle(page, 60_000)
        page.get_by_text("再計算したカメラ").first.wait_for(timeout=10_000)
        assert "C0" in page.get_by_text("再計算したカメラ").first.inner_text()
        screenshot(page, "simulate_moved_camera")
    ws = Workspace(workspace)
    try:
        stored = ws.get_plan(ws.list_plans()[0]["id"])
    finally:
        ws.close()
    assert f"{stored['cameras'][0]['lat']:.6f}" == f"{new_lat:.6f}"


def test_upload_school_districts_through_the_file_uploader(tmp_path):
    """The real upload path (Streamlit's uploader → import → save → rerun): school
    districts as GeoJSON in the 読み込み・書き出し tab give the per-district table."""
    import numpy as np

    from assessments.engine.grid import geojson_rings
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    _sample_workspace(workspace)
    plan = json.loads((ROOT / "datasets" / "sample_district" / "plan.json").read_text("utf-8"))
    pts = np.concatenate([r for poly in geojson_rings(plan["area"]) for r in poly])
    w, e = pts[:, 0].min() - 1e-3, pts[:, 0].max() + 1e-3
    s, n = pts[:, 1].min() - 1e-3, pts[:, 1].max() + 1e-3
    mid = float((w + e) / 2)

    def box(a, b):
        return {"type": "Polygon", "coordinates": [[[a, s], [b, s], [b, n], [a, n], [a, s]]]}
    path = tmp_path / "小学校区.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "西小学校区"}, "geometry": box(w, mid)},
        {"type": "Feature", "properties": {"name": "東小学校区"}, "geometry": box(mid, e)}]},
        ensure_ascii=False), encoding="utf-8")
    with streamlit_server(workspace) as (url, _), browser_page((1600, 1000)) as page:
        page.goto(url + "/simulate")
        page.get_by_role("heading", name="カメラ・照明シミュレーション").wait_for()
        wait_idle(page, 60_000)
        page.get_by_role("tab", name="読み込み・書き出し").click()
        pick(page, page.get_by_test_id("stMainBlockContainer"), "読み込むもの",
             "集計する地区（小学校区など、GeoJSON）")
        # the choice reruns the page and mounts the districts' uploader: the file goes to
        # that one, not to the uploader of the previous kind (a race on a loaded machine)
        wait_idle(page, 60_000)
        page.wait_for_timeout(500)
        wait_idle(page, 60_000)
        page.get_by_test_id("stMainBlockContainer").locator(
            "[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
        page.get_by_text("地区別の集計（2 地区）").wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        table = page.locator("[data-testid='stDataFrame']").filter(has_text="西小学校区")
        table.first.wait_for()
        page.get_by_text("地区別の集計（2 地区）").scroll_into_view_if_needed()
        screenshot(page, "simulate_districts")
    ws = Workspace(workspace)
    try:
        stored = ws.get_plan(ws.list_plans()[0]["id"])
    finally:
        ws.close()
    assert [f["properties"]["name"] for f in stored["districts"]["features"]] == \
        ["西小学校区", "東小学校区"]
