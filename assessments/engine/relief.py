"""Relief shown on the map: hillshade and contour lines of a ground-height raster.

Heights are a 2-D array on square cells, row 0 north, column 0 west (the layout of
:meth:`assessments.engine.visibility.Terrain.on`). NaN marks cells without data: the
hillshade is NaN there and at their eight neighbours, and contours stop there.

References
----------
.. [1] Horn, B. K. P. (1981). Hill shading and the reflectance map. Proceedings of the
   IEEE, 69(1), 14–47. https://doi.org/10.1109/PROC.1981.11918
.. [2] Burrough, P. A., McDonnell, R. A. (1998). Principles of Geographical Information
   Systems. Oxford University Press, pp. 190–193 (third-order finite difference slope
   and aspect).
.. [3] Esri, ArcGIS Pro documentation, "How Hillshade works" (slope, aspect, zenith and
   azimuth formulation; illumination from 315° at 45° by default).
.. [4] Lorensen, W. E., Cline, H. E. (1987). Marching cubes: a high resolution 3D surface
   construction algorithm. Computer Graphics, 21(4), 163–169 (marching squares in 2-D,
   ``skimage.measure.find_contours``).
"""
from __future__ import annotations

import math
from itertools import count

import numpy as np

__all__ = ["contour_levels", "contour_paths", "hillshade"]

#: Mantissas of the round contour intervals: 1, 2, 5, 10, 20, 50 … m.
ROUND_STEPS = (1, 2, 5)


def _heights(height_m) -> np.ndarray:
    z = np.asarray(height_m, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"expected a 2-D height raster, got {z.ndim}-D")
    return z


def hillshade(height_m, resolution_m, *, azimuth_deg: float = 315.0,
              altitude_deg: float = 45.0) -> np.ndarray:
    """Hillshade of a height raster: the cosine of the angle between the surface normal
    and the direction of the sun, 0 (in shadow) … 1 (facing the sun).

    Parameters
    ----------
    height_m : array_like, 2-D
        Ground height [m], row 0 north, column 0 west; NaN = no data.
    resolution_m : float
        Cell size (grid spacing) [m].
    azimuth_deg : float, default 315
        Direction the light comes from, clockwise from north [°] (315 = north-west, the
        cartographic convention).
    altitude_deg : float, default 45
        Height of the light above the horizon [°], 0–90.

    Returns
    -------
    ndarray of float64
        Same shape as ``height_m``, in [0, 1]; NaN where the cell or one of its eight
        neighbours has no height.

    Notes
    -----
    Horn's third-order finite differences [1]_ [2]_ over the window ``a b c / d e f /
    g h i`` (``a`` north-west)::

        dz/dx = ((c + 2f + i) − (a + 2d + g)) / (8 · resolution_m)     (east)
        dz/dy = ((g + 2h + i) − (a + 2b + c)) / (8 · resolution_m)     (south)
        slope = atan(√(dz/dx² + dz/dy²)),   aspect = atan2(dz/dy, −dz/dx)
        hillshade = cos(Z)·cos(slope) + sin(Z)·sin(slope)·cos(A − aspect)

    with the zenith ``Z = 90° − altitude_deg`` and the light's mathematical angle
    ``A = 450° − azimuth_deg`` (counter-clockwise from east) [3]_; negative values (self
    shadow) are clipped to 0. The border cells use heights extrapolated linearly from
    the edge (exact for a plane). A flat surface gives ``cos(Z)`` everywhere
    (``sin 45° = 0.7071`` by default).
    """
    z = _heights(height_m)
    res = float(resolution_m)
    if not (res > 0 and math.isfinite(res)):
        raise ValueError(f"resolution_m must be > 0, got {resolution_m!r}")
    if not 0.0 <= float(altitude_deg) <= 90.0:
        raise ValueError(f"altitude_deg must be in [0, 90], got {altitude_deg!r}")
    if not math.isfinite(float(azimuth_deg)):
        raise ValueError(f"azimuth_deg must be finite, got {azimuth_deg!r}")
    # odd reflection = linear extrapolation by one cell, so the edge gradients are not halved
    p = np.pad(z, 1, mode="reflect", reflect_type="odd")
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * res)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * res)
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(dzdy, -dzdx)
    zenith = math.radians(90.0 - float(altitude_deg))
    light = math.radians((450.0 - float(azimuth_deg)) % 360.0)
    shade = (math.cos(zenith) * np.cos(slope)
             + math.sin(zenith) * np.sin(slope) * np.cos(light - aspect))
    shade[np.isnan(z)] = np.nan              # Horn's window leaves out its centre cell
    return np.clip(shade, 0.0, 1.0)


def contour_levels(height_m, *, max_levels: int = 12) -> tuple[np.ndarray, float]:
    """Contour heights at the smallest round interval (1, 2, 5, 10, 20, 50 … m) that
    gives at most ``max_levels`` lines over the raster's height range.

    Parameters
    ----------
    height_m : array_like, 2-D
        Ground height [m]; NaN ignored.
    max_levels : int, default 12
        Most contour levels wanted.

    Returns
    -------
    (ndarray, float)
        The levels [m] (multiples of the interval strictly between the lowest and highest
        height, ascending; empty without a finite height or on flat ground) and the
        interval [m].

    Examples
    --------
    Heights 3.2–17.9 m: 1 m gives 14 levels (4 … 17), 2 m gives 7 (4, 6, … 16) →
    ``([4, 6, 8, 10, 12, 14, 16], 2.0)``. Heights 10.0–17.9 m (a hill on a plain at 10 m):
    1 m gives 11 … 17, not 10 (the plain's edge).
    """
    if int(max_levels) < 1:
        raise ValueError(f"max_levels must be ≥ 1, got {max_levels!r}")
    z = _heights(height_m)
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return np.zeros(0), float(ROUND_STEPS[0])
    lo, hi = float(finite.min()), float(finite.max())
    for exponent in count():
        for step in ROUND_STEPS:
            interval = float(step * 10 ** exponent)
            # strictly between: a level at the lowest (highest) height would trace the
            # edge of a flat plain (plateau) cell by cell
            first, last = math.floor(lo / interval) + 1, math.ceil(hi / interval) - 1
            if last - first + 1 <= int(max_levels):
                return np.arange(first, last + 1) * interval, interval


def contour_paths(height_m, levels) -> list[list[np.ndarray]]:
    """Contour lines of a height raster by marching squares [4]_.

    Parameters
    ----------
    height_m : array_like, 2-D
        Ground height [m]; NaN = no data (lines stop there).
    levels : iterable of float
        Heights of the lines [m] (e.g. from :func:`contour_levels`).

    Returns
    -------
    list of list of ndarray
        ``paths[k]`` holds the lines of ``levels[k]``, each a ``(n, 2)`` array of
        fractional ``(row, col)`` cell coordinates (cell centres are integers), linearly
        interpolated between cells; a line that closes repeats its first point.
    """
    from skimage.measure import find_contours
    z = _heights(height_m)
    if min(z.shape) < 2:
        return [[] for _ in levels]
    return [find_contours(z, float(level)) for level in levels]
