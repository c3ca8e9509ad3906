"""PLATEAU 交通(道路)モデル (``tran``): road areas as polygons, a base-map layer; and
:func:`read_plateau`, a whole PLATEAU download (buildings and roads) in one go.

A road is a ``tran:Road`` [1]_. At LOD0 it is a line (the road network, not read here); from
LOD1 on it is a surface: ``tran:lod1MultiSurface`` (``gml:MultiSurface`` of
``gml:Polygon``, posList **lat lon height** in EPSG:6697 as the building model) is the whole
road area, undivided [2]_; LOD2 / LOD3 divide it into ``tran:TrafficArea`` (車道部, 歩道部 …)
and ``tran:AuxiliaryTrafficArea`` (島, 植樹帯 …) with their own ``lod2MultiSurface`` /
``lod3MultiSurface``. A road is read from its lowest LOD of 1, 2, 3 (all its surfaces of
that LOD, joined into one (Multi)Polygon). Its codes are kept as written: ``class``,
``function`` (codelist Road_function: 1 高速自動車国道, 2 一般国道, 3 都道府県道,
4 市町村道, 9020 不明 …) and ``usage`` (Road_usage: 1 緊急輸送路, 2 避難道路) [3]_.

Files, .zip downloads, mesh merging, the CRS and the XML safety are those of
:mod:`.citygml` (one reading of PLATEAU city objects).

References
----------
.. [1] 国土交通省 Project PLATEAU, 3D都市モデル標準製品仕様書, 交通(道路)モデル
   (tran:Road: lod0Network, lod1MultiSurface; tran:TrafficArea / AuxiliaryTrafficArea:
   lod2MultiSurface, lod3MultiSurface; class, function, usage),
   https://www.mlit.go.jp/plateaudocument/
.. [2] 国土交通省 Project PLATEAU, D.2.2 交通(道路)モデルのLOD ("LOD0では道路の形状を線に
   より表現し、LOD1以降は面として表現する。LOD1では道路内の区分はできず、LOD2以降で道路内を
   区分可能となる"), https://www.mlit.go.jp/plateaudocument02/tocD/tocD_02/
.. [3] PLATEAU コードリスト Road_function.xml, Road_usage.xml (the ``codelists/`` folder of
   every download; i-UR https://www.geospatial.jp/iur/codelists/).
"""
from __future__ import annotations

from .citygml import (CityObjects, _local, _ns, _TRAN_NS, adopt_problems,
                      building_collection, missing_model, polygons_of, read_city_objects,
                      _building_feature)
from .polygons import (DEFAULT_BUILDING_HEIGHT_M, SHAPE_ERRORS, clean_polygon, outline_cost,
                       polygon_feature)
from .result import ImportResult, Limits, new_result

__all__ = ["ROAD_CODES", "ROAD_LAYER", "read_plateau", "read_plateau_roads"]

#: The layer of ``ImportResult.layers`` (and of a plan's ``map_layers``) the roads go to.
ROAD_LAYER = "road_areas"
#: The code attributes of a ``tran:Road`` kept as feature properties [1]_.
ROAD_CODES = ("class", "function", "usage")


def read_plateau_roads(data: bytes, filename: str = "", *,
                       limits: Limits | None = None) -> ImportResult:
    """Read the road areas of PLATEAU CityGML ``tran`` (a file, or a download .zip).

    Parameters
    ----------
    data : bytes
        A ``<mesh>_tran_6697_op.gml`` file, or a .zip: a PLATEAU download (every
        ``udx/tran/*.gml`` is read; other models, code lists and metadata are not) or a
        .zip of CityGML files.
    filename : str
        The upload's name (messages, ``meta["files"]``).
    limits : Limits, optional
        As :func:`~.citygml.read_citygml` (``max_features`` counts roads).

    Returns
    -------
    ImportResult
        ``layers["road_areas"]``: a FeatureCollection of Polygon / MultiPolygon (lon/lat,
        counter-clockwise), properties ``id`` (the ``gml:id``), ``lod`` (1–3) and, when the
        file has them, ``class``, ``function``, ``usage`` (codes as text, comma-separated
        when several). A road without a LOD1–3 surface (LOD0 lines only) is reported
        (``not_polygon``) and skipped. Fatal: ``not_tran`` (the upload holds other models
        only), ``no_features``, and the file, .zip, XML and limit problems of
        :func:`~.citygml.read_citygml`.
    """
    limits = limits or Limits()
    res = new_result(limits, format="plateau-tran", kind="basemap")
    objs = read_city_objects(data, filename, res, limits, {"tran": _road_feature})
    if objs is None:
        return res.finish()
    if not objs.found["tran"]:
        missing_model(objs, res, "tran")
        return res.finish()
    road_layer(objs, res, limits)
    if ROAD_LAYER not in res.layers:
        res.add(None, "", "no_features", "", "no road with a usable surface")
    return res.finish()


def read_plateau(data: bytes, filename: str = "", *,
                 default_height_m: float = DEFAULT_BUILDING_HEIGHT_M,
                 limits: Limits | None = None) -> ImportResult:
    """Read a PLATEAU download (or one CityGML file) in one go: buildings and roads.

    Every ``udx/bldg/*.gml`` and ``udx/tran/*.gml`` of the .zip is read once, as by
    :func:`~.citygml.read_citygml` and :func:`read_plateau_roads`.

    Returns
    -------
    ImportResult
        ``collection``: the buildings (``None`` without any), ``layers["road_areas"]``: the
        roads (absent without any). ``no_features`` when the upload has neither.
    """
    limits = limits or Limits()
    res = new_result(limits, format="plateau", kind="buildings")
    objs = read_city_objects(data, filename, res, limits,
                             {"bldg": _building_feature, "tran": _road_feature})
    if objs is None:
        return res.finish()
    if objs.found["bldg"]:
        building_collection(objs, res, limits, default_height_m,
                            required=not objs.found["tran"])
    if objs.found["tran"]:
        road_layer(objs, res, limits)
    if res.ok and res.collection is None and not res.layers:
        holds = ", ".join(f"{k} ×{n}" for k, n in objs.others.most_common())
        res.add(None, "", "no_features", holds, "no PLATEAU building (bldg) or road (tran) "
                "with a usable geometry" + (f"; the upload holds {holds}" if holds else ""))
    return res.finish()


def _road_feature(elem, gid, dim, row, fname, res):
    """One tran:Road → (feature with file-order coordinates or None, vertex count)."""
    props = {"gml_id": gid}
    for child in elem:
        local = _local(child.tag)
        text = (child.text or "").strip() if local in ROAD_CODES else ""
        if text and _ns(child.tag) in _TRAN_NS:
            props[local] = f"{props[local]},{text}" if local in props else text
    polys = []
    for lod in (1, 2, 3):
        name = f"lod{lod}MultiSurface"
        for e in elem.iter():
            if _local(e.tag) == name:
                polys.extend(polygons_of(e, dim))
        if polys:
            props["lod"] = lod
            break
    nv = sum(len(r) for p in polys for r in p)
    if not polys:
        res.add(row, "geometry", "not_polygon", gid, f"{fname}: road {gid} has no LOD1–3 "
                "surface (LOD0 lines are not read)")
        return None, nv
    return {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polys},
            "properties": props}, nv


def _joined(geom: dict) -> dict:
    """The surfaces of one road (LOD1 parts, LOD2/3 traffic areas side by side) as one
    polygon: adjacent parts of a MultiPolygon would be an invalid geometry. Parts that are
    invalid on their own are left to :func:`~.polygons.clean_polygon` (repaired and
    reported)."""
    from shapely import get_coordinates
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union
    if geom["type"] != "MultiPolygon" or len(geom["coordinates"]) < 2:
        return geom
    try:
        whole = shape(geom)
        # parts crossing one another many times: left to clean_polygon, which refuses them
        if outline_cost(whole, len(get_coordinates(whole))) is not None:
            return geom
        parts = [shape({"type": "Polygon", "coordinates": p}) for p in geom["coordinates"]]
        if not all(p.is_valid for p in parts):
            return geom
        return mapping(unary_union(parts))
    except SHAPE_ERRORS:
        return geom


def road_layer(objs: CityObjects, res: ImportResult, limits: Limits) -> None:
    """The roads of ``objs`` → ``res.layers["road_areas"]`` (cleaned polygons)."""
    found = objs.found["tran"]
    sub = new_result(limits)
    out = []
    for n, (f, row, _name) in enumerate(found, start=1):
        props = f["properties"]
        nv = sum(len(r) for poly in f["geometry"]["coordinates"] for r in poly) \
            if f["geometry"]["type"] == "MultiPolygon" else \
            sum(len(r) for r in f["geometry"]["coordinates"])
        if nv > limits.max_vertices_per_feature:
            sub.add(n, "geometry", "too_many_vertices", str(nv), f"more than "
                    f"{limits.max_vertices_per_feature:,} vertices (the limit); skipped")
            sub.skipped.append(n)
            continue
        geom = clean_polygon(_joined(f["geometry"]), sub, n)
        if geom is None:
            sub.skipped.append(n)
            continue
        p = {"id": props["gml_id"] or f"R{row}", "lod": props["lod"]}
        p.update((k, props[k]) for k in ROAD_CODES if k in props)
        out.append(polygon_feature(geom, p))
    adopt_problems(sub, res, [(row, name) for _f, row, name in found])
    if out:
        res.layers[ROAD_LAYER] = {"type": "FeatureCollection", "features": out}
        res.meta[ROAD_LAYER] = len(out)
