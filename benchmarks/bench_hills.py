"""Peer scene "hills" (shared/reference/bench_scenes.md): 6 cameras over a height raster.

Target: ≤ 30 ms at 2048² including pixel density, coverage within 1 % of GDAL's
(0.1987 at 512², 0.0202 at 2048², published figures measured on this machine class).
GDAL's viewshed runs side by side on the same scene and gates when ``from osgeo import
gdal`` works in Debian's ``/usr/bin/python3`` (python3-gdal; our venv has no GDAL):
``bench_gdal.side_by_side``, CPU time, interleaved runs, medians, with the coverage of
each against the dense exact reference. Otherwise the published figures are used and the
script says so. The dense baseline (every camera × every cell, line of sight by sampling
each segment) runs at 512².
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from assessments.engine.coverage import CoverageModel  # noqa: E402
from benchmarks.scenes import dense_baseline, hills, hills_model_inputs  # noqa: E402

PUBLISHED = {512: {"gdal_s": 11.7e-3, "coverage": 0.1987, "xrspatial_s": 2.76},
             2048: {"gdal_s": 14.9e-3, "coverage": 0.0202, "xrspatial_s": 199.0}}


def run(n, repeat=5):
    heights, cams = hills(n, seed=1)
    grid, camdicts = hills_model_inputs(heights, cams)
    model = CoverageModel(grid, terrain=heights, target_height_m=0.0)
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        model.set_cameras(camdicts)
        cov = np.count_nonzero(model.pixel_density) / model.pixel_density.size
        best = min(best, time.perf_counter() - t)
    return model, camdicts, cov, best


def main():
    from benchmarks.bench_gdal import gdal_available, hills_model, reference_cut, side_by_side
    print("hills (seed 1), 6 cameras, hfov 90°, vfov 60°, range 150 m, target = terrain")
    why = gdal_available()
    if why:
        print(f"  GDAL: not run ({why}; Debian's python3-gdal gives it to /usr/bin/python3); "
              f"comparing with the published figures of bench_scenes.md")
    for n in (512, 2048):
        model, camdicts = hills_model(n)
        side_by_side(f"{n}²", model, camdicts, rounds=7, why_no_gdal=why)
        reference_cut(f"{n}²", model, camdicts, why)
    for n in (512, 2048):
        model, camdicts, cov, t = run(n)
        pub = PUBLISHED[n]
        print(f"  {n}²: ours {t * 1e3:.1f} ms (best of 5), coverage {cov:.4f} vs GDAL "
              f"{pub['coverage']:.4f} ({(cov / pub['coverage'] - 1) * 100:+.1f} %); "
              f"GDAL published {pub['gdal_s'] * 1e3:.1f} ms → ratio "
              f"{t / pub['gdal_s']:.2f}; xarray-spatial {pub['xrspatial_s']:.2f} s → "
              f"×{pub['xrspatial_s'] / t:.0f}")
        if n == 512:
            t0 = time.perf_counter()
            base = dense_baseline(model, camdicts)
            tb = time.perf_counter() - t0
            agree = np.mean((base > 0) == (model.pixel_density > 0))
            print(f"    dense baseline (same machine, this run): {tb:.2f} s, coverage "
                  f"{np.count_nonzero(base) / base.size:.4f} → ours ×{tb / t:.0f} faster; "
                  f"seen/unseen agreement {agree:.4f}")


if __name__ == "__main__":
    main()
