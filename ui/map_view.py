"""The simulation map: plotly figure in local metres, raster layers as image overlays, PNG.

The map is a cartesian plotly figure in the grid's local metres (x east, y north, equal
scale). Vector data (buildings, area, streets, park, camera footprints, cameras, lights)
are traces; every per-cell layer (pixel density by DORI level, cameras per cell,
illuminance, night usability, requirement, privacy hits) is one RGBA image placed with
``layout.images`` — never a trace with a point per cell. A sparse grid of faint points over
the area makes the map clickable (plotly reports selections of points only).

Base map: offline by default. The plan's imported base map (``ui.map_base``:
``assessments.plan.basemap``) lies under the heat map — the background, hillshade and road
areas as images, contours, 基盤地図情報 lines and 町字 names as one trace per layer in a
second legend — with its attributions in the bottom-left note. Opt-in 地理院タイル are added
as layout images whose URL the *browser* loads; nothing here waits on a tile server.

:func:`render_png` draws the same layers with PIL from the arrays (no browser, no
kaleido), for the download and the Excel export.
"""
from __future__ import annotations

import hashlib
import html
import io
import json
import math

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from assessments import palette
from assessments.engine import image_quality as iq
from assessments.engine import sim_summary as S
from assessments.engine.grid import geojson_rings, latlon_to_tile, tile_to_latlon
from assessments.plan.buildings import is_home
from assessments.programme.costs import is_existing
from reports.fonts import pil_font
from ui import map_legend as L
from ui.i18n import lang, t
from ui.map_base import (CONTOUR_STYLE, SKETCH_COLOUR, BaseMap, _draw_lines, _paste,
                         base_map, basemap_traces, lonlat_box)
from ui.map_draw import OVERLAY_MAX_PX, _joined, _scatter, data_uri, overlay_step
from ui.simulation import digest

#: Raster layers that can be shown (one at a time) and vector overlays (any number).
RASTER_LAYERS = ("dori", "count", "illuminance", "night_usability", "requirement", "none")
OVERLAYS = ("footprints", "buildings", "privacy", "labels")
GSI_URLS = {"std": "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
            "pale": "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png"}
GSI_ATTRIBUTION = "出典：国土地理院"

#: Colours of the DORI levels, lowest first (assigned by rank of the standard's levels);
#: all layer colours come from :mod:`assessments.palette` (colour-blind safe).
DORI_COLOURS = list(palette.DORI)
COUNT_COLOURS = list(palette.CAMERA_COUNT)
#: Horizontal illuminance bins [lx]; 3 lx and 5 lx are the SES E1901 class B / A averages.
LUX_BINS = [0.5, 1.0, 3.0, 5.0, 10.0]
LUX_COLOURS = list(palette.ILLUMINANCE)
NIGHT_COLOURS = {"colour": palette.OK, "ir": palette.NIGHT_IR, "dark": palette.NOT_OK}
REQ_COLOURS = {S.REQ_MET: palette.OK, S.REQ_DAY_ONLY: palette.CAUTION,
               S.REQ_NOT_MET: palette.NOT_OK}
PRIVACY_COLOUR = palette.PRIVACY
OUTSIDE_RGBA = (120, 120, 120, 60)
ALPHA = palette.LAYER_ALPHA
_rgb = palette.rgb


# ---------------------------------------------------------------------------------------
# raster layers
# ---------------------------------------------------------------------------------------
def dori_keys(sim) -> list[str]:
    return [k for k, _ in sorted(sim.model.thresholds.items(), key=lambda kv: kv[1])]


#: Above this many buildings the footprints are drawn as one cached image instead of
#: vector polygons: a browser redraws thousands of filled paths on every rerun (≈ 0.5 s
#: for the 2,000-building district on 2 cores), an image costs nothing to redraw.
VECTOR_BUILDINGS_MAX = 1000




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
    out = a[::step, ::step].copy()           # (⌈h/step⌉, ⌈w/step⌉): every block's first cell
    for i in range(step):
        for j in range(step):
            if i or j:
                part = a[i::step, j::step]   # the blocks that have this cell
                sub = out[:part.shape[0], :part.shape[1]]
                np.maximum(sub, part, out=sub)
    # the blocks cut by the edge also hold the padding (no padded copy of the grid)
    pad = np.asarray(fill).astype(out.dtype)     # as np.pad casts it (0 → False)
    if h % step:
        np.maximum(out[-1], pad, out=out[-1])
    if w % step:
        np.maximum(out[:, -1], pad, out=out[:, -1])
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
        The legend's colours are those the layer shows over the map's background
        (:func:`assessments.palette.painted`). The image covers ``step`` × its size cells from the grid's north-west corner
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

    alphas = {}      # colour → its opacity on the map, for the legend's swatches

    def paint(mask, colour, alpha=ALPHA):
        rgba[mask] = (*_rgb(colour), alpha)
        alphas[colour] = alpha

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
            paint(sel, colour)
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
            paint(req_map == code, REQ_COLOURS[code],
                  palette.NOT_MET_ALPHA if code == S.REQ_NOT_MET else ALPHA)
            legend.append((t("sim.legend.req_" + key), REQ_COLOURS[code]))
    outside = red(_outside(m), False)
    rgba[outside & (rgba[..., 3] == 0)] = OUTSIDE_RGBA
    # each swatch as its colour shows on the map (a faint "not met" is faint there too)
    return rgba, [(label, palette.painted(c, alphas.get(c, ALPHA))) for label, c in legend]


def _outside(model):
    """Cells outside the area and not in a building (drawn grey); kept on the model."""
    cached = getattr(model, "_map_outside", None)
    if cached is None:
        cached = ~model.inside & (model.building_cm == 0)
        model._map_outside = cached
    return cached


def buildings_image(sim, *, max_px: int = OVERLAY_MAX_PX) -> str:
    """Building footprints (cells of the model's building raster) as a PNG data URI in
    ``map_legend.BUILDINGS``' fill, block-maximum reduced like the heat map; cached on the model."""
    model = sim.model
    cached = getattr(model, "_map_buildings_uri", None)
    if cached is None or cached[0] != max_px:
        mask = reduce_max(model.building_cm > 0, overlay_step(model.grid.shape, max_px))
        rgba = np.zeros(mask.shape + (4,), dtype=np.uint8)
        rgba[mask] = L._rgba(L.BUILDINGS.fill)
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
    rgba[hit] = (*_rgb(PRIVACY_COLOUR), palette.PRIVACY_ALPHA)
    return rgba




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




_BUILDINGS_CACHE: dict = {}


#: How far a building's first vertex may lie outside the map and the building still be
#: drawn [°] (≈ 220 m of latitude: larger than any footprint).
BUILDING_REACH_DEG = 0.002


def _first_position(geometry):
    """The first (lon, lat) of a GeoJSON geometry, or None."""
    c = (geometry or {}).get("coordinates") if isinstance(geometry, dict) else None
    while isinstance(c, (list, tuple)) and c and isinstance(c[0], (list, tuple)):
        c = c[0]
    return c if isinstance(c, (list, tuple)) and len(c) >= 2 else None


def _buildings_xy_features(grid, feats):
    """Outlines of the buildings near the map (a town's base map holds tens of thousands
    of buildings beyond the area; each is projected only when its first vertex lies within
    :data:`BUILDING_REACH_DEG` of the map's lon/lat box)."""
    w, e, s, n = lonlat_box(grid)
    r = BUILDING_REACH_DEG
    homes, others = [], []
    for f in feats:
        p = _first_position(f.get("geometry")) if isinstance(f, dict) else None
        try:
            if p is None or not (w - r <= p[0] <= e + r and s - r <= p[1] <= n + r):
                continue
        except TypeError:            # a non-numeric position: the validator names it
            continue
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




def _css(colour, opacity=None) -> str:
    """``(r, g, b[, opacity])`` as CSS ``rgba(…)``."""
    a = colour[3] if len(colour) == 4 else (1.0 if opacity is None else opacity)
    return "rgba({},{},{},{:g})".format(*colour[:3], a)


def _line(style) -> dict:
    return dict(color=_css(style.colour), width=style.width, dash=style.dash)


def camera_hover(sim, camera_id: str) -> str:
    """A camera's hover text: its id and how far along its axis each DORI level reaches
    [m] (``CoverageModel.camera_summary``), the id escaped (plotly reads tags in it).

    Kept on the camera's view per language (a changed camera gets a new view), so a rerun
    after one edit writes one text, not one per camera."""
    view = sim.model.views[camera_id]
    key = (lang(), tuple(dori_keys(sim)))
    kept = getattr(view, "_hover", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    ends = sim.model.camera_summary(camera_id)["dori_axis_end_m"]
    rows = [t("sim.map.reach", level=t("sim.dori." + k), m=f"{ends[k]:.0f}")
            for k in key[1] if ends.get(k) is not None and math.isfinite(ends[k])
            and ends[k] > 0]
    text = "<br>".join([f"<b>{html.escape(str(camera_id))}</b>"] + rows)
    view._hover = (key, text)
    return text


def scale_bar(x_w: float, x_e: float, y_s: float, y_n: float) -> tuple[float, float, float]:
    """A scale bar for a map of the extent [m]: its length (1, 2 or 5 × 10ⁿ m, about a
    fifth of the width) and its left end (just inside the south-west corner) [m].

    Examples
    --------
    A 300 m wide map: 300 / 5 = 60 → 50 m.
    """
    target = max((x_e - x_w) / 5, 1e-9)
    mag = 10 ** math.floor(math.log10(target))
    bar = max(m * mag for m in (1, 2, 5) if m * mag <= target)
    return bar, x_w + 0.03 * (x_e - x_w), y_s + 0.04 * (y_n - y_s)


#: Plotly text positions of the eight compass sectors (north first, clockwise).
_POSITIONS = ("top center", "top right", "middle right", "bottom right", "bottom center",
              "bottom left", "middle left", "top left")


def label_position(bearing_deg: float) -> str:
    """Where a camera's name goes: behind it, opposite the way it looks, so that the aim
    arrow never crosses it and two cameras on one pole looking apart have their names apart
    (as on the printed 配置図).

    Examples
    --------
    A camera looking east (90°): its name to the west, ``"middle left"``.
    """
    return _POSITIONS[int(((bearing_deg + 180.0) % 360.0 + 22.5) // 45.0) % 8]


def existing_ids(plan: dict) -> set[str]:
    """Ids of the plan's cameras already installed (``programme.costs.is_existing``)."""
    return {str(c.get("id")) for c in plan.get("cameras") or () if is_existing(c)}


def has_homes(plan: dict) -> bool:
    """Whether any of the plan's buildings is marked as a home."""
    return any(is_home((f or {}).get("properties") or {})
               for f in (plan.get("buildings") or {}).get("features") or [])


def legend_sections(sim, plan: dict, *, raster: str = "dori", period: str = "day",
                    overlays=OVERLAYS, sketch: bool = False, point: bool = False,
                    bm: BaseMap | None = None, proposed: dict | None = None) -> list:
    """The map's legend (``ui.map_legend``): the raster layer's colours (and the privacy
    hits), the map's symbols (``proposed`` as in :func:`figure`), the imported base map's
    layers."""
    _, raster_items = layer_rgba(sim, raster, period=period, max_px=64)
    items = list(raster_items)
    if "privacy" in overlays and sim.privacy:
        items.append((t("sim.legend.privacy"), palette.painted(PRIVACY_COLOUR,
                                                               palette.PRIVACY_ALPHA)))
    bm = base_map(plan, sim.model.grid) if bm is None else bm
    return [(_legend_title(raster, period), items),
            (t("sim.legend.symbols"), L.symbol_entries(
                plan, sim, overlays=overlays, has_homes=has_homes(plan), sketch=sketch,
                point=point, existing=len(existing_ids(plan) & set(sim.model.views)),
                proposed=(len((proposed or {}).get("cameras") or ()),
                          len((proposed or {}).get("lights") or ())))),
            (t("map.legend.title"), list(bm.legend()))]


def figure(sim, plan: dict, *, raster: str = "dori", period: str = "day",
           overlays=("footprints", "buildings", "privacy", "labels"), base: str | None = None,
           point=None, selected_camera: str | None = None,
           height: int | None = None, sketch=None, basemap: bool = True,
           bm: BaseMap | None = None, proposed: dict | None = None) -> go.Figure:
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
        filled road areas; its lines and names as traces).
    bm : ui.map_base.BaseMap, optional
        The plan's base map over the grid, when the caller has it already.
    proposed : dict, optional
        ``{"cameras": [...], "lights": [...]}``: devices of a proposal (plan dicts) drawn
        over the plan's own as hollow marks (``map_legend.CAMERA_PROPOSED`` /
        ``LIGHT_PROPOSED``), each camera with a dashed aim line.
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
    if bm is None:
        bm = base_map(plan, g) if basemap else BaseMap()
    # below the heat map, bottom first (images of one layer are drawn in list order)
    if bm.background is not None:
        images.append(bm.background.layout_image("background"))
    if bm.relief is not None:
        images.append(bm.relief.image.layout_image("hillshade"))
    images += [image.layout_image(name) for name, _, image in bm.fills]
    step_m = overlay_step(g.shape, OVERLAY_MAX_PX) * res    # one image pixel [m]
    rgba, _ = layer_rgba(sim, raster, period=period, max_px=OVERLAY_MAX_PX)
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
        for x, y, style in ((bx, by, L.BUILDINGS), (hx, hy, L.HOMES)):
            if x.size:
                traces.append(_scatter(x=x, y=y, mode="lines", fill="toself",
                                       fillcolor=_css(style.fill), line=_line(style),
                                       name=t(style.label), hoverinfo="skip"))
    try:
        ax, ay = _joined(_rings_xy(g, plan["area"]))
        traces.append(_scatter(x=ax, y=ay, mode="lines", name=t(L.AREA.label),
                               line=_line(L.AREA), hoverinfo="skip"))
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
            traces.append(_scatter(x=dx, y=dy, mode="lines", name=t(L.DISTRICTS.label),
                                   line=_line(L.DISTRICTS), hoverinfo="skip"))
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
            traces.append(_scatter(x=fx, y=fy, mode="lines", name=t(L.FOOTPRINTS.label),
                                   line=_line(L.FOOTPRINTS), hoverinfo="skip"))
    lights = sim.lights              # the typed lights that were simulated
    if lights:
        lx, ly = g.to_xy([lt.lat_deg for lt in lights], [lt.lon_deg for lt in lights])
        traces.append(_scatter(
            x=np.round(np.atleast_1d(lx), 2), y=np.round(np.atleast_1d(ly), 2),
            mode="markers", name=t("sim.map.lights"),
            marker=dict(size=11, color=_css(L.LIGHT.colour), symbol="star",
                        line=dict(color=_css(L.LIGHT.edge), width=1)),
            text=[html.escape(str(lt.id)) for lt in lights],
            hovertemplate="%{text}<extra></extra>"))
    cams = list(sim.model.views.values())
    if cams:
        hx = [v.x_m for v in cams]
        hy = [v.y_m for v in cams]
        camera_css = _css(L.CAMERA.colour)
        existing = existing_ids(plan)
        colours = ["#ff1744" if v.id == selected_camera else
                   "#ffffff" if v.id in existing else camera_css for v in cams]
        traces.append(_scatter(
            x=np.round(hx, 2), y=np.round(hy, 2),
            mode="markers+text" if "labels" in overlays else "markers",
            name=t("sim.map.cameras"), text=[html.escape(str(v.id)) for v in cams],
            textposition=[label_position(v.camera.bearing_deg) for v in cams],
            textfont=dict(size=12, color="#0d1b2a"),
            # an installed camera is a ring (``map_legend.CAMERA_EXISTING``)
            marker=dict(size=12, color=colours, symbol="circle",
                        line=dict(color=[camera_css if v.id in existing else "white"
                                         for v in cams],
                                  width=[3 if v.id in existing else 2 for v in cams])),
            hovertext=[camera_hover(sim, v.id) for v in cams],
            hovertemplate="%{hovertext}<extra></extra>"))
        # aim arrows
        az = np.radians([v.camera.bearing_deg for v in cams])
        hx_, hy_ = np.asarray(hx, float), np.asarray(hy, float)
        ax_ = np.column_stack([hx_, hx_ + 9 * np.sin(az), np.full(len(cams), np.nan)]).ravel()
        ay_ = np.column_stack([hy_, hy_ + 9 * np.cos(az), np.full(len(cams), np.nan)]).ravel()
        traces.append(_scatter(x=ax_, y=ay_, mode="lines", showlegend=False,
                               line=dict(color=camera_css, width=3), hoverinfo="skip"))
    if proposed:
        traces += _proposed_traces(g, proposed, labels="labels" in overlays)
    if sketch:
        corners = np.asarray(sketch, dtype=float).reshape(-1, 2)
        if len(corners) >= 3:
            corners = np.vstack([corners, corners[:1]])
        traces.append(_scatter(x=np.round(corners[:, 0], 2), y=np.round(corners[:, 1], 2),
                               mode="lines+markers", name=t(L.SKETCH.label),
                               line=dict(color=SKETCH_COLOUR, width=L.SKETCH.width),
                               marker=dict(size=9, color=SKETCH_COLOUR,
                                           line=dict(color="white", width=1.5)),
                               hoverinfo="skip"))
    if point is not None:
        traces.append(_scatter(x=[point[0]], y=[point[1]], mode="markers",
                                 name=t("sim.map.point"),
                                 marker=dict(size=18, color="#000", symbol="x-thin-open",
                                             line=dict(width=3, color="#000")),
                                 hoverinfo="skip"))
    notes = []
    if base:
        notes.append(GSI_ATTRIBUTION)
    if plan.get("sample"):
        notes.append((plan.get("sample") or {}).get("attribution") or "")
    notes += bm.notes
    if height is None:
        aspect = (y_n - y_s) / max(x_e - x_w, 1e-9)
        height = int(min(950, max(450, 720 * aspect)))
    # no tick labels (a scale bar and the north mark instead): the plot is the whole chart
    tick = dict(showgrid=False, zeroline=False, showticklabels=False, ticks="",
                automargin=False, showline=True, linecolor="#bbb", mirror=True,
                constrain="range")
    bar_m, bx0, by0 = scale_bar(x_w, x_e, y_s, y_n)
    traces.append(_scatter(x=[bx0, bx0 + bar_m], y=[by0, by0], mode="lines+markers",
                           line=dict(color="#1a1a1a", width=4), showlegend=False,
                           marker=dict(symbol="line-ns", size=10,
                                       line=dict(color="#1a1a1a", width=2)),
                           hoverinfo="skip", name="scale"))
    traces.append(_scatter(x=[bx0 + bar_m / 2], y=[by0], mode="text", text=[f"{bar_m:g} m"],
                           textposition="top center", showlegend=False, hoverinfo="skip",
                           textfont=dict(size=12, color="#1a1a1a"), name="scale_label"))
    layout = dict(
        # no margin: the plot area is the whole chart (the tick labels are drawn inside
        # it); no legend: ``legend_sections`` is drawn beside the map, where it neither
        # covers the map nor catches its clicks. Fixed margins also keep plotly from
        # drawing the whole map a second time to make room for grown labels
        images=images, height=height, margin=dict(l=0, r=0, t=0, b=0, autoexpand=False),
        showlegend=False,
        plot_bgcolor="#f4f5f7" if not base else "#ffffff", paper_bgcolor="#ffffff",
        dragmode="pan", clickmode="event+select", hovermode="closest",
        # equal scale; a map wider than the area shows more of the surroundings
        xaxis=dict(range=[x_w, x_e], **tick),
        yaxis=dict(range=[y_s, y_n], scaleanchor="x", scaleratio=1, **tick),
        # the north mark top left: the top right holds plotly's tool bar
        annotations=[dict(text=t("sim.map.north"), xref="paper", yref="paper", x=0.005,
                          y=0.995, xanchor="left", yanchor="top", showarrow=False,
                          font=dict(size=15, color="#1a1a1a"),
                          bgcolor="rgba(255,255,255,0.8)")] + (
            [dict(text=" / ".join(html.escape(n) for n in notes if n), xref="paper",
                  yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
                  showarrow=False, font=dict(size=11, color="#333"),
                  bgcolor="rgba(255,255,255,0.8)")] if notes else []),
        uirevision="map")
    # Streamlit mounts a new chart for every new figure and then hands plotly a themed
    # copy of it; a data revision that the copy shares tells plotly the arrays did not
    # change, so the map is drawn once instead of twice
    layout["datarevision"] = _data_revision(traces)
    return go.Figure(data=traces, layout=layout, _validate=False)


def _proposed_traces(g, proposed: dict, *, labels: bool) -> list:
    """Traces of a proposal's devices (see :func:`figure`)."""
    out = []
    colour = _css(L.PROPOSED_COLOUR)
    lights = proposed.get("lights") or []
    if lights:
        lx, ly = g.to_xy([float(d["lat"]) for d in lights], [float(d["lon"]) for d in lights])
        out.append(_scatter(
            x=np.round(np.atleast_1d(lx), 2), y=np.round(np.atleast_1d(ly), 2),
            mode="markers", name=t("sim.map.lights_proposed"),
            marker=dict(size=13, color=colour, symbol="star-open", line=dict(width=2)),
            text=[html.escape(str(d["id"])) for d in lights],
            hovertemplate="%{text}<extra></extra>"))
    cams = proposed.get("cameras") or []
    if cams:
        cx, cy = g.to_xy([float(d["lat"]) for d in cams], [float(d["lon"]) for d in cams])
        cx, cy = np.atleast_1d(cx).astype(float), np.atleast_1d(cy).astype(float)
        az = np.radians([float(d.get("azimuth_deg") or 0.0) for d in cams])
        nan = np.full(len(cams), np.nan)
        out.append(_scatter(x=np.column_stack([cx, cx + 12 * np.sin(az), nan]).ravel(),
                            y=np.column_stack([cy, cy + 12 * np.cos(az), nan]).ravel(),
                            mode="lines", showlegend=False, hoverinfo="skip",
                            line=dict(color=colour, width=2.5, dash="dot")))
        out.append(_scatter(
            x=np.round(cx, 2), y=np.round(cy, 2),
            mode="markers+text" if labels else "markers", name=t("sim.map.cameras_proposed"),
            text=[html.escape(str(d["id"])) for d in cams],
            textposition=[label_position(float(d.get("azimuth_deg") or 0.0)) for d in cams],
            textfont=dict(size=12, color=colour),
            marker=dict(size=13, color="#ffffff", symbol="circle",
                        line=dict(color=colour, width=3)),
            hovertext=[t("sim.map.proposed_hover", id=html.escape(str(d["id"])))
                       for d in cams],
            hovertemplate="%{hovertext}<extra></extra>"))
    return out


def _legend_title(raster, period):
    if raster == "dori":
        return t("sim.legend.title_dori_" + period)
    return t("sim.legend.title_" + raster) if raster != "none" else ""


# ---------------------------------------------------------------------------------------
# PNG
# ---------------------------------------------------------------------------------------
def _font(size):
    # Japanese-capable or a clear JapaneseFontMissing: never a font that draws 豆腐 boxes.
    return pil_font(size)




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
    rgba, _ = layer_rgba(sim, layer, period=period)
    mapimg = Image.fromarray(cells, "RGBA")
    if rgba is not None:
        mapimg = Image.alpha_composite(mapimg, Image.fromarray(rgba, "RGBA"))
    prgba = privacy_rgba(sim)
    if prgba is not None:
        mapimg = Image.alpha_composite(mapimg, Image.fromarray(prgba, "RGBA"))
    canvas = canvas.convert("RGBA")
    canvas.alpha_composite(mapimg.resize((W, H), Image.NEAREST))

    sections = legend_sections(sim, plan, raster=layer, period=period, bm=bm)
    notes = []
    if plan.get("sample"):
        notes.append((plan.get("sample") or {}).get("attribution") or "")
    f_note = _font(12)
    panel = max(panel, L.legend_width(sections) + 28)
    note_lines = _wrap(notes + bm.notes, f_note, W + panel - 16)
    legend_h = 12 + L.legend_height(sections) + 12
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
        L.draw_swatch(d, a - 6, b - 6, 12, L.LIGHT)     # the legend's own symbols
    existing = existing_ids(plan)
    for v in m.views.values():
        a, b = px(v.x_m, v.y_m)
        az = math.radians(v.camera.bearing_deg)
        d.line([a, b, a + 14 * math.sin(az), b - 14 * math.cos(az)],
               fill=(*L.CAMERA.colour, 255), width=3)
        L.draw_swatch(d, a - 7, b - 7, 14,
                      L.CAMERA_EXISTING if v.id in existing else L.CAMERA)
        back = math.radians(v.camera.bearing_deg + 180.0)   # the name behind the camera
        d.text((a + 16 * math.sin(back), b - 16 * math.cos(back)), v.id,
               fill=(13, 27, 42, 255), font=f_small, anchor="mm", stroke_width=2,
               stroke_fill=(255, 255, 255, 255))
    # scale bar
    bar_m = 10 ** math.floor(math.log10(max(1.0, w * g.resolution_m / 4)))
    bar_px = bar_m / g.resolution_m * scale
    d.rectangle([12, H - 22, 12 + bar_px, H - 16], fill=(20, 20, 20, 255))
    d.text((12, H - 40), f"{bar_m:g} m", fill=(20, 20, 20, 255), font=f_small)
    d.text((W - 24, 8), "N↑", fill=(20, 20, 20, 255), font=_font(16))
    L.draw_legend(d, W + 14, 12, sections)
    for i, line in enumerate(note_lines):
        d.text((8, H + 12 + 18 * i), line, fill=(60, 60, 60, 255), font=f_note)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PNG")
    return buf.getvalue()
