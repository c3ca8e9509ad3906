"""In a real headless Chromium: home page, language switch, create a plan, reload."""
from __future__ import annotations

import pytest

from tests.browser import browser_page, require_chromium, screenshot, streamlit_server, wait_idle

pytestmark = pytest.mark.browser


def test_home_language_switch_and_plan_persists(tmp_path):
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    with streamlit_server(workspace) as (url, _), browser_page() as page:
        page.goto(url)
        page.get_by_role("heading", name="見守りプランナー").wait_for()
        page.get_by_text("配置したカメラ").wait_for()

        page.get_by_text("English", exact=True).click()
        page.get_by_role("heading", name="Mimamori Planner").wait_for()
        page.get_by_text("Cameras placed").wait_for()
        page.get_by_text("日本語", exact=True).click()
        page.get_by_role("heading", name="見守りプランナー").wait_for()

        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("計画の管理").click()
        sidebar.get_by_label("計画名").first.fill("柏の葉 見守り計画")
        sidebar.get_by_label("計画名").first.press("Enter")
        wait_idle(page)
        sidebar.get_by_role("button", name="作成する").click()
        sidebar.get_by_text("計画「柏の葉 見守り計画」を作成しました。").wait_for()
        screenshot(page, "shell_plan_created")

        page.reload()
        page.get_by_role("heading", name="見守りプランナー").wait_for()
        wait_idle(page)
        # the new plan survives the reload: it is listed in the plan selector
        page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="柏の葉 見守り計画").wait_for()
        screenshot(page, "shell_after_reload")


#: JavaScript run before the app loads: records every sidebar navigation Streamlit draws
#: and the text of every sidebar link, for as long as the page lives.
RECORD_SIDEBAR = """
window.__nav = []; window.__links = [];
new MutationObserver(() => {
  for (const n of document.querySelectorAll('[data-testid="stSidebarNav"]'))
    window.__nav.push(n.innerText);
  for (const a of document.querySelectorAll('[data-testid="stSidebar"] a'))
    window.__links.push(a.innerText);
}).observe(document, {childList: true, subtree: true, characterData: true});
"""
#: Streamlit's own names for the files in pages/ (file name, underscores as spaces).
RAW_NAMES = ["home", "compare cases", "grants", "use cases", "readiness", "privacy",
             "simulate", "project plan", "export", "app"]


def _recorded(page) -> tuple[list[str], list[str]]:
    return page.evaluate("() => [window.__nav, window.__links]")


@pytest.mark.parametrize("path, heading", [("", "見守りプランナー"),
                                           ("/readiness", "準備度の自己評価")])
def test_first_load_on_a_fresh_server_never_shows_file_names(tmp_path, path, heading):
    # The first page served after a start (the home page, or a bookmarked deep link) gets
    # the app's grouped, translated navigation, and Streamlit's list of raw file names
    # never shows, not even for a moment.
    require_chromium()
    with streamlit_server(tmp_path / "ws.duckdb") as (url, _), browser_page() as page:
        page.add_init_script(RECORD_SIDEBAR)
        page.goto(url + path)
        page.get_by_role("heading", name=heading).wait_for()
        wait_idle(page)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("調べる・比較する").wait_for()
        sidebar.get_by_role("link", name="事例比較").wait_for()
        sidebar.get_by_role("link", name="準備度").wait_for()
        page.wait_for_timeout(500)
        nav, links = _recorded(page)
        assert nav == [], f"Streamlit's file-name navigation was drawn: {nav[:3]}"
        shown = {text.strip().lower() for text in links}
        assert not shown & set(RAW_NAMES), shown
        # the navigation works: the page opens with the same sidebar
        sidebar.get_by_role("link", name="事例比較").click()
        page.get_by_role("heading", name="事例比較").wait_for()
        sidebar.get_by_role("link", name="準備度").wait_for()
        assert _recorded(page)[0] == []
        screenshot(page, "shell_first_load" + path.replace("/", "_"))
