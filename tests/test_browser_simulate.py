"""シミュレーション in a real headless Chromium: the sample district's map with the heat-map
image layer, a click on the map and the preview of what the cameras record there."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from datasets.workspace import Workspace
from tests.browser import browser_page, require_chromium, screenshot, streamlit_server, wait_idle

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

        # click a clickable grid point inside the covered area → preview of each camera
        box = chart.locator(".nsewdrag").first.bounding_box()
        xy = page.evaluate(
            """() => {
              const gd = document.querySelector('.js-plotly-plot');
              const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
              const tr = gd.data.find(d => d.name === 'grid');
              // the grid point nearest to (91.5 m E, -19.5 m N): seen by two cameras
              let best = 0, bd = 1e18;
              for (let i = 0; i < tr.x.length; i++) {
                const d = (tr.x[i] - 91.5) ** 2 + (tr.y[i] + 19.5) ** 2;
                if (d < bd) { bd = d; best = i; }
              }
              return [xa.l2p(tr.x[best]), ya.l2p(tr.y[best])];
            }""")
        page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
        page.wait_for_timeout(300)
        page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
        wait_idle(page, 60_000)
        page.get_by_text("この地点で記録される人物の見え方").wait_for()
        page.get_by_text("SSIM").first.wait_for(timeout=30_000)
        page.get_by_text("カメラ C").first.wait_for()
        page.get_by_text("この地点で記録される人物の見え方").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshot(page, "simulate_preview")))
