"""Command line: ``python -m assessments propose PLAN.json --out PROPOSED.json
[--target LEVEL:FRACTION] [--night] [--by-district] [--budget-jpy N] [--max-per-site N]
[--candidates FILE] [--spacing M] [--offset M] [--azimuths N] [--heights M,…] [--presets ID,…]
[--light-presets ID,…] [--price ID=JPY …] [--method auto|milp|greedy] [--time-limit S]
[--seed N]``.

Writes the plan plus the proposed devices (``"proposed": true``) and prints the cost, the
count, the bound, the gap, the greedy baseline and the marginal cost of the last few
percent. Exit status: 0 success, 2 an invalid plan or input, or a target that cannot be met
(one line saying the best reachable share and what limits it), 1 unexpected failure.

The presets and the use cases (their DORI level and night operation) are read from the
reference database (:func:`datasets.refdb.connect`), as the app reads them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["add_parser", "run"]


def _ids(text: str) -> list[str]:
    return [t.strip() for t in str(text).split(",") if t.strip()]


def _floats(text: str) -> list[float]:
    try:
        out = [float(t) for t in _ids(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not out or any(not v > 0 for v in out):
        raise argparse.ArgumentTypeError(f"expected numbers > 0, got {text!r}")
    return out


def _price(text: str) -> tuple[str, float]:
    key, sep, value = str(text).partition("=")
    try:
        price = float(value)
    except ValueError:
        price = -1.0
    if not sep or not key.strip() or price < 0:
        raise argparse.ArgumentTypeError(f"expected PRESET_ID=JPY, got {text!r}")
    return key.strip(), price


def _positive(kind):
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not v > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return v
    return parse


def add_parser(sub) -> None:
    """Add the ``propose`` sub-command to the CLI's sub-parsers."""
    s = sub.add_parser("propose", help="propose the fewest, cheapest cameras (and lights) "
                       "that meet the requirement")
    s.add_argument("plan", help="PLAN.json (docs/plan-format.md)")
    s.add_argument("--out", required=True, help="write the plan with the proposed devices here")
    s.add_argument("--target", metavar="LEVEL:FRACTION",
                   help="e.g. observe:0.8 (default: the plan's use cases at --fraction)")
    s.add_argument("--fraction", type=float, default=0.8,
                   help="share to meet when --target is not given (default 0.8)")
    s.add_argument("--night", action="store_true",
                   help="the level is needed at night too (default: when a use case says so)")
    s.add_argument("--by-district", action="store_true",
                   help="each of the plan's districts must meet the share")
    s.add_argument("--budget-jpy", type=float, default=None, metavar="N",
                   help="most the added devices may cost [円] (plan_costs)")
    s.add_argument("--max-per-site", type=_positive(int), default=1, metavar="N",
                   help="most proposed cameras on one pole or wall (default 1)")
    s.add_argument("--candidates", metavar="FILE",
                   help="existing poles (電柱・防犯灯) as a CSV / Excel table with lat/lon or "
                   "平面直角座標 columns")
    s.add_argument("--spacing", type=_positive(float), default=10.0, metavar="M",
                   help="pole spacing along the streets [m] (default 10)")
    s.add_argument("--offset", type=float, default=2.5, metavar="M",
                   help="offset of the poles from a street centre line, both sides [m] "
                   "(default 2.5)")
    s.add_argument("--azimuths", type=_positive(int), default=8, metavar="N",
                   help="bearings tried per site (default 8)")
    s.add_argument("--heights", type=_floats, default=[5.0], metavar="M,…",
                   help="mount heights tried [m] (default 5)")
    s.add_argument("--tilts", type=_floats, default=[15.0], metavar="DEG,…",
                   help="tilts tried [°] (default 15)")
    s.add_argument("--presets", type=_ids, default=None, metavar="ID,…",
                   help="camera presets tried (default: all)")
    s.add_argument("--light-presets", type=_ids, default=None, metavar="ID,…",
                   help="light presets paired with cameras at night (default: all)")
    s.add_argument("--price", type=_price, action="append", default=[], metavar="ID=JPY",
                   help="unit price of a preset [円] (default: a plan device's of that preset)")
    s.add_argument("--method", choices=("auto", "milp", "greedy"), default="auto")
    s.add_argument("--time-limit", type=_positive(float), default=20.0, metavar="S",
                   help="HiGHS time limit per solve [s] (default 20)")
    s.add_argument("--seed", type=int, default=0, help="seed of the candidate draw")


def _reference_rows():
    """(camera presets, light presets, use cases) from the reference database."""
    from contextlib import closing

    from datasets import refdb

    from ..records import records
    with closing(refdb.connect()) as con:
        def table(name):
            return records(con.execute(f'SELECT * FROM "{name}" ORDER BY id').fetch_df())
        return table("camera_presets"), table("light_presets"), table("use_cases")


def _pick(rows, ids, what):
    if ids is None:
        return rows
    by_id = {r["id"]: r for r in rows}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ValueError(f"unknown {what}: {', '.join(missing)} (known: "
                         f"{', '.join(by_id)})")
    return [by_id[i] for i in ids]


def _poles(path: str, plan: dict) -> list:
    from ..plan.iotools import read_point_table
    p = Path(path)
    res = read_point_table(p.read_bytes(), p.name, kind="light",
                           prefecture=(plan.get("municipality") or {}).get("prefecture"))
    res.raise_for_fatal()
    for pr in res.problems:
        if pr.severity != "info":
            print(f"{p.name}: [{pr.code}] {pr.message}", file=sys.stderr)
    return res.rows


def _yen(v) -> str:
    return "—" if v is None else f"{v:,.0f} 円"


def run(args) -> int:
    """Run ``propose`` (exit status, see the module docstring)."""
    from ..plan import validate as planfile
    from ..plan.iotools import ImportFileError
    from .proposal import ProposalInfeasible, propose
    from .requirement import plan_requirement
    try:
        plan = planfile.load_plan(args.plan)
        cams, lights, use_cases = _reference_rows()
        cams = _pick(cams, args.presets, "camera preset")
        lights = _pick(lights, args.light_presets, "light preset")
        req = plan_requirement(plan, use_cases=use_cases, target=args.target,
                               fraction=args.fraction, night=True if args.night else None,
                               by_district=args.by_district, budget_jpy=args.budget_jpy,
                               max_per_site=args.max_per_site)
        poles = _poles(args.candidates, plan) if args.candidates else ()
        pr = propose(plan, req, camera_presets=cams, light_presets=lights, poles=poles,
                     method=args.method, time_limit_s=args.time_limit, seed=args.seed,
                     base_dir=Path(args.plan).resolve().parent,
                     candidate_options={"spacing_m": args.spacing, "offset_m": args.offset,
                                        "azimuths": args.azimuths,
                                        "heights_m": args.heights, "tilts_deg": args.tilts,
                                        "unit_prices_jpy": dict(args.price)})
        text = json.dumps(pr.plan, ensure_ascii=False, indent=1, default=float)
        planfile.write_atomic(args.out, text.encode("utf-8"))
    except ProposalInfeasible as exc:
        print(f"{args.plan}: {exc}", file=sys.stderr)
        return 2
    except planfile.PlanError as exc:
        from ..cli import print_plan_error
        print_plan_error(args.plan, exc)
        return 2
    except ImportFileError as exc:
        print(f"cannot read {args.candidates}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:         # a bad target, preset id or district
        print(f"{args.plan}: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read or write: {exc}", file=sys.stderr)
        return 2
    gap = "—" if pr.gap is None else f"{pr.gap:.1%}"
    print(f"proposed: {len(pr.cameras)} cameras, {len(pr.lights)} lights "
          f"({pr.count} options, {pr.method} {pr.status})")
    print(f"cost: {_yen(pr.cost_jpy)}  bound: {_yen(pr.bound_jpy)}  gap: {gap}  "
          f"(objective = cost + 1 円 a device)")
    print(f"greedy baseline: {_yen(pr.greedy_cost_jpy)}, {pr.greedy_count} options")
    met = ", ".join(f"{f:.1%}" for f in (pr.verified or pr.fractions))
    print(f"met (re-simulated): {met}")
    for m in pr.marginal:
        share = ", ".join(f"{f:.0%}" for f in m["fraction"])
        print(f"at {share}: {_yen(m['cost_jpy'])}")
    return 0
