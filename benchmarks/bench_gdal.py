"""Camera pass side by side with GDAL's viewshed, and against the compiled lower bound.

The same job both ways, on the same machine, in one run: for every camera of a scene,
which cells of its window it sees (frustum and range gates, the assessed area, line of
sight over the obstacle surface) and the best pixel density over cameras.

* **ours**: ``CoverageModel.set_cameras`` (one thread; the compiled window pass
  ``visibility.camera_window``: gates, polar horizon sweep, pixel density);
* **GDAL**: ``gdal.ViewshedGenerate`` (C++, GDAL 3.6 of Debian's ``python3-gdal``) per
  camera on the obstacle surface (ground + buildings as one height raster), limited to the
  camera's reach, then the same float32 gates in numpy on the camera's window and the
  union. Our venv has no GDAL, so this runs in ``/usr/bin/python3`` with the scene passed as
  ``.npy`` files in a temporary folder; the subprocess times itself (CPU and wall) and
  prints JSON. When ``from osgeo import gdal`` fails there, the script says so;
* **lower bound**: a numba pass that touches each (camera, seen cell) pair once and computes
  its pixel density, with no occlusion and no gates (the pairs are given);
* **reference**: the dense exact line of sight (``scenes.dense_baseline`` at a quarter-cell
  step: every camera × every cell, each gated cell's segment sampled — the vectorised
  form of ``visibility.line_of_sight_dense``), on a cut, against which both coverages
  are compared.

Ratios use CPU time (``time.process_time``), medians of interleaved runs (ours, GDAL,
ours, GDAL, …); every figure is printed with the load average. ::

    python benchmarks/bench_gdal.py              # district (coverage only) and hills 2048²
    python benchmarks/bench_gdal.py district     # one scene: district | hills
"""
from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

GDAL_PYTHON = "/usr/bin/python3"

#: The GDAL side, run by ``/usr/bin/python3`` (numpy 1.24 and osgeo there). Inputs in the
#: folder given as argv[1]: surface.npy (float32 heights [m]), inside.npy, cams.json;
#: ground.npy when the scene has terrain. Output: best.npy and JSON on stdout.
GDAL_WORKER = r'''
import json, sys, time
import numpy as np
from osgeo import gdal
gdal.UseExceptions()
d = sys.argv[1]
surface = np.load(d + "/surface.npy")
inside = np.load(d + "/inside.npy")
spec = json.load(open(d + "/cams.json"))
ground = np.load(d + "/ground.npy") if spec["terrain"] else None
x0, y0, res = spec["x0"], spec["y0"], spec["res"]
rows, cols = surface.shape
src = gdal.GetDriverByName("MEM").Create("", cols, rows, 1, gdal.GDT_Float32)
# georeferenced coordinates = the grid's local metres (cell centres at x0 + c·res, y0 − r·res)
src.SetGeoTransform((x0 - res / 2, res, 0.0, y0 + res / 2, 0.0, -res))
band = src.GetRasterBand(1)
band.WriteArray(surface)
best = np.zeros((rows, cols), np.float32)
c_view = w_view = 0.0
c0, w0 = time.process_time(), time.perf_counter()
for cam in spec["cams"]:
    r0, r1, q0, q1 = cam["window"]
    ri = min(max(int((y0 + res / 2 - cam["y"]) / res), 0), rows - 1)
    ci = min(max(int((cam["x"] - (x0 - res / 2)) / res), 0), cols - 1)
    c1, w1 = time.process_time(), time.perf_counter()
    vs = gdal.ViewshedGenerate(band, "MEM", "", [], cam["x"], cam["y"],
                               cam["z"] - float(surface[ri, ci]), spec["target_height_m"],
                               1.0, 0.0, 0.0, -1.0, 0.0, gdal.GVM_Edge, cam["range_m"])
    vis = vs.GetRasterBand(1).ReadAsArray()
    gt = vs.GetGeoTransform()
    c_view += time.process_time() - c1
    w_view += time.perf_counter() - w1
    vr0 = int(round((y0 + res / 2 - gt[3]) / res))
    vc0 = int(round((gt[0] - (x0 - res / 2)) / res))
    win = np.zeros((r1 - r0, q1 - q0), bool)
    a0, a1 = max(r0, vr0), min(r1, vr0 + vis.shape[0])
    b0, b1 = max(q0, vc0), min(q1, vc0 + vis.shape[1])
    if a0 < a1 and b0 < b1:
        win[a0 - r0:a1 - r0, b0 - q0:b1 - q0] = vis[a0 - vr0:a1 - vr0, b0 - vc0:b1 - vc0] > 0.5
    vs = None
    xs = x0 + res * np.arange(q0, q1)
    ys = y0 - res * np.arange(r0, r1)
    dx = (xs - cam["x"]).astype(np.float32)[None, :]
    dy = (ys - cam["y"]).astype(np.float32)[:, None]
    if ground is None:
        dz = np.float32(spec["target_height_m"] - cam["z"])
    else:
        dz = ground[r0:r1, q0:q1] + np.float32(spec["target_height_m"]) - np.float32(cam["z"])
    rv, dv, fv = (np.asarray(v, np.float32) for v in cam["axes"])
    zc = fv[0] * dx + fv[1] * dy + fv[2] * dz
    xc = rv[0] * dx + rv[1] * dy
    yc = dv[0] * dx + dv[1] * dy + dv[2] * dz
    seen = (zc > 0) & (np.abs(xc) <= np.float32(cam["tan_h"]) * zc) \
        & (np.abs(yc) <= np.float32(cam["tan_v"]) * zc)
    if cam["max_depth_m"] is None:
        seen &= dx * dx + dy * dy <= np.float32(cam["range_m"]) ** 2
    else:
        seen &= zc <= np.float32(cam["max_depth_m"])
    seen &= inside[r0:r1, q0:q1] & win
    pd = np.zeros(seen.shape, np.float32)
    np.divide(np.float32(cam["f_px"]), zc, out=pd, where=seen)
    np.maximum(best[r0:r1, q0:q1], pd, out=best[r0:r1, q0:q1])
cpu, wall = time.process_time() - c0, time.perf_counter() - w0
np.save(d + "/best.npy", best)
print(json.dumps({"cpu_s": cpu, "wall_s": wall, "viewshed_cpu_s": c_view,
                  "viewshed_wall_s": w_view, "gdal": gdal.__version__}))
'''


def gdal_available() -> str | None:
    """None when ``/usr/bin/python3`` imports GDAL, else the reason it cannot."""
    if not Path(GDAL_PYTHON).exists():
        return f"{GDAL_PYTHON} not found"
    p = subprocess.run([GDAL_PYTHON, "-c", "from osgeo import gdal; import numpy"],
                       capture_output=True, text=True)
    if p.returncode:
        return (p.stderr.strip().splitlines() or ["import failed"])[-1]
    return None


class GdalJob:
    """The GDAL side of one scene: files written once, :meth:`run` times one pass."""

    def __init__(self, model, tmp: str):
        surf = model.surface
        g = model.grid
        ground = surf.ground_m
        height = np.zeros(g.shape, np.float32) if ground is None else ground.astype(np.float32)
        if surf.building_cm is not None:
            height = height + surf.building_cm.astype(np.float32) * np.float32(0.01)
        self.dir = tmp
        np.save(f"{tmp}/surface.npy", height)
        np.save(f"{tmp}/inside.npy", model.inside)
        if ground is not None:
            np.save(f"{tmp}/ground.npy", ground.astype(np.float32))
        from assessments.engine import camera as cm
        cams = []
        for v in model.views.values():
            if v.empty:
                continue
            c = v.camera
            cams.append({"x": v.x_m, "y": v.y_m, "z": v.z_m, "range_m": v.range_m,
                         "max_depth_m": v.max_depth_m, "f_px": c.f_px,
                         "tan_h": c.tan_h, "tan_v": c.tan_v,
                         "axes": [a.tolist() for a in cm.camera_axes(c.bearing_deg, c.tilt_deg)],
                         "window": [v.rows.start, v.rows.stop, v.cols.start, v.cols.stop]})
        spec = {"x0": g.x0_m, "y0": g.y0_m, "res": g.resolution_m, "cams": cams,
                "terrain": ground is not None, "target_height_m": model.target_height_m}
        Path(f"{tmp}/cams.json").write_text(json.dumps(spec))

    def run(self) -> dict:
        p = subprocess.run([GDAL_PYTHON, "-c", GDAL_WORKER, self.dir], capture_output=True,
                           text=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        if p.returncode:
            raise RuntimeError(f"GDAL worker failed: {p.stderr.strip()[-2000:]}")
        return json.loads(p.stdout.strip().splitlines()[-1])

    def best(self) -> np.ndarray:
        return np.load(f"{self.dir}/best.npy")


def lower_bound_s(model, repeat: int = 5) -> float:
    """CPU time of the compiled lower bound [s]: each (camera, seen cell) pair touched once,
    its pixel density ``f_px / z_c`` folded into the best over cameras; no occlusion, no
    gates (the seen pairs are given). Best of ``repeat``."""
    from numba import njit

    @njit(cache=False, nogil=True)
    def fold(best, cells, cols, starts, cam, target_z):
        # cam rows: x, y, z, fx, fy, fz, f_px, x0, y0, res
        for k in range(starts.size - 1):
            x, y, z, fx, fy, fz, f, x0, y0, res = cam[k]
            for n in range(starts[k], starts[k + 1]):
                r = cells[n] // cols
                c = cells[n] - r * cols
                zc = fx * (x0 + res * c - x) + fy * (y0 - res * r - y) + fz * (target_z[n] - z)
                pd = np.float32(f / zc)
                if pd > best[r, c]:
                    best[r, c] = pd
    from assessments.engine import camera as cm
    g = model.grid
    cells, tz, cam, starts = [], [], [], [0]
    for v in model.views.values():
        if v.empty:
            continue
        rr, cc = np.nonzero(v.pixel_density)
        cells.append((rr + v.rows.start) * g.shape[1] + cc + v.cols.start)
        tz.append(np.broadcast_to(np.asarray(v.target_z_m, np.float64), v.pixel_density.shape)
                  [rr, cc].astype(np.float64))
        f = cm.camera_axes(v.camera.bearing_deg, v.camera.tilt_deg)[2]
        cam.append([v.x_m, v.y_m, v.z_m, f[0], f[1], f[2], v.f_px, g.x0_m, g.y0_m,
                    g.resolution_m])
        starts.append(starts[-1] + rr.size)
    cells = np.concatenate(cells).astype(np.int64)
    tz = np.concatenate(tz)
    cam = np.array(cam, np.float64)
    starts = np.array(starts, np.int64)
    best = np.zeros(g.shape, np.float32)
    fold(best, cells, g.shape[1], starts, cam, tz)          # compile
    out = math.inf
    for _ in range(repeat):
        best.fill(0)
        c = time.process_time()
        fold(best, cells, g.shape[1], starts, cam, tz)
        out = min(out, time.process_time() - c)
    return out


def ours_cpu(model, cameras) -> tuple[float, float]:
    """(CPU, wall) of one camera pass [s] (``set_cameras``, the model's threads)."""
    c, t = time.process_time(), time.perf_counter()
    model.set_cameras(cameras)
    return time.process_time() - c, time.perf_counter() - t


def load() -> str:
    return "load " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def agreement(best, ref, inside) -> str:
    """Coverage of ``best`` against the dense reference ``ref`` on the assessed cells."""
    a, b = best[inside] > 0, ref[inside] > 0
    cov, cref = a.mean(), b.mean()
    return (f"coverage {cov:.4f} vs reference {cref:.4f} ({(cov / cref - 1) * 100:+.2f} %), "
            f"{np.mean(a == b) * 100:.2f} % of cells agree ({np.count_nonzero(a & ~b)} seen "
            f"only here, {np.count_nonzero(~a & b)} only by the reference)")


def side_by_side(label, model, cameras, *, rounds=5, why_no_gdal=None):
    """Interleaved ours / GDAL runs on one scene; prints the figures, returns them."""
    model.set_cameras(cameras)                     # compile / load the kernels
    ours, gd = [], []
    tmp = tempfile.mkdtemp(prefix="bench_gdal_")
    job = None if why_no_gdal else GdalJob(model, tmp)
    for _ in range(rounds):
        ours.append(ours_cpu(model, cameras))
        if job is not None:
            gd.append(job.run())
    oc = statistics.median(c for c, _ in ours)
    ow = statistics.median(w for _, w in ours)
    print(f"  {label}: ours {oc * 1e3:.0f} ms CPU, {ow * 1e3:.0f} ms wall (median of "
          f"{rounds}, threads {model.threads}) [{load()}]")
    out = {"ours_cpu_s": oc}
    if job is not None:
        gc = statistics.median(r["cpu_s"] for r in gd)
        gv = statistics.median(r["viewshed_cpu_s"] for r in gd)
        print(f"  {label}: GDAL {gd[0]['gdal']} viewshed + gates + union "
              f"{gc * 1e3:.0f} ms CPU (viewshed calls {gv * 1e3:.0f} ms), "
              f"{statistics.median(r['wall_s'] for r in gd) * 1e3:.0f} ms wall → "
              f"ours / GDAL = {oc / gc:.2f} (target ≤ 0.5: "
              f"{'OK' if oc / gc <= 0.5 else 'MISSED'}) [{load()}]")
        out.update(gdal_cpu_s=gc, gdal=job)
    else:
        print(f"  {label}: GDAL not run ({why_no_gdal})")
    lb = lower_bound_s(model)
    pairs = sum(int(np.count_nonzero(v.pixel_density)) for v in model.views.values())
    print(f"  {label}: compiled lower bound ({pairs:,} seen pairs) {lb * 1e3:.1f} ms CPU → "
          f"ours ×{oc / lb:.1f} (target ≤ 10: {'OK' if oc / lb <= 10 else 'MISSED'}) "
          f"[{load()}]")
    out["lower_bound_s"] = lb
    return out


def reference_cut(label, model, cameras, why_no_gdal):
    """Ours and GDAL against the dense exact reference on ``model`` (a cut)."""
    from benchmarks.scenes import dense_baseline
    model.set_cameras(cameras)
    t = time.perf_counter()
    ref = dense_baseline(model, cameras, step_cells=0.25)
    print(f"  {label}: dense reference {time.perf_counter() - t:.1f} s wall [{load()}]")
    print(f"    ours: {agreement(model.pixel_density, ref, model.inside)}")
    if not why_no_gdal:
        job = GdalJob(model, tempfile.mkdtemp(prefix="bench_gdal_"))
        job.run()
        print(f"    GDAL: {agreement(job.best(), ref, model.inside)}")


def district_models():
    from assessments.engine.coverage import CoverageModel
    from assessments.engine.grid import Grid
    from assessments.plan.validate import validate_plan
    from benchmarks.scenes import district
    out = []
    for kw in ({}, {"size_m": 250.0, "n_buildings": 125, "n_cameras": 12}):
        p = validate_plan(district(seed=1, **kw))
        g = Grid.from_area(p["area"], p["resolution_m"])
        out.append((CoverageModel(g, p["_footprints"], area=p["area"], threads=1),
                    p["cameras"]))
    return out


def hills_model(n):
    from assessments.engine.coverage import CoverageModel
    from benchmarks.scenes import hills, hills_model_inputs
    heights, cams = hills(n, seed=1)
    grid, camdicts = hills_model_inputs(heights, cams)
    return CoverageModel(grid, terrain=heights, target_height_m=0.0, threads=1), camdicts


def main():
    which = sys.argv[1:] or ["district", "hills"]
    why = gdal_available()
    print(f"camera pass, ours vs GDAL (GDAL: {why or 'available through ' + GDAL_PYTHON}) "
          f"[{load()}]")
    if "district" in which:
        (full, cams), (cut, cut_cams) = district_models()
        print("district: 1 km², 0.5 m (4 M cells), 200 cameras, 2,000 buildings, coverage only")
        side_by_side("district", full, cams, why_no_gdal=why)
        reference_cut("district cut 250 m, 12 cameras", cut, cut_cams, why)
    if "hills" in which:
        print("hills (seed 1), 6 cameras, hfov 90°, vfov 60°, range 150 m, target = terrain")
        for n in (512, 2048):
            model, cams = hills_model(n)
            side_by_side(f"hills {n}²", model, cams, rounds=7, why_no_gdal=why)
            reference_cut(f"hills {n}²", model, cams, why)


if __name__ == "__main__":
    main()
