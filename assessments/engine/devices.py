"""Cameras and street lights: the one validator per device kind and their typed values.

A plan's ``cameras[]`` and ``lights[]`` entries (JSON objects, docs/plan-format.md) are
checked here and only here: :func:`check_camera` / :func:`check_light` collect every problem
as a :class:`PlanIssue` and return a typed :class:`Camera` / :class:`Light` (frozen, units
in the field names, defaults applied once) when the entry is valid. The coverage and
night engine, the person preview and the map take these values; a caller holding a plan
dict passes it through :func:`as_camera` / :func:`as_light` (which raise
:class:`PlanError`).

:class:`PlanIssue` is also the issue type of the rest of the plan (area, buildings,
districts: :mod:`assessments.plan.validate`). It carries a ``code``, the item's ``kind`` and
``id``, the ``field``, the offending ``value`` and the ``params`` a message needs; the UI
translates it by its code, the command line prints :attr:`PlanIssue.message` (English).

Defaults (docs/plan-format.md): ``min_illuminance_lx`` 0.5 lx and ``shutter_s`` 1/60 s
are the example values of the plan format, not product data; ``vfov_deg`` follows from
the aspect ratio of square pixels; a light's aiming is 0°. A light's
``maintenance_factor`` (保守率 M, 0 < M ≤ 1) turns its initial intensities into maintained
ones, E_maintained = M × E_initial, the illuminance the lighting criteria are checked
against; without one it is :data:`DEFAULT_MAINTENANCE_FACTOR`.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .camera import focal_length_px, vfov_from_aspect
from .lighting import (Luminaire, cosine_power_exponent, cosine_power_luminaire,
                       isotropic_luminaire, table_luminaire)
from .photometry import MAX_CANDELA, Photometry, PhotometryError, read_photometry

__all__ = ["PlanIssue", "PlanError", "ISSUE_CODES", "Camera", "Light", "check_camera",
           "check_light", "check_devices", "as_camera", "as_light", "number_field",
           "JAPAN_BBOX", "DISTRIBUTIONS", "DEFAULT_MIN_ILLUMINANCE_LX", "DEFAULT_SHUTTER_S",
           "DEFAULT_MAINTENANCE_FACTOR"]

#: Japan's bounding box: (lat_min, lat_max, lon_min, lon_max) [°].
JAPAN_BBOX = (20.0, 46.0, 122.0, 154.0)
#: Colour-image minimum illuminance of a camera without one [lx] (plan-format example).
DEFAULT_MIN_ILLUMINANCE_LX = 0.5
#: Night exposure of a camera without one [s] (plan-format example).
DEFAULT_SHUTTER_S = 1 / 60
#: Maintenance factor of a light without one [-]: 1, the initial illuminance. M is the
#: illuminance just before maintenance over the initial one (照明学会 技術指針 JIEG-001 as
#: cited by makers); a value for LED 防犯灯 could not be confirmed from a standard's own text
#: (JIS Z 9126:2010 has a clause 4.9 保守率, whose text was not available), so none is
#: assumed and the user enters the value of the product or the municipality's spec.
DEFAULT_MAINTENANCE_FACTOR = 1.0
#: A light's ``distribution`` name → beam angle (full width at half maximum) [°].
DISTRIBUTIONS = {"lambertian": 120.0, "wide": 120.0, "medium": 90.0, "narrow": 60.0}
ISSUE_CODES = ("missing", "not_a_number", "not_an_integer", "out_of_range", "outside_japan",
               "self_intersecting", "bad_geojson", "bad_type", "duplicate_id",
               "unsupported_version", "unknown_value", "too_large", "photometry_count",
               "bad_distribution", "bad_ies", "outline_too_intricate")
_PHOTOMETRIES = ("intensity_cd", "lumens", "ies")


# ---------------------------------------------------------------------------------------
# the issue type
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanIssue:
    """One problem in a plan.

    Attributes
    ----------
    kind : str
        What the item is: ``"camera"``, ``"light"``, ``"building"``, ``"district"``,
        ``"area"``, ``"buildings"``, ``"districts"`` or ``"plan"``.
    id : str
        The item's id; ``"#3"`` (position, from 1) when it has none; ``""`` for the area,
        the plan and whole collections.
    field : str
        The offending field (``"tilt_deg"``); ``""`` for the whole item.
    code : str
        One of :data:`ISSUE_CODES`.
    value : object
        The offending value (or None).
    params : dict
        What a message needs besides the value: ``range`` (text such as ``"-90…90"``,
        ``"≥ 0"``, ``"(0, 180)"``, ``"lat 20…46"``), ``reason`` (a parser's English
        explanation), ``got`` (the photometries given), ``allowed``, ``cells`` / ``limit``,
        ``alternatives``.
    """

    kind: str
    id: str
    field: str
    code: str
    value: object = None
    params: dict = field(default_factory=dict, compare=False)

    @property
    def item_id(self) -> str:
        """``"camera C12"``, ``"light #2"``, ``"area"`` …: the item as messages name it."""
        return f"{self.kind} {self.id}" if self.id else self.kind

    @property
    def detail(self) -> str:
        """The English explanation from :attr:`params` (range, reason …); "" when none."""
        p = self.params
        if "range" in p:
            return str(p["range"])
        if self.code == "photometry_count":
            got = ", ".join(p.get("got") or ()) or "none"
            return f"got {got}: use intensity_cd, lumens + distribution, or ies"
        if self.code == "unknown_value" and "allowed" in p:
            return "allowed: " + ", ".join(p["allowed"])
        if self.code == "too_large" and "limit" in p:
            if "cells" in p:
                return f"{p['cells']:,} cells; the limit is {p['limit']:,}"
            return f"at most {p['limit']:,} {p.get('what', 'items')}"
        if "alternatives" in p:
            return str(p["alternatives"])
        return str(p.get("reason", ""))

    @property
    def message(self) -> str:
        """English one-liner, e.g. ``camera C12: tilt_deg = 120 is outside -90…90``."""
        v = "" if self.value is None else f" = {_short(self.value)}"
        what = {"missing": "is missing", "not_a_number": "is not a number",
                "not_an_integer": "is not a whole number",
                "outside_japan": "is outside Japan",
                "self_intersecting": "intersects itself",
                "outline_too_intricate": "is too intricate to check (pairs of edges "
                                         "with overlapping extents)",
                "bad_geojson": "is not valid GeoJSON", "bad_type": "has the wrong type",
                "duplicate_id": "is used twice",
                "photometry_count": "needs exactly one photometry",
                "bad_distribution": "is not an allowed distribution",
                "bad_ies": "is not a readable photometric file",
                "unsupported_version": "is not supported (expected 1)",
                "unknown_value": "is not an allowed value",
                "too_large": "makes the grid too large",
                "out_of_range": "is out of range"}.get(self.code, self.code)
        detail = self.detail
        if self.code == "out_of_range" and detail:
            what = f"is outside {detail}"
        elif detail:
            what = f"{what} ({detail})"
        fld = f": {self.field}" if self.field else ""
        return f"{self.item_id}{fld}{v} {what}"


class PlanError(ValueError):
    """An invalid plan; ``.issues`` lists every :class:`PlanIssue` found."""

    def __init__(self, issues):
        self.issues = list(issues)
        super().__init__("; ".join(i.message for i in self.issues) or "invalid plan")


def _short(value, limit=40):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------------------------------
# field checks (shared with assessments.plan.validate)
# ---------------------------------------------------------------------------------------
def _g(x):
    return f"{x:g}"


def _num_repr(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _range_text(lo, hi, lo_open, hi_open) -> str:
    if lo is not None and hi is not None:
        if not (lo_open or hi_open):
            return f"{_g(lo)}…{_g(hi)}"
        return f"{'(' if lo_open else '['}{_g(lo)}, {_g(hi)}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '≥'} {_g(lo)}"
    return f"{'<' if hi_open else '≤'} {_g(hi)}"


def number_field(obj, key, kind, iid, issues, *, required=True, lo=None, hi=None,
                 lo_open=False, hi_open=False, default=None):
    """A finite number ``obj[key]`` as float inside its interval; else an issue is added
    to ``issues`` and None returned (``default`` when absent and not ``required``)."""
    v = obj.get(key)
    if v is None:
        if required:
            issues.append(PlanIssue(kind, iid, key, "missing"))
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        issues.append(PlanIssue(kind, iid, key, "not_a_number", v))
        return None
    v = float(v)
    if ((lo is not None and (v <= lo if lo_open else v < lo))
            or (hi is not None and (v >= hi if hi_open else v > hi))):
        issues.append(PlanIssue(kind, iid, key, "out_of_range", _num_repr(obj.get(key)),
                                {"range": _range_text(lo, hi, lo_open, hi_open)}))
        return None
    return v


def _latlon(obj, kind, iid, issues):
    """``lat``, ``lon`` [°] inside Japan's box, or (None, None) after adding the issues."""
    lat = number_field(obj, "lat", kind, iid, issues)
    lon = number_field(obj, "lon", kind, iid, issues)
    ok = True
    if lat is not None and not JAPAN_BBOX[0] <= lat <= JAPAN_BBOX[1]:
        issues.append(PlanIssue(kind, iid, "lat", "outside_japan", _num_repr(lat),
                                {"range": "lat 20…46"}))
        ok = False
    if lon is not None and not JAPAN_BBOX[2] <= lon <= JAPAN_BBOX[3]:
        issues.append(PlanIssue(kind, iid, "lon", "outside_japan", _num_repr(lon),
                                {"range": "lon 122…154"}))
        ok = False
    return (lat, lon) if ok and lat is not None and lon is not None else (None, None)


def _item(obj, kind, index, issues):
    """``(id, ok)``: the item's id as text (``"#n"`` by position when absent or blank, with
    a ``missing`` issue)."""
    raw = obj.get("id")
    if raw is None or not str(raw).strip():
        iid = f"#{index + 1}"
        issues.append(PlanIssue(kind, iid, "id", "missing"))
        return iid, False
    return str(raw), True


def _typed_or_not_object(obj, cls, kind, index):
    """``(obj, [])`` for a value already typed (valid), one ``bad_type`` issue for a
    non-object, None for a dict still to check."""
    if isinstance(obj, cls):
        return obj, []
    if not isinstance(obj, dict):
        return None, [PlanIssue(kind, f"#{index + 1}", "", "bad_type", None,
                                {"reason": "expected an object"})]
    return None


def _valid_masks(masks) -> bool:
    """``privacy_masks_deg``: up to 16 ``[from, to]`` sectors, −180 ≤ from < to ≤ 180 [°]."""
    def num(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    return isinstance(masks, (list, tuple)) and len(masks) <= 16 and all(
        isinstance(m, (list, tuple)) and len(m) == 2 and num(m[0]) and num(m[1])
        and -180 <= m[0] < m[1] <= 180 for m in masks)


# ---------------------------------------------------------------------------------------
# cameras
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Camera:
    """A validated plan camera (docs/plan-format.md, "Camera fields").

    Attributes
    ----------
    id : str
    lat_deg, lon_deg : float
        Position [°].
    mount_height_m : float
        Above the local ground [m].
    azimuth_deg : float
        Axis bearing, clockwise from north, as given [°] (−360…360).
    tilt_deg : float
        Down from the horizontal [°].
    hfov_deg : float
        Horizontal field of view [°].
    width_px, height_px : int
        Image size [px].
    vfov_deg : float
        Vertical field of view [°]; from the aspect ratio when not given.
    max_range_m : float or None
        Horizontal reach [m]; None = the working range of the coverage model.
    ir_range_m : float or None
        IR illuminator reach [m]; None (or 0) = no IR.
    min_illuminance_lx : float
        Vertical illuminance from which the image is in colour [lx].
    shutter_s : float
        Night exposure [s].
    privacy_masks_deg : tuple of (float, float)
        Masked sectors of bearing relative to the axis [°].
    """

    id: str
    lat_deg: float
    lon_deg: float
    mount_height_m: float
    azimuth_deg: float
    tilt_deg: float
    hfov_deg: float
    width_px: int
    height_px: int
    vfov_deg: float | None = None
    max_range_m: float | None = None
    ir_range_m: float | None = None
    min_illuminance_lx: float = DEFAULT_MIN_ILLUMINANCE_LX
    shutter_s: float = DEFAULT_SHUTTER_S
    privacy_masks_deg: tuple = ()

    def __post_init__(self):
        if self.vfov_deg is None:
            object.__setattr__(self, "vfov_deg",
                               vfov_from_aspect(self.hfov_deg, self.width_px, self.height_px))

    @cached_property
    def bearing_deg(self) -> float:
        """The axis bearing in [0, 360) [°]."""
        return float(self.azimuth_deg) % 360.0

    @cached_property
    def f_px(self) -> float:
        """Focal length ``(width_px/2) / tan(hfov/2)`` [px]."""
        return focal_length_px(self.hfov_deg, self.width_px)

    @cached_property
    def tan_h(self) -> float:
        """``tan(hfov/2)``."""
        return math.tan(math.radians(self.hfov_deg) / 2)

    @cached_property
    def tan_v(self) -> float:
        """``tan(vfov/2)``."""
        return math.tan(math.radians(self.vfov_deg) / 2)


def check_camera(obj, index: int = 0) -> tuple[Camera | None, list[PlanIssue]]:
    """Check one ``cameras[]`` entry.

    Parameters
    ----------
    obj : dict or Camera
        The entry (a :class:`Camera` is already valid and returned as is).
    index : int
        Its position in the list (names an entry without an id).

    Returns
    -------
    (Camera or None, list of PlanIssue)
        The typed camera when there is no issue.
    """
    done = _typed_or_not_object(obj, Camera, "camera", index)
    if done is not None:
        return done
    issues: list[PlanIssue] = []
    iid, named = _item(obj, "camera", index, issues)
    k = ("camera", iid, issues)
    lat, lon = _latlon(obj, *k)
    mount = number_field(obj, "mount_height_m", *k, lo=0, lo_open=True, hi=1000)
    az = number_field(obj, "azimuth_deg", *k, lo=-360, hi=360)
    tilt = number_field(obj, "tilt_deg", *k, lo=-90, hi=90)
    hfov = number_field(obj, "hfov_deg", *k, lo=0, hi=180, lo_open=True, hi_open=True)
    size = []
    for key in ("width_px", "height_px"):
        v = number_field(obj, key, *k, lo=1, hi=100_000)
        if v is not None and not v.is_integer():
            issues.append(PlanIssue("camera", iid, key, "not_an_integer", obj.get(key)))
        size.append(v)
    opt = dict(required=False)
    vfov = number_field(obj, "vfov_deg", *k, **opt, lo=0, hi=180, lo_open=True, hi_open=True)
    max_range = number_field(obj, "max_range_m", *k, **opt, lo=0, lo_open=True, hi=100_000)
    ir = number_field(obj, "ir_range_m", *k, **opt, lo=0)
    min_lx = number_field(obj, "min_illuminance_lx", *k, **opt, lo=0,
                          default=DEFAULT_MIN_ILLUMINANCE_LX)
    shutter = number_field(obj, "shutter_s", *k, **opt, lo=0, default=DEFAULT_SHUTTER_S)
    masks = obj.get("privacy_masks_deg")
    if masks is not None and not _valid_masks(masks):
        issues.append(PlanIssue("camera", iid, "privacy_masks_deg", "out_of_range",
                                json.dumps(masks, default=str)[:60],
                                {"range": "−180 ≤ from < to ≤ 180 in each of at most 16 "
                                          "[from, to] sectors"}))
    if issues or not named:
        return None, issues
    return Camera(iid, lat, lon, mount, az, tilt, hfov, int(size[0]), int(size[1]),
                  vfov_deg=vfov, max_range_m=max_range, ir_range_m=ir,
                  min_illuminance_lx=min_lx, shutter_s=shutter,
                  privacy_masks_deg=tuple((float(a), float(b)) for a, b in masks or ())), []


# ---------------------------------------------------------------------------------------
# lights
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Light:
    """A validated plan street light (docs/plan-format.md, "Light fields").

    Exactly one photometry: ``intensity_cd`` (isotropic below the horizontal), ``lumens``
    with ``beam_angle_deg`` (generalised Lambertian), or ``photometry`` (a parsed IES /
    EULUMDAT table).

    Attributes
    ----------
    id : str
    lat_deg, lon_deg : float
        Position [°].
    mount_height_m : float
        Above flat ground [m] (terrain is not applied to lights).
    intensity_cd : float or None
        [cd].
    lumens : float or None
        [lm].
    beam_angle_deg : float or None
        Full width at half maximum of the ``lumens`` model [°] (from ``distribution``).
    photometry : Photometry or None
        The ``ies`` text, parsed.
    azimuth_deg, tilt_deg : float
        Aiming [°]: ``azimuth_deg`` is the bearing of the table's C0 half-plane, the street
        side (see :mod:`assessments.engine.lighting`).
    maintenance_factor : float
        保守率 M, 0 < M ≤ 1: every intensity is multiplied by it [-].
    """

    id: str
    lat_deg: float
    lon_deg: float
    mount_height_m: float
    intensity_cd: float | None = None
    lumens: float | None = None
    beam_angle_deg: float | None = None
    photometry: Photometry | None = field(default=None, repr=False, compare=False)
    azimuth_deg: float = 0.0
    tilt_deg: float = 0.0
    maintenance_factor: float = DEFAULT_MAINTENANCE_FACTOR

    def luminaire(self, x_m: float, y_m: float) -> Luminaire:
        """The light as a :class:`~assessments.engine.lighting.Luminaire` at local metres
        ``(x_m, y_m)`` (converted from lat/lon by the caller) [m], with its maintained
        intensities: the one place the maintenance factor is applied (I_maintained =
        M × I_initial, so every illuminance is E_maintained = M × E_initial)."""
        kw = dict(mount_height_m=self.mount_height_m, id=self.id)
        m = self.maintenance_factor
        if self.intensity_cd is not None:
            return isotropic_luminaire(x_m, y_m, intensity_cd=self.intensity_cd * m, **kw)
        aim = dict(azimuth_deg=self.azimuth_deg, tilt_deg=self.tilt_deg)
        if self.lumens is not None:
            return cosine_power_luminaire(x_m, y_m, lumens=self.lumens * m,
                                          beam_angle_deg=self.beam_angle_deg, **kw, **aim)
        return table_luminaire(x_m, y_m, self.photometry.scaled(m), **kw, **aim)


@lru_cache(maxsize=64)
def _parse_ies(text: str) -> Photometry:
    """One parse per distinct file text (many lights of a plan share one model's file)."""
    return read_photometry(text)


def _beam_angle(distribution) -> float:
    """Beam angle [°] of a ``distribution`` (a name of :data:`DISTRIBUTIONS` or
    ``{"beam_angle_deg": b}``); ValueError / TypeError when it is neither or out of
    (0, 180)."""
    if isinstance(distribution, str) and distribution in DISTRIBUTIONS:
        b = DISTRIBUTIONS[distribution]
    elif isinstance(distribution, dict) and "beam_angle_deg" in distribution:
        b = float(distribution["beam_angle_deg"])
    else:
        raise ValueError(f"distribution must be one of {sorted(DISTRIBUTIONS)} or "
                         f"{{'beam_angle_deg': …}}, got {distribution!r}")
    cosine_power_exponent(b)            # the model's own range check
    return b


def check_light(obj, index: int = 0) -> tuple[Light | None, list[PlanIssue]]:
    """Check one ``lights[]`` entry (exactly one photometry; inside Japan): as
    :func:`check_camera`, returning ``(Light or None, issues)``."""
    done = _typed_or_not_object(obj, Light, "light", index)
    if done is not None:
        return done
    issues: list[PlanIssue] = []
    iid, named = _item(obj, "light", index, issues)
    k = ("light", iid, issues)
    lat, lon = _latlon(obj, *k)
    mount = number_field(obj, "mount_height_m", *k, lo=0, lo_open=True, hi=100)
    az = number_field(obj, "azimuth_deg", *k, required=False, lo=-360, hi=360, default=0.0)
    tilt = number_field(obj, "tilt_deg", *k, required=False, lo=-90, hi=90, default=0.0)
    maint = number_field(obj, "maintenance_factor", *k, required=False, lo=0, lo_open=True,
                         hi=1, default=DEFAULT_MAINTENANCE_FACTOR)
    kinds = [p for p in _PHOTOMETRIES if obj.get(p) is not None]
    intensity = lumens = beam = table = None
    if len(kinds) != 1:
        issues.append(PlanIssue("light", iid, "photometry", "photometry_count", None,
                                {"got": kinds}))
    if "intensity_cd" in kinds:
        intensity = number_field(obj, "intensity_cd", *k, lo=0, hi=MAX_CANDELA)
    if "lumens" in kinds:
        lumens = number_field(obj, "lumens", *k, lo=0)
        if obj.get("distribution") is None:
            issues.append(PlanIssue("light", iid, "distribution", "missing"))
        else:
            try:
                beam = _beam_angle(obj["distribution"])
            except (ValueError, TypeError) as exc:
                issues.append(PlanIssue("light", iid, "distribution", "bad_distribution",
                                        None, {"reason": str(exc)}))
    if "ies" in kinds:
        if not isinstance(obj["ies"], str):
            issues.append(PlanIssue("light", iid, "ies", "bad_ies", None,
                                    {"reason": "ies must be the photometric file's text"}))
        else:
            try:
                table = _parse_ies(obj["ies"])
            except PhotometryError as exc:
                issues.append(PlanIssue("light", iid, "ies", "bad_ies", None,
                                        {"reason": str(exc)}))
    if issues or not named:
        return None, issues
    return Light(iid, lat, lon, mount, intensity_cd=intensity, lumens=lumens,
                 beam_angle_deg=beam, photometry=table, azimuth_deg=az, tilt_deg=tilt,
                 maintenance_factor=maint), []


# ---------------------------------------------------------------------------------------
# lists and single values
# ---------------------------------------------------------------------------------------
_CHECKS = {"camera": check_camera, "light": check_light}


def check_devices(kind: str, items) -> tuple[list, list[PlanIssue]]:
    """Check a plan's ``cameras`` (``kind="camera"``) or ``lights`` (``"light"``) list.

    Returns
    -------
    (list, list of PlanIssue)
        The valid typed devices in list order (ids unique: a repeated id is a
        ``duplicate_id`` issue) and every issue; None is an empty list.
    """
    if items is None:
        return [], []
    if not isinstance(items, (list, tuple)):
        return [], [PlanIssue("plan", "", f"{kind}s", "bad_type", None,
                              {"reason": "expected a list"})]
    check = _CHECKS[kind]
    out, issues, seen = [], [], set()
    for i, item in enumerate(items):
        dev, found = check(item, i)
        issues += found
        if dev is None:
            continue
        if dev.id in seen:
            issues.append(PlanIssue(kind, dev.id, "id", "duplicate_id", dev.id))
            continue
        seen.add(dev.id)
        out.append(dev)
    return out, issues


def as_camera(obj) -> Camera:
    """A :class:`Camera` from a plan camera dict (or a Camera); PlanError when invalid."""
    cam, issues = check_camera(obj)
    if cam is None:
        raise PlanError(issues)
    return cam


def as_light(obj) -> Light:
    """A :class:`Light` from a plan light dict (or a Light); PlanError when invalid."""
    light, issues = check_light(obj)
    if light is None:
        raise PlanError(issues)
    return light
