"""The simulation map: plotly figure in local metres, raster layers as image overlays, PNG.

The map is a cartesian plotly figure in the grid's local metres (x east, y north, equal
scale). Vector data (buildings, area, streets, park, camera footprints, cameras, lights)
are traces; every per-cell layer (pixel density by DORI level, cameras per cell,
illuminance, night usability, requirement, privacy hits) is one RGBA image placed with
``layout.images`` — never a trace with a point per cell. A sparse grid of faint points over
the area makes the map clickable (plotly reports selections of points only).

Base map: offline by default. The plan's imported base map (:func:`base_map`:
``assessments.plan.basemap``) lies under the heat map — a raster background warped onto the
grid, the terrain's hillshade and the filled road areas as images, cached per content and
grid; contours, 基盤地図情報 lines and 町字 names as one trace per layer (NaN between
parts, features outside the grid left out by one vectorised box test) in a second legend —
with its attributions in the bottom-left note. Opt-in 地理院タイル are added as layout
images whose URL the *browser* loads; nothing here waits on a tile server.

:func:`render_png` draws the same layers with PIL from the arrays (no browser, no
kaleido), for the download and the Excel export.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont
from pyproj.exceptions import ProjError

from assessments.engine import contour_levels, contour_paths, hillshade
from assessments.engine import image_quality as iq
from assessments.engine import sim_summary as S
from assessments.engine.grid import (Grid, geojson_rings, latlon_to_tile, polygon_windows,
                                     ragged_ranges, tile_to_latlon)
from assessments.plan import FrozenDict, content_hash
from assessments.plan.basemap import (FGD_LAYERS, LAYERS, PLATEAU_LAYERS, background_from_doc,
                                      is_terrain_doc, terrain_bounds, terrain_from_doc)
from assessments.plan.buildings import is_home
from ui.i18n import t
from ui.simulation import digest

#: Raster layers that can be shown (one at a time) and vector overlays (any number).
RASTER_LAYERS = ("dori", "count", "illuminance", "night_usability", "requirement", "none")
OVERLAYS = ("footprints", "buildings", "privacy", "labels")
GSI_URLS = {"std": "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
            "pale": "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png"}
GSI_ATTRIBUTION = "出典：国土地理院"

#: Colours of the DORI levels, lowest first (assigned by rank of the standard's levels).
DORI_COLOURS = ["#b3cde3", "#4f9bd9", "#2ca25f", "#fdd835", "#fb8c00", "#d81b60", "#6a1b9a"]
COUNT_COLOURS = ["#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"]
#: Horizontal illuminance bins [lx]; 3 lx and 5 lx are the SES E1901 class B / A averages.
LUX_BINS = [0.5, 1.0, 3.0, 5.0, 10.0]
LUX_COLOURS = ["#1a1a40", "#3b3b8f", "#6a51a3", "#e6a817", "#f6d55c", "#fff7bc"]
NIGHT_COLOURS = {"colour": "#2ca25f", "ir": "#8e6fd8", "dark": "#e53935"}
REQ_COLOURS = {S.REQ_MET: "#2ca25f", S.REQ_DAY_ONLY: "#f9a825", S.REQ_NOT_MET: "#e53935"}
PRIVACY_COLOUR = "#ff1744"
OUTSIDE_RGBA = (120, 120, 120, 60)
BUILDING_FILL = "rgba(120,126,140,0.55)"
HOME_FILL = "rgba(214,120,60,0.65)"
ALPHA = 185

#: Fonts of the PNG, first found wins: Japanese-capable first (Debian fonts-noto-cjk, face 0
#: of the collection is the JP one; fonts-droid-fallback), DejaVu last (no kana or kanji).
FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _rgb(hex_colour: str) -> tuple:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


# ---------------------------------------------------------------------------------------
# raster layers
# ---------------------------------------------------------------------------------------
def dori_keys(sim) -> list[str]:
    return [k for k, _ in sorted(sim.model.thresholds.items(), key=lambda kv: kv[1])]


#: Largest side of the image overlays sent to the browser [px]: a district's 2,000 × 2,000
#: cells are reduced 2 × 2 → 1,000 px (the map is drawn ≈ 1,100 px wide at most).
OVERLAY_MAX_PX = 1200
#: Above this many buildings the footprints are drawn as one cached image instead of
#: vector polygons: a browser redraws thousands of filled paths on every rerun (≈ 0.5 s
#: for the 2,000-building district on 2 cores), an image costs nothing to redraw.
VECTOR_BUILDINGS_MAX = 1000


def overlay_step(shape, max_px: int | None) -> int:
    """Cells per image pixel (each way) so that no side exceeds ``max_px`` (1 = full)."""
    if not max_px:
        return 1
    return max(1, math.ceil(max(shape) / int(max_px)))


def reduce_max(a, step: int, *, fill=0):
    """Block maximum of a 2-D array over ``step`` × ``step`` cells (padded with ``fill``
    at the east / south edges), so that a thin strip of coverage, a single lit or dark
    cell stays visible when the raster is drawn smaller than the grid.

    Examples
    --------
    ``reduce_max([[0, 1, 0], [0, 0, 0], [2, 0, 0]], 2)`` → ``[[1, 0], [2, 0]]``.
    """
    a = np.asarray(a)
    if step <= 1:
        return a
    h, w = a.shape
    H, W = -(-h // step), -(-w // step)
    if (H * step, W * step) != (h, w):
        a = np.pad(a, ((0, H * step - h), (0, W * step - w)), constant_values=fill)
    out = a[::step, ::step].copy()
    for i in range(step):
        for j in range(step):
            if i or j:
                np.maximum(out, a[i::step, j::step], out=out)
    return out


def layer_rgba(sim, layer: str, *, period: str = "day", max_px: int | None = None):
    """RGBA image (rows × cols × 4, uint8) of a raster layer and its legend.

    Parameters
    ----------
    sim : ui.simulation.SimResult
    layer : {"dori", "count", "illuminance", "night_usability", "requirement", "none"}
    period : {"day", "night"}
        For ``dori``: the day density or the night (usable, blur-reduced) density.
    max_px : int, optional
        Largest image side [px]: the grid is reduced by :func:`overlay_step` cells per
        pixel first, by block maximum (:func:`reduce_max`: best density / level / count,
        any dark or outside cell); the illuminance takes the cell at the block's
        north-west corner (a smooth field). None = one pixel per cell.

    Returns
    -------
    (ndarray or None, list of (label, hex colour))
        The image covers ``step`` × its size cells from the grid's north-west corner
        (the last row / column may extend past the grid, transparent there).
    """
    if layer not in RASTER_LAYERS:
        raise ValueError(f"layer must be one of {RASTER_LAYERS}, got {layer!r}")
    if period not in ("day", "night"):
        raise ValueError(f"period must be 'day' or 'night', got {period!r}")
    m = sim.model
    step = overlay_step(m.grid.shape, max_px)

    def red(a, fill=0):
        return reduce_max(a, step, fill=fill)

    def nearest(a, fill=0):
        if step <= 1:
            return np.asarray(a)
        h, w = a.shape
        out = np.full((-(-h // step), -(-w // step)), fill, dtype=a.dtype)
        out[...] = a[::step, ::step]
        return out

    inside = red(m.inside, False)
    shape = inside.shape
    rgba = np.zeros(shape + (4,), np.uint8)
    legend = []

    def paint(mask, colour, alpha=ALPHA):
        rgba[mask] = (*_rgb(colour), alpha)

    if layer == "none":
        return None, legend
    if layer == "dori":
        pd = red(m.pixel_density if period == "day" else sim.night.night_pixel_density_px_m)
        keys = dori_keys(sim)
        for i, k in enumerate(keys):
            lo = m.thresholds[k]
            hi = m.thresholds[keys[i + 1]] if i + 1 < len(keys) else np.inf
            colour = DORI_COLOURS[min(i, len(DORI_COLOURS) - 1)]
            paint((pd >= lo) & (pd < hi), colour)
            legend.append((f"{t('sim.dori.' + k)} ≥ {lo:g} px/m", colour))
    elif layer == "count":
        cnt = red(m.camera_count)
        for i, colour in enumerate(COUNT_COLOURS):
            n = i + 1
            sel = cnt == n if n < len(COUNT_COLOURS) else cnt >= n
            paint(sel, colour)
            legend.append((t("sim.legend.count", n=f"{n}{'+' if n == len(COUNT_COLOURS) else ''}"),
                           colour))
    elif layer == "illuminance":
        e = nearest(sim.night.illuminance_lx, np.nan)
        inside_nw = nearest(m.inside, False)
        edges = [-np.inf] + LUX_BINS + [np.inf]
        for i, colour in enumerate(LUX_COLOURS):
            sel = (e >= edges[i]) & (e < edges[i + 1]) & inside_nw
            paint(sel, colour, 200)
            lo, hi = edges[i], edges[i + 1]
            label = (f"< {hi:g} lx" if lo == -np.inf else f"≥ {lo:g} lx" if hi == np.inf
                     else f"{lo:g}–{hi:g} lx")
            if hi == 5.0:
                label += " (SES B)"
            elif lo == 5.0:
                label += " (SES A)"
            legend.append((label, colour))
    elif layer == "night_usability":
        nm = sim.night.night_mode
        if step > 1:   # any colour / IR cell of the block; dark drawn over both
            colour_any = red(nm == iq.NIGHT_COLOUR, False)
            ir_any = red(nm == iq.NIGHT_IR, False)
        else:
            colour_any, ir_any = nm == iq.NIGHT_COLOUR, nm == iq.NIGHT_IR
        paint(colour_any & inside, NIGHT_COLOURS["colour"])
        paint(ir_any & inside, NIGHT_COLOURS["ir"])
        paint(red(sim.night.seen_but_dark, False), NIGHT_COLOURS["dark"])
        legend += [(t("sim.legend.night_colour"), NIGHT_COLOURS["colour"]),
                   (t("sim.legend.night_ir"), NIGHT_COLOURS["ir"]),
                   (t("sim.legend.night_dark"), NIGHT_COLOURS["dark"])]
    elif layer == "requirement":
        if sim.req_map is None:
            return None, legend
        req_map = red(sim.req_map, S.REQ_OUTSIDE)   # best class of the block
        for code, key in ((S.REQ_MET, "met"), (S.REQ_DAY_ONLY, "day_only"),
                          (S.REQ_NOT_MET, "not_met")):
            if code == S.REQ_DAY_ONLY and not sim.requirement["night"]:
                continue
            paint(req_map == code, REQ_COLOURS[code], 70 if code == S.REQ_NOT_MET
                  else ALPHA)
            legend.append((t("sim.legend.req_" + key), REQ_COLOURS[code]))
    outside = red(_outside(m), False)
    rgba[outside & (rgba[..., 3] == 0)] = OUTSIDE_RGBA
    return rgba, legend


def _outside(model):
    """Cells outside the area and not in a building (drawn grey); kept on the model."""
    cached = getattr(model, "_map_outside", None)
    if cached is None:
        cached = ~model.inside & (model.building_cm == 0)
        model._map_outside = cached
    return cached


def buildings_image(sim, *, max_px: int = OVERLAY_MAX_PX) -> str:
    """Building footprints (cells of the model's building raster) as a PNG data URI in
    :data:`BUILDING_FILL`, block-maximum reduced like the heat map; cached on the model."""
    model = sim.model
    cached = getattr(model, "_map_buildings_uri", None)
    if cached is None or cached[0] != max_px:
        mask = reduce_max(model.building_cm > 0, overlay_step(model.grid.shape, max_px))
        rgba = np.zeros(mask.shape + (4,), dtype=np.uint8)
        rgba[mask] = (120, 126, 140, 150)  # BUILDING_FILL
        cached = (max_px, data_uri(rgba, max_px=max_px))
        model._map_buildings_uri = cached
    return cached[1]


def privacy_rgba(sim, *, max_px: int | None = None):
    """RGBA of the cells where some camera looks at a home's façade or private land
    (reduced like :func:`layer_rgba`: a block with any such cell is drawn)."""
    shape = sim.model.grid.shape
    if not sim.privacy:
        return None
    hit = np.zeros(shape, bool)
    for p in sim.privacy:
        hit[p["rows"], p["cols"]] |= p["mask"]
    if not hit.any():
        return None
    hit = reduce_max(hit, overlay_step(shape, max_px), fill=False)
    rgba = np.zeros(hit.shape + (4,), np.uint8)
    rgba[hit] = (*_rgb(PRIVACY_COLOUR), 235)
    return rgba


def _downsample(rgba, max_px: int):
    h, w = rgba.shape[:2]
    step = max(1, math.ceil(max(h, w) / max_px))
    return rgba[::step, ::step] if step > 1 else rgba


def png_bytes(rgba, *, compress_level: int = 3) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=False,
                                       compress_level=compress_level)
    return buf.getvalue()


def data_uri(rgba, *, max_px: int = 1600) -> str:
    """PNG data URI of an RGBA image (strided down to ``max_px`` a side if larger; the
    map passes images already reduced by :func:`layer_rgba`). zlib level 1: a flat-colour
    layer compresses nearly as well, in a third of the time of level 3."""
    return "data:image/png;base64," + base64.b64encode(
        png_bytes(_downsample(rgba, max_px), compress_level=1)).decode("ascii")


# ---------------------------------------------------------------------------------------
# vector data in local metres
# ---------------------------------------------------------------------------------------
def _rings_xy(grid, geometry):
    out = []
    for poly in geojson_rings(geometry):
        for ring in poly:
            x, y = grid.to_xy(ring[:, 1], ring[:, 0])
            out.append((np.atleast_1d(x), np.atleast_1d(y)))
    return out


def _joined(parts):
    """Rings / lines joined into one x and one y float array, NaN between parts (a gap
    for plotly.js: one trace for any number of polygons, sent as a binary typed array
    instead of a list of Python numbers)."""
    parts = list(parts)
    if not parts:
        return np.zeros(0), np.zeros(0)
    gap = np.array([np.nan])
    xs = np.concatenate([a for x, _ in parts for a in (np.asarray(x, float), gap)])
    ys = np.concatenate([a for _, y in parts for a in (np.asarray(y, float), gap)])
    return np.round(xs, 2), np.round(ys, 2)


_BUILDINGS_CACHE: dict = {}


def _buildings_xy_features(grid, feats):
    homes, others = [], []
    for f in feats:
        try:
            parts = _rings_xy(grid, f.get("geometry"))
        except (ValueError, TypeError):
            continue
        (homes if is_home(f.get("properties")) else others).extend(parts)
    return _joined(others), _joined(homes)


def buildings_xy(grid, buildings, *, key: str | None = None):
    """Building outlines in local metres: ``((x, y), (x_homes, y_homes))``, NaN-separated
    float arrays. Cached by ``key`` (the scene key of ``ui.simulation``, which covers the
    buildings) or, without it, by a digest of the features."""
    feats = (buildings or {}).get("features") or [] if isinstance(buildings, dict) else []
    if key is None:
        key = digest(feats)
    key = (key, grid.origin_lat, grid.origin_lon, grid.resolution_m, grid.shape,
           grid.x0_m, grid.y0_m)
    out = _BUILDINGS_CACHE.get(key)
    if out is None:
        out = _buildings_xy_features(grid, feats)
        if len(_BUILDINGS_CACHE) >= 16:
            _BUILDINGS_CACHE.pop(next(iter(_BUILDINGS_CACHE)))
        _BUILDINGS_CACHE[key] = out
    return out


# ---------------------------------------------------------------------------------------
# the imported base map (assessments.plan.basemap): layers, raster background, terrain
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerStyle:
    """How one map layer is drawn, on the map and in the PNG.

    Attributes
    ----------
    label : str
        UI string key of its legend entry.
    colour : tuple
        Line (or text) colour ``(r, g, b, opacity 0–1)``.
    width : float
        Line width [px].
    dash : str
        Plotly dash name (``"solid"``, ``"dot"``, ``"dash"``, ``"dashdot"``).
    fill : tuple, optional
        Fill colour of polygons ``(r, g, b, opacity)``; None = outlines only.
    """
    label: str
    colour: tuple
    width: float = 1.0
    dash: str = "solid"
    fill: tuple | None = None

    @property
    def css(self) -> str:
        return _css(self.colour)


def _css(rgba) -> str:
    return "rgba({},{},{},{:g})".format(*rgba)


def _swatch(rgba) -> str:
    """Hex colour of ``(r, g, b, opacity)`` drawn on white (a legend square)."""
    r, g, b, a = rgba
    return "#{:02x}{:02x}{:02x}".format(*(round(c * a + 255 * (1 - a)) for c in (r, g, b)))


#: The style of every layer of :data:`assessments.plan.basemap.LAYERS`. ``road_areas`` is
#: filled as an image under the heat map (its polygons' holes are the city blocks), the
#: ``towns`` points are drawn as their names.
LAYER_STYLES = {
    "admin_areas": LayerStyle("map.layer.admin_areas", (95, 95, 140, 0.8), 1.2),
    "town_areas": LayerStyle("map.layer.town_areas", (95, 95, 140, 0.55), 0.8, "dot"),
    "park": LayerStyle("sim.map.park", (76, 154, 76, 1.0), 1.0, fill=(120, 190, 120, 0.25)),
    "water": LayerStyle("map.layer.water", (45, 115, 205, 0.9), 1.2),
    "road_areas": LayerStyle("map.layer.road_areas", (150, 150, 150, 0.8), 0.5,
                             fill=(195, 195, 195, 0.6)),
    "roads": LayerStyle("map.layer.roads", (80, 80, 80, 0.9), 0.8),
    "streets": LayerStyle("sim.map.streets", (90, 90, 90, 0.35), 9.0),
    "rail": LayerStyle("map.layer.rail", (20, 20, 20, 1.0), 1.6, "dash"),
    "boundaries": LayerStyle("map.layer.boundaries", (135, 60, 175, 0.85), 1.1, "dashdot"),
    "towns": LayerStyle("map.layer.towns", (95, 95, 95, 1.0)),
}
#: Size of the 町字 names [px].
TOWN_FONT_PX = 11
#: Layers whose features are filled into an image instead of drawn as a trace.
IMAGE_LAYERS = ("road_areas",)
CONTOUR_STYLE = LayerStyle("map.layer.contours", (140, 90, 40, 0.75), 0.8)
#: Opacity of the hillshade's grey (0 = black shadow … 255 = white slope facing the light).
HILLSHADE_ALPHA = 95
#: Longest side of the relief image [px]; never finer than half a terrain cell (bilinear
#: heights between the cells add no relief).
RELIEF_MAX_PX = 800
SKETCH_COLOUR = "#ff7f0e"
#: Dash patterns of the PNG [px on, px off, …] (PIL draws solid lines only).
DASH_PX = {"dot": (2.0, 3.0), "dash": (8.0, 5.0), "dashdot": (8.0, 3.0, 2.0, 3.0)}
#: Errors of a stored background or terrain that cannot be drawn: ``ValueError`` from the
#: ``basemap`` decoders, ``ProjError`` (its ``CRSError``) from a coordinate system pyproj
#: cannot use.
_DOC_ERRORS = (ValueError, ProjError)


@dataclass(frozen=True)
class _Flat:
    """A layer's coordinates flattened: every line, ring or point is a *part*.

    ``lon`` / ``lat`` hold all points [°]; part ``k`` is ``start[k]:start[k] + count[k]``
    of feature ``owner[k]``; ``box`` = per-part ``(lon_min, lon_max, lat_min, lat_max)``.
    """
    lon: np.ndarray
    lat: np.ndarray
    start: np.ndarray
    count: np.ndarray
    owner: np.ndarray
    box: tuple


def _geometry_parts(geometry) -> list:
    """Coordinate lists of a GeoJSON geometry: lines, polygon rings, or one-point lists."""
    if not isinstance(geometry, dict):
        return []
    kind, c = geometry.get("type"), geometry.get("coordinates")
    if not isinstance(c, list):
        return []
    if kind == "LineString":
        return [c]
    if kind in ("MultiLineString", "Polygon"):
        return c
    if kind == "MultiPolygon":
        return [ring for poly in c if isinstance(poly, list) for ring in poly]
    if kind == "Point":
        return [[c]]
    if kind == "MultiPoint":
        return [[p] for p in c]
    return []


def _flatten(features) -> _Flat:
    """All parts of ``features`` as flat arrays. One pass over the JSON and one
    ``np.fromiter``: a 基盤地図情報 mesh holds tens of thousands of features, and an array
    per feature (or ``np.array`` on the read-only lists) costs ten times more. Parts whose
    positions are not all ``[lon, lat]`` numbers (or all ``[lon, lat, z]``) are checked one
    by one and the bad ones left out."""
    try:
        geometries = [f["geometry"] for f in features]
        kinds = [g["type"] for g in geometries]
    except (KeyError, TypeError):
        geometries = [f.get("geometry") if isinstance(f, dict) else None for f in features]
        kinds = [g.get("type") if isinstance(g, dict) else None for g in geometries]
    if kinds.count("LineString") == len(kinds):   # a line layer: one part per feature
        parts = [g.get("coordinates") for g in geometries]
        owner = list(range(len(parts)))
    else:
        parts, owner = [], []
        for i, g in enumerate(geometries):
            got = _geometry_parts(g)
            parts += got
            owner += [i] * len(got)
    try:
        count = np.fromiter(map(len, parts), np.int64, len(parts))
        n = int(count.sum())
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(parts)), np.float64)
        if flat.size == 3 * n and n:
            flat = flat.reshape(n, 3)[:, :2].ravel()
        elif flat.size != 2 * n:
            raise ValueError("positions of mixed dimension")
        if not np.isfinite(flat).all():
            raise ValueError("a position is not finite")
        lon, lat = flat[0::2], flat[1::2]
    except (TypeError, ValueError):
        lon, lat, count, owner = _flatten_checked(parts, owner)
    owner = np.asarray(owner, np.int64)
    keep = count > 0
    if not keep.all():
        count, owner = count[keep], owner[keep]
    start = np.zeros(len(count), np.int64)
    np.cumsum(count[:-1], out=start[1:])
    if len(count):
        box = (np.minimum.reduceat(lon, start), np.maximum.reduceat(lon, start),
               np.minimum.reduceat(lat, start), np.maximum.reduceat(lat, start))
    else:
        box = (np.zeros(0),) * 4
    return _Flat(lon, lat, start, count, owner, box)


def _flatten_checked(parts, owner):
    """:func:`_flatten`'s slow path: each part read on its own, bad ones skipped."""
    lons, lats, counts, owners = [], [], [], []
    for part, i in zip(parts, owner):
        try:
            a = np.asarray(part, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        if a.ndim != 2 or a.shape[1] < 2 or not np.isfinite(a[:, :2]).all():
            continue
        lons.append(a[:, 0])
        lats.append(a[:, 1])
        counts.append(len(a))
        owners.append(i)
    cat = (lambda v: np.concatenate(v)) if lons else (lambda v: np.zeros(0))
    return cat(lons), cat(lats), np.asarray(counts, np.int64), owners


_FLAT_CACHE: OrderedDict = OrderedDict()


def _layer_flat(layer) -> tuple[list, _Flat]:
    """The features of a map layer and their :class:`_Flat`. A read-only layer (the
    workspace's shared value, :mod:`assessments.plan.frozen`) is flattened once, keyed by
    its ``id``: the cache entry holds the layer, so no other object can take that id
    while it is cached."""
    feats = (layer.get("features") or []) if isinstance(layer, dict) else []
    if not isinstance(layer, FrozenDict):
        return feats, _flatten(feats)
    return feats, _memo(_FLAT_CACHE, id(layer), lambda: (layer, _flatten(feats)), size=32)[1]


def _lonlat_box(g) -> tuple[float, float, float, float]:
    """``(lon_min, lon_max, lat_min, lat_max)`` [°] around the grid's extent (its edges
    sampled: straight in local metres, slightly curved in lon/lat), 1 m wider each way."""
    res, (h, w) = g.resolution_m, g.shape
    x_w, y_n = g.x0_m - res / 2 - 1.0, g.y0_m + res / 2 + 1.0
    x_e, y_s = x_w + w * res + 2.0, y_n - h * res - 2.0
    t = np.linspace(0.0, 1.0, 17)
    xs = np.concatenate([x_w + t * (x_e - x_w), np.full_like(t, x_e),
                         x_e - t * (x_e - x_w), np.full_like(t, x_w)])
    ys = np.concatenate([np.full_like(t, y_n), y_n - t * (y_n - y_s),
                         np.full_like(t, y_s), y_s + t * (y_n - y_s)])
    lat, lon = g.to_latlon(xs, ys)
    return float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())


def _parts_in_view(flat: _Flat, g, *, min_points: int = 1) -> np.ndarray:
    """Indices of the parts whose lon/lat box meets the grid's extent (one vectorised
    test, so a mesh of 50,000 features costs no projection of the far ones)."""
    lon0, lon1, lat0, lat1 = _lonlat_box(g)
    bx0, bx1, by0, by1 = flat.box
    ok = (bx1 >= lon0) & (bx0 <= lon1) & (by1 >= lat0) & (by0 <= lat1)
    return np.flatnonzero(ok & (flat.count >= min_points))


def _to_xy_many(g, lat, lon, *, nodes: int = 33, max_box_deg: float = 0.5):
    """Local ``(x, y)`` [m] of many points: :meth:`Grid.to_xy` exactly at ``nodes`` ×
    ``nodes`` control points over their lon/lat box and bilinear between. The projection
    is smooth (its second derivatives are ≈ 1 / earth radius), so a box of 20 km is off by
    about (20 km / 32)² / 8 / 6,371 km ≈ 8 mm (0.5°, the largest box interpolated: ≈ 6 cm);
    one pyproj transformation per point of a 基盤地図情報 mesh would be the map's slowest
    step."""
    if lat.size <= nodes * nodes:
        return g.to_xy(lat, lon)
    la0, la1, lo0, lo1 = lat.min(), lat.max(), lon.min(), lon.max()
    if max(la1 - la0, lo1 - lo0) > max_box_deg:
        return g.to_xy(lat, lon)
    node_x, node_y = g.to_xy(*np.meshgrid(np.linspace(la0, la1, nodes),
                                          np.linspace(lo0, lo1, nodes), indexing="ij"))
    fi = (lat - la0) * ((nodes - 1) / max(la1 - la0, 1e-300))
    fj = (lon - lo0) * ((nodes - 1) / max(lo1 - lo0, 1e-300))
    i = np.clip(fi.astype(np.int64), 0, nodes - 2)
    j = np.clip(fj.astype(np.int64), 0, nodes - 2)
    ti, tj = fi - i, fj - j
    k = i * nodes + j                        # flat index of the south-west node

    def bilinear(v):
        v = v.ravel()
        return ((v[k] * (1 - tj) + v[k + 1] * tj) * (1 - ti)
                + (v[k + nodes] * (1 - tj) + v[k + nodes + 1] * tj) * ti)
    return bilinear(node_x), bilinear(node_y)


def _parts_xy(flat: _Flat, g, parts: np.ndarray):
    """Local x, y [m] of the given parts, joined with a NaN after each (as
    :func:`_joined`, rounded to cm)."""
    if not len(parts):
        return np.zeros(0), np.zeros(0)
    k, offset = ragged_ranges(flat.count[parts])
    idx = flat.start[parts][k] + offset
    x, y = _to_xy_many(g, flat.lat[idx], flat.lon[idx])
    xs = np.full(len(idx) + len(parts), np.nan)
    ys = np.full(len(idx) + len(parts), np.nan)
    at = np.arange(len(idx)) + k             # each part shifted by the NaNs before it
    xs[at], ys[at] = np.round(x, 2), np.round(y, 2)
    return xs, ys


_MEMO_LOCK = threading.Lock()


def _memo(cache: OrderedDict, key, compute, *, size: int = 8):
    """``cache[key]``, computed once (least recently used entries dropped past ``size``).
    Browser sessions are threads: the cache is read and written under a lock, the value
    computed outside it (two sessions may both compute a new one; the last one is kept)."""
    with _MEMO_LOCK:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    value = compute()
    with _MEMO_LOCK:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)
    return value


def _doc_key(spec) -> str:
    """Content key of a stored background / terrain: the workspace's content hash, else
    a digest of the JSON."""
    return content_hash(spec) or digest(spec)


def _image_grid(g, pixel_m: float):
    """A grid of ``pixel_m`` cells over ``g``'s extent, from its north-west corner (the
    last row / column may reach past it): the pixels of an image drawn over ``g``."""
    res, (h, w) = g.resolution_m, g.shape
    x_w, y_n = g.x0_m - res / 2, g.y0_m + res / 2
    # a hair under a whole pixel is not a pixel more (float noise of step × resolution)
    rows = max(1, math.ceil(h * res / pixel_m - 1e-9))
    cols = max(1, math.ceil(w * res / pixel_m - 1e-9))
    return Grid(g.origin_lat, g.origin_lon, pixel_m, (rows, cols), x_w + pixel_m / 2,
                y_n - pixel_m / 2)


@dataclass(frozen=True)
class MapImage:
    """An RGBA image over the map: north-west corner ``(x_w_m, y_n_m)``, ``pixel_m`` a
    pixel [m]; ``uri`` its data URI for ``layout.images``, ``rgba`` for the PNG."""
    rgba: np.ndarray
    x_w_m: float
    y_n_m: float
    pixel_m: float
    uri: str

    @classmethod
    def of(cls, rgba, x_w_m, y_n_m, pixel_m, *, photo: bool = False):
        """``photo``: sent as lossy WebP (alpha kept exactly): an aerial photo or a scanned
        map is about a fifth of its PNG, and the map goes to the browser on every rerun."""
        if photo:
            buf = io.BytesIO()
            Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buf, format="WEBP",
                                                                     quality=85)
            uri = "data:image/webp;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
        else:
            uri = data_uri(rgba, max_px=max(rgba.shape[:2]))
        return cls(rgba, float(x_w_m), float(y_n_m), float(pixel_m), uri)

    def layout_image(self, name: str, *, opacity: float = 1.0) -> dict:
        h, w = self.rgba.shape[:2]
        return dict(source=self.uri, xref="x", yref="y", x=self.x_w_m, y=self.y_n_m,
                    sizex=w * self.pixel_m, sizey=h * self.pixel_m, sizing="stretch",
                    layer="below", opacity=opacity, name=name)


_BACKGROUND_CACHE: OrderedDict = OrderedDict()
_RELIEF_CACHE: OrderedDict = OrderedDict()
_FILL_CACHE: OrderedDict = OrderedDict()


def background_image(spec: dict, g) -> MapImage | None:
    """The plan's raster background warped onto the grid (``RasterBackground.on_grid``,
    at most :data:`OVERLAY_MAX_PX` a side), cached per background content and grid: a
    rerun does not decode and warp it again. None when it does not reach the grid.

    Raises
    ------
    ValueError, pyproj.exceptions.ProjError
        When the stored background cannot be read or its coordinate system used.
    """
    def warp():
        gi = background_from_doc(spec).on_grid(g, OVERLAY_MAX_PX)
        return None if gi is None else MapImage.of(gi.rgba, gi.x_w_m, gi.y_n_m, gi.pixel_m,
                                                   photo=True)
    return _memo(_BACKGROUND_CACHE, (_doc_key(spec), g), warp)


@dataclass(frozen=True)
class Relief:
    """The terrain drawn on the map: hillshade image, contour lines and their interval."""
    image: MapImage
    contour_x: np.ndarray
    contour_y: np.ndarray
    interval_m: float


def relief(spec: dict, g) -> Relief | None:
    """Hillshade and contours of a plan's terrain doc over the grid (cached per terrain
    content and grid). Heights are taken at the pixels of an image at most
    :data:`RELIEF_MAX_PX` a side and no finer than half a terrain cell; outside the
    terrain's cells the image is transparent. None when the terrain misses the grid.

    Raises
    ------
    ValueError
        When the stored terrain cannot be read.
    """
    def compute():
        terrain = terrain_from_doc(spec)
        lat0, lon0 = g.origin_lat, g.origin_lon
        x, y = g.to_xy([lat0, lat0 + terrain.dlat_deg, lat0],
                       [lon0, lon0, lon0 + terrain.dlon_deg])
        cell_m = min(math.hypot(x[1] - x[0], y[1] - y[0]),
                     math.hypot(x[2] - x[0], y[2] - y[0]))     # a terrain cell's side [m]
        pixel_m = max(g.resolution_m * overlay_step(g.shape, RELIEF_MAX_PX), cell_m / 2)
        rg = _image_grid(g, pixel_m)
        height = terrain.on(rg).astype(np.float64)
        lon_w, lat_s, lon_e, lat_n = terrain_bounds(spec)
        # Terrain.on extends the edge heights outwards: no relief where there is no terrain
        height[(rg.lat < lat_s) | (rg.lat > lat_n) | (rg.lon < lon_w) | (rg.lon > lon_e)] = np.nan
        if not np.isfinite(height).any():
            return None
        shade = hillshade(height, pixel_m)
        rgba = np.zeros(height.shape + (4,), np.uint8)
        ok = np.isfinite(shade)
        rgba[ok, :3] = np.round(shade[ok] * 255).astype(np.uint8)[:, None]
        rgba[ok, 3] = HILLSHADE_ALPHA
        levels, interval = contour_levels(height)
        lines = [(rg.x0_m + p[:, 1] * pixel_m, rg.y0_m - p[:, 0] * pixel_m)
                 for paths in contour_paths(height, levels) for p in paths]
        cx, cy = _joined(lines)
        image = MapImage.of(rgba, rg.x0_m - pixel_m / 2, rg.y0_m + pixel_m / 2, pixel_m)
        return Relief(image, cx, cy, interval)
    return _memo(_RELIEF_CACHE, (_doc_key(spec), g), compute)


def _fill_image(layer, g, key, style: LayerStyle) -> MapImage | None:
    """The polygons of a layer filled (even-odd per polygon: holes stay empty) into an
    image of the heat map's pixels, cached per layer and grid."""
    def compute():
        feats, flat = _layer_flat(layer)
        pixel_m = g.resolution_m * overlay_step(g.shape, OVERLAY_MAX_PX)
        ig = _image_grid(g, pixel_m)
        mask = np.zeros(ig.shape, bool)
        for i in np.unique(flat.owner[_parts_in_view(flat, g, min_points=3)]):
            try:
                for rows, cols, sub in polygon_windows(ig, feats[i].get("geometry")):
                    mask[rows, cols] |= sub
            except (ValueError, TypeError):       # not a polygon: nothing to fill
                continue
        if not mask.any():
            return None
        rgba = np.zeros(mask.shape + (4,), np.uint8)
        rgba[mask] = (*style.fill[:3], round(255 * style.fill[3]))
        return MapImage.of(rgba, ig.x0_m - pixel_m / 2, ig.y0_m + pixel_m / 2, pixel_m)
    if key is None:
        return compute()
    return _memo(_FILL_CACHE, (key, g), compute)


@dataclass
class BaseMap:
    """The imported base map of a plan over a grid, ready to draw.

    Attributes
    ----------
    background, relief : MapImage, Relief or None
    fills : list of (layer, LayerStyle, MapImage)
        Filled polygon layers (:data:`IMAGE_LAYERS`), bottom first.
    lines : list of (layer, LayerStyle, x, y)
        Line layers in local metres, NaN between parts, bottom first.
    towns : (x, y, names) or None
        町字 points with a name.
    notes : list of str
        Attributions (出典) and what could not be drawn.
    """
    background: MapImage | None = None
    relief: Relief | None = None
    fills: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    towns: tuple | None = None
    notes: list = field(default_factory=list)

    def legend(self) -> list[tuple[str, LayerStyle]]:
        """``(label, style)`` of every drawn layer, bottom first."""
        out = []
        if self.relief is not None and self.relief.contour_x.size:
            out.append((t(CONTOUR_STYLE.label, interval=f"{self.relief.interval_m:g}"),
                        CONTOUR_STYLE))
        drawn = {name for name, *_ in self.fills + self.lines}
        if self.towns is not None:
            drawn.add("towns")
        return out + [(t(LAYER_STYLES[n].label), LAYER_STYLES[n]) for n in LAYERS if n in drawn]


def _name(feature) -> str:
    """``properties.name`` of a feature as text ("" without one)."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    return str(name).strip() if name is not None else ""


def base_map(plan: dict, g) -> BaseMap:
    """What of the plan's imported base map (``assessments.plan.basemap``) lies over the
    grid: background, relief, layers (features entirely outside the grid left out) and
    the attributions to print."""
    out, problems = BaseMap(), []
    spec = plan.get("background")
    if isinstance(spec, dict) and spec:
        try:
            out.background = background_image(spec, g)
        except _DOC_ERRORS:
            problems.append(t("map.note.background_unreadable"))
    spec = plan.get("terrain")
    if is_terrain_doc(spec):
        try:
            out.relief = relief(spec, g)
        except ValueError:
            problems.append(t("map.note.terrain_unreadable"))
    layers = plan.get("map_layers") or {}
    layers = layers if isinstance(layers, dict) else {}
    stored = content_hash(layers)
    for name in LAYERS:
        layer = layers.get(name)
        if not isinstance(layer, dict):
            continue
        style = LAYER_STYLES[name]
        if name in IMAGE_LAYERS:
            image = _fill_image(layer, g, stored and (stored, name), style)
            if image is not None:
                out.fills.append((name, style, image))
            continue
        feats, flat = _layer_flat(layer)
        if name == "towns":
            parts = _parts_in_view(flat, g)
            names = [_name(feats[i]) for i in flat.owner[parts]]
            parts = np.asarray([p for p, n in zip(parts, names) if n], np.int64)
            if len(parts):
                x, y = _parts_xy(flat, g, parts)
                out.towns = (x[::2], y[::2], [n for n in names if n])
            continue
        x, y = _parts_xy(flat, g, _parts_in_view(flat, g, min_points=2))
        if x.size:
            out.lines.append((name, style, x, y))
    drawn = {name for name, *_ in out.fills + out.lines} | ({"towns"} if out.towns else set())
    if drawn & set(FGD_LAYERS):
        out.notes.append(t("map.note.fgd"))
    if drawn & set(PLATEAU_LAYERS):
        out.notes.append(t("map.note.plateau"))
    if out.background is not None:
        bg = plan["background"]
        out.notes.append(str(bg.get("attribution") or "").strip()
                         or t("map.note.background", name=str(bg.get("name") or "")))
    if out.relief is not None:
        tr = plan["terrain"]
        out.notes.append(t("map.note.terrain", name=str(tr.get("name") or tr.get("source") or "")
                           or t("map.note.terrain_unnamed")))
    out.notes += problems
    return out


def _style_line(style: LayerStyle) -> dict:
    return dict(color=style.css, width=style.width, dash=style.dash)


def basemap_traces(bm: BaseMap) -> list[dict]:
    """Plotly traces of a :class:`BaseMap`: contours, one trace per line layer (fills as
    legend entries: they are images), town names; all in the second legend, bottom first."""
    traces = []
    common = dict(hoverinfo="skip", showlegend=True, legend="legend2", legendgroup="basemap")
    if bm.relief is not None and bm.relief.contour_x.size:
        traces.append(_scatter(x=bm.relief.contour_x, y=bm.relief.contour_y, mode="lines",
                               name=t(CONTOUR_STYLE.label, interval=f"{bm.relief.interval_m:g}"),
                               line=_style_line(CONTOUR_STYLE), **common))
    fills = {name: style for name, style, _ in bm.fills}
    lines = {name: (style, x, y) for name, style, x, y in bm.lines}
    for name in LAYERS:
        if name in fills:
            style = fills[name]
            traces.append(_scatter(x=[None], y=[None], mode="markers", name=t(style.label),
                                   marker=dict(size=12, color=_css(style.fill), symbol="square",
                                               line=dict(color=style.css, width=1)),
                                   **common))
        elif name in lines:
            style, x, y = lines[name]
            extra = dict(fill="toself", fillcolor=_css(style.fill)) if style.fill else {}
            traces.append(_scatter(x=x, y=y, mode="lines", name=t(style.label),
                                   line=_style_line(style), **extra, **common))
    if bm.towns is not None:
        style = LAYER_STYLES["towns"]
        x, y, names = bm.towns
        traces.append(_scatter(x=x, y=y, mode="text", text=names, name=t(style.label),
                               textfont=dict(size=TOWN_FONT_PX, color=style.css), **common))
    return traces


# ---------------------------------------------------------------------------------------
# GSI tiles
# ---------------------------------------------------------------------------------------
def gsi_tiles(grid, kind: str = "pale", *, max_tiles: int = 48) -> list[dict]:
    """地理院タイル covering the grid: ``[{"url", "x0", "y0", "x1", "y1"}]`` in local
    metres (x0 west, y1 north). The browser loads the URLs; nothing is fetched here."""
    if kind not in GSI_URLS:
        raise ValueError(f"kind must be one of {sorted(GSI_URLS)}, got {kind!r}")
    xs, ys = grid.x_axis_m, grid.y_axis_m
    lat_n, lon_w = grid.to_latlon(xs[0], ys[0])
    lat_s, lon_e = grid.to_latlon(xs[-1], ys[-1])
    for z in range(18, 9, -1):
        x0, y0 = latlon_to_tile(lat_n, lon_w, z)
        x1, y1 = latlon_to_tile(lat_s, lon_e, z)
        nx, ny = int(x1) - int(x0) + 1, int(y1) - int(y0) + 1
        if nx * ny <= max_tiles:
            break
    out = []
    for tx in range(int(x0), int(x1) + 1):
        for ty in range(int(y0), int(y1) + 1):
            la_n, lo_w = tile_to_latlon(tx, ty, z)
            la_s, lo_e = tile_to_latlon(tx + 1, ty + 1, z)
            ax, ay = grid.to_xy(la_n, lo_w)
            bx, by = grid.to_xy(la_s, lo_e)
            out.append({"url": GSI_URLS[kind].format(z=z, x=tx, y=ty), "x0": ax, "y1": ay,
                        "x1": bx, "y0": by})
    return out


# ---------------------------------------------------------------------------------------
# the figure
# ---------------------------------------------------------------------------------------
def click_points(sim, *, step_m: float | None = None, max_points: int = 3600):
    """Clickable points over the area: (x, y) arrays [m] on a regular step."""
    g = sim.model.grid
    h, w = g.shape
    if step_m is None:
        step_m = max(g.resolution_m, math.sqrt(h * w * g.cell_area_m2 / max_points))
    step = max(1, int(round(step_m / g.resolution_m)))
    rr, cc = np.mgrid[step // 2:h:step, step // 2:w:step]
    keep = sim.model.inside[rr, cc] | (sim.model.building_cm[rr, cc] == 0)
    rr, cc = rr[keep], cc[keep]
    return g.x_axis_m[cc], g.y_axis_m[rr], rr, cc


def _data_revision(traces) -> str:
    """A hash of the traces' data (arrays by their bytes), for ``layout.datarevision``."""
    h = hashlib.sha1()
    for tr in traces:
        for key in sorted(tr):
            value = tr[key]
            h.update(key.encode())
            if isinstance(value, np.ndarray):
                h.update(f"{value.dtype}{value.shape}".encode())
                h.update(np.ascontiguousarray(value).tobytes())
            else:
                h.update(json.dumps(value, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def _scatter(**kw) -> dict:
    """A scatter trace as a plain dict (the figure is assembled without plotly's
    per-property validation, which cost more than drawing the rest of the map)."""
    return dict(type="scatter", **kw)


def _legend_entry(traces, label, colour, *, symbol="square", group="raster"):
    traces.append(_scatter(x=[None], y=[None], mode="markers", name=label,
                           marker=dict(size=14, color=colour, symbol=symbol),
                           legendgroup=group, hoverinfo="skip", showlegend=True))


def figure(sim, plan: dict, *, raster: str = "dori", period: str = "day",
           overlays=("footprints", "buildings", "privacy", "labels"), base: str | None = None,
           point=None, selected_camera: str | None = None,
           height: int | None = None, sketch=None, basemap: bool = True) -> go.Figure:
    """The interactive map.

    Parameters
    ----------
    sim : ui.simulation.SimResult
    plan : dict
        For the buildings, the imported base map (``map_layers``, ``background``,
        ``terrain``: :func:`base_map`) and the cameras' labels.
    raster : one of :data:`RASTER_LAYERS`
    period : {"day", "night"}
    overlays : iterable of :data:`OVERLAYS`
    base : {None, "std", "pale"}
        地理院タイル under the map (loaded by the browser), or None (offline).
    point : (x_m, y_m), optional
        The inspected point, marked with a cross.
    sketch : list of (x_m, y_m), optional
        Corners of a new area the user is placing [m]: an orange line through them,
        closed back to the first once there are three.
    basemap : bool, default True
        Draw the plan's imported base map (under the heat map: background image, relief,
        filled road areas; its lines and names as traces in a second legend).
    """
    g = sim.model.grid
    res = g.resolution_m
    xs, ys = g.x_axis_m, g.y_axis_m
    x_w, x_e = xs[0] - res / 2, xs[-1] + res / 2
    y_n, y_s = ys[0] + res / 2, ys[-1] - res / 2
    traces = []
    images = []
    if base:
        for tile in gsi_tiles(g, base):
            images.append(dict(source=tile["url"], xref="x", yref="y", x=tile["x0"],
                               y=tile["y1"], sizex=tile["x1"] - tile["x0"],
                               sizey=tile["y1"] - tile["y0"], sizing="stretch",
                               layer="below", opacity=0.9))
    bm = base_map(plan, g) if basemap else BaseMap()
    # below the heat map, bottom first (images of one layer are drawn in list order)
    if bm.background is not None:
        images.append(bm.background.layout_image("background"))
    if bm.relief is not None:
        images.append(bm.relief.image.layout_image("hillshade"))
    images += [image.layout_image(name) for name, _, image in bm.fills]
    step_m = overlay_step(g.shape, OVERLAY_MAX_PX) * res    # one image pixel [m]
    rgba, legend = layer_rgba(sim, raster, period=period, max_px=OVERLAY_MAX_PX)
    if rgba is not None:
        images.append(dict(source=data_uri(rgba), xref="x", yref="y", x=x_w, y=y_n,
                           sizex=rgba.shape[1] * step_m, sizey=rgba.shape[0] * step_m,
                           sizing="stretch", layer="below", opacity=1.0, name="heatmap"))
    if "privacy" in overlays:
        prgba = privacy_rgba(sim, max_px=OVERLAY_MAX_PX)
        if prgba is not None:
            images.append(dict(source=data_uri(prgba), xref="x", yref="y", x=x_w, y=y_n,
                               sizex=prgba.shape[1] * step_m, sizey=prgba.shape[0] * step_m,
                               sizing="stretch", layer="below", opacity=1.0,
                               name="privacy"))
    traces += basemap_traces(bm)
    features = (plan.get("buildings") or {}).get("features") or []
    as_image = "buildings" in overlays and len(features) > VECTOR_BUILDINGS_MAX
    if as_image:
        shape = overlay_step(g.shape, OVERLAY_MAX_PX)
        h, w = -(-g.shape[0] // shape), -(-g.shape[1] // shape)
        images.append(dict(source=buildings_image(sim), xref="x", yref="y", x=x_w, y=y_n,
                           sizex=w * step_m, sizey=h * step_m, sizing="stretch",
                           layer="below", opacity=1.0, name="buildings"))
    if "buildings" in overlays and plan.get("buildings"):
        (bx, by), (hx, hy) = buildings_xy(g, plan.get("buildings"),
                                          key=getattr(sim, "scene_key", None))
        if as_image:
            bx = by = np.zeros(0)
            _legend_entry(traces, t("sim.map.buildings"), BUILDING_FILL, group="vector")
        for x, y, fill, line, name in (
                (bx, by, BUILDING_FILL, dict(color="rgba(70,74,84,0.9)", width=0.6),
                 "sim.map.buildings"),
                (hx, hy, HOME_FILL, dict(color="rgba(150,70,30,1)", width=0.8),
                 "sim.map.homes")):
            if x.size:
                traces.append(_scatter(x=x, y=y, mode="lines", fill="toself",
                                         fillcolor=fill, line=line, name=t(name),
                                         hoverinfo="skip", showlegend=True,
                                         legendgroup="vector"))
    try:
        ax, ay = _joined(_rings_xy(g, plan["area"]))
        traces.append(_scatter(x=ax, y=ay, mode="lines", name=t("sim.map.area"),
                                 line=dict(color="#1f2d3d", width=2, dash="dash"),
                                 hoverinfo="skip", showlegend=True, legendgroup="vector"))
    except (ValueError, TypeError, KeyError):
        pass
    dists = (plan.get("districts") or {}).get("features") or []
    if dists:
        rings = []
        for feat in dists:
            try:
                rings += _rings_xy(g, feat.get("geometry"))
            except (ValueError, TypeError, KeyError):
                continue
        if rings:
            dx, dy = _joined(rings)
            traces.append(_scatter(x=dx, y=dy, mode="lines", name=t("sim.map.districts"),
                                   line=dict(color="rgba(120,40,150,0.8)", width=2,
                                             dash="dashdot"),
                                   hoverinfo="skip", showlegend=True, legendgroup="vector"))
    # clickable grid (faint): hover shows the best density there
    cx, cy, rr, cc = click_points(sim)
    pd = sim.model.pixel_density[rr, cc]
    npd = sim.night.night_pixel_density_px_m[rr, cc]
    traces.append(_scatter(
        x=np.round(cx, 2), y=np.round(cy, 2), mode="markers", name="grid",
        marker=dict(size=7, color="rgba(0,0,0,0.02)", maxdisplayed=1), showlegend=False,
        customdata=np.stack([np.round(pd, 1), np.round(npd, 1)], axis=1),
        hovertemplate=(t("sim.map.hover") + "<extra></extra>")))
    if "footprints" in overlays:
        fx, fy = _joined((v.x_m + np.append(v.footprint_xy[:, 0], v.footprint_xy[0, 0]),
                          v.y_m + np.append(v.footprint_xy[:, 1], v.footprint_xy[0, 1]))
                         for v in sim.model.views.values() if len(v.footprint_xy))
        if fx.size:
            traces.append(_scatter(x=fx, y=fy, mode="lines", name=t("sim.map.footprints"),
                                     line=dict(color="rgba(25,60,140,0.45)", width=1, dash="dot"),
                                     hoverinfo="skip", legendgroup="vector"))
    lights = sim.lights              # the typed lights that were simulated
    if lights:
        lx, ly = g.to_xy([lt.lat_deg for lt in lights], [lt.lon_deg for lt in lights])
        traces.append(_scatter(
            x=np.round(np.atleast_1d(lx), 2), y=np.round(np.atleast_1d(ly), 2),
            mode="markers", name=t("sim.map.lights"),
            marker=dict(size=11, color="#ffd400", symbol="star",
                        line=dict(color="#6b5600", width=1)),
            text=[lt.id for lt in lights],
            hovertemplate="%{text}<extra></extra>", legendgroup="vector"))
    cams = list(sim.model.views.values())
    if cams:
        hx = [v.x_m for v in cams]
        hy = [v.y_m for v in cams]
        colours = ["#ff1744" if v.id == selected_camera else "#0d47a1" for v in cams]
        traces.append(_scatter(
            x=np.round(hx, 2), y=np.round(hy, 2),
            mode="markers+text" if "labels" in overlays else "markers",
            name=t("sim.map.cameras"), text=[v.id for v in cams], textposition="top right",
            textfont=dict(size=12, color="#0d1b2a"),
            marker=dict(size=12, color=colours, symbol="circle",
                        line=dict(color="white", width=2)),
            hovertemplate="%{text}<extra></extra>", legendgroup="vector"))
        # aim arrows
        az = np.radians([v.camera.bearing_deg for v in cams])
        hx_, hy_ = np.asarray(hx, float), np.asarray(hy, float)
        ax_ = np.column_stack([hx_, hx_ + 9 * np.sin(az), np.full(len(cams), np.nan)]).ravel()
        ay_ = np.column_stack([hy_, hy_ + 9 * np.cos(az), np.full(len(cams), np.nan)]).ravel()
        traces.append(_scatter(x=ax_, y=ay_, mode="lines", showlegend=False,
                                 line=dict(color="#0d47a1", width=3), hoverinfo="skip"))
    if sketch:
        corners = np.asarray(sketch, dtype=float).reshape(-1, 2)
        if len(corners) >= 3:
            corners = np.vstack([corners, corners[:1]])
        traces.append(_scatter(x=np.round(corners[:, 0], 2), y=np.round(corners[:, 1], 2),
                               mode="lines+markers", name=t("map.sketch"),
                               line=dict(color=SKETCH_COLOUR, width=2.5),
                               marker=dict(size=9, color=SKETCH_COLOUR,
                                           line=dict(color="white", width=1.5)),
                               hoverinfo="skip", legendgroup="vector"))
    if point is not None:
        traces.append(_scatter(x=[point[0]], y=[point[1]], mode="markers",
                                 name=t("sim.map.point"),
                                 marker=dict(size=18, color="#000", symbol="x-thin-open",
                                             line=dict(width=3, color="#000")),
                                 hoverinfo="skip"))
    for label, colour in legend:
        _legend_entry(traces, label, colour)
    if "privacy" in overlays and sim.privacy:
        _legend_entry(traces, t("sim.legend.privacy"), PRIVACY_COLOUR)
    notes = []
    if base:
        notes.append(GSI_ATTRIBUTION)
    if plan.get("sample"):
        notes.append((plan.get("sample") or {}).get("attribution") or "")
    notes += bm.notes
    if height is None:  # the map fills the width (legend inside, axis title below)
        aspect = (y_n - y_s) / max(x_e - x_w, 1e-9)
        height = int(min(950, max(450, 720 * aspect + 60)))
    margin = dict(l=62, r=8, t=8, b=46, autoexpand=False)
    layout = dict(
        # fixed margins that hold the tick labels and the axis title: margins that grow
        # to fit them (automargin) make plotly draw the whole map a second time
        images=images, height=height, margin=margin,
        plot_bgcolor="#f4f5f7" if not base else "#ffffff", paper_bgcolor="#ffffff",
        dragmode="pan", clickmode="event+select", hovermode="closest",
        # inside the map (top left; the attributions are bottom left): a legend outside
        # the plot area makes plotly grow the margin and draw the whole map again
        legend=dict(orientation="h", x=0.005, y=0.995, xanchor="left", yanchor="top",
                    bgcolor="rgba(255,255,255,0.85)", bordercolor="#ccc", borderwidth=1,
                    font=dict(size=13), title=dict(text=_legend_title(raster, period))),
        xaxis=dict(range=[x_w, x_e], showgrid=False, zeroline=False,
                   title=dict(text=t("sim.map.x_axis"), font=dict(size=12)),
                   ticksuffix=" m", constrain="domain", constraintoward="left",
                   automargin=False),
        yaxis=dict(range=[y_s, y_n], showgrid=False, zeroline=False, scaleanchor="x",
                   scaleratio=1, ticksuffix=" m", constrain="domain",
                   constraintoward="top", automargin=False),
        annotations=[dict(text=" / ".join(n for n in notes if n), xref="paper",
                          yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
                          showarrow=False, font=dict(size=11, color="#333"),
                          bgcolor="rgba(255,255,255,0.8)")] if notes else [],
        uirevision="map")
    if any(tr.get("legend") == "legend2" for tr in traces):
        # the base map's layers: bottom left, just above the attributions (the map keeps
        # its left edge at x = 0 of the paper; its right edge moves with the page width)
        plot_px = max(height - margin["t"] - margin["b"], 1)
        layout["legend2"] = dict(
            orientation="v", x=0.005, xanchor="left", y=(26 if notes else 4) / plot_px,
            yanchor="bottom", bgcolor="rgba(255,255,255,0.85)", bordercolor="#ccc",
            borderwidth=1, font=dict(size=11), title=dict(text=t("map.legend.title")))
    # Streamlit mounts a new chart for every new figure and then hands plotly a themed
    # copy of it; a data revision that the copy shares tells plotly the arrays did not
    # change, so the map is drawn once instead of twice
    layout["datarevision"] = _data_revision(traces)
    return go.Figure(data=traces, layout=layout, _validate=False)


def _legend_title(raster, period):
    if raster == "dori":
        return t("sim.legend.title_dori_" + period)
    return t("sim.legend.title_" + raster) if raster != "none" else ""


# ---------------------------------------------------------------------------------------
# PNG
# ---------------------------------------------------------------------------------------
def _font(size):
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _paste(canvas, image: MapImage, px, *, resample=Image.BILINEAR) -> None:
    """Blend a :class:`MapImage` onto ``canvas`` (RGB) at its place: ``px(x, y)`` gives
    the canvas pixel of local metres."""
    h, w = image.rgba.shape[:2]
    left, top = px(image.x_w_m, image.y_n_m)
    right, bottom = px(image.x_w_m + w * image.pixel_m, image.y_n_m - h * image.pixel_m)
    size = (max(1, round(right - left)), max(1, round(bottom - top)))
    im = Image.fromarray(np.ascontiguousarray(image.rgba), "RGBA").resize(size, resample)
    left, top = round(left), round(top)
    if left < 0 or top < 0:
        im = im.crop((max(0, -left), max(0, -top), size[0], size[1]))
    canvas.paste(im, (max(0, left), max(0, top)), im)


def _dash_runs(pts: np.ndarray, pattern) -> list[np.ndarray]:
    """The drawn pieces of a polyline (``(n, 2)`` pixel coordinates) under a repeating
    dash ``pattern`` [px on, px off, …], sampled every pixel along it."""
    s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    if not s[-1] > 0:
        return []
    t_px = np.append(np.arange(0.0, s[-1], 1.0), s[-1])
    x, y = np.interp(t_px, s, pts[:, 0]), np.interp(t_px, s, pts[:, 1])
    edges = np.cumsum(pattern)
    on = np.searchsorted(edges, t_px % edges[-1], side="right") % 2 == 0
    cuts = np.flatnonzero(np.diff(on.astype(np.int8))) + 1
    return [np.column_stack([xr, yr]) for xr, yr, o in
            zip(np.split(x, cuts), np.split(y, cuts), np.split(on, cuts)) if o[0] and len(xr) > 1]


def _draw_lines(d, x, y, px, style: LayerStyle) -> None:
    """A NaN-separated line layer with ``d`` (an RGBA-blending ``ImageDraw``); each part
    filled first when the style has a fill (small polygons such as the sample's park)."""
    a, b = px(np.asarray(x), np.asarray(y))
    fill = (*style.colour[:3], round(255 * style.colour[3]))
    width = max(1, round(style.width))
    gaps = np.flatnonzero(np.isnan(a))
    for xa, ya in zip(np.split(a, gaps), np.split(b, gaps)):
        ok = np.isfinite(xa)
        pts = np.column_stack([xa[ok], ya[ok]])
        if len(pts) < 2:
            continue
        if style.fill and len(pts) >= 3:
            d.polygon(pts.ravel().tolist(), fill=(*style.fill[:3], round(255 * style.fill[3])))
        for run in (_dash_runs(pts, DASH_PX[style.dash]) if style.dash in DASH_PX else [pts]):
            d.line(run.ravel().tolist(), fill=fill, width=width, joint="curve")


def _wrap(texts, font, width_px: float) -> list[str]:
    """``texts`` joined with " / " into lines no wider than ``width_px`` (a text wider on
    its own keeps its own line)."""
    lines = []
    for text in (x for x in texts if x):
        if lines and font.getlength(lines[-1] + " / " + text) <= width_px:
            lines[-1] += " / " + text
        else:
            lines.append(text)
    return lines


def render_png(sim, plan: dict, *, layer: str = "dori", period: str = "day",
               max_px: int = 1400, basemap: bool = True) -> bytes:
    """A PNG of the map drawn from the arrays (no browser): the imported base map
    (:func:`base_map`: background, hillshade, road areas and lines under the heat map,
    町字 names over it), buildings, the raster layer, privacy hits, footprints, cameras,
    lights, a legend, a scale bar and attributions."""
    m = sim.model
    g = m.grid
    h, w = g.shape
    scale = min(4.0, max_px / max(h, w))
    W, H = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    panel = 330

    def px(x, y):
        return ((x - (g.x0_m - g.resolution_m / 2)) / g.resolution_m * scale,
                ((g.y0_m + g.resolution_m / 2) - y) / g.resolution_m * scale)

    bm = base_map(plan, g) if basemap else BaseMap()
    canvas = Image.new("RGB", (W, H), (244, 245, 247))
    if bm.background is not None:
        _paste(canvas, bm.background, px)
    if bm.relief is not None:
        _paste(canvas, bm.relief.image, px)
    for _, _, image in bm.fills:
        _paste(canvas, image, px, resample=Image.NEAREST)
    under = ImageDraw.Draw(canvas, "RGBA")
    if bm.relief is not None and bm.relief.contour_x.size:
        _draw_lines(under, bm.relief.contour_x, bm.relief.contour_y, px, CONTOUR_STYLE)
    for _, style, x, y in bm.lines:
        _draw_lines(under, x, y, px, style)
    cells = np.zeros((h, w, 4), np.uint8)
    cells[m.building_cm > 0] = (150, 155, 165, 255)
    rgba, legend = layer_rgba(sim, layer, period=period)
    mapimg = Image.fromarray(cells, "RGBA")
    if rgba is not None:
        mapimg = Image.alpha_composite(mapimg, Image.fromarray(rgba, "RGBA"))
    prgba = privacy_rgba(sim)
    if prgba is not None:
        mapimg = Image.alpha_composite(mapimg, Image.fromarray(prgba, "RGBA"))
    canvas = canvas.convert("RGBA")
    canvas.alpha_composite(mapimg.resize((W, H), Image.NEAREST))

    items = list(legend)
    if prgba is not None:
        items.append((t("sim.legend.privacy"), PRIVACY_COLOUR))
    items += [(t("sim.map.buildings"), "#969ba5"), (t("sim.map.cameras"), "#0d47a1"),
              (t("sim.map.lights"), "#ffd400")]
    base_items = [(label, _swatch(style.fill or style.colour)) for label, style in bm.legend()]
    notes = []
    if plan.get("sample"):
        notes.append((plan.get("sample") or {}).get("attribution") or "")
    f_note = _font(12)
    note_lines = _wrap(notes + bm.notes, f_note, W + panel - 16)
    legend_h = 12 + 28 + 24 * len(items) + (12 + 24 + 24 * len(base_items) if base_items else 0)
    img = Image.new("RGBA", (W + panel, max(H + 22 + 18 * max(1, len(note_lines)), legend_h)),
                    (255, 255, 255, 255))
    img.paste(canvas, (0, 0))
    d = ImageDraw.Draw(img)
    if bm.towns is not None:
        f_town = _font(12)
        tx, ty = px(bm.towns[0], bm.towns[1])
        for a, b, name in zip(tx, ty, bm.towns[2]):
            d.text((a, b), name, fill=(70, 70, 70, 255), font=f_town, anchor="mm",
                   stroke_width=2, stroke_fill=(255, 255, 255, 255))
    try:
        for x, y in _rings_xy(g, plan["area"]):
            d.line([px(a, b) for a, b in zip(x, y)], fill=(31, 45, 61, 255), width=2)
    except (ValueError, TypeError, KeyError):
        pass
    for v in m.views.values():
        fp = v.footprint_xy
        if len(fp):
            pts = [px(v.x_m + a, v.y_m + b) for a, b in fp] + [px(v.x_m + fp[0, 0],
                                                              v.y_m + fp[0, 1])]
            d.line(pts, fill=(25, 60, 140, 230), width=1)
    f_small = _font(13)
    for lt in sim.lights:
        x, y = g.to_xy(lt.lat_deg, lt.lon_deg)
        a, b = px(x, y)
        d.ellipse([a - 4, b - 4, a + 4, b + 4], fill=(255, 212, 0, 255),
                  outline=(107, 86, 0, 255))
    for v in m.views.values():
        a, b = px(v.x_m, v.y_m)
        az = math.radians(v.camera.bearing_deg)
        d.line([a, b, a + 14 * math.sin(az), b - 14 * math.cos(az)], fill=(13, 71, 161, 255),
               width=3)
        d.ellipse([a - 6, b - 6, a + 6, b + 6], fill=(13, 71, 161, 255),
                  outline=(255, 255, 255, 255), width=2)
        d.text((a + 8, b - 18), v.id, fill=(13, 27, 42, 255), font=f_small)
    # scale bar
    bar_m = 10 ** math.floor(math.log10(max(1.0, w * g.resolution_m / 4)))
    bar_px = bar_m / g.resolution_m * scale
    d.rectangle([12, H - 22, 12 + bar_px, H - 16], fill=(20, 20, 20, 255))
    d.text((12, H - 40), f"{bar_m:g} m", fill=(20, 20, 20, 255), font=f_small)
    d.text((W - 24, 8), "N↑", fill=(20, 20, 20, 255), font=_font(16))
    # legend panel
    f_title = _font(16)
    yy = 12
    d.text((W + 14, yy), _legend_title(layer, period), fill=(20, 20, 20, 255), font=f_title)
    yy += 28
    for label, colour in items:
        d.rectangle([W + 14, yy + 2, W + 30, yy + 18], fill=(*_rgb(colour), 255),
                    outline=(60, 60, 60, 255))
        d.text((W + 38, yy), label, fill=(20, 20, 20, 255), font=f_small)
        yy += 24
    if base_items:
        yy += 12
        d.text((W + 14, yy), t("map.legend.title"), fill=(20, 20, 20, 255), font=f_title)
        yy += 24
        for label, colour in base_items:
            d.rectangle([W + 14, yy + 2, W + 30, yy + 18], fill=(*_rgb(colour), 255),
                        outline=(60, 60, 60, 255))
            d.text((W + 38, yy), label, fill=(20, 20, 20, 255), font=f_small)
            yy += 24
    for i, line in enumerate(note_lines):
        d.text((8, H + 12 + 18 * i), line, fill=(60, 60, 60, 255), font=f_note)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PNG")
    return buf.getvalue()
