"""The imported base map (``assessments.plan.basemap``) on the simulation map and in its
PNG: layer styles, the raster background warped onto the grid, the terrain's hillshade and
contours, filled road areas, one trace per line layer (features outside the grid left out
by one vectorised box test) and the PIL drawing of the same for :func:`ui.map_view.
render_png`. Warped and rasterised images are cached per content hash and grid."""
from __future__ import annotations

import base64
import html
import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from PIL import Image
from pyproj.exceptions import ProjError

from assessments.engine import contour_levels, contour_paths, hillshade
from assessments.engine.grid import Grid, geojson_parts, polygon_windows, ragged_ranges
from assessments.plan import FrozenDict, content_hash
from assessments.plan.basemap import (FGD_LAYERS, HIDDEN, LAYER_STYLES, LAYERS, PLATEAU_LAYERS,
                                      LayerStyle, background_from_doc, is_terrain_doc,
                                      terrain_bounds, terrain_from_doc)
from ui.i18n import t
from ui.map_draw import OVERLAY_MAX_PX, _joined, _scatter, data_uri, overlay_step
from ui.simulation import digest


def _swatch(rgba) -> str:
    """Hex colour of ``(r, g, b, opacity)`` drawn on white (a legend square)."""
    r, g, b, a = rgba
    return "#{:02x}{:02x}{:02x}".format(*(round(c * a + 255 * (1 - a)) for c in (r, g, b)))


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
            got = geojson_parts(g)
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
    # 基盤地図情報 marks lines the printed map leaves out (道路構成線 of a 歩道 …) 非表示
    feats = [f for f in feats if ((f or {}).get("properties") or {}).get("vis") != HIDDEN]
    if not isinstance(layer, FrozenDict):
        return feats, _flatten(feats)
    return feats, _memo(_FLAT_CACHE, id(layer), lambda: (layer, _flatten(feats)), size=32)[1]


def lonlat_box(g) -> tuple[float, float, float, float]:
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
    lon0, lon1, lat0, lat1 = lonlat_box(g)
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
    """Plotly traces of a :class:`BaseMap`: contours, one trace per line layer (the filled
    layers are images), town names; bottom first. Their legend is drawn beside the map
    (``BaseMap.legend``)."""
    traces = []
    common = dict(hoverinfo="skip", showlegend=False)
    if bm.relief is not None and bm.relief.contour_x.size:
        traces.append(_scatter(x=bm.relief.contour_x, y=bm.relief.contour_y, mode="lines",
                               name=t(CONTOUR_STYLE.label, interval=f"{bm.relief.interval_m:g}"),
                               line=_style_line(CONTOUR_STYLE), **common))
    lines = {name: (style, x, y) for name, style, x, y in bm.lines}
    for name in LAYERS:
        if name in lines:
            style, x, y = lines[name]
            extra = dict(fill="toself", fillcolor=style.fill_css) if style.fill else {}
            traces.append(_scatter(x=x, y=y, mode="lines", name=t(style.label),
                                   line=_style_line(style), **extra, **common))
    if bm.towns is not None:
        style = LAYER_STYLES["towns"]
        x, y, names = bm.towns
        # names from the town's files: plotly reads tags in text, so they are escaped
        traces.append(_scatter(x=x, y=y, mode="text", text=[html.escape(n) for n in names],
                               name=t(style.label),
                               textfont=dict(size=TOWN_FONT_PX, color=style.css), **common))
    return traces


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
