"""Polygons of buildings, areas and districts: cleaning and the feature properties.

Shared by the GeoJSON and CityGML readers: vertex limits, repair of invalid polygons
(``shapely.make_valid``), RFC 7946 winding [1]_, lat/lon swaps, Japan's extent, heights, and
the building id and home rules of :mod:`assessments.plan.buildings`.

References
----------
.. [1] RFC 7946, The GeoJSON Format (2016): lon/lat WGS 84 order, exterior rings
   counter-clockwise.
"""
from __future__ import annotations

import math

from shapely.errors import GEOSException

from assessments.plan.buildings import building_id, declared_id, home_status, usage_of

from .result import short
from .values import JAPAN_LAT, JAPAN_LON, parse_number, round_coords

__all__ = ["COST_MESSAGES", "DEFAULT_BUILDING_HEIGHT_M", "HEIGHT_ALIASES", "MAX_EDGE_PAIRS",
           "MAX_REPAIR_CROSSINGS", "PAIR_FREE_VERTICES", "SHAPE_ERRORS", "clean_polygon",
           "edge_crossings", "features_to_collection", "lines_cost", "outline_cost",
           "polygon_feature"]

#: Height given to a building without one [m] (two storeys; judgement), reported.
DEFAULT_BUILDING_HEIGHT_M = 6.0
#: Property keys of a building's height [m] in the files users have (PLATEAU
#: ``measuredHeight`` and its GeoJSON spellings, Japanese and English names), in order.
HEIGHT_ALIASES = ("height_m", "measuredHeight", "measured_height", "bldg:measuredHeight",
                  "計測高さ", "建物高さ", "高さ", "height", "HEIGHT", "Height")
#: What ``shapely.geometry.shape`` raises on junk coordinates (found by fuzzing nested
#: lists of numbers, text, None, NaN): wrong nesting or types (``TypeError``,
#: ``IndexError``, ``KeyError``), unreadable numbers or too few points (``ValueError``),
#: rings GEOS refuses (``GEOSException``), lists nested hundreds deep (``RecursionError``),
#: JSON integers too large for a float (``OverflowError``).
SHAPE_ERRORS = (TypeError, IndexError, KeyError, ValueError, OverflowError, GEOSException,
                RecursionError)
#: Most crossings of a polygon's edges with one another that are repaired
#: (``shapely.make_valid``); a polygon crossing itself more often is refused. The repair
#: grows about with the square of the crossings (measured, GEOS 3.14: a 40-point star,
#: 720 crossings, 1.4 s; a 100-point star, 4,800 crossings, 15 s), so a star of a few
#: hundred points in an 8 kB file would take minutes; 100 crossings repair in ≈ 0.1 s,
#: and a careless outline crosses itself a handful of times.
MAX_REPAIR_CROSSINGS = 100
#: Most pairs of non-adjacent edges whose extents overlap, in one polygon. Checking that a
#: polygon is valid (``is_valid``, and the repair) compares each such pair, so a comb of
#: long parallel teeth makes it quadratic in the vertices (measured: 20,000 vertices,
#: 19 s); an ordinary outline has a few such pairs per vertex. 10⁶ pairs check in
#: ≈ 0.2 s.
MAX_EDGE_PAIRS = 1_000_000
#: Vertices below which a polygon cannot reach :data:`MAX_EDGE_PAIRS` (n (n − 1) / 2 pairs
#: at most), so a valid one needs no count before ``is_valid``.
PAIR_FREE_VERTICES = int(math.sqrt(2 * MAX_EDGE_PAIRS))
#: Edge pairs compared at once while counting (bounds the memory of one step).
_PAIRS_PER_STEP = 100_000
#: The English messages of the refusals of :func:`outline_cost` and :func:`lines_cost`.
COST_MESSAGES = {
    "too_many_crossings": "the outline crosses or touches itself at more than {limit:,} "
                          "points (the limit for a repair); not repaired, skipped",
    "outline_too_intricate": "more than {limit:,} pairs of edges lie across one another's "
                             "extent (the limit for checking an outline); skipped"}


def _count_vertices(coords, budget: int) -> int:
    """Number of positions in nested coordinates (stops counting past ``budget``)."""
    stack, n = [coords], 0
    while stack:
        c = stack.pop()
        if not isinstance(c, (list, tuple)):
            continue
        if c and isinstance(c[0], (int, float)) and not isinstance(c[0], bool):
            n += 1
            if n > budget:
                return n
        else:
            stack.extend(c)
    return n


def _overlap_counts(lo, hi):
    """For intervals ``[lo_i, hi_i]``: how many of the intervals overlap each one (itself
    included); O(n log n)."""
    import numpy as np
    # those starting at or before hi_i, less those ending before lo_i
    return (np.searchsorted(np.sort(lo), hi, side="right")
            - np.searchsorted(np.sort(hi), lo, side="left"))


def edge_crossings(geom, *, max_crossings: int = MAX_REPAIR_CROSSINGS,
                   max_pairs: int = MAX_EDGE_PAIRS, touches: bool = True) -> tuple[int, int]:
    """Count the crossings of a polygon's edges with one another, stopping early.

    Parameters
    ----------
    geom : shapely Polygon, MultiPolygon, LineString or MultiLineString
        In any planar or lon/lat coordinates (only orientations are compared); a line's
        ends are not joined.
    max_crossings : int
        Counting stops once more crossings than this are found.
    max_pairs : int
        Counting stops once more pairs of non-adjacent edges with overlapping extents
        than this have been compared.
    touches : bool
        Also count an edge's end lying inside another edge, and collinear overlaps (False:
        proper crossings only, for lines that may end on one another).

    Returns
    -------
    crossings, pairs : int
        Pairs of non-adjacent edges (of any rings, any parts) that cross or touch away
        from a vertex they share (each is a point the repair must add), and the pairs
        compared; each stops a little past its limit, so the work is bounded by about
        ``max_pairs`` comparisons whatever the polygon.

    Notes
    -----
    The candidate pairs come from an STR tree of the edges' boxes, taken in steps whose
    size is bounded beforehand by each edge's count of boxes overlapping it along x and
    along y (two sorted sweeps), so a star, whose every edge crosses most others, stops
    after its first few edges. Two edges meet when each one's end points are not strictly
    on the same side of the other (the orientation test, de Berg et al., *Computational
    Geometry*, 3rd ed., 2008, §2.1); two edges that are not collinear meet at one point
    at most, so edges sharing a vertex meet only there.
    """
    import numpy as np
    import shapely
    parts = shapely.get_parts(geom)
    lines = shapely.get_type_id(parts) == 1
    paths = [(shapely.get_coordinates(g), False) for g in parts[lines]]
    paths += [(shapely.get_coordinates(r), True) for r in shapely.get_rings(parts[~lines])]
    # repeated points dropped (shapely.remove_repeated_points raises on a ring that
    # collapses), so that neighbours along a path stay adjacent
    paths = [(c[np.r_[True, (np.diff(c, axis=0) != 0).any(axis=1)]], k) for c, k in paths]
    coords = [c for c, _ in paths if len(c) > 1]
    closed = [k for c, k in paths if len(c) > 1]
    if not coords:
        return 0, 0
    a = np.concatenate([c[:-1] for c in coords])
    b = np.concatenate([c[1:] for c in coords])
    # a ring's first and last edges are adjacent; a line's (length + 1: never) are not
    ring_len = np.concatenate([np.full(len(c) - 1, len(c) - 1 if k else len(c))
                               for c, k in zip(coords, closed)])
    ring_of = np.concatenate([np.full(len(c) - 1, k) for k, c in enumerate(coords)])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    bound = np.minimum(_overlap_counts(lo[:, 0], hi[:, 0]), _overlap_counts(lo[:, 1], hi[:, 1]))
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    tree = shapely.STRtree(boxes)
    # steps of edges whose bounds add up to at most _PAIRS_PER_STEP (one edge at least)
    cum = np.cumsum(bound)
    crossings = pairs = 0
    start = 0
    while start < len(a):
        done = cum[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(cum, done + _PAIRS_PER_STEP, side="right")))
        i, j = tree.query(boxes[start:stop])
        i = i + start
        same = ring_of[i] == ring_of[j]
        gap = (j - i) % ring_len[i]
        keep = (j > i) & ~(same & ((gap == 1) | (gap == ring_len[i] - 1)))
        i, j = i[keep], j[keep]
        pairs += len(i)
        p, q, r, s = a[i], b[i], a[j], b[j]
        s1, s2, s3, s4 = _side(p, q, r), _side(p, q, s), _side(r, s, p), _side(r, s, q)
        if touches:
            crossings += _added_points(p, q, r, s, s1, s2, s3, s4)
        else:
            crossings += int(np.count_nonzero((s1 * s2 < 0) & (s3 * s4 < 0)))
        if pairs > max_pairs or crossings > max_crossings:
            break
        start = stop
    return crossings, pairs


def _added_points(p, q, r, s, s1, s2, s3, s4) -> int:
    """How many of the edge pairs ``p q`` / ``r s`` (rows) meet at a point that is not a
    vertex both share, given the turn signs ``s1`` … ``s4`` of :func:`_side`."""
    import numpy as np
    meet = (s1 * s2 <= 0) & (s3 * s4 <= 0)
    # edges meeting only at a vertex they share (a ring touching itself, parts side by
    # side) add no point; collinear edges overlapping along a length do, unless they are
    # the same edge
    pr, ps = (p == r).all(axis=1), (p == s).all(axis=1)
    qr, qs = (q == r).all(axis=1), (q == s).all(axis=1)
    collinear = (s1 == 0) & (s2 == 0) & (s3 == 0) & (s4 == 0)
    along = np.where((np.abs(q - p)[:, 0] >= np.abs(q - p)[:, 1])[:, None], [0], [1])
    u = [np.take_along_axis(e, along, axis=1)[:, 0] for e in (p, q, r, s)]
    overlap = (np.minimum(np.maximum(u[0], u[1]), np.maximum(u[2], u[3]))
               > np.maximum(np.minimum(u[0], u[1]), np.minimum(u[2], u[3])))
    adds = ~(pr | ps | qr | qs) | (collinear & overlap & ~((pr & qs) | (ps & qr)))
    return int(np.count_nonzero(meet & adds))


def _side(p, q, r):
    """Sign of the turn p → q → r (+1 left, −1 right, 0 collinear), row-wise."""
    import numpy as np
    return np.sign((q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1])
                   - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0]))


def outline_cost(geom, n_vertices: int, *, repair: bool = True):
    """Whether checking (``is_valid``) and repairing ``geom`` stay within the limits,
    found before doing either.

    Parameters
    ----------
    geom : shapely Polygon or MultiPolygon
    n_vertices : int
        Its number of vertices.
    repair : bool
        Also bound the repair of an invalid polygon (its crossings); False when an
        invalid polygon is refused anyway (a plan's area).

    Returns
    -------
    tuple or None
        None when within the limits; else ``(code, limit)``: ``"outline_too_intricate"``
        (:data:`MAX_EDGE_PAIRS`, too intricate to check) or ``"too_many_crossings"``
        (:data:`MAX_REPAIR_CROSSINGS`, crossing itself too often to repair).
    """
    if n_vertices <= PAIR_FREE_VERTICES:
        # at most MAX_EDGE_PAIRS pairs: checking is cheap, and its answer decides the rest
        if not repair or geom.is_valid:
            return None
        crossings, _ = edge_crossings(geom)
    else:
        # all pairs up to the limit, so that is_valid is bounded next; for a repair, the
        # count may stop at the crossings first (then refused without asking is_valid,
        # whose cost is not known yet: a valid outline meeting itself so often, e.g. at
        # 100 holes touching its shell, is refused too)
        crossings, pairs = edge_crossings(
            geom, max_crossings=MAX_REPAIR_CROSSINGS if repair else MAX_EDGE_PAIRS)
        if pairs > MAX_EDGE_PAIRS:
            return "outline_too_intricate", MAX_EDGE_PAIRS
        if not repair or crossings <= MAX_REPAIR_CROSSINGS:
            return None
    if crossings > MAX_REPAIR_CROSSINGS:
        return "too_many_crossings", MAX_REPAIR_CROSSINGS
    return None


def lines_cost(lines):
    """Whether joining ``lines`` into faces (``unary_union`` and ``polygonize``, whose
    faces grow with the crossings) stays within the limits, found before joining.

    Parameters
    ----------
    lines : list of shapely LineString
        Outlines that may end on one another (only proper crossings count).

    Returns
    -------
    tuple or None
        As :func:`outline_cost`: None, or ``(code, limit)``.
    """
    from shapely.geometry import MultiLineString
    crossings, pairs = edge_crossings(MultiLineString(lines), touches=False)
    if pairs > MAX_EDGE_PAIRS:
        return "outline_too_intricate", MAX_EDGE_PAIRS
    if crossings > MAX_REPAIR_CROSSINGS:
        return "too_many_crossings", MAX_REPAIR_CROSSINGS
    return None


def _polygonal(geom):
    """The polygonal part of a shapely geometry (Polygon / MultiPolygon) or None."""
    from shapely.geometry import MultiPolygon, Polygon
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polys = []
    for g in getattr(geom, "geoms", []):
        p = _polygonal(g)
        if p is not None:
            polys.extend(getattr(p, "geoms", [p]))
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def clean_polygon(geom_dict, res, rownum, transformer=None):
    """GeoJSON geometry → valid, counter-clockwise shapely (Multi)Polygon in lon/lat, or
    None (problem reported)."""
    from shapely.geometry import shape
    from shapely.geometry.polygon import orient
    from shapely.validation import make_valid
    import shapely
    gtype = geom_dict.get("type") if isinstance(geom_dict, dict) else None
    if gtype not in ("Polygon", "MultiPolygon"):
        res.add(rownum, "geometry", "not_polygon", gtype or type(geom_dict).__name__,
                "only Polygon and MultiPolygon geometries are buildings or areas")
        return None
    try:
        geom = shape({"type": gtype, "coordinates": geom_dict.get("coordinates")})
    except SHAPE_ERRORS as exc:
        flat = str(geom_dict.get("coordinates"))
        if isinstance(exc, OverflowError) or "nan" in flat or "inf" in flat:
            res.add(rownum, "geometry", "not_finite", "nan" if "nan" in flat else "inf",
                    "coordinates are NaN or infinite")
        else:
            res.add(rownum, "geometry", "invalid_geometry", "", f"unreadable coordinates "
                    f"({type(exc).__name__})")
        return None
    if geom.is_empty:
        res.add(rownum, "geometry", "invalid_geometry", "", "empty geometry")
        return None
    if geom.has_z:
        from shapely import force_2d
        geom = force_2d(geom)
    import numpy as np
    from shapely import get_coordinates
    xy = get_coordinates(geom)
    if not np.isfinite(xy).all():
        lon, lat = xy[~np.isfinite(xy).all(axis=1)][0]
        res.add(rownum, "geometry", "not_finite", f"{lon:g}, {lat:g}",
                "coordinates are NaN or infinite")
        return None
    if transformer is not None:
        geom = shapely.transform(geom, lambda a: np.column_stack(transformer(a[:, 0], a[:, 1])))
        xy = get_coordinates(geom)
    lon_ok = (xy[:, 0] >= JAPAN_LON[0]) & (xy[:, 0] <= JAPAN_LON[1])
    lat_ok = (xy[:, 1] >= JAPAN_LAT[0]) & (xy[:, 1] <= JAPAN_LAT[1])
    if not (lon_ok & lat_ok).all():
        sw_lon = (xy[:, 1] >= JAPAN_LON[0]) & (xy[:, 1] <= JAPAN_LON[1])
        sw_lat = (xy[:, 0] >= JAPAN_LAT[0]) & (xy[:, 0] <= JAPAN_LAT[1])
        if (sw_lon & sw_lat).all():
            geom = shapely.transform(geom, lambda a: a[:, ::-1].copy())
            res.add(rownum, "geometry", "swapped_lat_lon", "", "coordinates were lat, lon; "
                    "GeoJSON is lon, lat — swapped")
        else:
            res.add(rownum, "geometry", "outside_japan", f"{xy[0, 0]}, {xy[0, 1]}",
                    "coordinates are outside Japan (lon 122–154, lat 20–46) or not lon/lat")
            return None
    over = outline_cost(geom, len(xy))
    if over is not None:
        code, limit = over
        res.add(rownum, "geometry", code, f"{limit:,}", COST_MESSAGES[code].format(limit=limit))
        return None
    if not geom.is_valid:
        try:
            fixed = _polygonal(make_valid(geom))
        except GEOSException:          # e.g. "Overlay input is mixed-dimension"
            fixed = None
        if fixed is None or fixed.area <= 0:
            res.add(rownum, "geometry", "invalid_geometry", "", "the polygon is invalid "
                    "and could not be repaired")
            return None
        res.add(rownum, "geometry", "repaired", "", "invalid (e.g. self-intersecting) "
                "polygon repaired")
        geom = fixed
    if geom.area <= 0:
        res.add(rownum, "geometry", "invalid_geometry", "", "the polygon has no area")
        return None
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=1.0)
    else:
        from shapely.geometry import MultiPolygon
        geom = MultiPolygon([orient(g, sign=1.0) for g in geom.geoms])
    return geom


def polygon_feature(geom, props: dict) -> dict:
    """A GeoJSON Feature of a shapely polygon, coordinates rounded to ``COORD_DECIMALS``."""
    from shapely.geometry import mapping
    m = mapping(geom)
    return {"type": "Feature", "geometry": {"type": m["type"],
                                             "coordinates": round_coords(m["coordinates"])},
            "properties": props}


def _height_from(props: dict):
    """``(key, value)`` of the first height attribute (``HEIGHT_ALIASES``), or
    ``(None, None)``."""
    for k in HEIGHT_ALIASES:
        if k in props and props[k] not in (None, ""):
            return k, props[k]
    return None, None


def features_to_collection(feats, res, *, kind, default_height_m, transformer, limits):
    """GeoJSON-like features → ``res.collection`` of cleaned polygons.

    ``kind`` ``"buildings"`` keeps one feature per building with ``id``
    (:func:`assessments.plan.buildings.building_id`), ``height_m`` [m], and, when known,
    ``is_home`` (:func:`assessments.plan.buildings.home_status`), ``usage``, ``name``,
    ``gml_id``; ``"districts"`` one per district; ``"area"`` merges everything into one.
    """
    out, total = [], 0
    for n, f in enumerate(feats, start=1):
        if not isinstance(f, dict):
            res.add(n, "", "not_geojson", type(f).__name__, "a feature must be an object")
            res.skipped.append(n)
            continue
        geom_dict = f.get("geometry")
        coords = geom_dict.get("coordinates") if isinstance(geom_dict, dict) else None
        nv = _count_vertices(coords, limits.max_vertices_per_feature)
        total += nv
        if total > limits.max_vertices_total:
            res.add(None, "", "too_many_vertices_total", str(limits.max_vertices_total),
                    f"the file has more than {limits.max_vertices_total:,} vertices (the "
                    "limit)")
            res.collection = None
            return
        if nv > limits.max_vertices_per_feature:
            res.add(n, "geometry", "too_many_vertices", str(nv), f"more than "
                    f"{limits.max_vertices_per_feature:,} vertices (the limit); skipped")
            res.skipped.append(n)
            continue
        geom = clean_polygon(geom_dict, res, n, transformer)
        if geom is None:
            res.skipped.append(n)
            continue
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        newp = {}
        newp["id"] = short(building_id(f, n - 1), 60)
        if props.get("gml_id"):
            newp["gml_id"] = str(props["gml_id"])
        if kind == "buildings":
            key, hv = _height_from(props)
            h = None
            if key is not None:
                try:
                    h = parse_number(hv)
                except ValueError:
                    h = None
                if h is None or not math.isfinite(h) or not 0 < h < 1000:
                    res.add(n, key, "bad_height", hv, f"height {short(repr(hv))} not usable; "
                            f"{default_height_m} m used")
                    h = None
            if h is None:
                h = float(default_height_m)
                if key is None:
                    res.add(n, "height_m", "default_height", "", f"no height; "
                            f"{default_height_m} m used")
                res.defaults_applied["height_m"] = res.defaults_applied.get("height_m", 0) + 1
            newp["height_m"] = round(float(h), 3)
            home = home_status(props)
            if home is not None:
                newp["is_home"] = home
            _, usage = usage_of(props)
            if usage is not None:
                newp["usage"] = str(usage)
            if props.get("name") or props.get("名称"):
                newp["name"] = str(props.get("name") or props.get("名称"))
        else:
            if props.get("name") or props.get("名称"):
                newp["name"] = str(props.get("name") or props.get("名称"))
            if kind == "districts" and declared_id(f) is None:
                del newp["id"]       # named by its name (assessments.engine.districts)
        out.append((geom, newp))
    if not out:
        if not any(p.row is None and p.severity == "error" for p in res.problems):
            code = {"area": "no_area", "districts": "no_districts"}.get(kind, "no_buildings")
            res.add(None, "", code, "", "no usable polygon in the file")
        res.collection = None
        return
    if kind == "area":
        from shapely.ops import unary_union
        from shapely.geometry.polygon import orient
        from shapely.geometry import MultiPolygon
        union = unary_union([g for g, _ in out])
        union = orient(union, 1.0) if union.geom_type == "Polygon" else \
            MultiPolygon([orient(g, 1.0) for g in union.geoms])
        name = next((p.get("name") for _, p in out if p.get("name")), "")
        props = {"id": "area", "name": name} if name else {"id": "area"}
        res.collection = {"type": "FeatureCollection", "features": [polygon_feature(union, props)]}
    else:
        res.collection = {"type": "FeatureCollection",
                          "features": [polygon_feature(g, p) for g, p in out]}
    res.meta["features"] = len(res.collection["features"])
