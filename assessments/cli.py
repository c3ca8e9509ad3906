"""Command line: ``python -m assessments simulate PLAN.json [--out RESULT.json]
[--grid GRID.npz | GRID.tif] [--terrain DEM] [--buildings FILE | --fgd FILE
[--building-height M]] [--tiles CELLS] [--scheduler ADDRESS] [--workers N]``.

Exit status: 0 success, 2 invalid plan or unreadable input (messages on stderr, one per
problem, naming the camera or light id and the field; a broken IES text also names the
file's line), 1 unexpected failure (one-line message). Never a traceback.

RESULT.json has the day coverage and, from the plan's ``lights``, the night figures
(:func:`assessments.engine.coverage.simulate_night`); GRID.npz adds the illuminance grids;
GRID.tif holds the same arrays as a tiled GeoTIFF (:mod:`assessments.engine.gridfile`).

A plan whose grid exceeds the single-grid limit (``MAX_CELLS``), or any plan run with
``--tiles`` or ``--scheduler``, is simulated in tiles on Dask (:mod:`assessments.engine.tiles`;
docs/scale-out.md): a local cluster of ``--workers`` processes, or the cluster at
``--scheduler``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "print_plan_error"]


def _parser():
    p = argparse.ArgumentParser(prog="python -m assessments",
                                description="Mimamori Planner numeric core")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("simulate", help="camera coverage, pixel density and street "
                       "lighting (day and night) of a plan")
    s.add_argument("plan", help="PLAN.json (docs/plan-format.md)")
    s.add_argument("--out", help="write RESULT.json here (default: standard output)")
    s.add_argument("--grid", help="write the per-cell arrays here: GRID.npz, or GRID.tif "
                   "(tiled, compressed GeoTIFF)")
    s.add_argument("--terrain", help="ground-height raster (.tif geographic GeoTIFF, .npz, "
                   "or 基盤地図情報 DEM .xml / .zip); overrides the plan's terrain")
    b = s.add_mutually_exclusive_group()
    b.add_argument("--buildings", help="buildings that block the view (GeoJSON, PLATEAU "
                   "CityGML .gml or .zip); replace the plan's buildings")
    b.add_argument("--fgd", help="基盤地図情報 基本項目 GML or .zip: its buildings replace the "
                   "plan's (FGD has no heights: see --building-height)")
    s.add_argument("--building-height", type=_height, default=None, metavar="M",
                   help="height given to every 基盤地図情報 building [m] (default "
                   "DEFAULT_BUILDING_HEIGHT_M of assessments.plan.iotools)")
    s.add_argument("--tiles", type=_count, default=None, metavar="CELLS",
                   help="simulate in tiles of CELLS × CELLS cells on Dask (automatic with "
                   "tiles of 2048 when the grid exceeds the single-grid limit)")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler for the tiles (e.g. tcp://10.0.0.5:8786); default a "
                   "local cluster")
    s.add_argument("--workers", type=_count, default=2, metavar="N",
                   help="worker processes of the local cluster (default 2)")
    from .propose.cli import add_parser as add_propose
    add_propose(sub)
    return p


def print_plan_error(path, exc) -> None:
    """An invalid plan on standard error: one line per problem, naming its code."""
    print(f"invalid plan {path}:", file=sys.stderr)
    for issue in exc.issues:
        print(f"  [{issue.code}] {issue.message}", file=sys.stderr)


def _count(text: str) -> int:
    """A positive whole number."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {n}")
    return n


def _too_large(exc) -> bool:
    """Whether a PlanError says only that the grid exceeds the single-grid limit."""
    return bool(exc.issues) and all(i.code == "too_large" and i.field == "resolution_m"
                                    for i in exc.issues)


def _simulate_tiled(args, plan, terrain):
    """RESULT.json content and the grid's arrays (when ``--grid``) of a tiled run."""
    from .engine.tiles import TILE_CELLS, run_tiles
    try:
        return run_tiles(plan, scheduler=args.scheduler, n_workers=args.workers,
                         tile_cells=args.tiles or TILE_CELLS, terrain=terrain,
                         base_dir=Path(args.plan).resolve().parent,
                         grid_arrays=bool(args.grid))
    except OSError as exc:      # distributed's connection errors (timeouts included)
        if args.scheduler:
            raise _NoScheduler(f"cannot reach the Dask scheduler {args.scheduler}: {exc}") \
                from None
        raise


class _NoScheduler(Exception):
    """The ``--scheduler`` address did not answer."""


def _write_grid(path: str, arrays: dict, grid) -> None:
    """GRID.tif (by its suffix) or GRID.npz (with the cell centres' lat/lon)."""
    from .plan import validate as planfile
    if Path(path).suffix.lower() in (".tif", ".tiff"):
        from .engine.gridfile import write_grid_tif
        write_grid_tif(arrays, grid, path)
    else:
        if "lat" not in arrays:
            arrays = {"lat": grid.lat, "lon": grid.lon, **arrays}
        planfile.write_grid(arrays, path)


def _height(text: str) -> float:
    """A building height [m] in (0, 1000)."""
    try:
        h = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < h < 1000:
        raise argparse.ArgumentTypeError(f"must be in (0, 1000) m, got {h:g}")
    return h


def _buildings(args) -> dict | None:
    """The buildings of ``--buildings`` / ``--fgd``, or None (keep the plan's); raises
    ImportFileError for an unreadable file."""
    from .plan import iotools as imp
    if args.buildings:
        path = Path(args.buildings)
        res = imp.read_buildings(path.read_bytes(), path.name)
    elif args.fgd:
        path = Path(args.fgd)
        height = (imp.DEFAULT_BUILDING_HEIGHT_M if args.building_height is None
                  else args.building_height)
        res = imp.read_fgd(path.read_bytes(), path.name, building_height_m=height)
    else:
        return None
    res.raise_for_fatal()
    for pr in res.problems:
        if pr.severity != "info":
            print(f"{path.name}: [{pr.code}] {pr.message}", file=sys.stderr)
    return res.collection or {"type": "FeatureCollection", "features": []}


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "propose":
        from .propose.cli import run
        return run(args)
    from .engine.budget import MemoryBudgetError, available_bytes
    from .plan import validate as planfile
    from .plan.iotools import ImportFileError
    from .simulate import simulate
    try:
        budget = available_bytes()
    except ValueError as exc:       # MIMAMORI_MEMORY_LIMIT_MB is not a number
        print(f"MIMAMORI_MEMORY_LIMIT_MB: {exc}", file=sys.stderr)
        return 2
    try:
        plan = planfile.load_plan(args.plan)
        buildings = _buildings(args)
        if buildings is not None:
            plan["buildings"] = buildings
        terrain = None
        if args.terrain:
            terrain = planfile.load_terrain({"file": str(Path(args.terrain).resolve())})
        if args.tiles or args.scheduler:
            result, arrays, grid = _simulate_tiled(args, plan, terrain)
        else:
            try:
                sim = simulate(plan, terrain=terrain,
                               base_dir=Path(args.plan).resolve().parent,
                               night_grids=bool(args.grid),
                               memory_budget=budget)
                result, grid = sim.result, sim.model.grid
                # lat / lon only for GRID.npz (_write_grid)
                arrays = sim.grid_arrays(latlon=False) if args.grid else None
            except planfile.PlanError as exc:
                if not _too_large(exc):
                    raise
                print("the grid exceeds one machine's limit: simulating in tiles",
                      file=sys.stderr)
                result, arrays, grid = _simulate_tiled(args, plan, terrain)
        text = planfile.result_json(result)
        if args.out:
            planfile.write_atomic(args.out, text.encode("utf-8"))
        else:
            sys.stdout.write(text + "\n")
        if args.grid:
            _write_grid(args.grid, arrays, grid)
    except MemoryBudgetError as exc:   # estimated before the run: nothing was computed
        print(f"{args.plan}: {exc.message}", file=sys.stderr)
        return 2
    except planfile.PlanError as exc:
        print_plan_error(args.plan, exc)
        return 2
    except _NoScheduler as exc:
        print(exc, file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read or write: {exc}", file=sys.stderr)
        return 2
    except ImportFileError as exc:  # an unreadable terrain or buildings file
        print(f"cannot read {args.terrain or args.buildings or args.fgd}: {exc}",
              file=sys.stderr)
        return 2
    except MemoryError:
        print("out of memory: use a coarser resolution_m or a smaller area", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — the CLI promises no traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
