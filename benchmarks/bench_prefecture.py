"""A prefecture on Dask: 埼玉県 scale (62 km × 62 km ≈ 3,844 km², 1 m grid = 3.8 G cells),
30,000 cameras, 60,000 street lights, in tiles of 2048² cells (assessments.engine.tiles).

The whole plan (cameras, lights, area) is split into its ~960 tiles exactly as
``python -m assessments simulate PLAN.json --scheduler …`` does; a seeded sample of tiles
(16 by default) is then simulated on a local Dask cluster of 2 single-threaded worker
processes, interleaved with nothing else, and the rest is extrapolated from the sample:
CPU per tile × tiles ÷ (machines × cores). Buildings are generated only in the sampled
tiles' windows, at the city scene's density (286 per km², 3–15 m): a synthetic prefecture
with uniform density, denser than its farmland and forest and sparser than its centres.

Prints per tile: cells (core and window), cameras, lights, buildings, wall and CPU time in
the worker, the worker's peak RSS; then the medians, the merge time of the sample, and the
projection to N machines × cores; the load average with each figure.

    python benchmarks/bench_prefecture.py [N_SAMPLE_TILES] [TILE_CELLS]
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from assessments.engine import tiles as T  # noqa: E402
from assessments.engine.grid import Grid  # noqa: E402
from benchmarks.scenes import _buildings, _cameras, _square_area, plan_lights  # noqa: E402

SAITAMA = (35.8572, 139.6489)      # 埼玉県庁
SIDE_M = 62_000.0
N_CAMERAS = 30_000
N_LIGHTS = 60_000
BUILDINGS_PER_KM2 = 40_000 / 140   # the city scene's density


def load() -> str:
    return "load %.1f %.1f %.1f" % os.getloadavg()


def prefecture(seed=1):
    """The plan without buildings, and the local grid its generators work in."""
    rng = np.random.default_rng(seed)
    g = Grid.from_bounds(*SAITAMA, -1, -1, 1, 1, 1.0)
    h = SIDE_M / 2
    plan = {"version": 1, "name": f"prefecture seed {seed}", "resolution_m": 1.0,
            "target_height_m": 1.5, "area": _square_area(g, -h, -h, h, h),
            "cameras": _cameras(rng, g, N_CAMERAS, -h, -h, h, h),
            "lights": plan_lights(rng, g, N_LIGHTS, -h, -h, h, h)}
    for i, cam in enumerate(plan["cameras"]):
        cam.update(min_illuminance_lx=0.5, shutter_s=1 / 60)
        if i % 3 == 0:
            cam["ir_range_m"] = 30.0
    return plan, rng


def measured_tile(task):
    """run_tile in the worker, with its wall and CPU time and the worker's peak RSS."""
    import resource
    import time as _t
    c0, t0 = _t.process_time(), _t.perf_counter()
    out = T.run_tile(task)
    out.pop("arrays", None)
    out["wall_s"] = _t.perf_counter() - t0
    out["cpu_s"] = _t.process_time() - c0
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main():
    n_sample = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    tile_cells = int(sys.argv[2]) if len(sys.argv) > 2 else T.TILE_CELLS
    t0 = time.perf_counter()
    plan, rng = prefecture()
    grid = Grid.from_area(plan["area"], 1.0)
    print(f"prefecture: {grid.shape[0]}×{grid.shape[1]} = {grid.shape[0] * grid.shape[1] / 1e9:.2f} "
          f"G cells, {N_CAMERAS} cameras, {N_LIGHTS} lights; plan built in "
          f"{time.perf_counter() - t0:.1f} s ({load()})")
    # the sample's tiles, and buildings in their windows (same overlap as tile_tasks)
    tiles = T.split(grid, tile_cells=tile_cells)
    pick = sorted(rng.choice(len(tiles), size=min(n_sample, len(tiles)), replace=False))
    feats = []
    for k in pick:
        r0, r1, c0, c1 = tiles[k].core
        pad = 300.0
        x0 = grid.x0_m + c0 - pad
        x1 = grid.x0_m + c1 + pad
        y1 = grid.y0_m - r0 + pad
        y0 = grid.y0_m - r1 - pad
        n = int(BUILDINGS_PER_KM2 * (x1 - x0) * (y1 - y0) / 1e6)
        fc = _buildings(rng, grid, n, x0, y0, x1, y1, height=(3, 15))
        for f in fc["features"]:
            f["id"] = f"B{len(feats)}"
            feats.append(f)
    plan["buildings"] = {"type": "FeatureCollection", "features": feats}
    c0_, t0 = time.process_time(), time.perf_counter()
    grid2, tiles, tasks, cams = T.tile_tasks(plan, tile_cells=tile_cells, night_grids=False)
    split_wall, split_cpu = time.perf_counter() - t0, time.process_time() - c0_
    assert grid2.shape == grid.shape
    overlap = tiles[0].window[1] - tiles[0].core[1]
    print(f"split: {len(tiles)} tiles of {tile_cells}² cells, overlap {overlap} cells; "
          f"{split_wall:.1f} s wall / {split_cpu:.1f} s CPU (validation of the whole plan "
          f"included; {len(feats)} buildings in the sample) ({load()})")

    from dask.distributed import Client, LocalCluster
    kw = T.local_cluster_kwargs(2, memory_limit_bytes=6 * 2 ** 30)
    t0 = time.perf_counter()
    with LocalCluster(**kw) as cluster, Client(cluster) as client:
        print(f"local cluster of 2 workers up in {time.perf_counter() - t0:.1f} s ({load()})")
        t0 = time.perf_counter()
        futures = client.map(measured_tile, [tasks[k] for k in pick], pure=False)
        outs = client.gather(futures)
        sample_wall = time.perf_counter() - t0
    print(f"\n{'tile':>5} {'core cells':>11} {'window':>11} {'cams':>5} {'lights':>6} "
          f"{'bldgs':>6} {'wall s':>7} {'CPU s':>6} {'peak RSS MiB':>12}")
    for k, o in zip(pick, outs):
        t = tiles[k]
        core = (t.core[1] - t.core[0]) * (t.core[3] - t.core[2])
        win = (t.window[1] - t.window[0]) * (t.window[3] - t.window[2])
        nb = len(tasks[k]["plan"]["buildings"]["features"])
        print(f"{k:>5} {core:>11,} {win:>11,} {len(tasks[k]['plan']['cameras']):>5} "
              f"{len(tasks[k]['plan']['lights']):>6} {nb:>6} {o['wall_s']:>7.2f} "
              f"{o['cpu_s']:>6.2f} {o['peak_rss_mib']:>12.0f}")
    cpu = np.array([o["cpu_s"] for o in outs])
    wall = np.array([o["wall_s"] for o in outs])
    rss = max(o["peak_rss_mib"] for o in outs)
    t0 = time.perf_counter()
    seen = {c["id"] for o in outs for c in o["result"]["cameras"]}
    T.merge(grid, [tiles[k] for k in pick], outs,
            plan_cameras=[c for c in cams if c.id in seen])
    merge_s = time.perf_counter() - t0
    full = sum((t.core[1] - t.core[0]) * (t.core[3] - t.core[2]) for t in tiles) / tile_cells ** 2
    total_cpu = float(np.median(cpu)) * full
    print(f"\nsample: {len(pick)} tiles in {sample_wall:.1f} s wall on 2 workers; per tile median "
          f"{np.median(wall):.2f} s wall, {np.median(cpu):.2f} s CPU (mean {cpu.mean():.2f}); "
          f"peak RSS per worker {rss:.0f} MiB ({load()})")
    print(f"merge of the sample: {merge_s * 1e3:.0f} ms → {merge_s / len(pick) * len(tiles):.1f} s "
          f"for all {len(tiles)} tiles")
    print(f"whole prefecture: {full:.0f} full-tile equivalents × {np.median(cpu):.2f} s = "
          f"{total_cpu / 3600:.2f} CPU-hours")
    print("projected wall (CPU ÷ cores, plus split and merge on the client):")
    for machines, cores in ((1, 2), (1, 8), (4, 8), (16, 8), (64, 8)):
        w = total_cpu / (machines * cores) + split_wall + merge_s / len(pick) * len(tiles)
        print(f"  {machines:>3} machine(s) × {cores} cores: {w / 60:7.1f} min "
              f"(memory per machine ≈ {cores * rss / 1024:.1f} GiB)")


if __name__ == "__main__":
    main()
