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
``outline_too_intricate`` the area's or a building's edges overlap too much to be checked
                       (:data:`~assessments.plan.iotools.polygons.MAX_EDGE_PAIRS`)
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

Cameras and lights are checked by :mod:`assessments.engine.devices` (the one validator per
device kind, which also defines :class:`PlanIssue` and :class:`PlanError`, re-exported
here); the validated plan holds them as typed :class:`~assessments.engine.devices.Camera`
and :class:`~assessments.engine.devices.Light` values. Unknown plan fields are kept.
"""
from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..engine.devices import (ISSUE_CODES, JAPAN_BBOX, PlanError, PlanIssue, check_devices,
                              number_field)
from ..engine.dori import DORI_STANDARDS, plan_standard
from ..engine.visibility import HEIGHT_KEYS, building_height
from .buildings import building_id

__all__ = ["PlanIssue", "PlanError", "validate_plan", "check_districts", "load_plan", "write_result",
           "write_grid", "load_terrain", "JAPAN_BBOX", "MAX_CELLS", "ISSUE_CODES"]

#: Largest grid accepted (rows × cols); 1 m over 加古川 (≈ 140 km²) fits.
MAX_CELLS = 400_000_000


def _check_ring_points(polys, kind, iid, issues) -> bool:
    """The [lon, lat] positions of ``geojson_rings`` output are numbers inside Japan's box;
    else one issue on the item's ``coordinates`` (the first position outside)."""
    pts = np.concatenate([r for p in polys for r in p])
    if not np.all(np.isfinite(pts)):
        issues.append(PlanIssue(kind, iid, "coordinates", "not_a_number"))
        return False
    inside = ((pts[:, 0] >= JAPAN_BBOX[2]) & (pts[:, 0] <= JAPAN_BBOX[3])
              & (pts[:, 1] >= JAPAN_BBOX[0]) & (pts[:, 1] <= JAPAN_BBOX[1]))
    if not np.all(inside):
        bad = pts[~inside][0]
        issues.append(PlanIssue(kind, iid, "coordinates", "outside_japan",
                                [float(bad[0]), float(bad[1])],
                                {"range": "lat 20…46, lon 122…154"}))
        return False
    return True


def _too_intricate(polys, kind, iid, issues) -> bool:
    """Whether the outline of ``geojson_rings`` output is too intricate to check
    (:func:`~assessments.plan.iotools.polygons.outline_cost`: GEOS's ``is_valid``, here
    and wherever the footprint is used, is quadratic in the vertices of such an outline);
    then one issue on its ``coordinates``. Outlines of few vertices are not counted."""
    from .iotools.polygons import PAIR_FREE_VERTICES, outline_cost
    n = sum(len(r) for p in polys for r in p)
    if n <= PAIR_FREE_VERTICES:
        return False
    from shapely.geometry import MultiPolygon, Polygon
    geom = MultiPolygon([Polygon(p[0], p[1:]) for p in polys])
    over = outline_cost(geom, n, repair=False)
    if over is None:
        return False
    issues.append(PlanIssue(kind, iid, "coordinates", over[0], None, {"range": f"{over[1]:,}"}))
    return True


def _check_area(area, issues):
    if area is None:
        issues.append(PlanIssue("plan", "", "area", "missing"))
        return None
    from ..engine.grid import geojson_rings
    try:
        polys = geojson_rings(area)
    except (ValueError, TypeError) as exc:
        issues.append(PlanIssue("area", "", "", "bad_geojson", None, {"reason": str(exc)}))
        return None
    if not _check_ring_points(polys, "area", "", issues):
        return None
    import shapely
    from shapely.geometry import MultiPolygon, Polygon
    if _too_intricate(polys, "area", "", issues):     # bounded before is_valid
        return None
    geom = MultiPolygon([Polygon(p[0], p[1:]) for p in polys]) if len(polys) > 1 \
        else Polygon(polys[0][0], polys[0][1:])
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        issues.append(PlanIssue("area", "", "coordinates", "self_intersecting", None,
                                {"reason": reason}))
        return None
    if geom.area <= 0:
        issues.append(PlanIssue("area", "", "coordinates", "bad_geojson", None,
                                {"reason": "zero area"}))
        return None
    return area if area.get("type") != "Feature" else area["geometry"]


def _check_buildings(buildings, issues):
    """Footprints list for the model, or None; issues for unusable features."""
    if buildings is None:
        return []
    if not isinstance(buildings, dict) or buildings.get("type") != "FeatureCollection" \
            or not isinstance(buildings.get("features"), list):
        issues.append(PlanIssue("buildings", "", "", "bad_geojson", None,
                                {"reason": "expected a FeatureCollection"}))
        return None
    from ..engine.grid import geojson_rings
    out = []
    for i, feat in enumerate(buildings["features"]):
        item = ("building", building_id(feat, i))
        if not isinstance(feat, dict):
            issues.append(PlanIssue(*item, "", "bad_geojson", None, {"reason": "not a Feature"}))
            continue
        try:
            rings = geojson_rings(feat.get("geometry"))
            if not all(np.isfinite(r).all() for p in rings for r in p):
                raise ValueError("non-finite coordinate")
        except (ValueError, TypeError) as exc:
            issues.append(PlanIssue(*item, "geometry", "bad_geojson", None,
                                    {"reason": str(exc)}))
            continue
        if _too_intricate(rings, *item, issues):
            continue
        h = building_height(feat)
        if h is None:
            props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
            raw = next((props[k] for k in HEIGHT_KEYS if props.get(k) is not None), None)
            if raw is None:
                issues.append(PlanIssue(*item, "height_m", "missing", None,
                                        {"alternatives": "height_m or measuredHeight"}))
            else:
                issues.append(PlanIssue(*item, "height_m", "out_of_range"
                                        if isinstance(raw, (int, float))
                                        and not isinstance(raw, bool)
                                        and math.isfinite(raw) else "not_a_number", raw,
                                        {"range": "> 0"}))
            continue
        out.append((rings, h, item[1]))
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
        issues.append(PlanIssue("districts", "", "", "bad_geojson", None,
                                {"reason": "expected a FeatureCollection"}))
        return None
    from ..engine.districts import MAX_DISTRICTS, district_meta
    from ..engine.grid import geojson_rings
    feats = districts["features"]
    if len(feats) > MAX_DISTRICTS:
        issues.append(PlanIssue("districts", "", "features", "too_large", len(feats),
                                {"limit": MAX_DISTRICTS, "what": "districts"}))
        return None
    n_before = len(issues)
    metas = district_meta({"features": [f if isinstance(f, dict) else {} for f in feats]})
    seen = set()
    for feat, meta in zip(feats, metas):
        item = ("district", meta["id"])
        if meta["id"] in seen:
            issues.append(PlanIssue(*item, "id", "duplicate_id", meta["id"]))
        seen.add(meta["id"])
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            issues.append(PlanIssue(*item, "geometry", "bad_geojson", None,
                                    {"reason": "expected a Polygon or MultiPolygon"}))
            continue
        try:
            polys = geojson_rings(geom)
        except (ValueError, TypeError) as exc:
            issues.append(PlanIssue(*item, "geometry", "bad_geojson", None,
                                    {"reason": str(exc)}))
            continue
        _check_ring_points(polys, *item, issues)
    return districts if len(issues) == n_before else None


def validate_plan(plan, *, max_cells: int | None = MAX_CELLS) -> dict:
    """Check a plan and return a normalised copy for the engine.

    Defaults filled in: ``resolution_m`` 1.0, ``target_height_m`` 1.5, ``standard``
    ``"iec62676_4_2014"`` (:func:`assessments.engine.dori.plan_standard`: a plan without the
    field was made with the 2014 edition; the app writes ``"iec62676_4_2025"`` into every
    new plan, :func:`assessments.plan.document.new_plan`). ``cameras`` and ``lights`` become lists of typed
    :class:`~assessments.engine.devices.Camera` / :class:`~assessments.engine.devices.Light`
    (:func:`assessments.engine.devices.check_devices`; [] when absent). The parsed building
    footprints are stored under the private key ``_footprints``. Every other field, known
    or not, is kept unchanged. A validated plan validates again to the same values.

    ``max_cells`` is the grid limit (``too_large`` above it); None for a plan run in tiles
    (:mod:`assessments.engine.tiles`), where each tile's grid is bounded instead.

    Raises
    ------
    PlanError
        Listing every problem found (see the module docstring for the codes).
    """
    issues: list[PlanIssue] = []
    if not isinstance(plan, dict):
        raise PlanError([PlanIssue("plan", "", "", "bad_type", None,
                                   {"reason": "expected a JSON object"})])
    out = copy.copy(plan)
    version = plan.get("version")
    if version is None:
        issues.append(PlanIssue("plan", "", "version", "missing"))
    elif isinstance(version, bool) or version != 1:
        issues.append(PlanIssue("plan", "", "version", "unsupported_version", version))
    res = number_field(plan, "resolution_m", "plan", "", issues, required=False, lo=0.05,
                       hi=100, default=1.0)
    th = number_field(plan, "target_height_m", "plan", "", issues, required=False, lo=0,
                      hi=100, default=1.5)
    standard = plan_standard(plan)
    if standard not in DORI_STANDARDS:
        issues.append(PlanIssue("plan", "", "standard", "unknown_value", standard,
                                {"allowed": list(DORI_STANDARDS)}))
    md = number_field(plan, "min_density_px_m", "plan", "", issues, required=False, lo=0,
                      lo_open=True)
    area = _check_area(plan.get("area"), issues)
    cameras, found = check_devices("camera", plan.get("cameras"))
    issues += found
    lights, found = check_devices("light", plan.get("lights"))
    issues += found
    footprints = _check_buildings(plan.get("buildings"), issues)
    _check_districts(plan.get("districts"), issues)
    if area is not None and res is not None:
        from ..engine.grid import Grid
        g = Grid.from_area(area, res)
        n = g.shape[0] * g.shape[1]
        if max_cells is not None and n > max_cells:
            issues.append(PlanIssue("plan", "", "resolution_m", "too_large", res,
                                    {"cells": n, "limit": max_cells}))
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
        raise PlanError([PlanIssue("plan", "", "", "bad_type", None,
                                   {"reason": f"not valid JSON: {exc}"})]) from None
    if not isinstance(obj, dict):
        raise PlanError([PlanIssue("plan", "", "", "bad_type", None,
                                   {"reason": "expected a JSON object"})])
    return obj


def load_terrain(spec, *, base_dir=None):
    """A :class:`~assessments.engine.visibility.Terrain` from ``plan["terrain"]``.

    The heights themselves (:func:`assessments.plan.basemap.terrain_doc`, what the
    シミュレーション page stores), ``{"file": "dem.tif"}`` (geographic GeoTIFF),
    ``{"file": "dem.npz"}`` holding
    ``height_m``, ``lat_north``, ``lon_west``, ``dlat_deg``, ``dlon_deg``, or a
    基盤地図情報 DEM GML file (``.xml`` / ``.gml``) or ``.zip`` of them
    (:func:`assessments.plan.iotools.dem.read_dem`); relative paths are resolved against
    ``base_dir``. An unreadable DEM raises
    :class:`~assessments.plan.iotools.ImportFileError` (a ``ValueError``) naming the
    problem code.
    """
    from ..engine.visibility import Terrain
    from .basemap import is_terrain_doc, terrain_from_doc
    if is_terrain_doc(spec):
        try:
            return terrain_from_doc(spec)
        except ValueError as exc:
            raise PlanError([PlanIssue("plan", "", "terrain", "bad_type", None,
                                       {"reason": str(exc)})]) from None
    if not isinstance(spec, dict) or not isinstance(spec.get("file"), str):
        raise PlanError([PlanIssue("plan", "", "terrain", "bad_type", None,
                                   {"reason": 'expected {"file": "dem.tif"} or heights'})])
    path = Path(spec["file"])
    if base_dir is not None and not path.is_absolute():
        path = Path(base_dir) / path
    if path.suffix.lower() == ".npz":
        with np.load(path) as z:
            return Terrain(z["height_m"], lat_north=float(z["lat_north"]),
                           lon_west=float(z["lon_west"]), dlat_deg=float(z["dlat_deg"]),
                           dlon_deg=float(z["dlon_deg"]))
    if path.suffix.lower() in (".xml", ".gml", ".zip"):
        from .iotools.dem import read_dem
        res = read_dem(path.read_bytes(), path.name)
        res.raise_for_fatal()
        return res.terrain
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


@contextlib.contextmanager
def atomic_writer(path):
    """A binary file to write ``path`` whole or not at all: a temporary file beside it,
    synced and renamed over it (``os.replace``) when the block ends without an exception,
    removed otherwise, so a full disk or a killed process never leaves a truncated
    RESULT.json / GRID.npz. A path that is not a regular file (a pipe, a device such as
    /dev/stdout) is written directly.

    Raises
    ------
    OSError
        When the data cannot be written (the temporary file is removed).
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with open(path, "wb") as f:
            yield f
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (:func:`atomic_writer`)."""
    with atomic_writer(path) as f:
        f.write(data)


def write_grid(arrays: dict, path) -> None:
    """Write GRID.npz at exactly ``path`` (numpy would add ``.npz`` to a name without it),
    whole or not at all (:func:`atomic_writer`).

    The same archive as :func:`numpy.savez_compressed` (``numpy.load`` reads it), but
    deflate level 1 instead of 6, and the float grids that hardly compress — ``lat`` /
    ``lon`` (float64) and GRID.tif's :data:`~assessments.engine.gridfile.RAW_PAGES` —
    stored: on the district they took 87 % of the compression's CPU for a third of the
    bytes saved, more than the simulation itself.
    """
    from ..engine.gridfile import RAW_PAGES
    raw = RAW_PAGES | {"lat", "lon"}
    # streamed into the file: no copy of the archive in memory
    with atomic_writer(path) as out, zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1,
            allowZip64=True) as zf:
        for name, value in arrays.items():
            # per entry: ZipFile.open takes the archive's current compression
            zf.compression = zipfile.ZIP_STORED if name in raw else zipfile.ZIP_DEFLATED
            with zf.open(name + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(value), allow_pickle=False)
