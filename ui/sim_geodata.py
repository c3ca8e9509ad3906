"""A town's own geodata on the シミュレーション page: importing the base map, terrain and
backgrounds a municipality holds offline (基盤地図情報 基本項目 and DEM, PLATEAU CityGML,
GeoTIFF / PNG + world file, MBTiles), setting the area on it (a 町字, the whole map, corners
clicked on the map) and marking homes (click, or a rule for many buildings at once).

Everything is stored in the plan (``assessments.plan.basemap``), so it is saved once in the
workspace, drawn under the heat map and in the exported maps, and read by the command line.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import streamlit as st

from assessments.engine.grid import Grid, geojson_parts, plane_rectangular_zone
from assessments.engine.homes import building_at, buildings_near_lines
from assessments.plan import basemap
from assessments.plan import iotools as imp
from assessments.plan.buildings import (building_id, home_status, with_heights_by_type,
                                        with_homes)
from assessments.plan.iotools.fgd import BUILDING_TYPES
from ui.i18n import t
from ui.sim_edits import Edits, message
from ui.state import md_escape
from ui.sim_files import PAGE_MAX_CELLS, extent_area, failed, problem_text

#: What can be imported here, with the file types the uploader accepts.
KINDS = {"basemap": ["zip", "xml", "gml"], "plateau": ["zip", "gml"],
         "terrain": ["zip", "xml", "gml", "tif", "tiff"],
         "background": ["tif", "tiff", "png", "jpg", "jpeg", "pgw", "jgw", "tfw", "wld",
                        "pgwx", "jgwx", "prj"],
         "mbtiles": ["mbtiles"]}
#: Kinds that take several files at once (an image and its world file).
MULTI_FILE = ("background",)
#: Margin kept around the area when a raster or terrain larger than the plan may hold is
#: cut to it [m].
CROP_MARGIN_M = 300.0


# --- extents ----------------------------------------------------------------------------
def features_bounds(features) -> tuple | None:
    """``(west, south, east, north)`` [°] of GeoJSON features (any geometry), or None."""
    lo = np.array([np.inf, np.inf])
    hi = -lo
    for f in features:
        try:
            a = np.asarray([p[:2] for part in geojson_parts((f or {}).get("geometry"))
                            for p in part], dtype=float).reshape(-1, 2)
        except (ValueError, TypeError):
            continue
        if a.size:
            lo = np.minimum(lo, a.min(axis=0))
            hi = np.maximum(hi, a.max(axis=0))
    return None if not np.isfinite(lo).all() else (lo[0], lo[1], hi[0], hi[1])


def plan_area_bounds(plan: dict) -> tuple | None:
    """``(west, south, east, north)`` [°] of the plan's area, or None."""
    if not plan.get("area"):
        return None
    return features_bounds([{"geometry": plan["area"]}])


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _union(*boxes):
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    a = np.array(boxes, dtype=float)
    return a[:, 0].min(), a[:, 1].min(), a[:, 2].max(), a[:, 3].max()


def _grown(box, margin_m: float):
    """``box`` grown by ``margin_m`` [m] on every side."""
    w, s, e, n = box
    dlat = margin_m / 111_000.0
    dlon = dlat / max(math.cos(math.radians((s + n) / 2)), 0.1)
    return w - dlon, s - dlat, e + dlon, n + dlat


def _box_text(box) -> str:
    w, s, e, n = box
    return f"{s:.5f}–{n:.5f}°N, {w:.5f}–{e:.5f}°E"


def area_resolution(area: dict, preferred_m: float | None) -> float:
    """The plan's cell size for a new ``area`` [m]: ``preferred_m`` (the plan's, 1 m by
    default) unless the page's grid would then exceed :data:`PAGE_MAX_CELLS`, else the
    smallest whole metre that fits."""
    res = float(preferred_m or 1.0)
    g = Grid.from_area(area, 1.0)
    n1 = g.shape[0] * g.shape[1]                 # cells at 1 m
    if n1 / res ** 2 <= PAGE_MAX_CELLS:
        return res
    return float(max(1, math.ceil(math.sqrt(n1 / PAGE_MAX_CELLS))))


# --- reading ----------------------------------------------------------------------------
def read_geodata(kind: str, files: dict, plan: dict):
    """Read uploaded ``files`` (name → bytes) of ``kind`` (:data:`KINDS`) for ``plan``."""
    name, data = next(iter(files.items()))
    if kind == "basemap":
        return imp.read_fgd(data, name)
    if kind == "plateau":
        return imp.read_plateau(data, name)
    if kind == "terrain":
        return imp.read_terrain(data, name)
    if kind == "background":
        pref = (plan.get("municipality") or {}).get("prefecture") or None
        try:
            zone = plane_rectangular_zone(pref) if pref else None
        except ValueError:
            zone = None      # 北海道 …: the file's own .prj or degrees must say it
        return imp.read_raster_background(files, zone=zone)
    box = plan_area_bounds(plan)             # mbtiles: the view of the area
    return imp.read_mbtiles(data, _grown(box, CROP_MARGIN_M))


def _result_bounds(res) -> tuple | None:
    """``(west, south, east, north)`` [°] of everything an import read."""
    boxes = [features_bounds((res.collection or {}).get("features") or [])]
    # not a 行政区画's polygon: a whole city would become the area
    boxes += [features_bounds(fc.get("features") or []) for k, fc in res.layers.items()
              if k != "admin_areas"]
    if res.terrain is not None:
        tr = res.terrain
        boxes.append(basemap.terrain_extent(*tr.height_m.shape, lat_north=tr.lat_north,
                                            lon_west=tr.lon_west, dlat_deg=tr.dlat_deg,
                                            dlon_deg=tr.dlon_deg))
    if res.background is not None:
        boxes.append(res.background.bounds_lonlat)
    return _union(*boxes)


def _terrain_for_plan(terrain, box):
    """The terrain as stored in a plan: cut to ``box`` (+ :data:`CROP_MARGIN_M`) when it
    holds more cells than a plan keeps."""
    from assessments.engine.visibility import Terrain
    h = terrain.height_m
    if h.size <= basemap.MAX_TERRAIN_CELLS or box is None:
        return terrain
    w, s, e, n = _grown(box, CROP_MARGIN_M)
    r0 = max(0, int(math.floor((terrain.lat_north - n) / terrain.dlat_deg)))
    r1 = min(h.shape[0], int(math.ceil((terrain.lat_north - s) / terrain.dlat_deg)) + 1)
    c0 = max(0, int(math.floor((w - terrain.lon_west) / terrain.dlon_deg)))
    c1 = min(h.shape[1], int(math.ceil((e - terrain.lon_west) / terrain.dlon_deg)) + 1)
    return Terrain(h[r0:r1, c0:c1], lat_north=terrain.lat_north - r0 * terrain.dlat_deg,
                   lon_west=terrain.lon_west + c0 * terrain.dlon_deg,
                   dlat_deg=terrain.dlat_deg, dlon_deg=terrain.dlon_deg)


def import_geodata(edits: Edits, kind: str, files: dict, *, mode: str = "replace",
                   fit_area: bool = False, attribution: str = "") -> bool:
    """Import a town's geodata into the plan; on any error the plan is kept and the reason
    shown.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`: ``basemap`` (基盤地図情報 基本項目: buildings and map layers),
        ``plateau`` (CityGML buildings and ``tran`` roads), ``terrain`` (DEM), ``background``
        (an image and its world file) or ``mbtiles``.
    files : dict of str → bytes
        The uploaded files by name.
    mode : {"replace", "append"}
        For buildings: replace the plan's, or add to them.
    fit_area : bool
        Make the plan's area the extent of the data (always done when it has none).
    attribution : str
        The 出典 of a background, printed on every map.
    """
    name = ", ".join(files)
    p = edits.stored_plan()
    if kind == "mbtiles" and not p.get("area"):
        return failed(name, [t("sim.geo.mbtiles_needs_area")])
    res = read_geodata(kind, files, p)
    errors = [pr for pr in res.problems if pr.severity == "error"]
    if not res.ok or (res.collection is None and not res.layers and res.terrain is None
                      and res.background is None):
        return failed(name, map(problem_text, (errors or res.problems)[:12]))
    box = _result_bounds(res)
    area_box = plan_area_bounds(p)
    new_area = None
    if box is not None and (area_box is None or fit_area):
        lons, lats = [box[0], box[2]], [box[1], box[3]]
        new_area, res_m, _ = extent_area(lats, lons, margin_m=0.0)
    elif box is not None and not _overlap(box, area_box):
        return failed(name, [t("sim.geo.outside", data=_box_text(box),
                               area=_box_text(area_box))])
    stored = {}
    if res.terrain is not None:
        terrain = _terrain_for_plan(res.terrain, area_box if new_area is None else box)
        try:
            stored["terrain"] = basemap.terrain_doc(terrain, name=name)
        except ValueError:
            return failed(name, [t("sim.geo.terrain_too_large",
                                   limit=basemap.MAX_TERRAIN_CELLS)])
    if res.background is not None:
        stored["background"] = basemap.background_doc(
            res.background, name=name,
            attribution=attribution.strip() or str(res.meta.get("attribution") or ""))
    layer_names = basemap.FGD_LAYERS if kind == "basemap" else (
        basemap.PLATEAU_LAYERS if kind == "plateau" else ())
    layers = {k: fc for k, fc in res.layers.items() if fc.get("features")}
    feats = list((res.collection or {}).get("features") or [])

    def fn(q):
        q.update(stored)
        if layer_names:
            old = {k: v for k, v in (q.get("map_layers") or {}).items()
                   if k not in layer_names and not (q.get("sample") and feats)}
            q["map_layers"] = {**old, **layers}
        if feats:
            kept = list((q.get("buildings") or {}).get("features") or []) \
                if mode == "append" else []
            q["buildings"] = {"type": "FeatureCollection", "features": kept + feats}
            q.pop("sample", None)
        if new_area is not None:
            q["area"] = new_area
            q["resolution_m"] = area_resolution(new_area, q.get("resolution_m"))
    if not edits.change(fn, t("sim.what.import", name=md_escape(name))):
        return False
    parts = [t("sim.geo.done." + k, n=len(v.get("features") or []))
             for k, v in layers.items()]
    if feats:
        parts.insert(0, t("sim.geo.done.buildings", n=len(feats)))
    if "terrain" in stored:
        lo, hi = np.nanmin(res.terrain.height_m), np.nanmax(res.terrain.height_m)
        parts.append(t("sim.geo.done.terrain", lo=float(lo), hi=float(hi)))
    if "background" in stored:
        parts.append(t("sim.geo.done.background"))
    text = t("sim.geo.done", name=md_escape(name), what="、".join(parts))
    if new_area is not None:
        text += " " + t("sim.geo.area_from_data")
    shown = [pr for pr in res.problems if pr.code not in ("ignored_features",)][:10]
    if shown:
        text += "\n\n" + "\n".join(f"- {problem_text(pr)}" for pr in shown)
    message("warning" if errors else "success", text)
    return True


def _on_upload(edits: Edits, kind: str, key: str, fit_key: str, attr_key: str) -> None:
    """Callback of the geodata uploader ``key``: import the file(s) once."""
    ups = st.session_state.get(key)
    ups = [u for u in (ups if isinstance(ups, list) else [ups]) if u is not None]
    if not ups:
        return
    sig = (kind, tuple((u.name, u.size, getattr(u, "file_id", "")) for u in ups))
    if st.session_state.get(edits.session_key("geo_last")) == sig:
        return
    st.session_state[edits.session_key("geo_last")] = sig
    if kind == "background" and not any(
            u.name.lower().endswith((".tif", ".tiff", ".png", ".jpg", ".jpeg")) for u in ups):
        message("info", t("sim.geo.needs_image"))
        return
    import_geodata(edits, kind, {u.name: u.getvalue() for u in ups},
                   mode=st.session_state.get(edits.key("io_mode")) or "replace",
                   fit_area=bool(st.session_state.get(fit_key)),
                   attribution=st.session_state.get(attr_key) or "")


def draw_uploader(edits: Edits, kind: str, where) -> None:
    """The uploader of geodata ``kind`` (in the 読み込み・書き出し tab's column ``where``)."""
    key = edits.key
    file_key, fit_key, attr_key = key(f"io_file_{kind}"), key("geo_fit"), key("geo_attr")
    if kind == "background":
        where.text_input(t("sim.geo.attribution"), key=attr_key,
                         placeholder=t("sim.geo.attribution_hint"))
    where.file_uploader(t("sim.geo.file." + kind), type=KINDS[kind], key=file_key,
                        accept_multiple_files=kind in MULTI_FILE,
                        help=t("sim.geo.help." + kind), on_change=_on_upload,
                        args=(edits, kind, file_key, fit_key, attr_key))
    where.checkbox(t("sim.geo.fit_area"), key=fit_key, help=t("sim.geo.fit_area_help"))


def draw_start(edits: Edits) -> None:
    """Start a scene from the town's own data (a plan without an area yet): the base map
    or a PLATEAU model, whose extent becomes the area."""
    key = edits.key
    st.markdown("**" + t("sim.geo.start") + "**")
    # labels made in this run (a format_func calling t() later would translate in the
    # language of whoever calls it)
    labels = {k: t("sim.io.kind." + k) for k in ("basemap", "plateau")}
    kind = st.radio(t("sim.io.kind"), list(labels), key=key("geo_start_kind"),
                    format_func=labels.get, label_visibility="collapsed")
    draw_uploader(edits, kind, st.container())


# --- area ---------------------------------------------------------------------------------
def set_area(edits: Edits, area: dict, what: str) -> bool:
    """Make ``area`` (a GeoJSON Polygon, lon/lat) the plan's area, at the plan's cell size
    when the page can hold it."""
    def fn(q):
        q["area"] = area
        q["resolution_m"] = area_resolution(area, q.get("resolution_m"))
    return edits.change(fn, what)


def _town_names(plan: dict) -> dict[int, str]:
    """Index → name of the plan's 町字 faces that have a name."""
    out = {}
    for i, f in enumerate(basemap.layer_features(plan, "town_areas")):
        nm = str(((f or {}).get("properties") or {}).get("name") or "").strip()
        if nm:
            out[i] = nm
    return out


def _use_town(edits: Edits, key: str) -> None:
    i = st.session_state.get(key)
    feats = basemap.layer_features(edits.stored_plan(), "town_areas")
    if i is None or not (0 <= i < len(feats)):
        return
    geom = feats[i]["geometry"]
    name = (feats[i].get("properties") or {}).get("name") or ""
    if set_area(edits, dict(geom), t("sim.what.area_town", name=md_escape(name))):
        message("success", t("sim.geo.area_set_town", name=md_escape(name)))


def _use_whole_map(edits: Edits) -> None:
    p = edits.stored_plan()
    box = _union(*[features_bounds(basemap.layer_features(p, k)) for k in basemap.LAYERS
                   if k != "admin_areas"],
                 features_bounds((p.get("buildings") or {}).get("features") or []))
    if box is None:
        return
    area, _, _ = extent_area([box[1], box[3]], [box[0], box[2]], margin_m=0.0)
    if set_area(edits, area, t("sim.what.area_map")):
        message("success", t("sim.geo.area_set_map"))


def sketch_key(edits: Edits) -> str:
    """Session key of the corners clicked for a new area: ``[(lat, lon), …]``."""
    return edits.session_key("sketch")


def sketch_xy(edits: Edits, grid: Grid) -> list[tuple[float, float]] | None:
    """The clicked corners in ``grid`` metres, for the map (None: no corner yet)."""
    pts = st.session_state.get(sketch_key(edits)) or []
    if not pts:
        return None
    x, y = grid.to_xy([p[0] for p in pts], [p[1] for p in pts])
    return [(float(a), float(b)) for a, b in zip(np.atleast_1d(x), np.atleast_1d(y))]


def add_corner(edits: Edits, lat: float, lon: float) -> None:
    """A map click in the area mode: one more corner."""
    st.session_state[sketch_key(edits)] = [
        *(st.session_state.get(sketch_key(edits)) or []), (float(lat), float(lon))]


def _use_sketch(edits: Edits) -> None:
    from shapely.geometry import Polygon, mapping
    pts = st.session_state.get(sketch_key(edits)) or []
    poly = Polygon([(lon, lat) for lat, lon in pts]) if len(pts) >= 3 else None
    if poly is None or not poly.is_valid or poly.area <= 0:
        message("error", t("sim.geo.sketch_invalid"))
        return
    ring = [[round(x, 7), round(y, 7)] for x, y in mapping(poly.exterior)["coordinates"]]
    if set_area(edits, {"type": "Polygon", "coordinates": [ring]}, t("sim.what.area_drawn")):
        st.session_state.pop(sketch_key(edits), None)
        message("success", t("sim.geo.area_set_drawn", n=len(pts)))


def _clear_sketch(edits: Edits) -> None:
    st.session_state.pop(sketch_key(edits), None)


def draw_area_tools(edits: Edits, plan: dict) -> None:
    """Setting the area: a 町字 of the imported layer, the whole imported map, or corners
    clicked on the map (the map's click mode 「範囲の角」)."""
    key = edits.key
    st.markdown("**" + t("sim.geo.area") + "**")
    towns = _town_names(plan)
    c = st.columns([2, 1, 1.4])
    if towns:
        town_key = key("geo_town")
        c[0].selectbox(t("sim.geo.town"), list(towns), key=town_key, format_func=towns.get,
                       index=None, placeholder=t("sim.geo.town_pick"))
        c[1].button(t("sim.geo.use_town"), key=key("geo_use_town"), on_click=_use_town,
                    args=(edits, town_key), disabled=not st.session_state.get(town_key)
                    and st.session_state.get(town_key) != 0)
    else:
        c[0].caption(t("sim.geo.no_towns"))
    c[2].button(t("sim.geo.use_map"), key=key("geo_use_map"), on_click=_use_whole_map,
                args=(edits,), disabled=not basemap.has_base_map(plan))
    n = len(st.session_state.get(sketch_key(edits)) or [])
    c = st.columns([3, 1, 1])
    c[0].caption(t("sim.geo.sketch_help", n=n))
    c[1].button(t("sim.geo.use_sketch"), key=key("geo_use_sketch"), on_click=_use_sketch,
                args=(edits,), disabled=n < 3, type="primary" if n >= 3 else "secondary")
    c[2].button(t("sim.geo.clear_sketch"), key=key("geo_clear_sketch"),
                on_click=_clear_sketch, args=(edits,), disabled=n == 0)


# --- homes --------------------------------------------------------------------------------
def toggle_home(edits: Edits, grid: Grid, x_m: float, y_m: float) -> None:
    """A map click in the home mode: the building there becomes a home, or stops being
    one."""
    p = edits.stored_plan()
    i = building_at(grid, p.get("buildings"), x_m, y_m)
    if i is None:
        message("info", t("sim.geo.no_building_here"))
        return
    feat = p["buildings"]["features"][i]
    now = not home_status(feat.get("properties"))
    bid = building_id(feat, i)
    if edits.change(lambda q: q.update(buildings=with_homes(q["buildings"], {i: now})),
                    t("sim.what.home_click", id=bid)):
        message("success", t("sim.geo.home_on" if now else "sim.geo.home_off", id=bid))


def _set_many(edits: Edits, indices, value, what: str) -> None:
    idx = list(indices)
    if edits.change(lambda q: q.update(buildings=with_homes(
            q.get("buildings") or {}, {i: value for i in idx})), what):
        message("success", t("sim.geo.homes_set", n=len(idx)))


def _homes_by_type(edits: Edits, key: str) -> None:
    kinds = set(st.session_state.get(key) or [])
    feats = (edits.stored_plan().get("buildings") or {}).get("features") or []
    _set_many(edits, [i for i, f in enumerate(feats)
                      if ((f or {}).get("properties") or {}).get("building_type") in kinds],
              True, t("sim.what.homes_rule"))


def _homes_near_roads(edits: Edits, key: str) -> None:
    p = edits.stored_plan()
    grid = Grid.from_area(p["area"], 1.0)
    roads = [f for f in basemap.layer_features(p, "roads")
             if ((f or {}).get("properties") or {}).get("class", "RdEdg") == "RdEdg"] \
        or basemap.layer_features(p, "streets")
    idx = buildings_near_lines(grid, p.get("buildings"), roads,
                               float(st.session_state.get(key) or 0.0))
    _set_many(edits, idx, True, t("sim.what.homes_rule"))


def _homes_all(edits: Edits, value) -> None:
    feats = (edits.stored_plan().get("buildings") or {}).get("features") or []
    _set_many(edits, range(len(feats)), value, t("sim.what.homes_rule"))


def draw_home_tools(edits: Edits, plan: dict) -> None:
    """Marking homes for the privacy check: by clicking (the map's click mode 「住宅の指定」)
    or a rule for many buildings at once."""
    key = edits.key
    feats = (plan.get("buildings") or {}).get("features") or []
    st.markdown("**" + t("sim.geo.homes") + "**")
    if not feats:
        st.caption(t("sim.geo.homes_none"))
        return
    n_home = sum(1 for f in feats if home_status((f or {}).get("properties")))
    st.caption(t("sim.geo.homes_help", n=n_home, total=len(feats)))
    kinds = Counter(((f or {}).get("properties") or {}).get("building_type") for f in feats)
    kinds.pop(None, None)
    c = st.columns([2.2, 1.2, 1.2, 1.4])
    if kinds:
        kind_key = key("geo_home_kinds")
        c[0].multiselect(t("sim.geo.home_kinds"), sorted(kinds, key=BUILDING_TYPES.index
                                                          if set(kinds) <= set(BUILDING_TYPES)
                                                          else str),
                         placeholder=t("common.choose"), select_all=False,
                         key=kind_key, format_func=lambda k: f"{k}（{kinds[k]}）")
        c[0].button(t("sim.geo.home_kinds_apply"), key=key("geo_home_kinds_go"),
                    on_click=_homes_by_type, args=(edits, kind_key))
    has_roads = bool(basemap.layer_features(plan, "roads")
                     or basemap.layer_features(plan, "streets"))
    near_key = key("geo_near_m")
    c[1].number_input(t("sim.geo.near_m"), min_value=0.0, max_value=100.0, value=10.0,
                      step=1.0, key=near_key, disabled=not has_roads)
    c[1].button(t("sim.geo.near_apply"), key=key("geo_near_go"), on_click=_homes_near_roads,
                args=(edits, near_key), disabled=not has_roads,
                help=None if has_roads else t("sim.geo.near_no_roads"))
    c[2].button(t("sim.geo.all_homes"), key=key("geo_all_homes"), on_click=_homes_all,
                args=(edits, True))
    c[2].button(t("sim.geo.no_homes"), key=key("geo_no_homes"), on_click=_homes_all,
                args=(edits, False))
    c[3].button(t("sim.geo.usage_homes"), key=key("geo_usage_homes"), on_click=_homes_all,
                args=(edits, None), help=t("sim.geo.usage_homes_help"))


# --- what is loaded, building heights ---------------------------------------------------
def _remove(edits: Edits, part: str) -> None:
    def fn(q):
        if part == "layers":
            q["map_layers"] = {k: v for k, v in (q.get("map_layers") or {}).items()
                               if k not in basemap.FGD_LAYERS + basemap.PLATEAU_LAYERS}
        else:
            q.pop(part, None)
    edits.change(fn, t("sim.what.remove_" + part))


def _on_heights(edits: Edits, key: str, kinds: list) -> None:
    rows = (st.session_state.get(key) or {}).get("edited_rows") or {}
    heights = {}
    for r, change in rows.items():
        h = change.get("height_m")
        if isinstance(h, (int, float)) and 0 < h < 1000:
            heights[kinds[int(r)]] = float(h)
    if heights:
        edits.change(lambda q: q.update(buildings=with_heights_by_type(q["buildings"],
                                                                       heights)),
                     t("sim.what.heights"))


def draw_loaded(edits: Edits, plan: dict) -> None:
    """What the plan holds of the town's geodata, with a button to remove each part, and
    the building heights by 建物種別 (基盤地図情報 has no heights)."""
    key = edits.key
    st.markdown("**" + t("sim.geo.loaded") + "**")
    rows = []
    for k in basemap.LAYERS:
        n = len(basemap.layer_features(plan, k))
        if n:
            # the layer's legend label (the one style table names every layer)
            rows.append(t("sim.geo.loaded_layer", layer=t(basemap.LAYER_STYLES[k].label), n=n))
    c = st.columns([4, 1])
    c[0].caption("、".join(rows) if rows else t("sim.geo.loaded_none"))
    if any(k in (plan.get("map_layers") or {}) for k in basemap.FGD_LAYERS
           + basemap.PLATEAU_LAYERS):
        c[1].button(t("sim.geo.remove"), key=key("geo_rm_layers"), on_click=_remove,
                    args=(edits, "layers"))
    for part in ("background", "terrain"):
        spec = plan.get(part)
        if not isinstance(spec, dict) or not (spec.get("png") or spec.get("height_m_f32")):
            continue
        c = st.columns([4, 1])
        c[0].caption(t(f"sim.geo.loaded_{part}", name=md_escape(spec.get("name") or ""),
                       attribution=md_escape(spec.get("attribution") or "")))
        c[1].button(t("sim.geo.remove"), key=key(f"geo_rm_{part}"), on_click=_remove,
                    args=(edits, part))
    feats = (plan.get("buildings") or {}).get("features") or []
    by_kind: dict[str, list] = {}
    for f in feats:
        props = (f or {}).get("properties") or {}
        if props.get("building_type"):
            by_kind.setdefault(props["building_type"], []).append(props.get("height_m"))
    if by_kind:
        kinds = sorted(by_kind, key=lambda k: (BUILDING_TYPES.index(k)
                                              if k in BUILDING_TYPES else 99, k))
        frame = pd.DataFrame({
            t("sim.geo.col.kind"): kinds,
            t("sim.geo.col.count"): [len(by_kind[k]) for k in kinds],
            "height_m": [float(np.median([h for h in by_kind[k] if isinstance(h, (int, float))]
                                         or [np.nan])) for k in kinds]})
        hkey = key(f"geo_heights_{edits.nonce}")
        st.caption(t("sim.geo.heights_help"))
        st.data_editor(frame, key=hkey, hide_index=True, on_change=_on_heights,
                       args=(edits, hkey, kinds),
                       disabled=[t("sim.geo.col.kind"), t("sim.geo.col.count")],
                       column_config={"height_m": st.column_config.NumberColumn(
                           t("sim.geo.col.height"), min_value=0.5, max_value=300.0,
                           step=0.5, format="%.1f m")}, placeholder="")


def draw_tab(edits: Edits, plan: dict) -> None:
    """The 地図・範囲・住宅 tab."""
    draw_loaded(edits, plan)
    st.divider()
    draw_area_tools(edits, plan)
    st.divider()
    draw_home_tools(edits, plan)


__all__ = ["KINDS", "MULTI_FILE", "add_corner", "area_resolution", "draw_tab",
           "draw_uploader", "features_bounds", "import_geodata", "read_geodata",
           "sketch_xy", "toggle_home"]
