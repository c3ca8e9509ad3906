"""District: 1 km², 0.5 m grid (4 M cells), 200 cameras, 2,000 buildings; target ≤ 2 s.

Prints the end-to-end time of ``simulate`` (validation, rasterising, cameras, summary),
then the ratio against the dense baseline on a 250 m × 250 m cut of the same scene
(baseline and ours measured in this run).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from assessments.coverage import CoverageModel, simulate  # noqa: E402
from assessments.grid import Grid  # noqa: E402
from benchmarks.scenes import dense_baseline, district, timed  # noqa: E402


def main():
    plan = district(seed=1)
    import time
    t, sim = timed(simulate, plan, repeat=3)
    c0 = time.process_time()
    simulate(plan)
    cpu = time.process_time() - c0
    r = sim.result
    print(f"district: {r['grid']['rows']}×{r['grid']['cols']} cells, "
          f"{len(plan['cameras'])} cameras, {len(plan['buildings']['features'])} buildings")
    print(f"  simulate end to end: {t:.2f} s wall best of 3, {cpu:.2f} s CPU summed over "
          f"threads (target ≤ 2 s)  "
          f"coverage {r['coverage_fraction']:.4f}, covered {r['covered_m2']:.0f} m²")
    # baseline on a cut the dense method can finish: 250 m square, 1/16 of the cells
    small = district(seed=1, size_m=250.0, n_buildings=125, n_cameras=12)
    grid = Grid.from_area(small["area"], small["resolution_m"])
    model = CoverageModel(grid, small["buildings"], area=small["area"])
    t_ours, _ = timed(model.set_cameras, small["cameras"], repeat=3)
    t_base, base = timed(dense_baseline, model, small["cameras"])
    same = np.mean((base > 0) == (model.pixel_density > 0))
    print(f"  cut 250 m × 250 m, 12 cameras: ours {t_ours * 1e3:.1f} ms, dense baseline "
          f"{t_base * 1e3:.0f} ms → ×{t_base / t_ours:.0f} faster; "
          f"seen/unseen agreement {same:.4f}")
    per_cam_cell = t_base / (12 * grid.shape[0] * grid.shape[1])
    full = per_cam_cell * 200 * r['grid']['rows'] * r['grid']['cols']
    print(f"  baseline extrapolated to the full district (cameras × cells): ≈ {full:.0f} s "
          f"→ ×{full / t:.0f}")


if __name__ == "__main__":
    main()
