"""Edit: move one camera in the district and update the result; target ≤ 0.2 s.

Prints the time of ``CoverageModel.update_camera`` + ``summary`` for 10 different moves
(median and worst), against recomputing every camera (``set_cameras``) in the same run.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from assessments.plan import validate as planfile  # noqa: E402
from assessments.engine.coverage import CoverageModel  # noqa: E402
from assessments.engine.grid import Grid  # noqa: E402
from benchmarks.scenes import district  # noqa: E402


def main():
    raw = district(seed=1)
    plan = planfile.validate_plan(raw)
    grid = Grid.from_area(plan["area"], plan["resolution_m"])
    model = CoverageModel(grid, plan["_footprints"], area=plan["area"])
    t = time.perf_counter()
    model.set_cameras(plan["cameras"])
    t_full = time.perf_counter() - t
    rng = np.random.default_rng(2)
    times = []
    for i in range(10):
        cam = dict(raw["cameras"][int(rng.integers(0, len(raw["cameras"])))])
        cam["lat"] += rng.uniform(-1e-4, 1e-4)       # ≈ ±11 m
        cam["lon"] += rng.uniform(-1e-4, 1e-4)
        cam["azimuth_deg"] = float(rng.uniform(0, 360))
        t = time.perf_counter()
        model.update_camera(cam)
        model.summary()
        times.append(time.perf_counter() - t)
    times = np.array(times)
    print(f"edit (district, 200 cameras): update_camera + summary median "
          f"{np.median(times) * 1e3:.0f} ms, worst {times.max() * 1e3:.0f} ms "
          f"(target ≤ 200 ms)")
    print(f"  full recompute of all cameras: {t_full * 1e3:.0f} ms → edit ×"
          f"{t_full / np.median(times):.0f} faster")


if __name__ == "__main__":
    main()
