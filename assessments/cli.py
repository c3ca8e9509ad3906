"""Command line: ``python -m assessments simulate PLAN.json [--out RESULT.json] [--grid GRID.npz]``.

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
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from .plan import validate as planfile
    from .plan.iotools import ImportFileError
    from .simulate import simulate
    try:
        plan = planfile.load_plan(args.plan)
        terrain = None
        if args.terrain:
            terrain = planfile.load_terrain({"file": str(Path(args.terrain).resolve())})
        sim = simulate(plan, terrain=terrain, base_dir=Path(args.plan).resolve().parent,
                       night_grids=bool(args.grid))
        text = planfile.result_json(sim.result)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
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
    except ImportFileError as exc:  # an unreadable terrain file (DEM GML, .zip)
        print(f"cannot read {args.terrain or args.plan}: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("out of memory: use a coarser resolution_m or a smaller area", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — the CLI promises no traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
