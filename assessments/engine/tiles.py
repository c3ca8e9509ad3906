"""A plan larger than one grid, in tiles: split, simulate each tile on its own, merge.

The area's grid (:meth:`assessments.engine.grid.Grid.from_area`) is cut into square tiles of
``tile_cells`` cells on the same lattice (each tile is a :meth:`~assessments.engine.grid.Grid.window`
of it: same projection centre, the same cell edges), so a tile's cells *are* the grid's
cells. Each tile is simulated by :func:`assessments.simulate.simulate` on its *core* (its
own cells) plus an *overlap* as wide as the largest camera reach: a camera standing outside
the core that sees into it, and every building or slope between that camera and the cells
it sees, lie within the overlap. Only the core is assessed (the area mask is cut to it), so
each cell is counted in exactly one tile.

Every figure of RESULT.json is a sum of per-cell rules (areas are cell counts × the cell
area, :meth:`~assessments.engine.coverage.CoverageModel.summary`), a minimum or maximum, or
a ratio of such sums; the merge adds the tiles' counts and recomputes the ratios with the
same code as one run (:class:`assessments.engine.districts.LightingSums` for the lighting
figures), so the tiled result equals the single-grid one to float rounding where both fit.
Per-camera figures are summed over the tiles (a camera's cells are counted in the tile whose
core holds them); the figures of the device alone (range, axis distances, footprint) come
from the first tile that has the camera.

The tiles are independent: :func:`run_tiles` sends them to a Dask cluster
(``dask.distributed``; a local one by default). Memory per worker is that of one tile's
simulation (``(tile_cells + 2·overlap)²`` cells), whatever the size of the plan: a peak RSS
of 340–380 MiB per worker process for 2048² tiles with a 264-cell overlap
(``benchmarks/bench_prefecture.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import camera as cam_mod
from .districts import LightingSums, camera_cells
from .grid import Grid

__all__ = ["TILE_CELLS", "Tile", "split", "camera_reach_m", "light_reach_m", "tile_tasks",
           "run_tile", "merge", "run_tiles", "local_cluster_kwargs"]

#: Default tile side [cells]: 2048² = 4.2 M cells (the district benchmark's grid is 2000²).
TILE_CELLS = 2048

#: Per-cell arrays a tile sends back (its core only), in GRID.npz's types.
TILE_ARRAYS = ("inside", "pixel_density", "camera_count", "best_camera", "dori_level",
               "illuminance_lx", "vertical_illuminance_lx")


@dataclass(frozen=True)
class Tile:
    """One tile: its core and its window with the overlap, as ``(r0, r1, c0, c1)`` rows and
    columns of the area's grid (end exclusive)."""

    core: tuple
    window: tuple

    @property
    def core_in_window(self) -> tuple:
        """``(rows, cols)`` slices of the core inside the window's grid."""
        r0, _, c0, _ = self.window
        return (slice(self.core[0] - r0, self.core[1] - r0),
                slice(self.core[2] - c0, self.core[3] - c0))


def split(grid: Grid, *, tile_cells: int = TILE_CELLS, overlap_cells: int = 0) -> list[Tile]:
    """Cut ``grid`` into tiles of at most ``tile_cells`` × ``tile_cells`` cells, row-major.

    Parameters
    ----------
    grid : Grid
        The area's grid.
    tile_cells : int
        Tile side [cells].
    overlap_cells : int
        Overlap added on every side of a core, clipped to the grid [cells].
    """
    if int(tile_cells) < 1 or int(overlap_cells) < 0:
        raise ValueError(f"tile_cells must be ≥ 1 and overlap_cells ≥ 0, got "
                         f"{tile_cells}, {overlap_cells}")
    h, w = grid.shape
    t, o = int(tile_cells), int(overlap_cells)
    out = []
    for r0 in range(0, h, t):
        for c0 in range(0, w, t):
            r1, c1 = min(r0 + t, h), min(c0 + t, w)
            out.append(Tile((r0, r1, c0, c1),
                            (max(r0 - o, 0), min(r1 + o, h), max(c0 - o, 0), min(c1 + o, w))))
    return out


def camera_reach_m(camera, min_density_px_m: float) -> float:
    """Farthest horizontal distance at which ``camera`` can see a cell [m].

    ``max_range_m`` when set, else the working range: a point of depth ≤ D =
    ``working_depth_m`` in the frustum is within D·√(1 + tan²(hfov/2) + tan²(vfov/2)) of
    the camera (the window :meth:`~assessments.engine.coverage.CoverageModel.compute_view`
    searches, :func:`assessments.engine.camera.footprint_xy`).
    """
    if camera.max_range_m is not None:
        return float(camera.max_range_m)
    depth = cam_mod.working_depth_m(camera.hfov_deg, camera.width_px, min_density_px_m)
    return float(depth * math.sqrt(1 + camera.tan_h ** 2 + camera.tan_v ** 2))


def light_reach_m(luminaire) -> float:
    """Distance beyond which a light adds nothing to the night figures [m]: the larger of
    its horizontal reach at the ground and its vertical reach at face height, as
    :func:`assessments.engine.coverage.simulate_night` selects the lights of a block."""
    from .lighting import reach_radius_m
    from .night import FACE_HEIGHT_M
    return max(reach_radius_m(luminaire, height_m=0.0, plane="horizontal"),
               reach_radius_m(luminaire, height_m=FACE_HEIGHT_M, plane="vertical"))


def _rect_distance_m(grid: Grid, rect, x, y):
    """Horizontal distance from points (x, y) [m] to the cells ``rect`` (r0, r1, c0, c1) of
    ``grid`` (their centres' bounding box) [m]; 0 inside."""
    r0, r1, c0, c1 = rect
    res = grid.resolution_m
    xmin, xmax = grid.x0_m + c0 * res, grid.x0_m + (c1 - 1) * res
    ymax, ymin = grid.y0_m - r0 * res, grid.y0_m - (r1 - 1) * res
    dx = np.maximum(np.maximum(xmin - x, x - xmax), 0.0)
    dy = np.maximum(np.maximum(ymin - y, y - ymax), 0.0)
    return np.hypot(dx, dy)


def _crop_terrain(terrain, grid: Grid, sub: Grid):
    """The part of ``terrain`` that the cells of ``sub`` (a window of ``grid``) read,
    with two samples of margin so that the bilinear values are the same."""
    from .visibility import Terrain
    if terrain is None:
        return None
    if not isinstance(terrain, Terrain):            # heights on the area's grid
        terrain = Terrain.on_grid(grid, terrain)
    if terrain._grid is not None:                    # attached to the area's grid
        r0 = int(round((grid.y0_m - sub.y0_m) / grid.resolution_m))
        c0 = int(round((sub.x0_m - grid.x0_m) / grid.resolution_m))
        return Terrain.on_grid(sub, terrain.height_m[r0:r0 + sub.shape[0],
                                                     c0:c0 + sub.shape[1]])
    xs, ys = sub.x_axis_m, sub.y_axis_m
    bx = np.concatenate([xs, xs, np.full(ys.size, xs[0]), np.full(ys.size, xs[-1])])
    by = np.concatenate([np.full(xs.size, ys[0]), np.full(xs.size, ys[-1]), ys, ys])
    lat, lon = sub.to_latlon(bx, by)
    h, w = terrain.height_m.shape
    r0 = max(int(math.floor((terrain.lat_north - lat.max()) / terrain.dlat_deg)) - 2, 0)
    r1 = min(int(math.ceil((terrain.lat_north - lat.min()) / terrain.dlat_deg)) + 3, h)
    c0 = max(int(math.floor((lon.min() - terrain.lon_west) / terrain.dlon_deg)) - 2, 0)
    c1 = min(int(math.ceil((lon.max() - terrain.lon_west) / terrain.dlon_deg)) + 3, w)
    if r0 >= r1 or c0 >= c1:                         # off the raster: its nearest edge
        r0, r1 = (0, 1) if r1 <= 0 else (h - 1, h) if r0 >= h else (r0, r1)
        c0, c1 = (0, 1) if c1 <= 0 else (w - 1, w) if c0 >= w else (c0, c1)
    return Terrain(terrain.height_m[r0:r1, c0:c1],
                   lat_north=terrain.lat_north - r0 * terrain.dlat_deg,
                   lon_west=terrain.lon_west + c0 * terrain.dlon_deg,
                   dlat_deg=terrain.dlat_deg, dlon_deg=terrain.dlon_deg)


def tile_tasks(plan: dict, *, tile_cells: int = TILE_CELLS, terrain=None, base_dir=None,
               night_grids: bool = True):
    """Split a plan into independent tile tasks for :func:`run_tile`.

    Parameters
    ----------
    plan : dict
        PLAN.json content; validated here once, without the single-grid cell limit.
    tile_cells : int
        Tile side [cells].
    terrain : Terrain or ndarray, optional
        Ground heights (overrides ``plan["terrain"]``); each tile gets its part.
    base_dir : str or Path, optional
        Folder of ``plan["terrain"]["file"]``.
    night_grids : bool
        Return the night grids of each tile (needed for GRID output).

    Returns
    -------
    grid : Grid
        The area's grid.
    tiles : list of Tile
    tasks : list of dict
        One per tile: ``plan`` (the cameras whose reach meets the core, the lights whose
        reach meets it, the buildings meeting the window, the districts), ``grid`` (the
        window), ``core`` (slices), ``terrain``, ``camera_index`` (plan index of each of
        the tile's cameras), ``night_grids``.
    cameras : list of Camera
        The plan's cameras (validated), in plan order.
    """
    from ..plan import validate as planfile
    from .night import plan_luminaires
    plan = planfile.validate_plan(plan, max_cells=None)
    grid = Grid.from_area(plan["area"], plan["resolution_m"])
    if terrain is None and plan.get("terrain"):
        terrain = planfile.load_terrain(plan["terrain"], base_dir=base_dir)
    min_density = plan.get("min_density_px_m")
    if min_density is None:
        min_density = cam_mod.lowest_level_px_m(plan["standard"])
    cams = plan["cameras"]
    cx, cy = grid.to_xy(np.array([c.lat_deg for c in cams], float),
                        np.array([c.lon_deg for c in cams], float))
    creach = np.array([camera_reach_m(c, min_density) for c in cams], float)
    lums = plan_luminaires(grid, plan["lights"])
    lx = np.array([m.x_m for m in lums], float)
    ly = np.array([m.y_m for m in lums], float)
    lreach = np.array([light_reach_m(m) for m in lums], float)
    res = grid.resolution_m
    # the overlap holds every camera that sees into the core and everything between
    overlap = int(math.ceil(float(creach.max(initial=0.0)) / res)) + 2
    tiles = split(grid, tile_cells=tile_cells, overlap_cells=overlap)
    # buildings: bounding boxes in the area's metres, once
    feats = (plan.get("buildings") or {}).get("features") or []
    boxes = np.zeros((len(plan["_footprints"]), 4))
    for i, (rings, _, _) in enumerate(plan["_footprints"]):
        pts = np.concatenate([r for poly in rings for r in poly])
        x, y = grid.to_xy(pts[:, 1], pts[:, 0])
        boxes[i] = (np.min(x), np.max(x), np.min(y), np.max(y))
    # a camera off every tile's reach still gets its device figures from its nearest tile
    home = np.full(len(cams), -1)
    if len(cams):
        r, c = grid.to_rc(cx, cy)
        rr = np.clip(np.floor(r + 0.5), 0, grid.shape[0] - 1).astype(int) // int(tile_cells)
        cc = np.clip(np.floor(c + 0.5), 0, grid.shape[1] - 1).astype(int) // int(tile_cells)
        home = rr * math.ceil(grid.shape[1] / int(tile_cells)) + cc
    base = {k: v for k, v in plan.items()
            if k not in ("cameras", "lights", "buildings", "_footprints", "terrain")}
    tasks = []
    for k, t in enumerate(tiles):
        sub = grid.window(*t.window)
        near = (_rect_distance_m(grid, t.core, cx, cy) <= creach + res) | (home == k)
        idx = np.flatnonzero(near)
        lsel = np.flatnonzero(_rect_distance_m(grid, t.core, lx, ly) <= lreach + res)
        if lums and not lsel.size:
            # a lit plan stays lit in every tile: a light out of reach adds exactly nothing
            lsel = np.array([0])
        wx0, wx1 = sub.x0_m - res, sub.x0_m + sub.shape[1] * res
        wy1, wy0 = sub.y0_m + res, sub.y0_m - sub.shape[0] * res
        bsel = np.flatnonzero((boxes[:, 1] >= wx0) & (boxes[:, 0] <= wx1)
                              & (boxes[:, 3] >= wy0) & (boxes[:, 2] <= wy1))
        tplan = dict(base, cameras=[cams[i] for i in idx],
                     lights=[plan["lights"][i] for i in lsel],
                     buildings={"type": "FeatureCollection",
                                "features": [feats[i] for i in bsel]})
        tasks.append({"plan": tplan, "grid": sub, "core": t.core_in_window,
                      "terrain": _crop_terrain(terrain, grid, sub),
                      "camera_index": idx.astype(np.int64), "night_grids": bool(night_grids)})
    return grid, tiles, tasks, cams


def run_tile(task: dict) -> dict:
    """Simulate one tile (runs on a worker; pure).

    Returns
    -------
    dict
        ``result`` (the tile's RESULT.json content, its core only), ``camera_index``,
        ``min_v`` (lowest vertical illuminance at a seen cell of the core [lx]; inf none),
        ``district_min_v`` (the same per district), and ``arrays`` (the core's per-cell
        arrays of :data:`TILE_ARRAYS` in GRID's types, ``best_camera`` as plan indices:
        int16, int32 in plans of more than 32,767 cameras) when ``night_grids``.
    """
    from ..simulate import simulate
    from .districts import district_labels, no_district
    sim = simulate(task["plan"], terrain=task["terrain"], grid=task["grid"],
                   core=task["core"], night_grids=True)
    rows, cols = task["core"]
    m = sim.model
    inside = m.inside[rows, cols]
    ev = sim.night_arrays["vertical_illuminance_lx"][rows, cols]
    seen_ev = inside & ~np.isnan(ev)
    out = {"result": sim.result, "camera_index": task["camera_index"],
           "min_v": float(ev[seen_ev].min()) if seen_ev.any() else math.inf}
    districts = task["plan"].get("districts")
    if districts:
        labels = district_labels(task["grid"], districts)[rows, cols]
        n = len(districts.get("features") or [])
        mv = np.full(n, np.inf)
        ok = seen_ev & (labels != no_district(labels))
        np.minimum.at(mv, labels[ok].astype(np.int64), ev[ok].astype(np.float64))
        out["district_min_v"] = mv
    if task.get("night_grids", True):
        bc = m.best_camera[rows, cols]
        idx = np.asarray(task["camera_index"])
        small = idx.size == 0 or idx.max() < np.iinfo(np.int16).max
        lookup = np.concatenate([idx, [-1]]).astype(np.int16 if small else np.int32)
        arrays = {"inside": inside, "pixel_density": m.pixel_density[rows, cols],
                  "camera_count": m.camera_count[rows, cols],
                  "best_camera": lookup[bc],          # −1 indexes the appended −1
                  "dori_level": m.dori_level()[rows, cols],
                  "illuminance_lx": sim.night_arrays["illuminance_lx"][rows, cols],
                  "vertical_illuminance_lx": ev}
        out["arrays"] = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    return out


def _cells(area_m2, cell_area_m2) -> int:
    """An area of whole cells [m²] back to its cell count (exact: areas are count × cell)."""
    return int(round(area_m2 / cell_area_m2))


def _add_counts(total: dict, part: dict, a: float) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + _cells(v, a)


def _lighting(parts, n_groups: int) -> LightingSums:
    """Sum tiles' lighting figures ``(n_cells, mean_lx, min_lx, min_v_lx)`` per group."""
    s = LightingSums(n_groups)
    for n, mean, mn, mv in parts:
        one = LightingSums(n_groups)
        one.n_cells[:] = n
        one.sum_lx[:] = [mu * k if k else 0.0 for mu, k in zip(mean, n)]
        one.min_lx[:] = [math.inf if x is None else x for x in mn]
        one.min_v_lx[:] = mv
        s.merge(one)
    return s


def merge(grid: Grid, tiles, outputs, *, plan_cameras) -> dict:
    """RESULT.json of the whole plan from the tiles' :func:`run_tile` outputs.

    Parameters
    ----------
    grid : Grid
        The area's grid.
    tiles : list of Tile
    outputs : list of dict
        :func:`run_tile` per tile, same order.
    plan_cameras : list of Camera
        The plan's cameras, in plan order; the cameras standing in a district are taken
        from the tile whose core holds their cell.
    """
    a = grid.cell_area_m2
    first = outputs[0]["result"]
    res = {k: v for k, v in first.items() if k not in ("cameras", "districts")}
    res["grid"] = dict(first["grid"], rows=grid.shape[0], cols=grid.shape[1])
    counts: dict = {}
    for key in ("area_m2", "covered_m2", "multi_camera_m2", "lit_but_unseen_m2",
                "seen_but_dark_m2"):
        counts[key] = sum(_cells(o["result"][key], a) for o in outputs)
        res[key] = counts[key] * a
    for key in ("dori_m2", "night_dori_m2"):
        tot: dict = {}
        for o in outputs:
            _add_counts(tot, o["result"][key], a)
        res[key] = {k: v * a for k, v in tot.items()}
    res["coverage_fraction"] = (counts["covered_m2"] / counts["area_m2"]
                                if counts["area_m2"] else 0.0)
    if res["night_basis"] == "lights":
        parts = [([_cells(o["result"]["area_m2"], a)],
                  [o["result"]["illuminance"]["mean_lx"] or 0.0],
                  [o["result"]["illuminance"]["min_lx"]], [o["min_v"]]) for o in outputs]
        row = _lighting(parts, 1).rows()[0]
        maxes = [o["result"]["illuminance"]["max_lx"] for o in outputs]
        maxes = [x for x in maxes if x is not None]
        res["illuminance"] = dict(row, max_lx=max(maxes) if maxes else None)
        res["illuminance"] = {k: res["illuminance"][k] for k in first["illuminance"]}
    # cameras, in plan order
    per: dict = {}
    for o in outputs:
        for c in o["result"]["cameras"]:
            acc = per.get(c["id"])
            if acc is None:
                per[c["id"]] = acc = {"first": c, "n": {}, "dori": {}, "night": {},
                                      "max": 0.0}
            _add_counts(acc["n"], {"covered_m2": c["covered_m2"], "best_m2": c["best_m2"]}, a)
            _add_counts(acc["dori"], c["dori_m2"], a)
            _add_counts(acc["night"], c["night_dori_m2"], a)
            acc["max"] = max(acc["max"], c["max_pixel_density"])
    cameras = []
    for cam in plan_cameras:
        acc = per[cam.id]
        c = dict(acc["first"], max_pixel_density=acc["max"],
                 dori_m2={k: v * a for k, v in acc["dori"].items()},
                 night_dori_m2={k: v * a for k, v in acc["night"].items()})
        c.update({k: v * a for k, v in acc["n"].items()})
        cameras.append(c)
    res["cameras"] = cameras
    if "districts" in first:
        camera_rc = camera_cells(grid, {c.id: c for c in plan_cameras})
        res["districts"] = _merge_districts(grid, tiles, outputs, camera_rc,
                                            [c.id for c in plan_cameras], a,
                                            res["night_basis"] == "lights")
    return res


def _merge_districts(grid, tiles, outputs, camera_rc, order, a, lit) -> list:
    meta = outputs[0]["result"]["districts"]
    n = len(meta)
    rows = []
    standing = [set() for _ in range(n)]
    for t, o in zip(tiles, outputs):
        r0, r1, c0, c1 = t.core
        for i, d in enumerate(o["result"]["districts"]):
            for cid in d.get("cameras", ()):
                r, c = camera_rc[cid]
                if r0 <= int(round(r)) < r1 and c0 <= int(round(c)) < c1:
                    standing[i].add(cid)
    light = None
    if lit:
        light = _lighting([([_cells(d["area_m2"], a) for d in o["result"]["districts"]],
                            [d["illuminance"]["mean_lx"] or 0.0
                             for d in o["result"]["districts"]],
                            [d["illuminance"]["min_lx"] for d in o["result"]["districts"]],
                            o["district_min_v"]) for o in outputs], n).rows()
    for i, m in enumerate(meta):
        cells = sum(_cells(o["result"]["districts"][i]["area_m2"], a) for o in outputs)
        covered = sum(_cells(o["result"]["districts"][i]["covered_m2"], a) for o in outputs)
        row = {"id": m["id"], "name": m["name"], "area_m2": float(cells * a),
               "covered_m2": float(covered * a),
               "coverage_fraction": float(covered / cells) if cells else 0.0}
        for key in ("dori_m2", "night_dori_m2"):
            tot: dict = {}
            for o in outputs:
                _add_counts(tot, o["result"]["districts"][i][key], a)
            row[key] = {k: float(v * a) for k, v in tot.items()}
        row["illuminance"] = light[i] if light is not None else m["illuminance"]
        if "cameras" in m:
            row["cameras"] = [cid for cid in order if cid in standing[i]]
        rows.append({k: row[k] for k in m})
    return rows


def local_cluster_kwargs(n_workers: int, *, memory_limit_bytes=None) -> dict:
    """Arguments of ``dask.distributed.LocalCluster`` for tiles: processes (the engine
    holds the GIL in parts), one thread each, the given memory limit per worker."""
    kw = {"n_workers": int(n_workers), "threads_per_worker": 1, "processes": True,
          "dashboard_address": None}
    if memory_limit_bytes is not None:
        kw["memory_limit"] = int(memory_limit_bytes)
    return kw


def run_tiles(plan: dict, *, scheduler=None, client=None, n_workers: int = 2,
              tile_cells: int = TILE_CELLS, terrain=None, base_dir=None,
              grid_arrays: bool = False, memory_limit_bytes=None, on_tile=None):
    """Run a plan in tiles on a Dask cluster and merge.

    Parameters
    ----------
    plan : dict
        PLAN.json content.
    scheduler : str, optional
        Address of a running ``dask scheduler`` (``tcp://host:8786``); default a local
        cluster of ``n_workers`` processes.
    client : dask.distributed.Client, optional
        An open client (wins over ``scheduler``).
    n_workers : int
        Workers of the local cluster.
    tile_cells : int
        Tile side [cells].
    grid_arrays : bool
        Also return the whole grid's per-cell arrays (memory on this machine: ≈ 16 bytes
        per cell of the area's grid).
    memory_limit_bytes : int, optional
        Memory limit per local worker [bytes].
    on_tile : callable, optional
        Called as ``on_tile(k, tile, output)`` as each tile arrives (e.g. to write it).

    Returns
    -------
    result : dict
        RESULT.json content.
    arrays : dict or None
        ``inside``, ``pixel_density``, ``camera_count``, ``best_camera``, ``dori_level``,
        ``illuminance_lx``, ``vertical_illuminance_lx``, ``camera_ids`` when
        ``grid_arrays``.
    grid : Grid
        The area's grid.
    """
    from dask.distributed import Client, LocalCluster, as_completed
    grid, tiles, tasks, cams = tile_tasks(plan, tile_cells=tile_cells, terrain=terrain,
                                          base_dir=base_dir, night_grids=grid_arrays)
    arrays = None
    if grid_arrays:
        arrays = {"inside": np.zeros(grid.shape, bool),
                  "pixel_density": np.zeros(grid.shape, np.float32),
                  "camera_count": np.zeros(grid.shape, np.uint8),
                  "best_camera": np.full(grid.shape, -1,
                                         np.int16 if len(cams) <= 32767 else np.int32),
                  "dori_level": np.zeros(grid.shape, np.int8),
                  "illuminance_lx": np.zeros(grid.shape, np.float32),
                  "vertical_illuminance_lx": np.full(grid.shape, np.nan, np.float32)}
    cluster = own = None
    if client is None:
        if scheduler:
            client = own = Client(scheduler, timeout="10s")
            # a scheduler without workers would wait for ever (TimeoutError, an OSError)
            client.wait_for_workers(1, timeout=60)
        else:
            cluster = LocalCluster(**local_cluster_kwargs(
                n_workers, memory_limit_bytes=memory_limit_bytes))
            client = own = Client(cluster)
    try:
        # a bounded number of tiles in flight: the scheduler never holds every tile's
        # buildings at once (a prefecture's would be gigabytes)
        threads = sum(w.get("nthreads", 1)
                      for w in client.scheduler_info().get("workers", {}).values())
        in_flight = max(2, 2 * threads)
        pending = iter(range(len(tasks)))
        index = {}

        def submit(k):
            fut = client.submit(run_tile, tasks[k], pure=False)
            index[fut.key] = k
            return fut

        running = as_completed([submit(k) for _, k in zip(range(in_flight), pending)])
        outputs = [None] * len(tasks)
        for fut in running:
            k = index.pop(fut.key)
            out = fut.result()
            fut.release()
            nxt = next(pending, None)
            if nxt is not None:
                running.add(submit(nxt))
            if arrays is not None:
                r0, r1, c0, c1 = tiles[k].core
                for name, v in out.pop("arrays").items():
                    arrays[name][r0:r1, c0:c1] = v
            if on_tile is not None:
                on_tile(k, tiles[k], out)
            outputs[k] = out
    finally:
        if own is not None:
            own.close()
        if cluster is not None:
            cluster.close()
    result = merge(grid, tiles, outputs, plan_cameras=cams)
    if arrays is not None:
        arrays["camera_ids"] = np.array([c.id for c in cams], dtype=str)
    return result, arrays, grid
