"""Offline guarantee: every page in the app's navigation runs with network access blocked
(``socket.connect`` and name resolution raise), in both languages; maps draw without tiles;
geocoding degrades to a per-row message.
"""
from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def navigation_pages() -> list[str]:
    """Page files listed in ``ui.shell.PAGES`` that exist (the navigation shows exactly these)."""
    tree = ast.parse((ROOT / "ui" / "shell.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            pages = [elt.elts[1].value for elt in node.value.elts]
            return [p for p in pages if (ROOT / p).is_file()]
    raise AssertionError("ui/shell.py has no PAGES list")


PAGES = navigation_pages()
TILE_TRACES = {"scattermapbox", "choroplethmapbox", "densitymapbox", "scattermap",
               "choroplethmap", "densitymap", "scattergeo", "choropleth"}
attempts: list = []


class NetworkBlocked(OSError):
    pass


def _blocked(*args, **kwargs):
    attempts.append(args[1:2] or args[:1])
    raise NetworkBlocked("network access is blocked in this test")


@pytest.fixture
def offline(monkeypatch):
    attempts.clear()
    monkeypatch.setattr(socket.socket, "connect", _blocked)
    monkeypatch.setattr(socket.socket, "connect_ex", _blocked)
    monkeypatch.setattr(socket, "create_connection", _blocked)
    monkeypatch.setattr(socket, "getaddrinfo", _blocked)
    yield attempts


def test_the_block_works(offline):
    with pytest.raises(OSError):
        socket.create_connection(("example.com", 80), timeout=1)
    with pytest.raises(OSError), socket.socket() as sock:
        sock.connect(("127.0.0.1", 9))
    import urllib.request
    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.com", timeout=1)


def test_navigation_lists_the_pages():
    assert "pages/home.py" in PAGES and len(PAGES) >= 8


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_offline(offline, page, lang):
    at = AppTest.from_file(str(ROOT / page), default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert offline == [], f"{page} tried to connect: {offline}"
    # maps: no trace type that needs a tile server or a downloaded base map
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        kinds = {trace.get("type", "scatter") for trace in spec.get("data", [])}
        assert not kinds & TILE_TRACES, f"{page}: {kinds & TILE_TRACES} need map tiles"


def test_app_entry_runs_offline(offline):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    assert offline == []


def test_geocoding_offline_reports_each_address(offline):
    geopy = pytest.importorskip("geopy.geocoders")
    from assessments.plan.iotools import geocode_addresses
    geocoder = geopy.Nominatim(user_agent="mimamori-planner-test", timeout=1)
    rows = [{"id": "C1", "address": "千葉県柏市若柴178-4"},
            {"id": "C2", "address": "千葉県柏市柏の葉5-2"}]
    result = geocode_addresses(rows, geocoder, min_delay_s=0)
    assert result.rows == []
    codes = [(p.row, p.code) for p in result.problems]
    assert codes == [(1, "geocode_failed"), (2, "geocode_failed")]
    assert len(offline) >= 2  # it really tried, and the block stopped it
