"""What every file import of the シミュレーション page shares: the problem texts, the
failure message (the plan is kept) and an area around imported data."""
from __future__ import annotations

import math

import numpy as np

from assessments.engine.grid import Grid
from ui.i18n import t
from ui.issues import field_label
from ui.sim_edits import message
from ui.state import md_escape

#: Most cells of the page's grid: an area from imported data gets a cell size that keeps
#: within it (the command line takes up to ``assessments.plan.validate.MAX_CELLS``).
PAGE_MAX_CELLS = 4_000_000

def problem_text(pr) -> str:
    """An importer ``Problem`` in the user's language, with its row and field."""
    # the field by its table label (a file's own column header stays as it is)
    # the file's own text (a cell, a header: the value) is shown as text, never as Markdown
    where = (t("sim.io.where_file") if pr.row is None else
             t("sim.io.where_field", row=pr.row, field=field_label(pr.field))
             if pr.field else t("sim.io.where", row=pr.row))
    return f"{where}: " + t(f"sim.imp.{pr.code}", value=md_escape(pr.value))


def extent_area(lats, lons, margin_m: float = 60.0):
    """Bounding box of points (+ ``margin_m`` [m]) as an area, and a resolution [m] keeping
    within :data:`PAGE_MAX_CELLS`: ``(polygon, resolution_m, margin_m)``."""
    lat0, lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    g = Grid(lat0, lon0, 1.0, (1, 1), 0.0, 0.0)
    x, y = g.to_xy(list(lats), list(lons))
    x, y = np.atleast_1d(x), np.atleast_1d(y)
    x0, x1 = float(x.min()) - margin_m, float(x.max()) + margin_m
    y0, y1 = float(y.min()) - margin_m, float(y.max()) + margin_m
    res = max(1.0, math.ceil(math.sqrt((x1 - x0) * (y1 - y0) / PAGE_MAX_CELLS)))
    la, lo = g.to_latlon(np.array([x0, x1, x1, x0, x0]), np.array([y0, y0, y1, y1, y0]))
    ring = [[round(float(o), 7), round(float(a), 7)] for a, o in zip(la, lo)]
    return {"type": "Polygon", "coordinates": [ring]}, float(res), margin_m


def failed(name: str, lines) -> bool:
    """The import of ``name`` failed for these reasons (the plan is unchanged)."""
    message("error", t("sim.io.failed", name=md_escape(name)) + "\n\n" + "\n".join(f"- {x}" for x in lines))
    return False
