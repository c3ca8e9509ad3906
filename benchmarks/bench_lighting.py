"""Speed of the street-lighting grid (horizontal + vertical illuminance).

Scenes (1 m cells, lights spread uniformly at random, fixed seed):
- district: 1 km × 1 km, 300 lights;
- city: 4 km × 4 km, 5,000 lights.
Two thirds of the lights are 防犯灯-like generalised-Lambertian sources (1,000 lm, beam 120°,
4.5 m), one third road luminaires with a synthetic asymmetric type C table (8,000 lm class,
8 m, aimed at random bearings) so that both intensity paths are timed.

Each scene times the windowed computation (each light on the cells within its reach for
the 0.05 lx cut-off) of horizontal illuminance at the ground and vertical illuminance at
1.5 m facing a per-cell bearing (wall and CPU; best of 3 for the district), the same with
the general kernels (``method="general"``: angles and table interpolation for every
model), and compares with the dense baseline measured in the same run (every light on
every cell, general kernels, same cut-off). The dense baseline is timed on a
few lights and scaled linearly to all lights (its cost per light does not depend on where
the light is); the scaled time and the ratio are printed. Targets (same as the coverage
benchmarks): district ≤ 2 s, city ≤ 20 s.

Run: ``python benchmarks/bench_lighting.py [district|city|all]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessments.engine.lighting import (cosine_power_luminaire, horizontal_illuminance,  # noqa: E402
                                  table_luminaire, vertical_illuminance)
from assessments.engine.photometry import Photometry  # noqa: E402

SCENES = {"district": (1000.0, 300, 2.0), "city": (4000.0, 5000, 20.0)}


def synthetic_road_table() -> Photometry:
    """An asymmetric road-luminaire-like table (not a real product): peak toward C90, γ 65°."""
    c = np.arange(0.0, 361.0, 5.0)
    g = np.arange(0.0, 91.0, 1.0)
    cc, gg = np.meshgrid(np.radians(c), np.radians(g), indexing="ij")
    street = 0.6 + 0.4 * np.sin(cc)  # more light toward C90 (street side)
    lobe = np.exp(-((gg - np.radians(65)) / np.radians(18)) ** 2)
    cd = 4000.0 * street * (0.35 * np.cos(gg) + lobe)
    cd[:, -1] = 0.0
    return Photometry(c, g, cd, source_format="synthetic")


def scene(size_m: float, n_lights: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = np.arange(0.5, size_m, 1.0)
    y = x[::-1].copy()
    road = synthetic_road_table()
    lights = []
    for i in range(n_lights):
        lx, ly = rng.uniform(0, size_m, 2)
        if i % 3 == 2:
            lights.append(table_luminaire(lx, ly, road, mount_height_m=8.0,
                                          azimuth_deg=float(rng.uniform(0, 360))))
        else:
            lights.append(cosine_power_luminaire(lx, ly, mount_height_m=4.5, lumens=1000.0))
    # facing: toward the nearest of a few "camera" points (per-cell bearing field)
    cams = rng.uniform(0, size_m, (8, 2))
    d2 = (x[None, None, :] - cams[:, 0, None, None]) ** 2 + (y[None, :, None] - cams[:, 1, None, None]) ** 2
    k = np.argmin(d2, axis=0)
    del d2
    facing = np.degrees(np.arctan2(cams[k, 0] - x[None, :], cams[k, 1] - y[:, None])) % 360.0
    return x, y, lights, facing


def _timed(fn, *args, repeat=3, **kw):
    """(best wall [s], CPU of that run [s], result) over ``repeat`` runs."""
    best = (float("inf"), 0.0, None)
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn(*args, **kw)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best[0]:
            best = (wall, cpu, out)
    return best


def run(name: str) -> None:
    size, n, target = SCENES[name]
    x, y, lights, facing = scene(size, n)
    rep = 3 if name == "district" else 1
    th, ch, eh = _timed(horizontal_illuminance, x, y, lights, repeat=rep)
    tv, cv, ev = _timed(vertical_illuminance, x, y, lights, facing, repeat=rep)
    win, cpu = th + tv, ch + cv
    # the general kernels (angles + interpolate_candela), same windows, same run
    tg, cg, eg = _timed(horizontal_illuminance, x, y, lights, method="general", repeat=1)
    tgv, cgv, _ = _timed(vertical_illuminance, x, y, lights, facing, method="general", repeat=1)
    # dense baseline (every light on every cell, general kernels) on a sample of lights
    # (both kinds), scaled to all lights
    sample = lights[:3] if name == "city" else lights[:6]
    d0 = time.perf_counter()
    dense_h = horizontal_illuminance(x, y, sample, windowed=False, method="general")
    vertical_illuminance(x, y, sample, facing, windowed=False, method="general")
    dense = (time.perf_counter() - d0) * len(lights) / len(sample)
    # correctness in the same run: windowed fast == dense general on the sample, and
    # fast == general on all lights, within float32 rounding (a cell whose contribution
    # sits at the 0.05 lx cut-off may fall either side of it)
    sub = horizontal_illuminance(x, y, sample)
    diff_s = np.abs(sub - dense_h)
    diff_a = np.abs(eh - eg)
    print(f"{name}: {len(y)}×{len(x)} cells, {n} lights | horizontal {th:.2f} s, "
          f"vertical {tv:.2f} s, total {win:.2f} s wall / {cpu:.2f} s CPU"
          f"{' (best of 3)' if rep == 3 else ''} (target ≤ {target:.0f} s: "
          f"{'OK' if win <= target else 'MISSED'})")
    print(f"  general kernels, same windows: {tg + tgv:.2f} s wall / {cg + cgv:.2f} s CPU → "
          f"fast path ×{(tg + tgv) / win:.1f} (CPU ×{(cg + cgv) / cpu:.1f}); "
          f"|fast − general| ≤ 1e-4 lx on {np.mean(diff_a <= 1e-4):.6%} of cells, "
          f"max {diff_a.max():.3g} lx")
    print(f"  dense baseline (general kernels) ≈ {dense:.1f} s (timed on {len(sample)} lights, "
          f"scaled) → ×{dense / win:.0f}; windowed fast vs dense on the sample: "
          f"max |Δ| {diff_s.max():.3g} lx")
    print(f"  mean E_h {eh.mean():.2f} lx, cells ≥ 3 lx {np.mean(eh >= 3):.1%}, "
          f"mean E_v {np.nanmean(ev):.2f} lx")


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    for nm in (SCENES if which == "all" else [which]):
        run(nm)
