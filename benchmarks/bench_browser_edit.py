"""Move one camera in the district in a real browser; target: the map updates ≤ 0.7 s.

The district benchmark scene (1 km², 0.5 m grid = 4 M cells, 200 cameras, 2,000
buildings, 300 lights; ``--cut``: a 400 m cut with 40 cameras) is stored in a temporary
workspace, ``streamlit run app.py`` serves it and Debian's Chromium (Playwright, headless,
never a downloaded browser) opens the シミュレーション page. Each move types a new latitude
for camera C0 in the cameras' table and presses Enter; the time is taken from Enter until
the map's heat-map image (``layout.images``) has changed in the page — what the user sees.
Last, one camera is placed with a click on the map (click mode カメラを置く), timed the same
way from the click.
The first move after loading the page is printed on its own (the browser's first table
edit and first redraw are slower), then the median and the range of the following ones.

The baseline, measured in the same run, is the page's first load of the same scene: every
camera and the whole night join computed and the map drawn from nothing. The websocket
frames give the split: when the browser sent the edit, when the map's figure arrived.

    python benchmarks/bench_browser_edit.py          # the full district
    python benchmarks/bench_browser_edit.py --cut    # 400 m cut (640,000 cells)
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scenes import district
from datasets.workspace import Workspace
from tests.browser import (HEATMAP_HREF, browser_page, hover_map_point, streamlit_server,
                           type_first_camera_lat, wait_idle)

N_MOVES = 6


def scene(cut: bool) -> dict:
    plan = (district(seed=1, size_m=400.0, n_buildings=320, n_cameras=40, n_lights=48)
            if cut else district(seed=1, n_lights=300))
    plan["name"] = "speed"
    return plan


def move_camera(page, lat: float, frames: list) -> tuple[float, float | None, float | None]:
    """Type ``lat`` into C0's latitude cell and press Enter; returns (seconds until the
    heat map changed, seconds until the edit was sent, seconds until the figure arrived)."""
    before = page.evaluate(HEATMAP_HREF)
    type_first_camera_lat(page, lat)
    frames.clear()
    t0 = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({HEATMAP_HREF})() !== {json.dumps(before)}",
                           timeout=120_000, polling=20)
    seconds = time.perf_counter() - t0
    wait_idle(page, 120_000)
    sent = next((t - t0 for kind, t, n in frames if kind == "sent" and t >= t0), None)
    fig = next((t - t0 for kind, t, n in frames if kind == "recv" and t >= t0 and n > 100_000),
               None)
    return seconds, sent, fig


def place_camera(page) -> float:
    """Click mode カメラを置く, then a click on the map's middle: seconds from the click until
    the heat map changed (the new camera computed and drawn)."""
    page.get_by_test_id("stMainBlockContainer").get_by_text("カメラを置く", exact=True).click()
    wait_idle(page, 120_000)
    before = page.evaluate(HEATMAP_HREF)
    drag, pos = hover_map_point(page, 0.0, 0.0)         # the middle of the area
    t0 = time.perf_counter()
    drag.click(position=pos)
    page.wait_for_function(f"() => ({HEATMAP_HREF})() !== {json.dumps(before)}",
                           timeout=120_000, polling=20)
    seconds = time.perf_counter() - t0
    wait_idle(page, 120_000)
    return seconds


def main() -> None:
    cut = "--cut" in sys.argv
    plan = scene(cut)
    with tempfile.TemporaryDirectory(prefix="bench_browser_") as tmp:
        workspace = Path(tmp) / "ws.duckdb"
        ws = Workspace(workspace)
        ws.add_plan(plan)
        ws.close()
        frames: list = []
        with streamlit_server(workspace) as (url, _), browser_page((1600, 1000)) as page:
            page.on("websocket", lambda w: (
                w.on("framereceived", lambda p: frames.append(
                    ("recv", time.perf_counter(), len(p or b"")))),
                w.on("framesent", lambda p: frames.append(
                    ("sent", time.perf_counter(), len(p or b""))))))
            t0 = time.perf_counter()
            page.goto(url + "/simulate")
            page.wait_for_function(f"() => ({HEATMAP_HREF})()", timeout=300_000, polling=50)
            load = time.perf_counter() - t0
            wait_idle(page, 300_000)
            runs = [move_camera(page, plan["cameras"][0]["lat"] + 1e-4 * (k + 1), frames)
                    for k in range(N_MOVES)]
            placed = place_camera(page)
    first, rest = runs[0], runs[1:]
    med = statistics.median(r[0] for r in rest)
    what = ("400 m cut: 640,000 cells, 40 cameras" if cut else
            "district: 4 M cells, 200 cameras, 2,000 buildings, 300 lights")
    print(what)
    print(f"  baseline, first load of the page (all cameras, night join, map): {load:.2f} s")
    print(f"  move one camera, first edit after loading: {first[0]:.2f} s (edit sent "
          f"{first[1] or float('nan'):.2f} s, figure received {first[2] or float('nan'):.2f} s)")
    print(f"  move one camera, median of the next {len(rest)}: {med:.2f} s (target ≤ 0.7 s: "
          f"{'OK' if med <= 0.7 else 'MISSED'}; range {min(r[0] for r in rest):.2f}–"
          f"{max(r[0] for r in rest):.2f} s) → ×{load / med:.1f} faster than the first load")
    print(f"  place a camera with a click on the map: {placed:.2f} s from the click to the "
          "new heat map")
    split = [(s, f, t) for t, s, f in rest if s is not None and f is not None]
    if split:
        print("    of which (median): edit sent by the browser "
              f"{statistics.median(s for s, _, _ in split):.2f} s, figure received "
              f"{statistics.median(f for _, f, _ in split):.2f} s, map drawn "
              f"{statistics.median(t for _, _, t in split):.2f} s after Enter")


if __name__ == "__main__":
    main()
