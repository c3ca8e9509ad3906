"""PLATEAU CityGML building files (``bldg``): footprints and heights; and the one reading of
PLATEAU city objects from a file or a download .zip, shared with the road model
(:mod:`.plateau_tran`).

The footprint is ``bldg:lod0FootPrint`` (else ``lod0RoofEdge``, else the floor of the
``bldg:lod1Solid``), the height ``bldg:measuredHeight`` [m], the usage ``bldg:usage``
(codelist Building_usage, the is-home rule of :mod:`assessments.plan.buildings`);
coordinates in EPSG:6697 with posList order lat lon height [1]_. :func:`read_buildings`
picks CityGML or GeoJSON by the file.

A PLATEAU download is a .zip holding one folder per model, ``udx/<model>/`` (``bldg``,
``tran``, ``luse`` …), of files cut by the regional mesh and named
``<mesh>_<model>_<EPSG>[_<option>].gml`` (``53394611_bldg_6697_op.gml``), besides
``codelists/``, ``metadata/``, ``schemas/`` [2]_. The readers take the ``.gml`` members of
the models they read (by the ``udx`` folder, else by the file name; a ``.gml`` of neither
form is read as it is) and leave everything else unread and uncounted
(:func:`~.archive.gml_files` ``select``). Objects of several mesh files are merged; one
given in two files (the same ``gml:id``) is kept once.

References
----------
.. [1] 国土交通省 Project PLATEAU, 3D都市モデル標準製品仕様書, 建築物モデル
   (bldg:Building: lod0FootPrint / lod0RoofEdge, lod1Solid, measuredHeight, usage; 建物ID as
   gen:stringAttribute), EPSG:6697 (JGD2011 lat, lon + 標高),
   https://www.mlit.go.jp/plateaudocument/ — as in ``tests/data/53395404_bldg_6697_op.gml``
   (新座市).
.. [2] 国土交通省 Project PLATEAU, 6.4.4.1 3D都市モデルのファイル名称
   (``[メッシュコード]_[地物型]_[CRS]_[オプション].gml``; 地物型 接頭辞 bldg 建築物モデル,
   tran 交通(道路)モデル …),
   https://www.mlit.go.jp/plateaudocument02/toc5/toc5_04/toc5_04_04/toc5_04_04_01
"""
from __future__ import annotations

import io
import re
from collections import Counter

from .archive import XML_PARSER_OPTIONS, each_gml, gml_files, refuse_doctype, split_tag
from .geojson import read_geojson
from .polygons import DEFAULT_BUILDING_HEIGHT_M, features_to_collection
from .result import ImportResult, Limits, new_result, short
from .xlsx import ZIP_MAGIC

__all__ = ["plateau_model", "read_buildings", "read_citygml"]

_BLDG_NS = ("http://www.opengis.net/citygml/building/2.0",
            "http://www.opengis.net/citygml/building/1.0",
            "http://www.opengis.net/citygml/building/3.0")
_TRAN_NS = ("http://www.opengis.net/citygml/transportation/2.0",
            "http://www.opengis.net/citygml/transportation/1.0",
            "http://www.opengis.net/citygml/transportation/3.0")
#: The city object of each model read, by its PLATEAU 地物型 prefix [2]_.
_OBJECTS = {"bldg": ("Building", _BLDG_NS), "tran": ("Road", _TRAN_NS)}
_OBJECT_TAGS = {f"{{{ns}}}{name}": model for model, (name, nss) in _OBJECTS.items()
                for ns in nss}
#: Problem code of an upload without the model asked for.
_NOT_MODEL = {"bldg": "not_bldg", "tran": "not_tran"}
_GML_IDS = ("{http://www.opengis.net/gml}id", "{http://www.opengis.net/gml/3.2}id")
_MEMBERS = ("cityObjectMember", "featureMember")
_FILE_NAME = re.compile(r"^[0-9a-z-]+_([a-z]+)_\d{4,5}(?:_|\.)")
#: Geographic CRSs read as (lat, lon[, h]): JGD2011 (6697 with heights, 6668), JGD2000,
#: WGS 84, Tokyo.
_GEOGRAPHIC = (6697, 6668, 4612, 4326, 4019, 4301)


def _local(tag) -> str:
    """Local name of an lxml tag (``{ns}name`` → ``name``; :func:`.archive.split_tag`)."""
    return split_tag(tag)[1]


def _ns(tag) -> str:
    """Namespace of an lxml tag (``{ns}name`` → ``ns``; :func:`.archive.split_tag`)."""
    return split_tag(tag)[0]


def _prefixed(elem) -> str:
    """``tran:Road`` (the file's own prefix) of an element."""
    local = _local(elem.tag)
    return f"{elem.prefix}:{local}" if elem.prefix else local


def plateau_model(name: str) -> str | None:
    """The PLATEAU model (地物型 prefix: ``bldg``, ``tran`` …) of a file, by its path.

    The folder under ``udx/`` (``…/udx/bldg/53394611_bldg_6697_op.gml``), else the 地物型
    of a name ``<mesh>_<model>_<EPSG>….gml`` [2]_; ``None`` when the path has neither.

    Examples
    --------
    >>> plateau_model("13101_chiyoda-ku/udx/tran/533946_tran_6697_op.gml")
    'tran'
    >>> plateau_model("53394611_bldg_6697_op.gml"), plateau_model("codelists/Road_usage.xml")
    ('bldg', None)
    """
    parts = str(name).replace("\\", "/").lower().split("/")
    if "udx" in parts[:-2]:
        return parts[parts.index("udx") + 1] or None
    m = _FILE_NAME.match(parts[-1])
    return m.group(1) if m else None


def plateau_selector(models):
    """``select`` for :func:`~.archive.gml_files`: the members of ``models``, and
    ``.gml`` files of no PLATEAU model (someone's own zip of CityGML files)."""
    def select(name: str) -> bool:
        model = plateau_model(name)
        return model in models if model else name.lower().endswith(".gml")
    return select


def _summary(counts: Counter) -> str:
    """``"tran:Road ×9, luse:LandUse ×2"``."""
    return ", ".join(f"{k} ×{n}" for k, n in counts.most_common())


def _folders(names) -> Counter:
    """Files not read, by model folder (``udx/tran``) or top folder (``codelists``)."""
    out = Counter()
    for name in names:
        model = plateau_model(name)
        parts = name.replace("\\", "/").split("/")
        out[f"udx/{model}" if model else (parts[-2] if len(parts) > 1 else name)] += 1
    return out


class CityObjects:
    """The city objects of an upload's files, by model: ``found[model]`` holds
    ``(feature, row, file)`` with the geometry in lon/lat, the first of each ``gml:id``.

    ``row`` is the object's number in the upload (files in order); ``seen`` counts the
    objects read per model, ``others`` the city objects of models not asked for
    (``"tran:Road"`` → count), ``duplicates`` the objects given again in another file.
    """

    def __init__(self):
        self.found = {m: [] for m in _OBJECTS}
        self.seen = Counter()
        self.others = Counter()
        self.ids = set()
        self.duplicates = 0
        self.crs = []
        self.n_objects = 0
        self.n_kept = 0
        self.n_vertices = 0


def read_city_objects(data: bytes, filename: str, res: ImportResult, limits: Limits,
                      builders: dict) -> CityObjects | None:
    """Read the city objects of a CityGML file or a PLATEAU .zip into ``CityObjects``.

    Parameters
    ----------
    builders : dict
        ``{model: builder}`` of the models read; ``builder(elem, gml_id, dim, row, file,
        res) -> (feature or None, vertex count)`` makes a feature with (Multi)Polygon
        coordinates in the file's axis order, or reports why not and gives ``None``.

    Returns
    -------
    CityObjects or None
        ``None`` after a fatal problem (recorded in ``res``: the upload, .zip, XML, CRS or
        a limit over all files together — ``max_features``, ``max_vertices_total``).
        A .zip without a file of the models asked for gives an empty ``CityObjects`` and
        ``res.meta["files_not_read"]``.
    """
    files = gml_files(data, filename, res, limits, select=plateau_selector(tuple(builders)))
    if files is None:
        return None
    objs = CityObjects()
    not_read = res.meta.get("files_not_read") or ()
    other_models = Counter({k: n for k, n in _folders(not_read).items()
                            if k.startswith("udx/")})
    if other_models:
        res.add(None, "", "file_ignored", _summary(other_models),
                "files of other PLATEAU models were not read")
    from lxml import etree
    try:
        ok = each_gml(files, res, lambda name, blob: _parse_file(
            name, blob, res, limits, builders, objs, etree))
    except ValueError as exc:      # an srsDimension that is not a number
        res.unreadable(exc)
        return None
    if not ok:
        return None
    res.meta["crs"] = ", ".join(objs.crs) if objs.crs else "EPSG:6697 (assumed)"
    if objs.duplicates:
        res.add(None, "gml_id", "duplicate_across_files", str(objs.duplicates),
                "objects given again in another mesh file (the same gml:id) were kept once")
    return objs


def missing_model(objs: CityObjects, res: ImportResult, model: str) -> None:
    """Record why an upload gave no object of ``model``: the other models it holds
    (``not_bldg`` / ``not_tran``), else ``no_buildings`` / ``no_features``."""
    holds = objs.others or Counter({k: n for k, n in _folders(
        res.meta.get("files_not_read") or ()).items()})
    if objs.seen[model] or not holds:
        code = "no_buildings" if model == "bldg" else "no_features"
        res.add(None, "", code, "", f"no {_OBJECTS[model][0]} with a usable geometry")
    else:
        res.add(None, "", _NOT_MODEL[model], _summary(holds),
                f"no PLATEAU {model} model; the upload holds {_summary(holds)}")


def _parse_file(fname, data, res, limits, builders, objs, etree) -> bool:
    """Read one CityGML document into ``objs``; False after a fatal problem."""
    if refuse_doctype(data, res):
        return False
    srs, dim = None, 3
    depth = Counter()
    level, member_level = 0, -1    # element nesting; that of core:cityObjectMember
    in_member = False              # inside a cityObjectMember (not an appearanceMember …)
    feats = []                     # (model, feature, row), file axis order
    ctx = etree.iterparse(io.BytesIO(data), events=("start", "end"), huge_tree=False,
                          **XML_PARSER_OPTIONS)
    for event, elem in ctx:
        tag = elem.tag
        model = _OBJECT_TAGS.get(tag) if isinstance(tag, str) else None
        if event == "start":
            level += 1
            if model:
                depth[model] += 1
                continue
            local = _local(tag)
            if srs is None and local == "Envelope" and elem.get("srsName"):
                srs = elem.get("srsName")
                dim = int(elem.get("srsDimension") or 3)
            if level == member_level or (member_level < 0 and local in _MEMBERS):
                member_level, in_member = level, local in _MEMBERS
            continue
        level -= 1                     # now the level of the element's parent
        if model:
            depth[model] -= 1
            if depth[model]:
                continue               # an object inside one of its kind
            if model in builders:
                if not _add_object(elem, model, dim, fname, res, limits, builders, objs,
                                   feats):
                    return False
            else:
                objs.others[_prefixed(elem)] += 1
        elif level == member_level and in_member:    # a city object of another kind
            objs.others[_prefixed(elem)] += 1
        elif level != member_level - 1:
            continue                   # inside an object; a member is cleared below
        elem.clear()                   # free memory object by object
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]
    conv = _converter(srs, fname, res, objs)
    if conv is None:
        return False
    for model, f, row in feats:
        polys = [[[conv(p) for p in ring] for ring in poly]
                 for poly in f["geometry"]["coordinates"]]
        f["geometry"] = {"type": "MultiPolygon", "coordinates": polys} if len(polys) > 1 \
            else {"type": "Polygon", "coordinates": polys[0]}
        objs.found[model].append((f, row, fname))
    return True


def _add_object(elem, model, dim, fname, res, limits, builders, objs, feats) -> bool:
    """One city object of a model asked for into ``feats``; False after a fatal problem."""
    objs.n_objects += 1
    objs.seen[model] += 1
    row = objs.n_objects
    gid = next((elem.get(k) for k in _GML_IDS if elem.get(k)), "")
    if gid and (model, gid) in objs.ids:
        objs.duplicates += 1       # PLATEAU gives an object on a mesh edge in both files
        return True
    objs.n_kept += 1
    if objs.n_kept > limits.max_features:
        res.add(None, "", "too_many_features", str(limits.max_features),
                f"more than {limits.max_features:,} objects in all files (the limit)")
        return False
    try:
        f, nv = builders[model](elem, gid, dim, row, fname, res)
    except ValueError as exc:      # a posList / srsDimension that is not a number
        res.add(row, "geometry", "invalid_geometry", gid, f"{fname}: {gid}: unreadable "
                f"coordinates ({short(str(exc))})")
        res.skipped.append(row)
        return True
    objs.n_vertices += nv
    if objs.n_vertices > limits.max_vertices_total:
        res.add(None, "", "too_many_vertices_total", str(limits.max_vertices_total),
                f"more than {limits.max_vertices_total:,} vertices in all files (the limit)")
        return False
    if f is None:
        res.skipped.append(row)
        return True
    if gid:
        objs.ids.add((model, gid))
    feats.append((model, f, row))
    return True


def _converter(srs, fname, res, objs):
    """A file position (file axis order) → ``[lon, lat]`` function for the file's
    ``srsName``, or None (``unknown_crs`` recorded)."""
    m = re.search(r"(\d{4,5})\s*$", srs or "")
    code = int(m.group(1)) if m else None
    label = f"EPSG:{code}" if code else "EPSG:6697 (assumed)"
    if label not in objs.crs:
        objs.crs.append(label)
    if code is None or code in _GEOGRAPHIC:
        return lambda p: [p[1], p[0]]                 # (lat, lon[, h]) → (lon, lat)
    if 6669 <= code <= 6687:                          # 平面直角座標系: X north, Y east
        from pyproj import Transformer
        t = Transformer.from_crs(code, 6668, always_xy=True)
        return lambda p: list(t.transform(p[1], p[0]))
    res.add(None, "srsName", "unknown_crs", str(code),
            f"{fname}: unsupported srsName EPSG:{code}")
    return None


def adopt_problems(sub: ImportResult, res: ImportResult, where) -> None:
    """Problems and skips of ``sub`` (its rows: 1-based positions in ``where``) onto
    ``res``, each row made the object's number in the upload and each message naming
    its file; ``where`` = ``[(row, file), …]``."""
    sub.finish()
    for p in sub.problems:
        if p.row:
            row, fname = where[p.row - 1]
            res.add(row, p.field, p.code, p.value, f"{fname}: {p.message}", p.severity)
        else:
            res.add(None, p.field, p.code, p.value, p.message, p.severity)
    res.skipped.extend(where[n - 1][0] for n in sub.skipped)


def building_collection(objs: CityObjects, res: ImportResult, limits: Limits,
                        default_height_m: float, *, required: bool = True) -> None:
    """The buildings of ``objs`` → ``res.collection`` (cleaned as
    :func:`~.polygons.features_to_collection` ``kind="buildings"``); with
    ``required=False`` an upload whose buildings are all unusable is no error."""
    found = objs.found["bldg"]
    sub = new_result(limits)
    features_to_collection([f for f, _row, _name in found], sub, kind="buildings",
                           default_height_m=default_height_m, transformer=None,
                           limits=limits)
    if not required:
        sub.problems = [p for p in sub.problems if p.code != "no_buildings"]
    adopt_problems(sub, res, [(row, name) for _f, row, name in found])
    for k, n in sub.defaults_applied.items():
        res.defaults_applied[k] = res.defaults_applied.get(k, 0) + n
    res.collection = sub.collection
    if sub.collection is not None:
        res.meta["features"] = len(sub.collection["features"])


def read_citygml(data: bytes, filename: str = "", *,
                 default_height_m: float = DEFAULT_BUILDING_HEIGHT_M,
                 limits: Limits | None = None) -> ImportResult:
    """Read building footprints and heights from PLATEAU CityGML ``bldg`` (a file, or a
    download .zip of several mesh files).

    The footprint is ``bldg:lod0FootPrint`` (else ``lod0RoofEdge``, else the lowest
    horizontal faces of ``bldg:lod1Solid``); the height is ``bldg:measuredHeight`` [m].
    Coordinates follow each file's ``srsName``: EPSG:6697 / 6668 (JGD2011 geographic) are
    read in the EPSG axis order **lat lon (height)**; 平面直角座標系 EPSG:6669–6687 as X
    (north), Y (east). Output is GeoJSON lon/lat.

    Parameters
    ----------
    data : bytes
        A CityGML file, or a .zip: a PLATEAU download (every ``udx/bldg/*.gml`` is read,
        other models, code lists and metadata are not) or a .zip of CityGML files.
    filename : str
        The upload's name (messages and ``meta["files"]``).
    default_height_m : float
        Height of a building without ``measuredHeight`` [m].
    limits : Limits, optional
        ``max_geo_bytes`` (the upload and each file), the .zip limits of
        :func:`~.archive.gml_files`, and ``max_features``, ``max_vertices_per_feature``,
        ``max_vertices_total`` over all files together.

    Safety: a document type declaration (``<!DOCTYPE``, ``<!ENTITY``) is refused (XML
    bombs, external entities); lxml parses with ``resolve_entities=False``,
    ``no_network=True``, ``load_dtd=False``; memory is freed object by object.

    Returns
    -------
    ImportResult
        As :func:`read_geojson` with ``kind="buildings"``; ``gml_id`` is the building's
        ``gml:id``, ``id`` its 建物ID when present, ``usage`` its ``bldg:usage`` (code or
        text) and ``is_home`` follows from it (:func:`assessments.plan.buildings.is_home`).
        A building in two mesh files (the same ``gml:id``) is kept once
        (``duplicate_across_files``); problems name their file; a file or .zip of other
        PLATEAU models only is ``not_bldg``.
    """
    limits = limits or Limits()
    res = new_result(limits, format="citygml", kind="buildings")
    objs = read_city_objects(data, filename, res, limits, {"bldg": _building_feature})
    if objs is None:
        return res.finish()
    if not objs.found["bldg"]:
        missing_model(objs, res, "bldg")
        return res.finish()
    building_collection(objs, res, limits, default_height_m)
    return res.finish()


def _poslist_rings(elem, dim: int):
    """Rings (lists of coordinate tuples, file axis order) of gml:LinearRing elements."""
    rings = []
    for ring in elem.iter():
        if _local(ring.tag) != "LinearRing":
            continue
        vals = []
        pl = [c for c in ring if _local(c.tag) == "posList"]
        if pl:
            d = int(pl[0].get("srsDimension") or dim)
            vals = (pl[0].text or "").split()
        else:
            d = dim
            for p in ring:
                if _local(p.tag) == "pos":
                    d = int(p.get("srsDimension") or dim)
                    vals.extend((p.text or "").split())
        if d < 2 or len(vals) % d:
            rings.append(None)
            continue
        nums = [float(v) for v in vals]
        rings.append([tuple(nums[i:i + d]) for i in range(0, len(nums), d)])
    return rings


def _building_feature(elem, gid, dim, row, fname, res):
    """One bldg:Building → (feature with file-order coordinates or None, vertex count)."""
    props = {"gml_id": gid}
    height = None
    lod0, roof, solid = [], [], []
    for child in elem.iter():
        local = _local(child.tag)
        if local == "measuredHeight" and height is None:
            height = (child.text or "").strip()
        elif local == "usage" and _ns(child.tag) in _BLDG_NS and "usage" not in props:
            # the Building_usage code (411 …) or, in some exports, its text (住宅 …)
            props["usage"] = (child.text or "").strip()
        elif local == "stringAttribute" and child.get("name") == "建物ID":
            v = [c for c in child if _local(c.tag) == "value"]
            if v and v[0].text:
                props["建物ID"] = v[0].text.strip()
        elif local == "lod0FootPrint":
            lod0.append(child)
        elif local == "lod0RoofEdge":
            roof.append(child)
        elif local == "lod1Solid":
            solid.append(child)
    if height is not None:
        props["measuredHeight"] = height
    polys = []
    for group in (lod0, roof):
        if polys:
            break
        for g in group:
            polys.extend(polygons_of(g, dim))
    if not polys and solid:
        faces = []
        for s in solid:
            faces.extend(polygons_of(s, dim))
        faces = [p for p in faces if p and len(p[0][0]) >= 3]
        if faces:
            zmin = min(min(pt[2] for pt in p[0]) for p in faces)
            polys = [p for p in faces if max(pt[2] for pt in p[0]) - zmin < 1e-3]
        if not polys and faces:
            polys = faces[:1]
    nv = sum(len(r) for p in polys for r in p)
    if not polys:
        res.add(row, "geometry", "not_polygon", gid, f"{fname}: building {gid} has no "
                "footprint (LOD0) or LOD1 solid")
        return None, nv
    return {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polys},
            "properties": props}, nv


def polygons_of(elem, dim):
    """Polygons (exterior + interiors, file axis order) of the gml:Polygon under ``elem``."""
    polys = []
    for p in elem.iter():
        if _local(p.tag) != "Polygon":
            continue
        ext, ints = None, []
        for part in p:
            rings = _poslist_rings(part, dim)
            if not rings or rings[0] is None:
                continue
            if _local(part.tag) == "exterior":
                ext = rings[0]
            elif _local(part.tag) == "interior":
                ints.append(rings[0])
        if ext:
            polys.append([ext] + ints)
    return polys


def read_buildings(data: bytes, filename: str, *, limits: Limits | None = None,
                   **kw) -> ImportResult:
    """Read buildings from a ``.gml`` (CityGML), a PLATEAU ``.zip`` or a ``.geojson`` /
    ``.json`` file."""
    name = (filename or "").lower()
    head = bytes(data[:200]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.endswith((".gml", ".xml", ".citygml", ".zip")) or head.startswith(b"<") \
            or head.startswith(ZIP_MAGIC):
        return read_citygml(data, filename, limits=limits, **kw)
    return read_geojson(data, filename, kind="buildings", limits=limits, **kw)
