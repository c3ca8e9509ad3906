"""Pinhole camera geometry: field of view, pixel density, lens calculator, DORI levels.

Conventions (see the glossary in :mod:`assessments`): local metres ``x`` east, ``y`` north,
``z`` up; ``azimuth_deg`` clockwise from north; ``tilt_deg`` down from the horizontal.
Camera coordinates follow the computer-vision convention: ``x_c`` to the image right,
``y_c`` to the image bottom, ``z_c`` (depth) along the optical axis.

A point is inside the frustum when ``z_c > 0``, ``|x_c| ≤ z_c·tan(hfov/2)`` and
``|y_c| ≤ z_c·tan(vfov/2)``. Its pixel density is ``f_px / z_c`` with the focal length in
pixels ``f_px = (width_px/2) / tan(hfov/2)`` (horizontal pixels per metre of a plane facing
the camera at that depth) [1]_.

References
----------
.. [1] R. Hartley and A. Zisserman, *Multiple View Geometry in Computer Vision*, 2nd ed.,
   Cambridge University Press, 2004, ch. 6 (the pinhole camera).
.. [2] IEC 62676-4:2014 and :2025, DORI pixel densities: the table and its sources are in
   :mod:`assessments.engine.dori`.
"""
from __future__ import annotations

import math

import numpy as np

# the DORI table lives in .dori; re-exported for the callers of the camera geometry
from .dori import (DORI_LEVELS, DORI_SOURCES, DORI_STANDARDS, dori_thresholds,
                   lowest_level_px_m)

__all__ = ["DORI_LEVELS", "DORI_SOURCES", "DORI_STANDARDS", "dori_thresholds",
           "lowest_level_px_m", "classify_dori", "vfov_from_aspect", "focal_length_px",
           "pixel_density", "fov_from_lens", "focal_length_from_fov", "camera_axes",
           "to_camera", "in_frustum", "axis_level_distances", "footprint_xy",
           "working_depth_m", "relative_bearing_deg"]

def classify_dori(pixel_density, *, standard: str = "iec62676_4_2014"):
    """Highest level reached, as an index into the standard's levels (0 = below all).

    Returns ``k`` ≥ 1 when ``pixel_density`` reaches the k-th level (1 = lowest); 0 below the
    lowest level or for NaN. Use ``list(dori_thresholds(standard))[k - 1]`` for the key.
    """
    thr = np.array(sorted(dori_thresholds(standard).values()))
    pd = np.asarray(pixel_density, dtype=np.float64)
    k = np.searchsorted(thr, np.where(np.isnan(pd), -np.inf, pd), side="right")
    return int(k) if k.ndim == 0 else k


# ---------------------------------------------------------------------------------------
# lens and pixel density
# ---------------------------------------------------------------------------------------
def _check_fov(name, value):
    v = np.asarray(value, dtype=np.float64)
    bad = ~np.isnan(v) & ((v <= 0) | (v >= 180))
    if np.any(bad):
        raise ValueError(f"{name} must be in (0, 180) degrees, got {v[bad].ravel()[0]:g}")
    return v


def vfov_from_aspect(hfov_deg, width_px, height_px):
    """Vertical field of view of a square-pixel sensor [°].

    ``vfov = 2·atan(tan(hfov/2)·height_px/width_px)``.

    Parameters
    ----------
    hfov_deg : float or array_like
        Horizontal field of view [°], in (0, 180).
    width_px, height_px : float or array_like
        Image size [px].
    """
    h = _check_fov("hfov_deg", hfov_deg)
    out = np.degrees(2 * np.arctan(np.tan(np.radians(h) / 2) * np.asarray(height_px, float)
                                   / np.asarray(width_px, float)))
    return float(out) if out.ndim == 0 else out


def focal_length_px(hfov_deg, width_px):
    """Focal length in pixels ``f_px = (width_px/2) / tan(hfov/2)`` [px]."""
    h = _check_fov("hfov_deg", hfov_deg)
    out = (np.asarray(width_px, float) / 2) / np.tan(np.radians(h) / 2)
    return float(out) if np.ndim(out) == 0 else out


def pixel_density(depth_m, *, hfov_deg, width_px):
    """Pixel density at a depth along the optical axis [px/m].

    Parameters
    ----------
    depth_m : float or array_like
        Distance along the optical axis ``z_c`` [m]. Non-positive depth → NaN.
    hfov_deg : float
        Horizontal field of view [°].
    width_px : int
        Image width [px].

    Returns
    -------
    float or ndarray
        ``f_px / depth_m`` [px/m].

    Examples
    --------
    A 1920 px camera with hfov 90° has f_px = 960 px; at 10 m it gives 96 px/m.
    """
    d = np.asarray(depth_m, dtype=np.float64)
    f = focal_length_px(hfov_deg, width_px)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, f / np.where(d > 0, d, 1.0), np.nan)
    return float(out) if out.ndim == 0 else out


def fov_from_lens(focal_length_mm, sensor_size_mm):
    """Field of view from focal length and sensor size (rectilinear lens) [°].

    ``fov = 2·atan(sensor_size / (2·focal_length))``; pass the sensor width for the
    horizontal and its height for the vertical field of view.

    Parameters
    ----------
    focal_length_mm : float or array_like
        Lens focal length [mm], > 0.
    sensor_size_mm : float or array_like
        Sensor (active area) width or height [mm], > 0.
    """
    f = np.asarray(focal_length_mm, dtype=np.float64)
    s = np.asarray(sensor_size_mm, dtype=np.float64)
    if np.any(f <= 0) or np.any(s <= 0):
        raise ValueError("focal_length_mm and sensor_size_mm must be > 0")
    out = np.degrees(2 * np.arctan(s / (2 * f)))
    return float(out) if out.ndim == 0 else out


def focal_length_from_fov(fov_deg, sensor_size_mm):
    """Focal length giving a field of view on a sensor (inverse of :func:`fov_from_lens`) [mm]."""
    v = _check_fov("fov_deg", fov_deg)
    s = np.asarray(sensor_size_mm, dtype=np.float64)
    if np.any(s <= 0):
        raise ValueError("sensor_size_mm must be > 0")
    out = s / (2 * np.tan(np.radians(v) / 2))
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------------------------
# orientation and frustum
# ---------------------------------------------------------------------------------------
def relative_bearing_deg(bearing_deg, azimuth_deg: float):
    """Bearing relative to a camera's axis [°]: clockwise positive, in [−180, 180).

    The one convention of the privacy check's sectors
    (``assessments.engine.privacy_geometry.suggest_fix``) and the privacy masks that apply them
    (``assessments.engine.coverage.privacy_masked``), so a suggested sector masks exactly the
    cells it was computed from. E.g. axis 350°: bearing 0° → +10°, 315° → −35°.
    """
    return (np.asarray(bearing_deg, dtype=float) - float(azimuth_deg) + 180.0) % 360.0 - 180.0


def camera_axes(azimuth_deg: float, tilt_deg: float):
    """Unit vectors (east, north, up) of the camera's right, down and forward axes.

    Returns
    -------
    right, down, forward : ndarray of shape (3,)
    """
    a, t = math.radians(azimuth_deg), math.radians(tilt_deg)
    f = (math.sin(a) * math.cos(t), math.cos(a) * math.cos(t), -math.sin(t))
    r = (math.cos(a), -math.sin(a), 0.0)
    # forward × right = down (right-handed x,y,z), written out: np.cross's arithmetic
    # without its per-call overhead (the camera pass calls this for every camera)
    down = np.array([f[1] * r[2] - f[2] * r[1], f[2] * r[0] - f[0] * r[2],
                     f[0] * r[1] - f[1] * r[0]])
    return np.array(r), down, np.array(f)


def to_camera(dx_m, dy_m, dz_m, *, azimuth_deg: float, tilt_deg: float):
    """Offsets from the camera (east, north, up) [m] → camera coordinates ``(x_c, y_c, z_c)`` [m].

    ``z_c`` is the depth along the optical axis, ``x_c`` points to the image right and
    ``y_c`` to the image bottom.
    """
    r, d, f = camera_axes(azimuth_deg, tilt_deg)
    dx, dy, dz = (np.asarray(v, dtype=np.float64) for v in (dx_m, dy_m, dz_m))
    return (r[0] * dx + r[1] * dy + r[2] * dz, d[0] * dx + d[1] * dy + d[2] * dz,
            f[0] * dx + f[1] * dy + f[2] * dz)


def in_frustum(x_c, y_c, z_c, *, hfov_deg, vfov_deg):
    """True where a camera-coordinate point is inside the viewing frustum (NaN → False)."""
    th = math.tan(math.radians(hfov_deg) / 2)
    tv = math.tan(math.radians(vfov_deg) / 2)
    x_c, y_c, z_c = (np.asarray(v, dtype=np.float64) for v in (x_c, y_c, z_c))
    with np.errstate(invalid="ignore"):
        return (z_c > 0) & (np.abs(x_c) <= th * z_c) & (np.abs(y_c) <= tv * z_c)


def working_depth_m(hfov_deg, width_px, min_density_px_m):
    """Largest depth at which pixel density still reaches ``min_density_px_m`` [m].

    This is the working range of a camera without ``max_range_m``: beyond this depth its
    image is below the lowest level of interest and the cell counts as unseen.
    """
    if not min_density_px_m > 0:
        raise ValueError("min_density_px_m must be > 0 for a camera without max_range_m")
    return focal_length_px(hfov_deg, width_px) / min_density_px_m


def axis_level_distances(*, mount_height_m, tilt_deg, hfov_deg, vfov_deg, width_px,
                         target_height_m=1.5, max_range_m=None,
                         standard="iec62676_4_2014"):
    """Where each DORI level ends along the camera's axis on the target plane [m].

    Along the vertical plane through the optical axis, a point at horizontal distance ``s``
    on the plane ``target_height_m`` has depth ``z_c = s·cos(t) + Δ·sin(t)`` with
    ``Δ = mount_height_m − target_height_m`` and tilt ``t``. The level with threshold ``T``
    holds while ``z_c ≤ f_px / T``, i.e. up to ``s_T = (f_px/T − Δ·sin t) / cos t``, and the
    point is in view between the near edge ``Δ / tan(t + vfov/2)`` and the far edge
    ``Δ / tan(t − vfov/2)`` (∞ when ``t ≤ vfov/2``, for ``Δ > 0``).

    Returns
    -------
    dict
        ``{"near_m", "far_m", <level key>: end distance}``; a level's value is NaN when it is
        not reached anywhere on the axis. Distances are horizontal, from the camera [m].
    """
    f = focal_length_px(hfov_deg, width_px)
    t = math.radians(tilt_deg)
    hv = math.radians(vfov_deg) / 2
    delta = mount_height_m - target_height_m
    near, far = _axis_interval(delta, t, hv)
    if max_range_m is not None:
        far = min(far, max_range_m)
    out = {"near_m": near, "far_m": far}
    for key, thr in dori_thresholds(standard).items():
        if abs(math.cos(t)) < 1e-12:
            end = far if delta <= f / thr else math.nan
        else:
            s_t = (f / thr - delta * math.sin(t)) / math.cos(t)
            end = min(s_t, far) if math.cos(t) > 0 else far
            if end < near or (math.cos(t) < 0 and s_t > near):
                end = math.nan
        out[key] = end
    return out


def _axis_interval(delta, t, hv):
    """Horizontal interval [near, far] of the target plane seen along the axis [m]."""
    lo, hi = t - hv, t + hv          # depression angles of the frustum's lower/upper rays
    if delta > 0:
        near = 0.0 if hi >= math.pi / 2 else delta / math.tan(hi)
        far = math.inf if lo <= 0 else (delta / math.tan(lo) if lo < math.pi / 2 else 0.0)
        return max(near, 0.0), far
    if delta < 0:                     # target plane above the camera: rays must rise
        lo, hi = -hi, -lo             # elevation angles
        near = 0.0 if hi >= math.pi / 2 else -delta / math.tan(hi)
        far = math.inf if lo <= 0 else -delta / math.tan(lo)
        return max(near, 0.0), far
    return (0.0, math.inf) if lo <= 0 <= hi else (math.inf, math.inf)


# ---------------------------------------------------------------------------------------
# ground footprint (exact convex polygon on the flat target plane)
# ---------------------------------------------------------------------------------------
def _clip_halfplane(poly: list, a: float, b: float, c: float) -> list:
    """Sutherland–Hodgman: keep the part of a convex polygon with ``a·x + b·y + c ≤ 0``.

    ``poly`` is a list of ``(x, y)`` float pairs: with a few dozen vertices, plain floats
    cost less than numpy's per-call overhead.
    """
    if not poly:
        return poly
    v = [x * a + y * b + c for x, y in poly]
    out = []
    n = len(poly)
    for i in range(n):
        p, vp = poly[i], v[i]
        q, vq = poly[i + 1 - n], v[i + 1 - n]
        if vp <= 0:
            out.append(p)
        if (vp <= 0) != (vq <= 0):
            s = vp / (vp - vq)
            out.append((p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])))
    return out


def footprint_xy(*, mount_height_m, azimuth_deg, tilt_deg, hfov_deg, vfov_deg,
                 target_height_m=1.5, range_m=None, max_depth_m=None, n_arc: int = 72):
    """The frustum's footprint on the target plane as a convex polygon around the camera.

    The footprint is the intersection of the disc of horizontal radius ``range_m`` (a
    ``n_arc``-gon) with the half-planes of the four frustum sides, ``z_c > 0`` and
    ``z_c ≤ max_depth_m`` (all linear in the plane coordinates, since the plane's height is
    fixed). Exact for flat ground up to the polygonal disc.

    Returns
    -------
    ndarray of shape (n, 2)
        ``(dx, dy)`` vertices relative to the camera [m], counter-clockwise; empty when the
        camera does not see the plane.
    """
    if range_m is None and max_depth_m is None:
        raise ValueError("give range_m or max_depth_m: the footprint would be unbounded")
    r, d, f = camera_axes(azimuth_deg, tilt_deg)
    dz = target_height_m - mount_height_m
    th = math.tan(math.radians(hfov_deg) / 2)
    tv = math.tan(math.radians(vfov_deg) / 2)
    if range_m is None:
        # a point of depth ≤ D in the frustum is within D·sqrt(1 + th² + tv²) of the camera
        range_m = max_depth_m * math.sqrt(1 + th * th + tv * tv)
    ang = np.linspace(0, 2 * np.pi, n_arc, endpoint=False)
    # circumscribe the disc so the polygon contains it (no lost cells at the arc)
    rad = range_m / math.cos(math.pi / n_arc)
    poly = list(zip((rad * np.cos(ang)).tolist(), (rad * np.sin(ang)).tolist()))

    def lin(vec):          # vec·(dx, dy, dz) = a·dx + b·dy + c
        return vec[0], vec[1], vec[2] * dz

    fa, fb, fc = lin(f)
    ra, rb, rc = lin(r)
    da, db, dc = lin(d)
    eps = 1e-9
    halfplanes = [(-fa, -fb, -fc + eps),                         # z_c > 0
                  (ra - th * fa, rb - th * fb, rc - th * fc),    # x_c ≤ th·z_c
                  (-ra - th * fa, -rb - th * fb, -rc - th * fc),
                  (da - tv * fa, db - tv * fb, dc - tv * fc),
                  (-da - tv * fa, -db - tv * fb, -dc - tv * fc)]
    if max_depth_m is not None:
        halfplanes.append((fa, fb, fc - max_depth_m))
    for a, b, c in halfplanes:
        poly = _clip_halfplane(poly, float(a), float(b), float(c))
        if len(poly) < 3:
            return np.zeros((0, 2))
    return np.array(poly)
