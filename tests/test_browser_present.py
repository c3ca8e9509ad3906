"""発表モード in a real headless Chromium at a projector's 1920×1080 and a municipal PC's
1366×768: the sample plan is stepped through with the keyboard (→ and a clicker's
PageDown / PageUp) and the buttons; every step shows its heading, its body text is at
least 24 px, and each step is saved as tests/artifacts/present_<size>_<n>.png."""
from __future__ import annotations

import pytest

from tests.browser import browser_page, require_chromium, screenshot, streamlit_server, wait_idle
from tests.test_browser_simulate import _sample_workspace

pytestmark = pytest.mark.browser

HEADINGS = ["地域の課題と準備状況", "先行事例との比較", "カメラ配置計画", "現状と計画の比較",
            "昼と夜の見え方", "プライバシーへの配慮", "事業費と負担"]
HEADINGS_EN = ["The city's issues and readiness", "Comparison with peers",
               "The plan on the map", "Before and after", "Day and night", "Privacy measures",
               "Costs and shares"]
MIN_BODY_PX = 24.0
#: Steps with maps → how many: the plan, before / after, day / night.
MAPS = {2: 1, 3: 2, 4: 2}

#: JavaScript: ``[font size [px], text]`` of every visible text of the page's body (Markdown
#: paragraphs, list items and headings), leaving out widget labels, buttons and captions.
BODY_SIZES = """() => Array.from(document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stMarkdownContainer"] :is(p, li, h1, h2, h3, h4, h5, h6)'))
  .filter(e => e.offsetParent !== null && e.innerText.trim()
          && !e.closest('[data-testid="stWidgetLabel"], button, [data-testid="stCaptionContainer"]'))
  .map(e => [parseFloat(getComputedStyle(e).fontSize), e.innerText.trim().slice(0, 60)])"""


def _step_shown(page, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    page.wait_for_timeout(400)          # plotly finishes drawing after the script run


def _check_body(page, heading: str) -> None:
    sizes = page.evaluate(BODY_SIZES)
    assert sizes, heading                       # the step drew body text
    small = [(px, text) for px, text in sizes if px < MIN_BODY_PX]
    assert not small, f"{heading}: text below {MIN_BODY_PX} px: {small[:5]}"


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920", "1366"])
def test_present_steps_through_the_sample_plan(tmp_path, size):
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    _sample_workspace(workspace)
    tag = f"present_{size[0]}"
    with streamlit_server(workspace) as (url, _), browser_page(size) as page:
        page.goto(url + "/present")
        _step_shown(page, HEADINGS[0])
        # the sidebar starts collapsed: the content has the whole width
        assert page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true"
        for n, heading in enumerate(HEADINGS):
            if n:
                # → on the keyboard, and a clicker's PageDown for the last steps
                page.keyboard.press("ArrowRight" if n < 4 else "PageDown")
                _step_shown(page, heading)
            if n in MAPS:       # the plotly maps have drawn their heat-map images
                page.wait_for_function(
                    "n => document.querySelectorAll('.js-plotly-plot .imagelayer image').length"
                    " >= n", arg=MAPS[n], timeout=60_000)
                page.wait_for_timeout(500)
            _check_body(page, heading)
            screenshot(page, f"{tag}_{n + 1}")
        # the maps were drawn as plotly charts (the plan on the map and day / night)
        # back with a clicker's PageUp and with the button
        page.keyboard.press("PageUp")
        _step_shown(page, HEADINGS[-2])
        page.get_by_role("button", name="前へ").first.click()
        _step_shown(page, HEADINGS[-3])
        # day and night: two maps side by side
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length == 2")
        # English on any step, and the step is kept
        page.get_by_test_id("stButtonGroup").get_by_text("English", exact=True).click()
        _step_shown(page, HEADINGS_EN[-3])
        _check_body(page, HEADINGS_EN[-3])
        screenshot(page, f"{tag}_en")
