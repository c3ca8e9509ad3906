"""PLAN.json loading and validation; RESULT.json and GRID.npz writing.

The format is documented in ``docs/plan-format.md``. Validation collects *every* problem
before failing, as :class:`PlanIssue` items inside one :class:`PlanError`; the UI translates
an issue by its ``code``:

=====================  ==========================================================
code                   meaning
=====================  ==========================================================
``missing``            a required field is absent or null
``not_a_number``       a number field holds text, a boolean, NaN or ±Infinity
``not_an_integer``     ``width_px``/``height_px`` not a whole number
``out_of_range``       a number outside its allowed interval (message names it)
``outside_japan``      a coordinate outside lat 20…46°, lon 122…154°
``self_intersecting``  the area polygon crosses itself (or is otherwise invalid)
``bad_geojson``        not a GeoJSON Polygon/MultiPolygon/FeatureCollection as needed
``bad_type``           a field of the wrong JSON type (e.g. cameras not a list)
``duplicate_id``       two cameras share an id
``unsupported_version`` ``version`` is not 1
``unknown_value``      a text field outside its allowed values (``standard``)
``too_large``          the grid would exceed ``MAX_CELLS`` cells
``photometry_count``   a light has not exactly one photometry (``intensity_cd`` |
                       ``lumens`` + ``distribution`` | ``ies``)
``bad_distribution``   a light's ``distribution`` is not an allowed value
``bad_ies``            a light's ``ies`` text is not a readable IES LM-63 / EULUMDAT
                       file (the detail names the file's line)
=====================  ==========================================================

Lights are checked by :func:`assessments.engine.lighting.validate_light` (its problems become
issues on ``"light <id>"``) and must lie inside Japan's box like cameras; unknown fields
are kept.
"""
from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine.camera import DORI_STANDARDS
from ..engine.visibility import HEIGHT_KEYS, building_height

__all__ = ["PlanIssue", "PlanError", "validate_plan", "check_districts", "load_plan", "write_result",
           "write_grid", "load_terrain", "JAPAN_BBOX", "MAX_CELLS", "ISSUE_CODES"]

#: Japan's bounding box: (lat_min, lat_max, lon_min, lon_max) [°].
JAPAN_BBOX = (20.0, 46.0, 122.0, 154.0)
#: Largest grid accepted (rows × cols); 1 m over 加古川 (≈ 140 km²) fits.
MAX_CELLS = 400_000_000
ISSUE_CODES = ("missing", "not_a_number", "not_an_integer", "out_of_range", "outside_japan",
               "self_intersecting", "bad_geojson", "bad_type", "duplicate_id",
               "unsupported_version", "unknown_value", "too_large", "photometry_count",
               "bad_distribution", "bad_ies")


@dataclass(frozen=True)
class PlanIssue:
    """One problem in a plan.

    Attributes
    ----------
    item_id : str
        ``"camera C12"``, ``"light L3"``, ``"building #3"``, ``"area"`` or ``"plan"``.
    field : str
        The offending field (``"tilt_deg"``).
    code : str
        One of :data:`ISSUE_CODES`.
    value : object
        The offending value (or None).
    detail : str
        Allowed range or explanation, in English.
    """

    item_id: str
    field: str
    code: str
    value: object = None
    detail: str = ""

    @property
    def message(self) -> str:
        v = "" if self.value is None else f" = {_short(self.value)}"
        what = {"missing": "is missing", "not_a_number": "is not a number",
                "not_an_integer": "is not a whole number",
                "outside_japan": "is outside Japan",
                "self_intersecting": "intersects itself",
                "bad_geojson": "is not valid GeoJSON", "bad_type": "has the wrong type",
                "duplicate_id": "is used twice",
                "photometry_count": "needs exactly one photometry",
                "bad_distribution": "is not an allowed distribution",
                "bad_ies": "is not a readable photometric file",
                "unsupported_version": "is not supported (expected 1)",
                "unknown_value": "is not an allowed value",
                "too_large": "makes the grid too large",
                "out_of_range": "is out of range"}.get(self.code, self.code)
        if self.code == "out_of_range" and self.detail:
            what = f"is outside {self.detail}"
        elif self.detail:
            what = f"{what} ({self.detail})"
        field = f": {self.field}" if self.field else ""
        return f"{self.item_id}{field}{v} {what}"


class PlanError(ValueError):
    """An invalid plan; ``.issues`` lists every :class:`PlanIssue` found."""

    def __init__(self, issues):
        self.issues = list(issues)
        super().__init__("; ".join(i.message for i in self.issues) or "invalid plan")


def _short(value, limit=40):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------------------------------
# field checks
# ---------------------------------------------------------------------------------------
def _number(obj, key, item, issues, *, required=True, lo=None, hi=None, lo_open=False,
            hi_open=False, default=None):
    """Read a finite number; record an issue and return None when it is not one."""
    v = obj.get(key) if isinstance(obj, dict) else None
    if v is None:
        if required:
            issues.append(PlanIssue(item, key, "missing"))
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        issues.append(PlanIssue(item, key, "not_a_number", v))
        return None
    v = float(v)
    bad = ((lo is not None and (v <= lo if lo_open else v < lo))
           or (hi is not None and (v >= hi if hi_open else v > hi)))
    if bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        if lo is not None and hi is not None:
            rng = f"{_g(lo)}…{_g(hi)}" if not (lo_open or hi_open) else \
                f"{left}{_g(lo)}, {_g(hi)}{right}"
        elif lo is not None:
            rng = f"{'>' if lo_open else '≥'} {_g(lo)}"
        else:
            rng = f"{'<' if hi_open else '≤'} {_g(hi)}"
        issues.append(PlanIssue(item, key, "out_of_range", _num_repr(obj.get(key)), rng))
        return None
    return v


def _g(x):
    return f"{x:g}"


def _num_repr(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _latlon(obj, item, issues, lat_key="lat", lon_key="lon"):
    lat = _number(obj, lat_key, item, issues)
    lon = _number(obj, lon_key, item, issues)
    ok = True
    if lat is not None and not JAPAN_BBOX[0] <= lat <= JAPAN_BBOX[1]:
        issues.append(PlanIssue(item, lat_key, "outside_japan", _num_repr(lat),
                                "lat 20…46"))
        ok = False
    if lon is not None and not JAPAN_BBOX[2] <= lon <= JAPAN_BBOX[3]:
        issues.append(PlanIssue(item, lon_key, "outside_japan", _num_repr(lon),
                                "lon 122…154"))
        ok = False
    return (lat, lon) if ok and lat is not None and lon is not None else (None, None)


def _valid_masks(masks) -> bool:
    """``privacy_masks_deg``: up to 16 ``[from, to]`` sectors, −180 ≤ from < to ≤ 180 [°]."""
    def num(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    return isinstance(masks, list) and len(masks) <= 16 and all(
        isinstance(m, (list, tuple)) and len(m) == 2 and num(m[0]) and num(m[1])
        and -180 <= m[0] < m[1] <= 180 for m in masks)


def _check_camera(cam, index, issues) -> dict | None:
    if not isinstance(cam, dict):
        issues.append(PlanIssue(f"camera #{index + 1}", "", "bad_type", None,
                                "expected an object"))
        return None
    cid = cam.get("id")
    if cid is None or (isinstance(cid, str) and not cid.strip()):
        item = f"camera #{index + 1}"
        issues.append(PlanIssue(item, "id", "missing"))
    else:
        item = f"camera {cid}"
    n0 = len(issues)
    _latlon(cam, item, issues)
    _number(cam, "mount_height_m", item, issues, lo=0, lo_open=True, hi=1000)
    _number(cam, "azimuth_deg", item, issues, lo=-360, hi=360)
    _number(cam, "tilt_deg", item, issues, lo=-90, hi=90)
    _number(cam, "hfov_deg", item, issues, lo=0, hi=180, lo_open=True, hi_open=True)
    for key in ("width_px", "height_px"):
        v = _number(cam, key, item, issues, lo=1, hi=100_000)
        if v is not None and not float(v).is_integer():
            issues.append(PlanIssue(item, key, "not_an_integer", cam.get(key)))
    _number(cam, "vfov_deg", item, issues, required=False, lo=0, hi=180, lo_open=True,
            hi_open=True)
    _number(cam, "max_range_m", item, issues, required=False, lo=0, lo_open=True,
            hi=100_000)
    _number(cam, "ir_range_m", item, issues, required=False, lo=0)
    _number(cam, "min_illuminance_lx", item, issues, required=False, lo=0)
    _number(cam, "shutter_s", item, issues, required=False, lo=0)
    masks = cam.get("privacy_masks_deg")
    if masks is not None and not _valid_masks(masks):
        issues.append(PlanIssue(item, "privacy_masks_deg", "out_of_range",
                                json.dumps(masks, default=str)[:60],
                                "−180 ≤ from < to ≤ 180 in each of at most 16 [from, to] "
                                "sectors"))
    if len(issues) > n0 or cid is None:
        return None
    out = dict(cam)
    out["id"] = str(cid)
    return out


#: validate_light's codes → PlanIssue codes (the others are the same word).
_LIGHT_CODES = {"not_number": "not_a_number", "not_object": "bad_type"}


def _check_light(light, index, issues) -> dict | None:
    """Issues of one ``lights[]`` entry from :func:`assessments.engine.lighting.validate_light`,
    plus Japan's box for ``lat``/``lon``; the light (id as text) when valid."""
    from ..engine.lighting import validate_light
    if not isinstance(light, dict):
        issues.append(PlanIssue(f"light #{index + 1}", "", "bad_type", None,
                                "expected an object"))
        return None
    lid = light.get("id")
    named = lid is not None and str(lid).strip() != ""
    item = f"light {lid}" if named else f"light #{index + 1}"
    n0 = len(issues)
    prefix = f"light {str(lid if lid is not None else '')!r}: "
    for p in validate_light(light):
        code = _LIGHT_CODES.get(p["code"], p["code"])
        fld = p["field"]
        detail = p["message"][len(prefix):] if p["message"].startswith(prefix) \
            else p["message"]
        value = None
        if code in ("not_a_number", "out_of_range"):
            value = _num_repr(light.get(fld))
            m = re.search(r" must be (.*), got ", detail)
            detail = m.group(1) if code == "out_of_range" and m else ""
        elif code == "missing":
            detail = ""
        elif code == "photometry_count":
            detail = detail.split("(got ")[-1].rstrip(")")
            detail = f"got {detail}: use intensity_cd, lumens + distribution, or ies"
        issues.append(PlanIssue(item, fld, code, value, detail))
    bad_fields = {i.field for i in issues[n0:]}
    for key, lo, hi, rng in (("lat", *JAPAN_BBOX[:2], "lat 20…46"),
                             ("lon", *JAPAN_BBOX[2:], "lon 122…154")):
        v = light.get(key)
        if key not in bad_fields and isinstance(v, (int, float)) and not lo <= v <= hi:
            issues.append(PlanIssue(item, key, "outside_japan", _num_repr(v), rng))
    if len(issues) > n0:
        return None
    return dict(light, id=str(lid))


def _check_ring_points(polys, item, issues) -> bool:
    """The [lon, lat] positions of ``geojson_rings`` output are numbers inside Japan's box;
    else one issue on ``item``'s ``coordinates`` (the first position outside)."""
    pts = np.concatenate([r for p in polys for r in p])
    if not np.all(np.isfinite(pts)):
        issues.append(PlanIssue(item, "coordinates", "not_a_number"))
        return False
    inside = ((pts[:, 0] >= JAPAN_BBOX[2]) & (pts[:, 0] <= JAPAN_BBOX[3])
              & (pts[:, 1] >= JAPAN_BBOX[0]) & (pts[:, 1] <= JAPAN_BBOX[1]))
    if not np.all(inside):
        bad = pts[~inside][0]
        issues.append(PlanIssue(item, "coordinates", "outside_japan",
                                [float(bad[0]), float(bad[1])], "lat 20…46, lon 122…154"))
        return False
    return True


def _check_area(area, issues):
    item = "area"
    if area is None:
        issues.append(PlanIssue("plan", "area", "missing"))
        return None
    from ..engine.grid import geojson_rings
    try:
        polys = geojson_rings(area)
    except (ValueError, TypeError) as exc:
        issues.append(PlanIssue(item, "", "bad_geojson", None, str(exc)))
        return None
    if not _check_ring_points(polys, item, issues):
        return None
    import shapely
    from shapely.geometry import MultiPolygon, Polygon
    geom = MultiPolygon([Polygon(p[0], p[1:]) for p in polys]) if len(polys) > 1 \
        else Polygon(polys[0][0], polys[0][1:])
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        issues.append(PlanIssue(item, "coordinates", "self_intersecting", None, reason))
        return None
    if geom.area <= 0:
        issues.append(PlanIssue(item, "coordinates", "bad_geojson", None, "zero area"))
        return None
    return area if area.get("type") != "Feature" else area["geometry"]


def _check_buildings(buildings, issues):
    """Footprints list for the model, or None; issues for unusable features."""
    if buildings is None:
        return []
    if not isinstance(buildings, dict) or buildings.get("type") != "FeatureCollection" \
            or not isinstance(buildings.get("features"), list):
        issues.append(PlanIssue("buildings", "", "bad_geojson", None,
                                "expected a FeatureCollection"))
        return None
    from ..engine.grid import geojson_rings
    from ..engine.visibility import _feature_id
    out = []
    for i, feat in enumerate(buildings["features"]):
        item = f"building {_feature_id(feat, i)}"
        if not isinstance(feat, dict):
            issues.append(PlanIssue(item, "", "bad_geojson", None, "not a Feature"))
            continue
        try:
            rings = geojson_rings(feat.get("geometry"))
            if not all(np.all(np.isfinite(r)) for p in rings for r in p):
                raise ValueError("non-finite coordinate")
        except (ValueError, TypeError) as exc:
            issues.append(PlanIssue(item, "geometry", "bad_geojson", None, str(exc)))
            continue
        h = building_height(feat)
        if h is None:
            props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
            raw = next((props[k] for k in HEIGHT_KEYS if props.get(k) is not None), None)
            if raw is None:
                issues.append(PlanIssue(item, "height_m", "missing", None,
                                        "height_m or measuredHeight"))
            else:
                issues.append(PlanIssue(item, "height_m", "out_of_range"
                                        if isinstance(raw, (int, float))
                                        and not isinstance(raw, bool)
                                        and math.isfinite(raw) else "not_a_number", raw,
                                        "> 0"))
            continue
        out.append((rings, h, _feature_id(feat, i)))
    return out


def check_districts(districts) -> list:
    """The :class:`PlanIssue` list of a plan's ``districts`` alone ([] when fine)."""
    issues: list[PlanIssue] = []
    _check_districts(districts, issues)
    return issues


def _check_districts(districts, issues):
    """Validated districts (a FeatureCollection of Polygon/MultiPolygon features inside
    Japan), None when absent or unusable; ids unique (``assessments.engine.districts``)."""
    if districts is None:
        return None
    if not isinstance(districts, dict) or districts.get("type") != "FeatureCollection" \
            or not isinstance(districts.get("features"), list):
        issues.append(PlanIssue("districts", "", "bad_geojson", None,
                                "expected a FeatureCollection"))
        return None
    from ..engine.districts import MAX_DISTRICTS, district_meta
    from ..engine.grid import geojson_rings
    feats = districts["features"]
    if len(feats) > MAX_DISTRICTS:
        issues.append(PlanIssue("districts", "features", "too_large", len(feats),
                                f"at most {MAX_DISTRICTS:,} districts"))
        return None
    n_before = len(issues)
    metas = district_meta({"features": [f if isinstance(f, dict) else {} for f in feats]})
    seen = set()
    for feat, meta in zip(feats, metas):
        item = f"district {meta['id']}"
        if meta["id"] in seen:
            issues.append(PlanIssue(item, "id", "duplicate_id", meta["id"]))
        seen.add(meta["id"])
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            issues.append(PlanIssue(item, "geometry", "bad_geojson", None,
                                    "expected a Polygon or MultiPolygon"))
            continue
        try:
            polys = geojson_rings(geom)
        except (ValueError, TypeError) as exc:
            issues.append(PlanIssue(item, "geometry", "bad_geojson", None, str(exc)))
            continue
        _check_ring_points(polys, item, issues)
    return districts if len(issues) == n_before else None


def _check_items(plan, key, kind, check, issues) -> list:
    """The valid items of the list ``plan[key]`` (``check(item, index, issues)``), ids
    unique."""
    items = plan.get(key, [])
    if items is None:
        return []
    if not isinstance(items, list):
        issues.append(PlanIssue("plan", key, "bad_type", None, "expected a list"))
        return []
    out, seen = [], set()
    for i, item in enumerate(items):
        ok = check(item, i, issues)
        if ok is None:
            continue
        if ok["id"] in seen:
            issues.append(PlanIssue(f"{kind} {ok['id']}", "id", "duplicate_id", ok["id"]))
            continue
        seen.add(ok["id"])
        out.append(ok)
    return out


def validate_plan(plan) -> dict:
    """Check a plan and return a normalised copy for the engine.

    Defaults filled in: ``resolution_m`` 1.0, ``target_height_m`` 1.5, ``standard``
    ``"iec62676_4_2014"``, ``cameras`` [], ``lights`` []; cameras and lights get ``id`` as
    text. Each light is checked with :func:`assessments.engine.lighting.validate_light`. The
    parsed building footprints are stored under the private key ``_footprints``. Every other
    field, known or not, is kept unchanged.

    Raises
    ------
    PlanError
        Listing every problem found (see the module docstring for the codes).
    """
    issues: list[PlanIssue] = []
    if not isinstance(plan, dict):
        raise PlanError([PlanIssue("plan", "", "bad_type", None, "expected a JSON object")])
    out = copy.copy(plan)
    version = plan.get("version")
    if version is None:
        issues.append(PlanIssue("plan", "version", "missing"))
    elif isinstance(version, bool) or version != 1:
        issues.append(PlanIssue("plan", "version", "unsupported_version", version))
    res = _number(plan, "resolution_m", "plan", issues, required=False, lo=0.05, hi=100,
                  default=1.0)
    th = _number(plan, "target_height_m", "plan", issues, required=False, lo=0, hi=100,
                 default=1.5)
    standard = plan.get("standard", "iec62676_4_2014")
    if standard not in DORI_STANDARDS:
        issues.append(PlanIssue("plan", "standard", "unknown_value", standard,
                                "allowed: " + ", ".join(DORI_STANDARDS)))
    md = _number(plan, "min_density_px_m", "plan", issues, required=False, lo=0,
                 lo_open=True)
    area = _check_area(plan.get("area"), issues)
    cameras = _check_items(plan, "cameras", "camera", _check_camera, issues)
    lights = _check_items(plan, "lights", "light", _check_light, issues)
    footprints = _check_buildings(plan.get("buildings"), issues)
    _check_districts(plan.get("districts"), issues)
    if area is not None and res is not None:
        from ..engine.grid import Grid
        g = Grid.from_area(area, res)
        n = g.shape[0] * g.shape[1]
        if n > MAX_CELLS:
            issues.append(PlanIssue("plan", "resolution_m", "too_large", res,
                                    f"{n:,} cells; the limit is {MAX_CELLS:,}"))
    if issues:
        raise PlanError(issues)
    out.update(resolution_m=res, target_height_m=th, standard=standard, area=area,
               cameras=cameras, lights=lights, _footprints=footprints)
    if md is not None:
        out["min_density_px_m"] = md
    return out


# ---------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------
def load_plan(path) -> dict:
    """Read PLAN.json (UTF-8, BOM allowed; NaN literals are read and then rejected).

    Raises
    ------
    PlanError
        ``bad_type`` when the file is not a JSON object; OSError when unreadable.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError([PlanIssue("plan", "", "bad_type", None,
                                   f"not valid JSON: {exc}")]) from None
    if not isinstance(obj, dict):
        raise PlanError([PlanIssue("plan", "", "bad_type", None, "expected a JSON object")])
    return obj


def load_terrain(spec, *, base_dir=None):
    """A :class:`~assessments.engine.visibility.Terrain` from ``plan["terrain"]``.

    ``{"file": "dem.tif"}`` (geographic GeoTIFF) or ``{"file": "dem.npz"}`` holding
    ``height_m``, ``lat_north``, ``lon_west``, ``dlat_deg``, ``dlon_deg``; relative paths
    are resolved against ``base_dir``.
    """
    from ..engine.visibility import Terrain
    if not isinstance(spec, dict) or not isinstance(spec.get("file"), str):
        raise PlanError([PlanIssue("plan", "terrain", "bad_type", None,
                                   'expected {"file": "dem.tif"}')])
    path = Path(spec["file"])
    if base_dir is not None and not path.is_absolute():
        path = Path(base_dir) / path
    if path.suffix.lower() == ".npz":
        with np.load(path) as z:
            return Terrain(z["height_m"], lat_north=float(z["lat_north"]),
                           lon_west=float(z["lon_west"]), dlat_deg=float(z["dlat_deg"]),
                           dlon_deg=float(z["dlon_deg"]))
    return Terrain.from_geotiff(path)


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _finite(o):
    """Replace ±inf/NaN by None so the output is strict JSON."""
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    return o


def result_json(result: dict) -> str:
    """RESULT.json text (strict JSON: non-finite numbers become null)."""
    return json.dumps(_finite(result), ensure_ascii=False, indent=1, default=_json_default,
                      allow_nan=False)


def write_result(result: dict, path) -> None:
    """Write RESULT.json."""
    Path(path).write_text(result_json(result), encoding="utf-8")


def write_grid(arrays: dict, path) -> None:
    """Write GRID.npz (compressed)."""
    np.savez_compressed(path, **arrays)
