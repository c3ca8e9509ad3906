"""Command line for documents: ``python -m reports PLAN.json [--xlsx OUT.xlsx]
[--pdf OUT.pdf] [--map OUT.png] [--book BOOK.pdf] [--docx RULES.docx] [--paper A4|A3]
[--orientation landscape|portrait] [--preset notice] [--dpi N]``.

Writes, from one plan, the documents a city hands in, so a consultant can batch them:

- ``--xlsx``: the Excel plan (:func:`reports.excel.build_workbook`) with the simulation's
  figures (:func:`assessments.simulate.simulate`), the 配置図 image and the reference data
  the 出力 page uses (:func:`reports.inputs.workbook_inputs`);
- ``--pdf``: the 配置図 as PDF on ``--paper`` / ``--orientation`` (or ``--preset notice``,
  the 町会 notice board) (:func:`reports.layout_map.layout_map_pdf`);
- ``--map``: the same 配置図 as PNG (:func:`reports.layout_map.layout_map_png`, ``--dpi``);
- ``--book``: the plan book (計画書), A4 (:func:`reports.planbook.plan_book_pdf`), with the
  same reference data as the workbook;
- ``--docx``: the draft 運用要綱 (:func:`reports.rules_draft.build_docx`).

Exit status (as ``python -m assessments``): 0 success; 2 invalid plan or unreadable input, or
an output that cannot be written (messages on stderr, one per problem, naming the camera or
light id and the field); 1 unexpected failure or a missing Japanese font (one-line message).
Never a traceback. The plan is checked whole before anything is written, so a bad plan leaves
no partial set of documents; only ``--docx`` alone needs no area or cameras.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from contextlib import closing, nullcontext
from pathlib import Path

__all__ = ["main", "PAPERS", "ORIENTATIONS"]

PAPERS = ("A4", "A3")
ORIENTATIONS = ("landscape", "portrait")
WORKBOOK_MAP_DPI = 150  # the 配置図 inside the Excel plan [px/inch]: A4 landscape 1754 px wide


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m reports",
        description="Mimamori Planner documents: the Excel plan, the 配置図 (layout map) as "
                    "PDF and PNG, and the draft operating rules (運用要綱) as .docx")
    p.add_argument("plan", help="PLAN.json (a plan downloaded from the app, or the format of "
                   "docs/plan-format.md)")
    p.add_argument("--xlsx", metavar="OUT.xlsx", help="write the Excel plan here")
    p.add_argument("--pdf", metavar="OUT.pdf", help="write the 配置図 PDF here")
    p.add_argument("--map", metavar="OUT.png", help="write the 配置図 PNG here")
    p.add_argument("--book", metavar="BOOK.pdf", help="write the plan book (計画書, A4) here")
    p.add_argument("--docx", metavar="RULES.docx", help="write the draft 運用要綱 here")
    p.add_argument("--paper", choices=PAPERS, default="A4",
                   help="paper size of the PDF (default A4)")
    p.add_argument("--orientation", choices=ORIENTATIONS, default="landscape",
                   help="orientation of the PDF (default landscape)")
    p.add_argument("--preset", choices=("notice",), default=None,
                   help="notice: the 配置図 for a 町会 notice board (A3 portrait, large "
                   "numbers, no technical layers; overrides --paper and --orientation)")
    p.add_argument("--dpi", type=_dpi, default=200, metavar="N",
                   help="resolution of the PNG [dots per inch] (default 200)")
    return p


def _dpi(text: str) -> int:
    """A PNG resolution [dpi] in 50–600."""
    try:
        dpi = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 50 <= dpi <= 600:
        raise argparse.ArgumentTypeError(f"must be in 50–600 dpi, got {dpi}")
    return dpi


def _reference_db():
    """A read-only connection to the reference database (built from datasets/*.csv when
    needed)."""
    from datasets import refdb
    return refdb.connect()


def _workbook(plan: dict, sim, inputs, today: dt.date) -> bytes:
    from assessments.plan import validate as planfile

    from . import excel as X
    from .layout_map import layout_map_png
    # the workbook takes RESULT.json's values (NaN → None), as the 出力 page passes them;
    # its map is the 配置図 on A4 landscape, the page the workbook prints it on
    results = json.loads(planfile.result_json(sim.result))
    png = layout_map_png(plan, dpi=WORKBOOK_MAP_DPI, sim=sim, today=today)
    return X.build_workbook(plan, results=results, map_png=png, today=today,
                            **inputs.kwargs())


def _pdf(plan: dict, sim, args, today: dt.date) -> bytes:
    """The bytes written to ``--pdf``.

    The 配置図 on ``--paper``; this is the one place that decides what ``--pdf`` holds
    (the plan book, A4 only, is ``--book``), so a combined document would be made here.
    """
    from .layout_map import layout_map_pdf
    return layout_map_pdf(plan, paper=args.paper, orientation=args.orientation,
                          preset=args.preset, today=today, sim=sim)


def _rules(plan: dict, cursor) -> bytes:
    from datasets import queries

    from . import rules_draft
    # every privacy item: the draft keeps those the plan's use cases ask for
    items = queries.list_privacy_items(cursor)
    return rules_draft.build_docx(plan, items, lang="ja")


def _build(plan: dict, args, base_dir: Path) -> dict[str, bytes]:
    """Every asked-for document as ``{path: bytes}``; nothing is written here, so a
    failure leaves no partial set."""
    out: dict[str, bytes] = {}
    today = dt.date.today()
    refdb = args.xlsx or args.book or args.docx
    with closing(_reference_db()) if refdb else nullcontext() as con:
        if args.xlsx or args.book or args.pdf or args.map:
            from assessments.simulate import simulate

            from .inputs import workbook_inputs
            # validates the plan first (PlanError lists every problem); one run for all
            sim = simulate(plan, base_dir=base_dir, night_grids=False)
            inputs = workbook_inputs(plan, con.cursor()) if con is not None else None
            if args.map:
                from .layout_map import layout_map_png
                out[args.map] = layout_map_png(plan, dpi=args.dpi, paper=args.paper,
                                               orientation=args.orientation,
                                               preset=args.preset, today=today, sim=sim)
            if args.pdf:
                out[args.pdf] = _pdf(plan, sim, args, today)
            if args.book:
                from .planbook import plan_book_pdf
                out[args.book] = plan_book_pdf(plan, sim=sim, today=today, **inputs.kwargs())
            if args.xlsx:
                out[args.xlsx] = _workbook(plan, sim, inputs, today)
        if args.docx:
            out[args.docx] = _rules(plan, con.cursor())
    return out


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not (args.xlsx or args.pdf or args.map or args.book or args.docx):
        parser.error("nothing to write: give at least one of --xlsx, --pdf, --map, --book, "
                     "--docx")
    from assessments.plan import validate as planfile
    from assessments.plan.document import PlanFormatError, normalise

    from .fonts import JapaneseFontMissing
    try:
        plan = normalise(planfile.load_plan(args.plan), inplace=True)  # older fields → now
        documents = _build(plan, args, Path(args.plan).resolve().parent)
        for path, data in documents.items():
            Path(path).write_bytes(data)
            print(f"wrote {path} ({len(data):,} bytes)", file=sys.stderr)
    except planfile.PlanError as exc:
        print(f"invalid plan {args.plan}:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  [{issue.code}] {issue.message}", file=sys.stderr)
        return 2
    except PlanFormatError as exc:  # a section of the wrong type (e.g. cameras not a list)
        print(f"invalid plan {args.plan}: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read or write: {exc}", file=sys.stderr)
        return 2
    except JapaneseFontMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a value a document cannot hold (e.g. a month not YYYY-MM)
        print(f"cannot build the documents: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("out of memory: use a coarser resolution_m or a smaller area", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — the CLI promises no traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
