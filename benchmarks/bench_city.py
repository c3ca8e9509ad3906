"""City (加古川 scale): 1,500 cameras over 140 km², 1 m grid (140 M cells); targets ≤ 20 s
and ≤ 2 GiB peak memory.

Prints the time of ``simulate`` (validation, area mask, building raster, cameras, summary),
the peak resident memory of the process (which includes the plan dict itself), and the
ratio against the dense baseline measured on a 500 m × 500 m cut with 8 cameras,
extrapolated by cameras × cells.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessments.coverage import CoverageModel, simulate  # noqa: E402
from assessments.grid import Grid  # noqa: E402
from benchmarks.scenes import city, dense_baseline, peak_rss_mib, timed  # noqa: E402


def main():
    n_buildings = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    plan = city(seed=1, n_buildings=n_buildings)
    rss_plan = peak_rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    sim = simulate(plan)
    t, cpu = time.perf_counter() - t0, time.process_time() - c0
    r = sim.result
    print(f"city: {r['grid']['rows']}×{r['grid']['cols']} = "
          f"{r['grid']['rows'] * r['grid']['cols'] / 1e6:.0f} M cells, "
          f"{len(plan['cameras'])} cameras, {n_buildings} buildings")
    print(f"  simulate: {t:.1f} s wall, {cpu:.1f} s CPU (target ≤ 20 s); peak RSS "
          f"{peak_rss_mib():.0f} MiB (plan dict alone {rss_plan:.0f} MiB; target ≤ 2048)")
    print(f"  coverage {r['coverage_fraction']:.4f}, covered {r['covered_m2'] / 1e6:.2f} km²")
    cells = r['grid']['rows'] * r['grid']['cols']
    del sim
    small = city(seed=1, width_m=500, height_m=500, n_buildings=50, n_cameras=8)
    g = Grid.from_area(small["area"], small["resolution_m"])
    model = CoverageModel(g, small["buildings"], area=small["area"])
    t_ours, _ = timed(model.set_cameras, small["cameras"], repeat=3)
    t_base, _ = timed(dense_baseline, model, small["cameras"])
    print(f"  cut 500 m × 500 m, 8 cameras: ours {t_ours * 1e3:.1f} ms, dense baseline "
          f"{t_base * 1e3:.0f} ms → ×{t_base / t_ours:.0f}")
    full = t_base / (8 * g.shape[0] * g.shape[1]) * 1500 * cells
    print(f"  baseline extrapolated to the city: ≈ {full / 3600:.1f} h → ×{full / t:.0f}")


if __name__ == "__main__":
    main()
