"""The シミュレーション page on a municipal PC's 1366 × 768 screen, in headless Chromium:
the map is the largest thing on the screen and starts above the fold, every click on it
reaches it (its legend is beside it, not on it), no button is clipped, and the preview of a
clicked point opens over the page with the cameras' distances beside the map."""
from __future__ import annotations

import re

import pytest

from tests.browser import (browser_page, require_chromium, screenshot, streamlit_server,
                           wait_idle)
from tests.test_browser_simulate import _sample_workspace

pytestmark = pytest.mark.browser

#: JavaScript: the map's plot area (the drag layer) and the page's content box [px].
BOXES = """() => {
  const r = e => { const b = e.getBoundingClientRect();
                   return {x: b.x, y: b.y, w: b.width, h: b.height}; };
  const drag = document.querySelector('.js-plotly-plot .nsewdrag');
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const cs = getComputedStyle(main);
  const content = r(main);
  content.x += parseFloat(cs.paddingLeft);
  content.w -= parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
  const legend = [...document.querySelectorAll('[data-testid="stImage"] img')]
      .map(r).filter(b => b.x > 0);
  return {plot: r(drag), content: content, legends: legend,
          plotly_legend: document.querySelectorAll('.js-plotly-plot .legend').length};
}"""

#: JavaScript: buttons, segmented / pill options and tabs of the page whose text is cut
#: (wider than their box) or that reach past the window's right edge.
CLIPPED = """() => {
  const out = [];
  const els = document.querySelectorAll(
      '[data-testid="stMain"] button, [data-testid="stMain"] [role="tab"]');
  for (const el of els) {
    const b = el.getBoundingClientRect();
    if (!b.width || !el.innerText.trim()) continue;     // hidden, or an icon
    const text = el.querySelector('p') || el;
    if (text.scrollWidth > text.clientWidth + 1 || b.right > window.innerWidth + 1)
      out.push(el.innerText.trim());
  }
  return out;
}"""


def _area_pixel(page, fx: float, fy: float):
    """The page position of the point at fractions (``fx`` east, ``fy`` south) of the
    area's box (the click grid's extent), inside the map."""
    return page.evaluate("""([fx, fy]) => {
      const gd = document.querySelector('.js-plotly-plot');
      const tr = gd._fullData.find(d => d.name === 'grid');
      const xs = Array.from(tr.x), ys = Array.from(tr.y);
      const x = Math.min(...xs) + fx * (Math.max(...xs) - Math.min(...xs));
      const y = Math.max(...ys) - fy * (Math.max(...ys) - Math.min(...ys));
      const drag = gd.querySelector('.nsewdrag').getBoundingClientRect();
      return {x: gd._fullLayout.xaxis.l2p(x), y: gd._fullLayout.yaxis.l2p(y),
              page_x: drag.x, page_y: drag.y};
    }""", [fx, fy])


def test_map_fills_the_screen_and_every_click_reaches_it(tmp_path):
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    _sample_workspace(workspace)
    with streamlit_server(workspace) as (url, _), browser_page((1366, 768)) as page:
        page.goto(url + "/simulate")
        page.get_by_role("heading", name="カメラ・照明シミュレーション").wait_for()
        wait_idle(page, 90_000)
        page.locator(".js-plotly-plot .nsewdrag").first.wait_for(timeout=90_000)
        page.get_by_text("カメラ別の到達距離").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        screenshot(page, "sim_layout_1366")
        box = page.evaluate(BOXES)
        plot, content = box["plot"], box["content"]
        # the map's plot area: at least 60 % of the content width, starting above the fold
        assert plot["w"] >= 0.6 * content["w"], box
        assert plot["y"] < 768 - 200, box
        # no legend inside the chart; the legend image lies beside the map, not on it
        assert box["plotly_legend"] == 0
        assert box["legends"], box
        for lg in box["legends"]:
            assert lg["x"] >= plot["x"] + plot["w"] or lg["y"] >= plot["y"] + plot["h"], box
        assert page.evaluate(CLIPPED) == []

        # a click at the north-west corner (where the legend used to be), the centre and
        # the south-east: each one inspects the point (the preview dialog opens)
        drag = page.locator(".js-plotly-plot .nsewdrag").first
        for fx, fy in ((0.04, 0.04), (0.5, 0.5), (0.96, 0.96)):
            p = _area_pixel(page, fx, fy)
            drag.click(position={"x": p["x"], "y": p["y"]})
            dialog = page.get_by_role("dialog")
            dialog.wait_for(timeout=60_000)
            dialog.get_by_text("この地点で記録される人物の見え方").wait_for()
            page.keyboard.press("Escape")
            dialog.wait_for(state="hidden")
            wait_idle(page, 60_000)
        # the cameras' distances to the last point, beside the map
        page.get_by_text("地点までの距離 [m]").first.wait_for(state="attached")
        screenshot(page, "sim_layout_1366_after_clicks")
        # in English (longer labels) nothing is clipped either
        page.get_by_text("English").first.click()
        page.get_by_role("heading", name="Camera and lighting simulation").wait_for()
        wait_idle(page, 90_000)
        page.wait_for_timeout(1500)
        screenshot(page, "sim_layout_1366_en")
        assert page.evaluate(CLIPPED) == []
        box = page.evaluate(BOXES)
        assert box["plot"]["w"] >= 0.6 * box["content"]["w"], box


def test_tab_and_expander_survive_an_action(tmp_path):
    """The 防犯灯 tab stays open after a page rerun (the map's layer changed), and the
    lens calculator stays open while its inputs change."""
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    _sample_workspace(workspace)
    with streamlit_server(workspace) as (url, _), browser_page((1366, 768)) as page:
        page.goto(url + "/simulate")
        wait_idle(page, 90_000)
        page.locator(".js-plotly-plot .nsewdrag").first.wait_for(timeout=90_000)
        page.get_by_role("tab", name="防犯灯").click()
        wait_idle(page, 60_000)
        page.get_by_role("tab", name="カメラ").click()
        wait_idle(page, 60_000)
        page.get_by_text("レンズから画角を計算").click()
        wait_idle(page, 60_000)
        focal = page.get_by_label("焦点距離 [mm]")
        focal.fill("8")
        focal.press("Enter")
        wait_idle(page, 60_000)
        page.wait_for_timeout(800)
        # 8 mm on a 5.6 mm-wide sensor: 2·atan(2.8 / 8) = 38.6°; still open, still there
        page.get_by_text("38.6°").first.wait_for(timeout=30_000)
        screenshot(page, "sim_lens_open")
        assert focal.is_visible()
        page.get_by_role("tab", name="防犯灯").click()
        wait_idle(page, 60_000)
        # a rerun from the panel (the night view): the lights tab is still the open one
        page.locator("[data-testid='stMain'] button").filter(
            has_text=re.compile("^夜$")).first.click()
        wait_idle(page, 60_000)
        page.wait_for_timeout(800)
        assert page.get_by_role("tab", name="防犯灯").get_attribute("aria-selected") == "true"
