"""In a real headless Chromium: on every page, in both languages, switch the language on the
page and then switch between two plans A→B→A without editing anything: both plans stay
byte-identical in the workspace file and no save happens (same revisions), and no page shows
an exception.

Streamlit sends a choice widget's value back as its shown label; a widget keyed without the
language got the other language's label string back as its value, and a widget keyed
without the plan wrote one plan's state into the other (ui.state.widget_key). AppTest does
not go through the browser's label round trip, hence this test.

To see it fail on the previous code, serve another checkout:
``MIMAMORI_TEST_APP_ROOT=/path/to/old/checkout pytest -m browser tests/test_browser_plan_switch.py``
(the two plans are written by this checkout; the plan format is the same).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser import (ROOT, browser_page, pick, require_chromium, screenshot,
                           streamlit_server, wait_idle)
from tests.two_plans import plan_a, plan_b, store_two_plans, stored_rows

pytestmark = pytest.mark.browser

APP_ROOT = Path(os.environ.get("MIMAMORI_TEST_APP_ROOT") or ROOT)
#: URL path of every page (its file name; the home page is the root).
PAGES = ["", "compare_cases", "grants", "use_cases", "readiness", "privacy", "simulate",
         "project_plan", "export"]
PLAN_LABEL = {"ja": "現在の計画", "en": "Current plan"}
LANG_NAME = {"ja": "日本語", "en": "English"}


def _switch_language(page, sidebar, lang: str) -> None:
    wait_idle(page)
    sidebar.get_by_text(LANG_NAME[lang], exact=True).click()
    sidebar.get_by_test_id("stSelectbox").filter(has_text=PLAN_LABEL[lang]).wait_for()
    wait_idle(page)


def _saved_caption(sidebar) -> str:
    """The sidebar's "saved" line (``common.saved_at``), or "" when there is none."""
    hit = sidebar.get_by_text(re.compile(r"保存しました|Saved \("))
    return hit.first.inner_text() if hit.count() else ""


def _exceptions(page) -> list[str]:
    return [e.inner_text()[:300] for e in page.get_by_test_id("stException").all()]


def test_language_and_plan_switches_on_every_page_save_nothing(tmp_path):
    require_chromium()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    workspace = tmp_path / "ws.duckdb"
    a_id, b_id = store_two_plans(workspace)
    names = {a_id: plan_a()["name"], b_id: plan_b()["name"]}
    before = stored_rows(workspace)
    problems: list[tuple] = []
    with streamlit_server(workspace, root=APP_ROOT, timeout_s=90) as (url, _), \
            browser_page((1366, 768)) as page:
        page.set_default_timeout(30_000)
        sidebar = page.get_by_test_id("stSidebar")

        def open_page(path: str) -> None:
            page.goto(f"{url}/{path}")
            sidebar.get_by_test_id("stSelectbox").first.wait_for()
            page.locator("h1").first.wait_for()
            wait_idle(page)

        def step(path: str, what: str, action) -> bool:
            """Run one user action; note any exception the page shows. A page stuck on a
            traceback (no sidebar) is noted and reopened, so every page is still tried."""
            try:
                action()
            except PlaywrightTimeout:
                problems.append((path or "home", what, "stuck", _exceptions(page)))
                screenshot(page, f"plan_switch_{path or 'home'}_stuck")
                open_page(path)
                return False
            problems.extend((path or "home", what, e) for e in _exceptions(page))
            saved = _saved_caption(sidebar)
            if saved and saved != seen_saves[-1]:
                # a save happened: name the page and the step (the sidebar says so)
                seen_saves.append(saved)
                problems.append((path or "home", what, saved))
            return True

        seen_saves = [""]
        open_page("")
        # the first plan listed is the current one: start every page on plan A
        pick(page, sidebar, PLAN_LABEL["ja"], names[a_id])
        for path in PAGES:
            open_page(path)
            problems.extend((path or "home", "open", e) for e in _exceptions(page))
            for lang in ("en", "ja"):
                # the language switched on the page, then plans switched in that language
                if not step(path, lang, lambda: _switch_language(page, sidebar, lang)):
                    continue
                for plan_id in (b_id, a_id):           # A→B→A: each plan drawn after the other
                    def switch(plan_id=plan_id, lang=lang):
                        pick(page, sidebar, PLAN_LABEL[lang], names[plan_id])
                        page.locator("h1").first.wait_for()
                        wait_idle(page)
                    if not step(path, f"{lang} {names[plan_id]}", switch):
                        break
            if _exceptions(page):
                screenshot(page, f"plan_switch_{path or 'home'}")
            step(path, "ja", lambda: _switch_language(page, sidebar, "ja"))
    after = stored_rows(workspace)
    changed = {names[pid]: (before[pid][0], after[pid][0]) for pid in before
               if before[pid] != after[pid]}
    assert changed == {}, f"plans saved while nothing was edited (revision before, after): " \
                          f"{changed}; exceptions: {problems}"
    assert problems == []
