"""Helpers for browser tests: run ``streamlit run app.py`` on a free localhost port and drive
Debian's Chromium with Playwright (never a downloaded browser)."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic", "--lang=ja"]


def require_chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI (.ci/run installs it)")
        pytest.skip("Debian chromium not installed (apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(workspace: Path, *, env_extra: dict | None = None, timeout_s: float = 60,
                     root: Path = ROOT):
    """Start the app (``root``/app.py: another checkout can be served, e.g. the previous
    code, to show that a test fails there); yields its base URL; stops it afterwards."""
    port = free_port()
    env = dict(os.environ, MIMAMORI_WORKSPACE=str(workspace), **(env_extra or {}))
    cmd = [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log = open(workspace.with_suffix(".log"), "wb")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" +
                                   workspace.with_suffix(".log").read_text(errors="replace"))
            time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


@contextlib.contextmanager
def browser_page(viewport=(1400, 900)):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]},
                                    locale="ja-JP")
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_idle(page, timeout_ms: int = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout_ms)


def pick(page, scope, label: str, option: str, then: str = "") -> None:
    """A Streamlit selectbox in ``scope`` (the sidebar, the page): open it, type to filter,
    choose the option; done when the text ``then`` shows in ``scope`` (or the box shows the
    option): the rerun that follows the choice has finished. Retried: the list can
    re-render while the previous rerun is still arriving."""
    box = scope.get_by_test_id("stSelectbox").filter(has_text=label)
    for attempt in range(3):
        wait_idle(page)
        try:
            box.click()
            # typed into the box's own search field, never into whatever has the focus: a
            # stray space would tick a focused checkbox of the page
            box.locator("input").first.press_sequentially(option)
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            wait_idle(page)
            if then:
                scope.get_by_text(then, exact=True).first.wait_for(timeout=10_000)
                return
            for _ in range(40):  # the box shows the choice (as text or as the input value)
                inputs = box.locator("input")
                shown = box.inner_text() + (inputs.first.input_value() if inputs.count() else "")
                if option in shown:
                    return
                page.wait_for_timeout(250)
            raise AssertionError(f"{label}: {option} not chosen")
        except Exception:
            page.keyboard.press("Escape")
            if attempt == 2:
                screenshot(page, "pick_failed")
                raise


#: JavaScript: the ``href`` of the simulation map's first image layer (the heat map).
HEATMAP_HREF = ("() => { const i = document.querySelector('.js-plotly-plot .imagelayer "
                "image'); return i ? i.getAttribute('href') : null; }")


def hover_map_point(page, x_m: float, y_m: float):
    """Hover the simulation map's click-grid point nearest to (``x_m`` east, ``y_m`` north)
    [m]; returns ``(drag_layer, position)`` for ``drag_layer.click(position=position)``.
    Through the drag layer's locator, Playwright scrolls the point into view. Waits until
    the map (re)drawn after the last run has its click grid."""
    page.wait_for_function(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " return !!(gd && gd._fullData && gd._fullData.some(d => d.name === 'grid')); }",
        timeout=60_000)
    xy = page.evaluate(
        """([x, y]) => {
          const gd = document.querySelector('.js-plotly-plot');
          // _fullData: x, y arrive as binary typed arrays (decoded there)
          const tr = gd._fullData.find(d => d.name === 'grid');
          let best = 0, bd = 1e18;
          for (let i = 0; i < tr.x.length; i++) {
            const d = (tr.x[i] - x) ** 2 + (tr.y[i] - y) ** 2;
            if (d < bd) { bd = d; best = i; }
          }
          return [gd._fullLayout.xaxis.l2p(tr.x[best]), gd._fullLayout.yaxis.l2p(tr.y[best])];
        }""", [x_m, y_m])
    drag = page.locator(".js-plotly-plot").first.locator(".nsewdrag").first
    position = {"x": xy[0], "y": xy[1]}
    drag.hover(position=position)
    page.wait_for_timeout(300)
    return drag, position


def type_first_camera_lat(page, lat: float) -> None:
    """In the simulation page's cameras table (first tab), select row 0's id cell (after
    the row-marker column), step to the latitude, open the editor and type ``lat``; the
    caller presses Enter (to time from it)."""
    grid = page.get_by_role("tabpanel").first.locator("[data-testid='stDataFrame']")
    grid.first.scroll_into_view_if_needed()
    box = grid.first.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)        # header 35 px, row 0
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.press("Control+a")
    page.keyboard.type(f"{lat:.6f}", delay=20)
    page.wait_for_timeout(300)
