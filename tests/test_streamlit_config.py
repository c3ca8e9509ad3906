"""End users never see a traceback, an exception's message or the "Ask ChatGPT" links:
``.streamlit/config.toml`` hides them, AppTest still reports the exception, and a page that
raises in a real Chromium shows only Streamlit's generic error box."""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.browser import browser_page, require_chromium, streamlit_server, wait_idle

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".streamlit" / "config.toml"
SECRET = "secret-detail-7f3a"
BOOM = f'import streamlit as st\nst.write("before")\nraise ValueError("{SECRET}")\n'


def _client() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))["client"]


def test_config_hides_error_details_links_and_developer_menu():
    client = _client()
    # "none": generic message only (no type, message or traceback); the default is "full".
    assert client["showErrorDetails"] == "none"
    # False: never the Google / ChatGPT links (the default "auto" shows them on localhost,
    # which is where an LGWAN PC runs the app).
    assert client["showErrorLinks"] is False
    assert client["toolbarMode"] == "minimal"


def test_apptest_still_reports_an_exception_but_not_its_details(tmp_path):
    script = tmp_path / "boom.py"
    script.write_text(BOOM, encoding="utf-8")
    client = _client()
    saved = {k: config.get_option(f"client.{k}") for k in ("showErrorDetails", "showErrorLinks")}
    try:
        for key in saved:
            config.set_option(f"client.{key}", client[key])
        at = AppTest.from_file(str(script), default_timeout=30)
        at.run()
    finally:
        for key, value in saved.items():
            config.set_option(f"client.{key}", value)
    # The page tests' ``assert not at.exception`` keeps failing on a raising page...
    assert len(at.exception) == 1
    # ...while the message, type and traceback are withheld from the browser.
    exc = at.exception[0]
    assert SECRET not in exc.message
    assert "ValueError" not in exc.message
    assert list(exc.stack_trace) == []


@pytest.mark.browser
def test_a_raising_page_shows_no_traceback_in_chromium(tmp_path):
    require_chromium()
    # A throw-away app served with the product's config (read from the working directory).
    root = tmp_path / "app"
    (root / ".streamlit").mkdir(parents=True)
    shutil.copy(CONFIG, root / ".streamlit" / "config.toml")
    (root / "app.py").write_text(BOOM, encoding="utf-8")
    with streamlit_server(tmp_path / "ws.duckdb", root=root) as (url, _), browser_page() as page:
        page.goto(url)
        page.get_by_test_id("stException").wait_for()
        wait_idle(page)
        text = page.get_by_test_id("stException").inner_text()
        body = page.locator("body").inner_text()
    assert "before" in body
    for leaked in (SECRET, "ValueError", "Traceback", "boom", "app.py", "ChatGPT", "Google"):
        assert leaked not in body, (leaked, text)
