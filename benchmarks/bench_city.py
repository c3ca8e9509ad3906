"""City (加古川 scale): 1,500 cameras and 5,000 street lights over 140 km², 1 m grid (140 M
cells); targets ≤ 10 s end to end and ≤ 2 GiB peak memory.

Prints the time of ``simulate`` (validation, area mask, building raster, cameras, summary,
night pass), wall and CPU, the peak resident memory of the process (which includes the plan
dict itself), and the ratios against the dense baselines measured on a 500 m × 500 m cut
(8 cameras, 9 lights — the city's light density), extrapolated by cameras × cells for the
coverage and lights × cells (× cameras for the vertical illuminance) for the night.
``simulate`` runs with ``night_grids=False``, as the CLI does without ``--grid``: the two
float32 night grids would add 1.1 GB.

``python benchmarks/bench_city.py [N_BUILDINGS [N_LIGHTS [REPEAT]]]`` (default 40000 5000 3:
best of 3 runs, wall and CPU of the fastest). ``--districts`` adds 24 school districts tiling
the city (``scenes.school_districts``) and prints the figures per district's share: one run
with and one without them, in the same process.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import assessments.simulate as one_shot  # noqa: E402
from assessments.engine.coverage import CoverageModel  # noqa: E402
from assessments.simulate import simulate  # noqa: E402
from assessments.engine.grid import Grid  # noqa: E402
from benchmarks.scenes import (PhaseTimer, city, dense_baseline,  # noqa: E402
                               night_baseline_report, peak_rss_mib, school_districts, timed)


def districts():
    """The city with and without 24 school districts: time and peak memory."""
    plan = city(seed=1, n_buildings=40_000, n_lights=5000)
    t0 = time.perf_counter()
    simulate(plan, night_grids=False)
    without = time.perf_counter() - t0
    rss0 = peak_rss_mib()
    plan["districts"] = school_districts(plan)
    t0 = time.perf_counter()
    r = simulate(plan, night_grids=False).result
    with_d = time.perf_counter() - t0
    d = r["districts"]
    print(f"city with {len(d)} school districts: {with_d:.1f} s (without {without:.1f} s → "
          f"+{with_d - without:.1f} s); peak RSS {peak_rss_mib():.0f} MiB (without "
          f"{rss0:.0f} MiB; target ≤ 2048)")
    print(f"  districts' areas add up to {sum(x['area_m2'] for x in d) / 1e6:.2f} km² of "
          f"{r['area_m2'] / 1e6:.2f} km²; covered {sum(x['covered_m2'] for x in d) / 1e6:.3f} "
          f"of {r['covered_m2'] / 1e6:.3f} km²")


def main():
    if "--districts" in sys.argv:
        return districts()
    n_buildings = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    n_lights = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    n_repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    plan = city(seed=1, n_buildings=n_buildings, n_lights=n_lights)
    rss_plan = peak_rss_mib()
    runs, r = [], None              # (wall, CPU, night wall, night CPU) per run
    for _ in range(n_repeat):
        with PhaseTimer(one_shot, "simulate_night") as night:
            t0, c0 = time.perf_counter(), time.process_time()
            sim = simulate(plan, night_grids=False)
            runs.append((time.perf_counter() - t0, time.process_time() - c0,
                         night.wall, night.cpu))
        r = sim.result
        del sim                     # one model at a time: the peak is that of one run
    t, cpu, night_wall, night_cpu = min(runs)
    print(f"city: {r['grid']['rows']}×{r['grid']['cols']} = "
          f"{r['grid']['rows'] * r['grid']['cols'] / 1e6:.0f} M cells, "
          f"{len(plan['cameras'])} cameras, {n_buildings} buildings, {n_lights} lights")
    print(f"  simulate, best of {n_repeat}: {t:.1f} s wall, {cpu:.1f} s CPU (target ≤ 10 s: "
          f"{'OK' if t <= 10 else 'MISSED'}; all runs {', '.join(f'{x[0]:.1f}' for x in runs)} s, "
          f"the first one mapping the process's memory), "
          f"of which the night pass {night_wall:.1f} s wall, {night_cpu:.1f} s CPU; peak RSS "
          f"{peak_rss_mib():.0f} MiB (plan dict alone {rss_plan:.0f} MiB; target ≤ 2048)")
    print(f"  coverage {r['coverage_fraction']:.4f}, covered {r['covered_m2'] / 1e6:.2f} km²; "
          f"night Detect {r['night_dori_m2']['detect'] / 1e6:.3f} km² (day "
          f"{r['dori_m2']['detect'] / 1e6:.3f}), mean E_h "
          f"{r['illuminance']['mean_lx'] or 0:.3f} lx, lit but unseen "
          f"{r['lit_but_unseen_m2'] / 1e6:.2f} km², seen but dark "
          f"{r['seen_but_dark_m2'] / 1e6:.2f} km²")
    cells = r['grid']['rows'] * r['grid']['cols']
    small = city(seed=1, width_m=500, height_m=500, n_buildings=50, n_cameras=8,
                 n_lights=9 if n_lights else 0)
    g = Grid.from_area(small["area"], small["resolution_m"])
    model = CoverageModel(g, small["buildings"], area=small["area"])
    t_ours, _ = timed(model.set_cameras, small["cameras"], repeat=3)
    t_base, _ = timed(dense_baseline, model, small["cameras"])
    print(f"  cut 500 m × 500 m, 8 cameras: ours {t_ours * 1e3:.1f} ms, dense baseline "
          f"{t_base * 1e3:.0f} ms → ×{t_base / t_ours:.0f}")
    full = t_base / (8 * g.shape[0] * g.shape[1]) * 1500 * cells
    print(f"  coverage baseline extrapolated to the city: ≈ {full / 3600:.1f} h → "
          f"×{full / (t - night_wall):.0f} (against simulate without the night pass)")
    if n_lights:
        for line in night_baseline_report(small, n_lights=n_lights, cells=cells,
                                          t_night=night_wall):
            print(line)


if __name__ == "__main__":
    main()
