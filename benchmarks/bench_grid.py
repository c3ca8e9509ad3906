"""``--grid``: writing the per-cell arrays against the simulation; target ≤ 10 %.

The district scene (1 km², 0.5 m grid = 4 M cells, 200 cameras, 2,000 buildings, 300
lights) is simulated with its night grids kept, as ``python -m assessments simulate
--grid`` does, then written as GRID.npz (``validate.write_grid``, with the lat / lon grids
the CLI adds) and as GRID.tif (``gridfile.write_grid_tif``) into a temporary folder.
Runs are interleaved (simulate, npz, tif, simulate, …) and the medians compared, CPU time
(``time.process_time``, all threads) and wall; the npz time is split into the lat / lon
grids and the archive (deflate level 1, synced to disk). Printed with the load average.

    python benchmarks/bench_grid.py [REPEAT]      # default 3
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessments.engine.gridfile import write_grid_tif  # noqa: E402
from assessments.plan.validate import write_grid  # noqa: E402
from assessments.simulate import simulate  # noqa: E402
from benchmarks.scenes import district  # noqa: E402


def _load() -> str:
    return "load " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def _timed(fn):
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.process_time() - c, time.perf_counter() - t


def main():
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    plan = district(seed=1, n_lights=300)
    simulate(plan)                                   # load the compiled kernels
    rows = {k: [] for k in ("sim", "latlon", "npz", "tif")}
    with tempfile.TemporaryDirectory(prefix="bench_grid_") as tmp:
        for _ in range(repeat):
            sim, c, w = _timed(lambda: simulate(plan))
            rows["sim"].append((c, w))
            grid = sim.model.grid
            # as the CLI: the arrays without lat / lon, which GRID.npz adds (computed on
            # first use of Grid.lat / Grid.lon) and GRID.tif's georeference replaces
            arrays, c, w = _timed(lambda: sim.grid_arrays(latlon=False))
            _, c2, w2 = _timed(lambda: write_grid_tif(arrays, grid, Path(tmp) / "GRID.tif"))
            rows["tif"].append((c + c2, w + w2))
            latlon, c3, w3 = _timed(lambda: {"lat": grid.lat, "lon": grid.lon})
            rows["latlon"].append((c3, w3))
            _, c4, w4 = _timed(lambda: write_grid({**latlon, **arrays},
                                                  Path(tmp) / "GRID.npz"))
            rows["npz"].append((c + c3 + c4, w + w3 + w4))
            sizes = {k: (Path(tmp) / k).stat().st_size / 1e6 for k in ("GRID.npz", "GRID.tif")}
            del sim, arrays, grid, latlon
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v))
           for k, v in rows.items()}
    s_cpu, s_wall = med["sim"]
    print(f"district, 4 M cells, 200 cameras, 300 lights; medians of {repeat} interleaved runs "
          f"[{_load()}]")
    print(f"  simulate (night grids kept): {s_cpu:.2f} s CPU, {s_wall:.2f} s wall")
    for k, name in (("npz", "GRID.npz"), ("tif", "GRID.tif")):
        c, w = med[k]
        extra = (f" (of which lat / lon {med['latlon'][0]:.2f} s CPU)" if k == "npz" else "")
        print(f"  {name} {sizes[name]:.0f} MB: {c:.2f} s CPU{extra}, {w:.2f} s wall → "
              f"{c / s_cpu:.0%} of simulate's CPU, {w / s_wall:.0%} of its wall (target ≤ 10 %: "
              f"{'OK' if c / s_cpu <= 0.10 else 'MISSED'})")


if __name__ == "__main__":
    main()
