"""The documents of the 出力 page in a real headless Chromium at 1366×768: the 配置図 and the
plan book are made when their button is clicked and arrive as PDFs with embedded Japanese
fonts whose text reads back."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from datasets.workspace import Workspace
from tests.browser import (browser_page, require_chromium, screenshot, streamlit_server,
                           wait_idle)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _pdf_fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                          check=True).stdout


def test_layout_map_and_plan_book_download(tmp_path):
    require_chromium()
    plan = json.loads((ROOT / "datasets" / "sample_district" / "plan.json").read_text("utf-8"))
    workspace = tmp_path / "ws.duckdb"
    ws = Workspace(workspace)
    ws.add_plan(plan)
    ws.close()
    with streamlit_server(workspace) as (url, _), browser_page((1366, 768)) as page:
        page.goto(url + "/export")
        page.get_by_role("heading", name="配置図・計画書（PDF）").wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        page.get_by_role("heading", name="配置図・計画書（PDF）").scroll_into_view_if_needed()
        screenshot(page, "export_documents")
        got = {}
        for label, name in (("配置図 PDF", "map.pdf"), ("計画書 PDF", "book.pdf")):
            with page.expect_download(timeout=120_000) as dl:
                page.get_by_role("button", name=label).click()
            path = tmp_path / name
            dl.value.save_as(path)
            got[name] = path
            assert path.read_bytes()[:5] == b"%PDF-"
    map_text, book_text = _pdf_text(got["map.pdf"]), _pdf_text(got["book.pdf"])
    assert "配置図" in map_text and plan["name"] in map_text and "C11" in map_text
    assert plan["name"] in book_text and "カメラ C11" in book_text
    for path in got.values():
        fonts = _pdf_fonts(path)
        assert "NotoSansCJKJP" in fonts and " yes yes " in fonts.replace("  ", " ")
