"""What one camera records of a person standing on one cell: day and night pixel density
and DORI level, the night mode (colour, IR or too dark), the light on the face and the
person previews. The シミュレーション page (a clicked point) and the plan book (each
camera's aim point) both ask this.
"""
from __future__ import annotations

import math

import numpy as np

from . import image_quality as iq
from . import lighting as L
from .dori import level_at
from .night import FACE_HEIGHT_M

__all__ = ["DAY_PREVIEW_LX", "camera_at_cell"]

#: Illuminance of a daylit face used for the day preview [lx]: the example value of
#: :func:`assessments.engine.image_quality.preview_person` ("day: e.g. 10,000"); illustrative
#: (⚠️ overcast daylight varies widely), it only sets the preview's (negligible) noise.
DAY_PREVIEW_LX = 10_000.0


def camera_at_cell(view, camera, grid, r: int, c: int, luminaires, thresholds, *,
                   previews: bool = True) -> dict | None:
    """A camera's record of the cell ``(r, c)`` of ``grid``, or None when it does not see it.

    Parameters
    ----------
    view : assessments.engine.coverage.CameraView
        The camera's computed view (its window of the grid and pixel density [px/m]).
    camera : assessments.engine.devices.Camera
        The camera (minimum illuminance [lx], shutter [s], IR range [m]).
    grid : assessments.engine.grid.Grid
    r, c : int
        The cell (row, column) of ``grid``.
    luminaires : list
        The plan's luminaires (:func:`assessments.engine.night.plan_luminaires`); empty = no
        street light.
    thresholds : mapping
        DORI thresholds [px/m] of the standard.
    previews : bool
        Also render the day / night person previews (the slow part).

    Returns
    -------
    dict or None
        ``day_px_m``, ``day_level``, ``night_px_m``, ``night_level``, ``night_mode``
        (:data:`~assessments.engine.image_quality.NIGHT_DARK` …), ``vertical_lx`` (on a
        face at :data:`~assessments.engine.night.FACE_HEIGHT_M` turned to the camera),
        ``distance_m`` (horizontal, camera to cell centre) and ``day`` / ``night``
        (:class:`~assessments.engine.image_quality.PersonPreview` or None).
    """
    if view.empty or not (view.rows.start <= r < view.rows.stop
                          and view.cols.start <= c < view.cols.stop):
        return None
    pd = float(view.pixel_density[r - view.rows.start, c - view.cols.start])
    if pd <= 0:
        return None
    cx, cy = float(grid.x_axis_m[c]), float(grid.y_axis_m[r])
    dist = math.hypot(cx - view.x_m, cy - view.y_m)
    facing = math.degrees(math.atan2(view.x_m - cx, view.y_m - cy)) % 360.0
    ev = float(L.illuminance_at_points(cx, cy, luminaires, height_m=FACE_HEIGHT_M,
                                       facing_azimuth_deg=facing)) if luminaires else 0.0
    min_lx, shutter, ir = camera.min_illuminance_lx, camera.shutter_s, camera.ir_range_m
    mode = int(iq.night_mode(ev, dist, min_illuminance_lx=min_lx, ir_range_m=ir))
    npd = float(np.nan_to_num(iq.night_pixel_density(
        pd, ev, dist, min_illuminance_lx=min_lx, ir_range_m=ir, shutter_s=shutter)))
    rec = {"day_px_m": pd, "day_level": level_at(pd, thresholds), "night_px_m": npd,
           "night_level": level_at(npd, thresholds), "night_mode": mode, "vertical_lx": ev,
           "distance_m": dist, "day": None, "night": None}
    if previews:
        safe_min = max(min_lx, 1e-3)
        rec["day"] = iq.preview_person(pd, DAY_PREVIEW_LX, min_illuminance_lx=safe_min,
                                       shutter_s=shutter)
        if mode != iq.NIGHT_DARK:
            rec["night"] = iq.preview_person(pd, ev, min_illuminance_lx=safe_min,
                                             shutter_s=shutter, ir_on=mode == iq.NIGHT_IR)
    return rec
