"""Command line: ``python -m assessments simulate PLAN.json [--out RESULT.json] [--grid GRID.npz]
[--terrain DEM] [--buildings FILE | --fgd FILE [--building-height M]]``.

Exit status: 0 success, 2 invalid plan or unreadable input (messages on stderr, one per
problem, naming the camera or light id and the field; a broken IES text also names the
file's line), 1 unexpected failure (one-line message). Never a traceback.

RESULT.json has the day coverage and, from the plan's ``lights``, the night figures
(:func:`assessments.engine.coverage.simulate_night`); GRID.npz adds the illuminance grids.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def _parser():
    p = argparse.ArgumentParser(prog="python -m assessments",
                                description="Mimamori Planner numeric core")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("simulate", help="camera coverage, pixel density and street "
                       "lighting (day and night) of a plan")
    s.add_argument("plan", help="PLAN.json (docs/plan-format.md)")
    s.add_argument("--out", help="write RESULT.json here (default: standard output)")
    s.add_argument("--grid", help="write GRID.npz (per-cell arrays) here")
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
    return p


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
    from .plan import validate as planfile
    from .plan.iotools import ImportFileError
    from .simulate import simulate
    try:
        plan = planfile.load_plan(args.plan)
        buildings = _buildings(args)
        if buildings is not None:
            plan["buildings"] = buildings
        terrain = None
        if args.terrain:
            terrain = planfile.load_terrain({"file": str(Path(args.terrain).resolve())})
        sim = simulate(plan, terrain=terrain, base_dir=Path(args.plan).resolve().parent,
                       night_grids=bool(args.grid))
        text = planfile.result_json(sim.result)
        if args.out:
            planfile.write_atomic(args.out, text.encode("utf-8"))
        else:
            sys.stdout.write(text + "\n")
        if args.grid:
            planfile.write_grid(sim.grid_arrays(), args.grid)
    except planfile.PlanError as exc:
        print(f"invalid plan {args.plan}:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  [{issue.code}] {issue.message}", file=sys.stderr)
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
