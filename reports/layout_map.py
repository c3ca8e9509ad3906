"""The 配置図 (layout map) of a plan, as a PDF page, a PNG image, or a box in another PDF.

What camera subsidies ask for with an application (the 設置場所一覧 + 位置図 of the
prefectural and municipal 防犯カメラ補助): every camera numbered, where it looks and how far,
the 防犯灯, where the 設置の表示 (the notice that a camera is operating) is posted, and the
privacy masks; with the base map, north arrow, scale bar, legend and a title block
(自治体名, 事業名, 作成日, 縮尺). Forms differ by municipality (様式は自治体により異なります),
so the drawing carries what they share and no form's layout.

Everything is drawn as vectors in millimetres on the page through a small canvas with two
back ends: fpdf2 (the PDF, Japanese font embedded as a subset by :mod:`reports.fonts`) and
Pillow (the PNG, the same drawing at ``dpi``), so the two never differ in content.

Map coordinates are the plan grid's local metres (:meth:`assessments.engine.grid.Grid.to_xy`,
east and north around the area's centre; north is up). The scale 1:N is the smallest round
scale at which the area and every device fit the map box, and is true when the page is
printed at 100 %.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import shapely
from fpdf import FPDF
from PIL import Image, ImageDraw

from assessments import palette
from assessments.engine.dori import DORI_TABLE, STANDARD_IF_ABSENT, dori_label
from assessments.engine.grid import Grid, geojson_parts, geojson_rings
from assessments.plan.basemap import HIDDEN, LAYER_STYLES, LAYERS, layer_features
from assessments.plan.buildings import is_home
from assessments.simulate import simulate
from reports.fonts import FPDF_GOTHIC, add_fpdf_fonts, pil_font
from reports.typesetting import wrap_japanese

__all__ = ["compass_ja", "layout_map_pdf", "layout_map_png", "draw_layout_legend",
           "draw_layout_map", "MapInfo",
           "PAPERS", "PRESETS", "round_scale", "scale_bar_m"]

#: Paper sizes (short side, long side) [mm], ISO 216 / JIS P 0138.
PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
PT_MM = 25.4 / 72      # one point [mm]
#: Stroke width of bold text drawn with the regular face [em].
BOLD_STROKE_EM = 0.04
MARGIN_MM = 10.0
GAP_MM = 5.0
#: Width of the side panel in landscape, height of the bottom panel in portrait [mm].
PANEL_MM = {"A4": 78.0, "A3": 100.0}
#: The drawing's minimum line width [mm] and text size [pt], readable when printed.
MIN_LINE_MM = 0.2
MIN_TEXT_PT = 7.0
#: Line width of the on-screen map's px on paper [mm/px] (a 96 dpi pixel).
PX_MM = 25.4 / 96
#: Round scale denominators: 1, 1.5, 2, 2.5, 3, 5 × 10^k (the steps of 都市計画図 and
#: 住宅地図 scales: 1:500, 1:1000, 1:2500, 1:5000 …).
_SCALE_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 5.0)
_BAR_STEPS_M = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)

#: Presets: ``None`` the consultant's full drawing; ``"notice"`` the 町会 notice board
#: (A3 portrait, large numbers, no DORI arcs or camera table).
PRESETS = {
    None: dict(number_pt=10.0, text_pt=7.5, dori=True, table=True, arrow_mm=9.0),
    "notice": dict(number_pt=18.0, text_pt=11.0, dori=False, table=False, arrow_mm=14.0,
                   paper="A3", orientation="portrait"),
}

INK = (30, 30, 30)
AREA_RGB = palette.rgb(palette.PLAN_AREA)
CAMERA_RGB = (20, 60, 150)
WEDGE_ALPHA = 0.16
OUTSIDE_RGB = palette.rgb(palette.OUTSIDE_AREA)
LIGHT_RGB = (255, 196, 0)
BUILDING_FILL = (214, 214, 220)
BUILDING_LINE = (150, 150, 160)
HOME_FILL = (244, 196, 160)
HOME_LINE = (200, 120, 60)
MASK_RGB = (110, 110, 110)
#: DORI reach arcs drawn: the standard's levels at 125 and 250 px/m (2014: Recognise /
#: Identify; 2025: Perceive / Characterize), with their colours (:mod:`assessments.palette`).
_LOWER, _HIGHER = (palette.rgb(c) for c in palette.REACH)
REACH_LEVELS = {"iec62676_4_2014": (("recognise", _LOWER), ("identify", _HIGHER)),
                "iec62676_4_2025": (("perceive", _LOWER), ("characterize", _HIGHER))}
#: 16-point compass names of a bearing (north first, clockwise); the 8 points are every
#: other one.
COMPASS_16 = ("北", "北北東", "北東", "東北東", "東", "東南東", "南東", "南南東",
              "南", "南南西", "南西", "西南西", "西", "西北西", "北西", "北北西")


def _blend(rgba) -> tuple:
    """``(r, g, b, opacity)`` drawn on white, as opaque ``(r, g, b)``."""
    r, g, b, a = rgba
    return tuple(round(c * a + 255 * (1 - a)) for c in (r, g, b))


def round_scale(extent_m: float, box_mm: float) -> int:
    """The smallest round scale denominator N at which ``extent_m`` fits in ``box_mm``.

    Parameters
    ----------
    extent_m : float
        Ground length to fit [m].
    box_mm : float
        Paper length it must fit in [mm].

    Notes
    -----
    At 1:N, ``extent_m`` takes ``extent_m · 1000 / N`` mm, so N ≥ ``extent_m · 1000 /
    box_mm``; N is the first of 1, 1.5, 2, 2.5, 3, 5 × 10^k at or above that.
    """
    need = extent_m * 1000.0 / box_mm
    k = math.floor(math.log10(max(need, 1.0)))
    for exp in (k, k + 1):
        for step in _SCALE_STEPS:
            n = step * 10 ** exp
            if n >= need - 1e-9:
                return int(round(n))
    return int(round(10 ** (k + 1)))


def scale_bar_m(scale_n: int, max_mm: float = 40.0) -> int:
    """The longest round scale-bar length [m] no longer than ``max_mm`` on paper at 1:N."""
    best = _BAR_STEPS_M[0]
    for length in _BAR_STEPS_M:
        if length * 1000.0 / scale_n <= max_mm:
            best = length
    return best


# ---------------------------------------------------------------------------------------
# canvas: the same drawing calls on fpdf2 and on Pillow, in mm
# ---------------------------------------------------------------------------------------
class _PdfCanvas:
    def __init__(self, pdf: FPDF):
        self.pdf = pdf

    def polyline(self, pts, rgb, width_mm, dash=None):
        if len(pts) < 2:
            return
        p = self.pdf
        p.set_draw_color(*rgb)
        p.set_line_width(max(width_mm, MIN_LINE_MM))
        if dash:
            p.set_dash_pattern(dash=dash[0], gap=dash[1])
        p.polyline([tuple(map(float, q)) for q in pts])
        if dash:
            p.set_dash_pattern()

    def polygon(self, pts, *, fill=None, stroke=None, width_mm=MIN_LINE_MM, alpha=1.0,
                dash=None):
        if len(pts) < 3:
            return
        p = self.pdf
        style = ("F" if fill else "") + ("D" if stroke else "")
        if not style:
            return
        if fill:
            p.set_fill_color(*fill)
        if stroke:
            p.set_draw_color(*stroke)
            p.set_line_width(max(width_mm, MIN_LINE_MM))
        if dash:
            p.set_dash_pattern(dash=dash[0], gap=dash[1])
        pts = [tuple(map(float, q)) for q in pts]
        if alpha < 1.0:
            with p.local_context(fill_opacity=alpha):
                p.polygon(pts, style="F")
            if stroke:
                p.polygon(pts, style="D")
        else:
            p.polygon(pts, style=style)
        if dash:
            p.set_dash_pattern()

    def circle(self, x, y, r, *, fill=None, stroke=None, width_mm=MIN_LINE_MM):
        p = self.pdf
        style = ("F" if fill else "") + ("D" if stroke else "")
        if fill:
            p.set_fill_color(*fill)
        if stroke:
            p.set_draw_color(*stroke)
            p.set_line_width(max(width_mm, MIN_LINE_MM))
        p.circle(x=x, y=y, radius=r, style=style)

    def text_width(self, s, size_pt, bold=False):
        self.pdf.set_font(FPDF_GOTHIC, "", max(size_pt, MIN_TEXT_PT))
        # the bold text is the regular face stroked (see text): a little wider
        return self.pdf.get_string_width(s) + (BOLD_STROKE_EM * size_pt * PT_MM
                                               if bold else 0.0)

    def text(self, x, y, s, size_pt, rgb=INK, *, bold=False, align="L", halo=False):
        """``s`` with its vertical middle at ``y`` [mm]; ``align`` L / C / R at ``x``."""
        p = self.pdf
        size_pt = max(size_pt, MIN_TEXT_PT)
        w = self.text_width(s, size_pt, bold)
        x0 = x - (w / 2 if align == "C" else w if align == "R" else 0)
        # CJK glyphs sit about 0.88 em above the baseline…0.12 em below: middle ≈ 0.36 em
        base = y + 0.36 * size_pt * PT_MM
        if halo:
            p.set_fill_color(255, 255, 255)
            with p.local_context(fill_opacity=0.8):
                p.rect(x0 - 0.4, y - 0.55 * size_pt * PT_MM, w + 0.8, 1.1 * size_pt * PT_MM,
                       style="F")
        p.set_text_color(*rgb)
        if bold:
            # regular face filled and stroked: one embedded font instead of two (fpdf2
            # parses and subsets each CJK font, seconds per face)
            with p.local_context(text_mode="FILL_STROKE", draw_color=rgb,
                                 line_width=BOLD_STROKE_EM * size_pt * PT_MM):
                p.text(x0, base, s)
        else:
            p.text(x0, base, s)

    @contextmanager
    def clip(self, x, y, w, h):
        with self.pdf.rect_clip(x=x, y=y, w=w, h=h):
            yield


class _PngCanvas:
    """The same drawing on an RGB image at ``dpi`` (mm → px = mm · dpi / 25.4)."""

    def __init__(self, w_mm, h_mm, dpi):
        self.k = dpi / 25.4
        self.img = Image.new("RGB", (round(w_mm * self.k), round(h_mm * self.k)), "white")
        self.draw = ImageDraw.Draw(self.img)
        self._clip = None

    def _px(self, pts):
        return [(float(a) * self.k, float(b) * self.k) for a, b in pts]

    def _w(self, width_mm):
        return max(1, round(max(width_mm, MIN_LINE_MM) * self.k))

    def polyline(self, pts, rgb, width_mm, dash=None):
        if len(pts) < 2:
            return
        for seg in (_dashes(pts, dash) if dash else [pts]):
            self.draw.line(self._px(seg), fill=tuple(rgb), width=self._w(width_mm),
                           joint="curve")

    def polygon(self, pts, *, fill=None, stroke=None, width_mm=MIN_LINE_MM, alpha=1.0,
                dash=None):
        if len(pts) < 3:
            return
        px = self._px(pts)
        if fill and alpha < 1.0:
            layer = Image.new("L", self.img.size, 0)
            ImageDraw.Draw(layer).polygon(px, fill=round(alpha * 255))
            self.img.paste(Image.new("RGB", self.img.size, tuple(fill)), mask=layer)
        elif fill:
            self.draw.polygon(px, fill=tuple(fill))
        if stroke:
            closed = list(pts) + [pts[0]]
            self.polyline(closed, stroke, width_mm, dash)

    def circle(self, x, y, r, *, fill=None, stroke=None, width_mm=MIN_LINE_MM):
        k = self.k
        self.draw.ellipse([(x - r) * k, (y - r) * k, (x + r) * k, (y + r) * k],
                          fill=tuple(fill) if fill else None,
                          outline=tuple(stroke) if stroke else None,
                          width=self._w(width_mm) if stroke else 0)

    def _font(self, size_pt, bold):
        return pil_font(max(1, round(max(size_pt, MIN_TEXT_PT) * PT_MM * self.k)), bold=bold)

    def text_width(self, s, size_pt, bold=False):
        return self.draw.textlength(s, font=self._font(size_pt, bold)) / self.k

    def text(self, x, y, s, size_pt, rgb=INK, *, bold=False, align="L", halo=False):
        font = self._font(size_pt, bold)
        anchor = {"L": "lm", "C": "mm", "R": "rm"}[align]
        if halo:
            box = self.draw.textbbox((x * self.k, y * self.k), s, font=font, anchor=anchor)
            self.draw.rectangle([box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2],
                                fill=(255, 255, 255))
        self.draw.text((x * self.k, y * self.k), s, font=font, fill=tuple(rgb), anchor=anchor)

    @contextmanager
    def clip(self, x, y, w, h):
        # draw on a copy, then keep only the box of it
        saved = self.img.copy()
        yield
        box = [round(x * self.k), round(y * self.k), round((x + w) * self.k),
               round((y + h) * self.k)]
        inside = self.img.crop(box)
        self.img.paste(saved)
        self.img.paste(inside, box[:2])
        self.draw = ImageDraw.Draw(self.img)


def _dashes(pts, dash):
    """Pieces of a polyline ``pts`` [mm] drawn with ``dash = (on_mm, off_mm)``."""
    on, off = dash
    out, cur, pos, drawing = [], [tuple(pts[0])], 0.0, True
    for a, b in zip(pts[:-1], pts[1:]):
        a, b = np.asarray(a, float), np.asarray(b, float)
        seg = float(np.hypot(*(b - a)))
        t = 0.0
        while t < seg:
            left = (on if drawing else off) - pos
            step = min(left, seg - t)
            t += step
            pos += step
            p = tuple(a + (b - a) * (t / seg)) if seg else tuple(b)
            if drawing:
                cur.append(p)
            if pos >= (on if drawing else off) - 1e-9:
                if drawing and len(cur) > 1:
                    out.append(cur)
                drawing, pos, cur = not drawing, 0.0, [p]
    if drawing and len(cur) > 1:
        out.append(cur)
    return out


# ---------------------------------------------------------------------------------------
# the map in a box
# ---------------------------------------------------------------------------------------
@dataclass
class MapInfo:
    """What :func:`draw_layout_map` drew (for a legend and notes).

    Attributes
    ----------
    scale_n : int
        The drawing scale 1:N on paper.
    bar_m : int
        The scale bar's length [m].
    outside : list of str
        Ids of the cameras outside the plan area (drawn and flagged).
    layers : list of str
        Base-map layers drawn (names of :data:`assessments.plan.basemap.LAYERS`).
    has_homes, has_masks, has_signage, has_dori : bool
        Whether homes, privacy masks, 設置の表示 and DORI arcs appear.
    """
    scale_n: int
    bar_m: int
    outside: list = field(default_factory=list)
    layers: list = field(default_factory=list)
    has_homes: bool = False
    has_masks: bool = False
    has_signage: bool = False
    has_dori: bool = False


def _points(geometry) -> list:
    if not isinstance(geometry, dict):
        return []
    kind, c = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point" and isinstance(c, list):
        return [c]
    if kind == "MultiPoint" and isinstance(c, list):
        return list(c)
    return []


def _xy(grid: Grid, coords) -> np.ndarray | None:
    """``[[lon, lat(, z)], …]`` → local ``(n, 2)`` metres; None when not numbers."""
    try:
        a = np.asarray([[float(p[0]), float(p[1])] for p in coords], dtype=np.float64)
    except (TypeError, ValueError, IndexError):
        return None
    if a.ndim != 2 or len(a) == 0:
        return None
    x, y = grid.to_xy(a[:, 1], a[:, 0])
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def _area_shape(grid: Grid, area: dict):
    polys = []
    for poly in geojson_rings(area):
        rings = [_xy(grid, r) for r in poly]
        polys.append(shapely.Polygon(rings[0], rings[1:]))
    return shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]


def _bearing_xy(bearing_deg: float, r: float) -> tuple:
    """Offset east, north [m or mm] of length ``r`` along a bearing clockwise from north."""
    b = math.radians(bearing_deg)
    return r * math.sin(b), r * math.cos(b)


def _sector(bearing_from, bearing_to, r) -> np.ndarray:
    """A pie sector around the origin (first point), bearings clockwise from north [°],
    radius ``r``; its arc has a point at least every 5°."""
    n = max(int(abs(bearing_to - bearing_from) / 5) + 2, 3)
    arc = [_bearing_xy(a, r) for a in np.linspace(bearing_from, bearing_to, n)]
    return np.array([(0.0, 0.0)] + arc)


def _hatch(poly_pts, spacing, angle_deg=45.0) -> list:
    """Hatch lines (pairs of points) filling the polygon ``poly_pts`` [mm]."""
    shape = shapely.Polygon(poly_pts)
    if not shape.is_valid or shape.area <= 0:
        return []
    x0, y0, x1, y1 = shape.bounds
    d = math.hypot(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    a = math.radians(angle_deg)
    ux, uy = math.cos(a), math.sin(a)
    out = []
    for off in np.arange(-d / 2, d / 2, spacing):
        px, py = cx - uy * off, cy + ux * off
        line = shapely.LineString([(px - ux * d, py - uy * d), (px + ux * d, py + uy * d)])
        part = shape.intersection(line)
        for g in getattr(part, "geoms", [part]):
            if isinstance(g, shapely.LineString) and not g.is_empty:
                out.append(list(g.coords))
    return out


def _extent(grid, area_shape, cams_xy, lights_xy) -> tuple:
    pts = [np.array(area_shape.bounds).reshape(2, 2)]
    pts += [np.asarray(p).reshape(-1, 2) for p in (cams_xy, lights_xy) if len(p)]
    allp = np.concatenate(pts)
    xmin, ymin = allp.min(axis=0)
    xmax, ymax = allp.max(axis=0)
    # room for the numbers and wedges of devices on the edge
    pad = max(10.0, 0.05 * max(xmax - xmin, ymax - ymin))
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def map_scale(plan: dict, *, w_mm: float, h_mm: float, sim=None) -> int:
    """The scale denominator N :func:`draw_layout_map` uses for ``plan`` in a box [mm]."""
    sim = sim if sim is not None else simulate(plan, night_grids=False)
    grid = sim.model.grid
    area = _area_shape(grid, plan["area"])
    cams = [(v.x_m, v.y_m) for v in sim.model.views.values()]
    lights = [_xy(grid, [[li["lon"], li["lat"]]])[0] for li in plan.get("lights") or []]
    x0, y0, x1, y1 = _extent(grid, area, cams, lights)
    return max(round_scale(x1 - x0, w_mm), round_scale(y1 - y0, h_mm))


def draw_layout_map(pdf, plan: dict, sim, *, x_mm: float, y_mm: float, w_mm: float,
                    h_mm: float, preset: str | None = None) -> MapInfo:
    """Draw the 配置図's map into a box of the current page of an ``fpdf.FPDF``.

    The fonts of :func:`reports.fonts.add_fpdf_fonts` must be registered on ``pdf``.

    Parameters
    ----------
    pdf : fpdf.FPDF
        The document; drawn on its current page.
    plan : dict
        The plan (``docs/architecture.md``).
    sim : assessments.simulate.Simulation
        ``simulate(plan)``: the camera positions, footprints and DORI reaches.
    x_mm, y_mm, w_mm, h_mm : float
        The box on the page (top-left corner, width, height) [mm].
    preset : {None, "notice"}
        ``"notice"``: larger numbers, no DORI arcs.

    Returns
    -------
    MapInfo
        The scale and what was drawn.
    """
    return _draw_map(_PdfCanvas(pdf), plan, sim, x_mm, y_mm, w_mm, h_mm, preset)


def draw_layout_legend(pdf, plan: dict, sim, info: MapInfo, *, x_mm: float, y_mm: float,
                       w_mm: float, h_mm: float, preset: str | None = None) -> None:
    """Draw the 配置図's legend and notes (the panel without its title block and camera
    list) into a box of the current page, for a map drawn by :func:`draw_layout_map`
    (``info`` is what it returned). Parameters as :func:`draw_layout_map`."""
    opt = dict(PRESETS[preset], table=False)
    blocks = [b for b in _panel_blocks(plan, sim, info, opt, "A4", dt.date.today())
              if b[0] != "title"]
    _draw_panel(_PdfCanvas(pdf), blocks, x_mm, y_mm, w_mm, h_mm, opt)


def _draw_map(cv, plan, sim, bx, by, bw, bh, preset) -> MapInfo:
    opt = PRESETS[preset]
    grid = sim.model.grid
    views = sim.model.views
    area = _area_shape(grid, plan["area"])
    cams = [c for c in plan.get("cameras") or []]
    cam_xy = {cid: (v.x_m, v.y_m) for cid, v in views.items()}
    lights = plan.get("lights") or []
    light_xy = [(_xy(grid, [[li["lon"], li["lat"]]])[0], li) for li in lights]
    x0, y0, x1, y1 = _extent(grid, area, list(cam_xy.values()), [p for p, _ in light_xy])
    scale_n = max(round_scale(x1 - x0, bw), round_scale(y1 - y0, bh))
    k = 1000.0 / scale_n                       # mm on paper per m on the ground
    cx_m, cy_m = (x0 + x1) / 2, (y0 + y1) / 2
    cx_mm, cy_mm = bx + bw / 2, by + bh / 2

    def mm(xy) -> np.ndarray:
        a = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        return np.column_stack([cx_mm + (a[:, 0] - cx_m) * k, cy_mm - (a[:, 1] - cy_m) * k])

    info = MapInfo(scale_n=scale_n, bar_m=scale_bar_m(scale_n, 0.3 * bw))
    with cv.clip(bx, by, bw, bh):
        # base map, bottom layer first
        for name in LAYERS:
            feats = [f for f in layer_features(plan, name)
                     if ((f or {}).get("properties") or {}).get("vis") != HIDDEN]
            if not feats:
                continue
            style = LAYER_STYLES[name]
            drawn = False
            for f in feats:
                geom = f.get("geometry") if isinstance(f, dict) else None
                if name == "towns":
                    label = ((f.get("properties") or {}).get("name") or "")
                    for p in _points(geom):
                        q = _xy(grid, [p])
                        if q is not None and label:
                            m = mm(q)[0]
                            cv.text(m[0], m[1], label, opt["text_pt"], _blend(style.colour),
                                    align="C", halo=True)
                            drawn = True
                    continue
                filled = style.fill and (geom or {}).get("type") in ("Polygon", "MultiPolygon")
                for line in geojson_parts(geom):
                    q = _xy(grid, line)
                    if q is None or len(q) < 2:
                        continue
                    dash = {"dot": (0.4, 0.8), "dash": (2.0, 1.2),
                            "dashdot": (2.0, 0.8)}.get(style.dash)
                    if filled:
                        cv.polygon(mm(q), fill=_blend(style.fill), stroke=_blend(style.colour),
                                   width_mm=style.width * PX_MM, dash=dash)
                    else:
                        cv.polyline(mm(q), _blend(style.colour), style.width * PX_MM * (
                            k if name == "streets" and k > 1 else 1), dash)
                    drawn = True
            if drawn:
                info.layers.append(name)
        # buildings, homes highlighted
        for i, f in enumerate((plan.get("buildings") or {}).get("features") or []):
            geom = (f or {}).get("geometry")
            home = is_home((f or {}).get("properties") or {})
            info.has_homes |= home
            for ring in geojson_parts(geom):
                q = _xy(grid, ring)
                if q is not None and len(q) >= 3:
                    cv.polygon(mm(q), fill=HOME_FILL if home else BUILDING_FILL,
                               stroke=HOME_LINE if home else BUILDING_LINE, width_mm=0.2)
        # the area outline
        for poly in getattr(area, "geoms", [area]):
            cv.polygon(mm(np.array(poly.exterior.coords)), stroke=AREA_RGB, width_mm=0.6,
                       dash=(3.0, 1.2))
        # camera wedges (ground footprint of the view frustum), masks, DORI reach
        reach = REACH_LEVELS.get(sim.result.get("standard") or STANDARD_IF_ABSENT, ())
        by_id = {r["id"]: r for r in sim.result.get("cameras") or []}
        for cid, v in views.items():
            fp = np.asarray(v.footprint_xy, dtype=np.float64)
            if len(fp) >= 3:
                cv.polygon(mm(fp + [v.x_m, v.y_m]), fill=CAMERA_RGB, stroke=CAMERA_RGB,
                           width_mm=0.25, alpha=WEDGE_ALPHA)
            cam = v.camera
            half = cam.hfov_deg / 2
            r_m = float(np.hypot(fp[:, 0], fp[:, 1]).max()) if len(fp) else 10.0
            for lo, hi in cam.privacy_masks_deg or ():
                sec = _sector(cam.bearing_deg + float(lo), cam.bearing_deg + float(hi), r_m)
                pts = mm(sec + [v.x_m, v.y_m])
                cv.polygon(pts, fill=(200, 200, 200), alpha=0.55, stroke=MASK_RGB,
                           width_mm=0.2)
                for seg in _hatch(pts, 1.2):
                    cv.polyline(seg, MASK_RGB, 0.2)
                info.has_masks = True
            if opt["dori"]:
                ends = (by_id.get(cid) or {}).get("dori_axis_end_m") or {}
                for key, rgb in reach:
                    r = ends.get(key)
                    if r is None or not math.isfinite(r) or r <= 0:
                        continue
                    arc = _sector(cam.bearing_deg - half, cam.bearing_deg + half, r)[1:]
                    cv.polyline(mm(arc + [v.x_m, v.y_m]), rgb, 0.45)
                    info.has_dori = True
        # 防犯灯
        for p, li in light_xy:
            m = mm(p)[0]
            star = _star(m, 1.9 if preset is None else 2.6)
            cv.polygon(star, fill=LIGHT_RGB, stroke=(120, 90, 0), width_mm=0.2)
        # cameras: position, direction arrow, number
        outside = []
        for c in cams:
            cid = str(c.get("id"))
            v = views.get(cid)
            if v is None:
                continue
            m = mm((v.x_m, v.y_m))[0]
            cam = v.camera
            tip = m + np.array(_bearing_xy(cam.bearing_deg, opt["arrow_mm"])) * [1, -1]
            cv.polyline([m, tip], CAMERA_RGB, 0.5)
            head = [tip + np.array(_bearing_xy(cam.bearing_deg + s, 2.2)) * [-1, 1]
                    for s in (-25, 25)]
            cv.polygon([tip] + head, fill=CAMERA_RGB, stroke=CAMERA_RGB)
            cv.circle(m[0], m[1], 1.1, fill=(255, 255, 255), stroke=CAMERA_RGB, width_mm=0.5)
            out = not area.covers(shapely.Point(v.x_m, v.y_m))
            # the number behind the camera (cameras on one pole look different ways)
            lab = m + np.array(_bearing_xy(cam.bearing_deg + 180, opt["number_pt"] * 0.55)) \
                * [1, -1]
            w = cv.text_width(cid, opt["number_pt"], True) + 1.6
            h = opt["number_pt"] * PT_MM * 1.25
            box = [(lab[0] - w / 2, lab[1] - h / 2), (lab[0] + w / 2, lab[1] - h / 2),
                   (lab[0] + w / 2, lab[1] + h / 2), (lab[0] - w / 2, lab[1] + h / 2)]
            cv.polygon(box, fill=OUTSIDE_RGB if out else CAMERA_RGB, stroke=(255, 255, 255),
                       width_mm=0.3)
            cv.text(lab[0], lab[1], cid, opt["number_pt"], (255, 255, 255), bold=True,
                    align="C")
            if c.get("signage"):
                info.has_signage = True
                sx, sy = lab[0] + w / 2 + 0.6, lab[1] - h / 2
                cv.polygon([(sx, sy), (sx + 3.2, sy), (sx + 3.2, sy + 3.2), (sx, sy + 3.2)],
                           fill=(255, 255, 255), stroke=(0, 120, 60), width_mm=0.3)
                cv.text(sx + 1.6, sy + 1.6, "表", MIN_TEXT_PT, (0, 120, 60), align="C")
            if out:
                outside.append(cid)
                cv.circle(m[0], m[1], 3.2, stroke=OUTSIDE_RGB, width_mm=0.6)
                cv.text(m[0] + 3.6, m[1] + 3.2, "区域外", opt["text_pt"], OUTSIDE_RGB,
                        bold=True, halo=True)
    info.outside = outside
    # frame, north arrow, scale bar (on the map, outside the clip)
    cv.polygon([(bx, by), (bx + bw, by), (bx + bw, by + bh), (bx, by + bh)], stroke=INK,
               width_mm=0.35)
    _north_arrow(cv, bx + bw - 9, by + 14, opt["text_pt"])
    _scale_bar(cv, bx + 5, by + bh - 8, info.bar_m, scale_n, opt["text_pt"])
    return info


def _star(c, r) -> list:
    out = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.45
        a = math.radians(i * 36)
        out.append((c[0] + rr * math.sin(a), c[1] - rr * math.cos(a)))
    return out


def _north_arrow(cv, x, y, text_pt):
    """A north arrow with 「北」 above it; the top of the page is north (grid y = north)."""
    cv.polygon([(x, y - 7), (x + 3, y + 3), (x, y + 1.2)], fill=INK, stroke=INK)
    cv.polygon([(x, y - 7), (x - 3, y + 3), (x, y + 1.2)], fill=(255, 255, 255), stroke=INK)
    cv.text(x, y - 10, "北", max(text_pt, 9), INK, bold=True, align="C", halo=True)
    cv.text(x, y + 6, "N", MIN_TEXT_PT, INK, align="C", halo=True)


def _scale_bar(cv, x, y, bar_m, scale_n, text_pt):
    """A scale bar of ``bar_m`` [m] at 1:N in four alternating parts, labels above."""
    length = bar_m * 1000.0 / scale_n
    h = 1.6
    cv.polygon([(x - 2, y - 7), (x + length + 12, y - 7), (x + length + 12, y + h + 2),
                (x - 2, y + h + 2)], fill=(255, 255, 255))
    for i in range(4):
        a, b = x + length * i / 4, x + length * (i + 1) / 4
        cv.polygon([(a, y), (b, y), (b, y + h), (a, y + h)],
                   fill=INK if i % 2 == 0 else (255, 255, 255), stroke=INK, width_mm=0.2)
    cv.text(x, y - 3, "0", text_pt, INK, align="C")
    cv.text(x + length, y - 3, f"{bar_m} m", text_pt, INK, align="C")


# ---------------------------------------------------------------------------------------
# the page: map + title block, legend, camera list, notes
# ---------------------------------------------------------------------------------------
def _page_size(paper, orientation) -> tuple:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}; got {paper!r}")
    if orientation not in ("landscape", "portrait"):
        raise ValueError(f"orientation must be 'landscape' or 'portrait'; got {orientation!r}")
    short, long_ = PAPERS[paper]
    return (long_, short) if orientation == "landscape" else (short, long_)


def map_box(paper: str, orientation: str) -> tuple:
    """The map's box ``(x, y, w, h)`` [mm] on a 配置図 page; the panel takes the rest.

    Landscape: the panel is a column of :data:`PANEL_MM` on the right; portrait: a band of
    that height at the bottom. Margins :data:`MARGIN_MM`, gap :data:`GAP_MM`.
    """
    w, h = _page_size(paper, orientation)
    p = PANEL_MM[paper]
    if orientation == "landscape":
        return (MARGIN_MM, MARGIN_MM, w - 2 * MARGIN_MM - p - GAP_MM, h - 2 * MARGIN_MM)
    return (MARGIN_MM, MARGIN_MM, w - 2 * MARGIN_MM, h - 2 * MARGIN_MM - p - GAP_MM)


def _japanese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def compass_ja(bearing_deg: float, *, points: int = 16) -> str:
    """Japanese compass name of a bearing (北 = 0°, clockwise) on 16 or 8 points:
    ``compass_ja(94) == "東"``, ``compass_ja(70) == "東北東"``,
    ``compass_ja(70, points=8) == "東"``."""
    if points not in (8, 16):
        raise ValueError(f"points must be 8 or 16, got {points!r}")
    step = 360.0 / points
    return COMPASS_16[::16 // points][int(((float(bearing_deg) % 360.0) + step / 2) // step)
                                      % points]


def _panel_blocks(plan, sim, info: MapInfo, opt, paper, today) -> list:
    """The panel's blocks: (heading, [(kind, payload) …]) in reading order."""
    mun = plan.get("municipality") or {}
    project = plan.get("project") or {}
    name = str(plan.get("name") or "")
    title = str(project.get("title") or "") or name
    blocks = [("title", [
        ("big", "配置図（防犯カメラ・防犯灯）"),
        ("kv", ("自治体名", f"{mun.get('prefecture') or ''}{mun.get('name') or ''}")),
        ("kv", ("事業名", title)),
        ("kv", ("計画名", name)),
        ("kv", ("作成日", _japanese_date(today))),
        ("kv", ("縮尺", f"1:{info.scale_n:,}（{paper}で100%印刷時）")),
    ])]
    legend = [("sym", ("camera", "カメラ（番号・向き）")),
              ("sym", ("wedge", "撮影範囲（地面上, 高さ{:g} m）".format(
                  float(plan.get("target_height_m") or 1.5)))),
              ("sym", ("light", "防犯灯")),
              ("sym", ("area", "計画区域")),
              ("sym", ("building", "建物"))]
    if info.has_homes:
        legend.append(("sym", ("home", "住宅")))
    if info.has_masks:
        legend.append(("sym", ("mask", "プライバシーマスク（撮影しない範囲）")))
    if info.has_signage:
        legend.append(("sym", ("sign", "設置の表示あり")))
    if info.has_dori:
        std = sim.result.get("standard") or STANDARD_IF_ABSENT
        for key, rgb in REACH_LEVELS.get(std, ()):
            legend.append(("sym", (("dori", rgb), f"{dori_label(key)} の到達距離（光軸上）")))
    for layer in info.layers:
        legend.append(("sym", (("layer", layer), _layer_name(layer))))
    if info.outside:
        legend.append(("sym", ("outside", "区域外のカメラ")))
    blocks.append(("凡例", legend))
    cams = plan.get("cameras") or []
    if opt["table"]:
        rows = []
        by_id = {r["id"]: r for r in sim.result.get("cameras") or []}
        std = sim.result.get("standard") or STANDARD_IF_ABSENT
        key = REACH_LEVELS[std][0][0]
        level_ja = next(lv.name_ja or lv.name_en for lv in DORI_TABLE[std] if lv.key == key)
        for c in cams:
            cid = str(c.get("id"))
            r = (by_id.get(cid) or {}).get("dori_axis_end_m") or {}
            reach = r.get(key)
            reach_txt = f"〜{reach:.0f} m" if reach is not None and math.isfinite(reach) \
                else "届かず"
            az = float(c.get("azimuth_deg") or 0.0)
            rows.append(("text", f"{cid}：{compass_ja(az, points=8)}向き {az:g}°／高さ "
                                 f"{float(c.get('mount_height_m') or 0):g} m／画角 "
                                 f"{float(c.get('hfov_deg') or 0):g}°／{level_ja} {reach_txt}"))
        blocks.append((f"カメラ一覧（{len(cams)}台）", rows))
    signs = [(str(c.get("id")), c.get("signage")) for c in cams if c.get("signage")]
    if signs:
        blocks.append(("設置の表示（掲示位置）",
                       [("text", f"{cid}: {_signage_text(s)}") for cid, s in signs]))
    notes = []
    if info.outside:
        notes.append(("warn", "区域外のカメラ: " + "、".join(info.outside)))
    notes.append(("text", "撮影範囲は平らな地面での画角の範囲で、建物による死角は含みません。"))
    notes.append(("text", "様式は自治体により異なります。申請先の様式に合わせてご利用ください。"))
    attribution = (plan.get("sample") or {}).get("attribution")
    if attribution:
        notes.append(("text", f"出典: {attribution}"))
    if any(layer in info.layers for layer in ("roads", "rail", "water", "boundaries",
                                              "admin_areas", "towns", "town_areas")):
        notes.append(("text", "出典: 国土地理院 基盤地図情報（基本項目）"))
    blocks.append(("注記", notes))
    return blocks


def _signage_text(s) -> str:
    if isinstance(s, dict):
        return str(s.get("text") or s.get("address") or "")
    return str(s)


def _layer_name(layer: str) -> str:
    """The Japanese legend name of a base-map layer: the app's own label
    (``LAYER_STYLES[layer].label``, a key of the UI string tables, which are plain data)."""
    from ui.strings import load_all
    style = LAYER_STYLES.get(layer)
    return load_all().get(style.label, (layer,))[0] if style else layer


def _draw_symbol(cv, kind, x, y):
    """A legend symbol centred at ``(x + 3, y)`` [mm], 6 mm wide."""
    cx = x + 3
    if kind == "camera":
        cv.polyline([(cx - 2, y), (cx + 2.5, y)], CAMERA_RGB, 0.5)
        cv.polygon([(cx + 3, y), (cx + 1.2, y - 1), (cx + 1.2, y + 1)], fill=CAMERA_RGB)
        cv.circle(cx - 2, y, 1.0, fill=(255, 255, 255), stroke=CAMERA_RGB, width_mm=0.5)
    elif kind == "wedge":
        cv.polygon([(x, y), (x + 6, y - 1.8), (x + 6, y + 1.8)], fill=CAMERA_RGB,
                   stroke=CAMERA_RGB, alpha=WEDGE_ALPHA, width_mm=0.25)
    elif kind == "light":
        cv.polygon(_star((cx, y), 1.9), fill=LIGHT_RGB, stroke=(120, 90, 0))
    elif kind == "area":
        cv.polyline([(x, y), (x + 6, y)], AREA_RGB, 0.6, (3.0, 1.2))
    elif kind in ("building", "home"):
        home = kind == "home"
        cv.polygon([(x + 1, y - 1.4), (x + 5, y - 1.4), (x + 5, y + 1.4), (x + 1, y + 1.4)],
                   fill=HOME_FILL if home else BUILDING_FILL,
                   stroke=HOME_LINE if home else BUILDING_LINE)
    elif kind == "mask":
        pts = [(x, y - 1.6), (x + 6, y - 1.6), (x + 6, y + 1.6), (x, y + 1.6)]
        cv.polygon(pts, fill=(200, 200, 200), stroke=MASK_RGB)
        for seg in _hatch(pts, 1.2):
            cv.polyline(seg, MASK_RGB, 0.2)
    elif kind == "sign":
        cv.polygon([(cx - 1.6, y - 1.6), (cx + 1.6, y - 1.6), (cx + 1.6, y + 1.6),
                    (cx - 1.6, y + 1.6)], fill=(255, 255, 255), stroke=(0, 120, 60))
        cv.text(cx, y, "表", MIN_TEXT_PT, (0, 120, 60), align="C")
    elif kind == "outside":
        cv.circle(cx, y, 1.8, stroke=OUTSIDE_RGB, width_mm=0.6)
    elif isinstance(kind, tuple) and kind[0] == "dori":
        cv.polyline([(x, y), (x + 6, y)], kind[1], 0.45)
    elif isinstance(kind, tuple) and kind[0] == "layer":
        style = LAYER_STYLES[kind[1]]
        if kind[1] == "towns":
            cv.text(cx, y, "町", MIN_TEXT_PT, _blend(style.colour), align="C")
        elif style.fill:
            cv.polygon([(x + 1, y - 1.4), (x + 5, y - 1.4), (x + 5, y + 1.4), (x + 1, y + 1.4)],
                       fill=_blend(style.fill), stroke=_blend(style.colour))
        else:
            cv.polyline([(x, y), (x + 6, y)], _blend(style.colour),
                        min(style.width * PX_MM, 1.5))


def _wrap(cv, text, size_pt, width_mm, bold=False) -> list[str]:
    """``text`` broken into lines no wider than ``width_mm`` (Japanese line breaking,
    :func:`reports.typesetting.wrap_japanese`: Latin words such as PLATEAU stay whole)."""
    if not text:
        return []
    return wrap_japanese(text, lambda s: cv.text_width(s, size_pt, bold) <= width_mm)


def _draw_panel(cv, blocks, x, y, w, h, opt):
    """Flow the blocks into columns of width ``w`` from ``(x, y)``; height ``h`` [mm]."""
    pt = opt["text_pt"]
    line = pt * PT_MM * 1.45
    # columns at least 62 mm at 7.5 pt, wider for larger text (the notice board's)
    cols = max(1, int((w + GAP_MM) // (62 * pt / 7.5))) if w > 120 else 1
    col_w = (w - GAP_MM * (cols - 1)) / cols
    col, cy = 0, y

    def newline(need):
        nonlocal col, cy
        if cy + need > y + h and col < cols - 1:
            col += 1
            cy = y
        return x + col * (col_w + GAP_MM)

    for head, items in blocks:
        if head == "title":
            cx = newline(line * (len(items) + 1))
            top = cy
            for kind, payload in items:
                if kind == "big":
                    # as large as 1.5 × the text, as small as fits the column
                    big = pt * 1.5
                    big *= min(1.0, (col_w - 3) / cv.text_width(payload, big, True))
                    cv.text(cx + 1.5, cy + line * 0.8, payload, big, INK, bold=True)
                    cy += line * 1.6
                else:
                    k_, v_ = payload
                    parts = _wrap(cv, str(v_), pt, col_w - 20)
                    for j, part in enumerate(parts or [""]):
                        if j == 0:
                            cv.text(cx + 1.5, cy + line / 2, k_, pt, (90, 90, 90))
                        cv.text(cx + 18, cy + line / 2, part, pt, INK, bold=k_ == "縮尺")
                        cy += line
            cv.polygon([(cx, top), (cx + col_w, top), (cx + col_w, cy + 1), (cx, cy + 1)],
                       stroke=INK, width_mm=0.35)
            cy += line
            continue
        # a block starts a new column when it does not fit whole in this one
        lines = sum(len(_wrap(cv, payload[1] if kind == "sym" else payload, pt,
                              col_w - (9 if kind == "sym" else 1))) or 1
                    for kind, payload in items)
        cx = newline(line * (1.15 + lines))
        cv.text(cx, cy + line / 2, head, pt * 1.1, INK, bold=True)
        cy += line * 1.15
        for kind, payload in items:
            if kind == "sym":
                sym, label = payload
                cx = newline(line)
                _draw_symbol(cv, sym, cx, cy + line / 2)
                for j, part in enumerate(_wrap(cv, label, pt, col_w - 9)):
                    cv.text(cx + 8, cy + line / 2, part, pt, INK)
                    cy += line
            else:
                rgb = OUTSIDE_RGB if kind == "warn" else INK
                for part in _wrap(cv, payload, pt, col_w - 1, kind == "warn"):
                    cx = newline(line)
                    cv.text(cx, cy + line / 2, part, pt, rgb, bold=kind == "warn")
                    cy += line
        cy += line * 0.6


def _options(paper, orientation, preset):
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(map(str, PRESETS))}; "
                         f"got {preset!r}")
    opt = PRESETS[preset]
    return opt.get("paper", paper), opt.get("orientation", orientation), opt


def _draw_page(cv, plan, sim, paper, orientation, preset, today):
    opt = PRESETS[preset]
    bx, by, bw, bh = map_box(paper, orientation)
    info = _draw_map(cv, plan, sim, bx, by, bw, bh, preset)
    blocks = _panel_blocks(plan, sim, info, opt, paper, today)
    if orientation == "landscape":
        _draw_panel(cv, blocks, bx + bw + GAP_MM, by, PANEL_MM[paper], bh, opt)
    else:
        _draw_panel(cv, blocks, bx, by + bh + GAP_MM, bw, PANEL_MM[paper], opt)
    return info


def layout_map_pdf(plan: dict, *, paper: str = "A4", orientation: str = "landscape",
                   preset: str | None = None, today: dt.date | None = None,
                   sim=None) -> bytes:
    """The 配置図 as a one-page PDF.

    Parameters
    ----------
    plan : dict
        The plan (``docs/architecture.md``); validated by the simulation (``PlanError``).
    paper : {"A4", "A3"}
    orientation : {"landscape", "portrait"}
    preset : {None, "notice"}
        ``"notice"``: the 町会 notice board (A3 portrait, large numbers, no technical
        layers); overrides ``paper`` and ``orientation``.
    today : datetime.date, optional
        作成日 (default today).
    sim : Simulation, optional
        ``simulate(plan)`` when already computed.

    Returns
    -------
    bytes
        The PDF; Japanese text in an embedded subset of :func:`reports.fonts.japanese_font`.

    Raises
    ------
    ValueError
        Unknown paper, orientation or preset; a plan the simulation refuses; no Japanese
        font (:class:`reports.fonts.JapaneseFontMissing`).
    """
    paper, orientation, _ = _options(paper, orientation, preset)
    pw, ph = _page_size(paper, orientation)
    sim = sim if sim is not None else simulate(plan, night_grids=False)
    pdf = FPDF(unit="mm", format=(pw, ph))
    pdf.set_auto_page_break(False)
    pdf.set_title(f"配置図 {plan.get('name') or ''}")
    pdf.set_creator("Mimamori Planner")
    add_fpdf_fonts(pdf, bold=False, mincho=False)
    pdf.add_page()
    _draw_page(_PdfCanvas(pdf), plan, sim, paper, orientation, preset,
               today or dt.date.today())
    return bytes(pdf.output())


def layout_map_png(plan: dict, *, dpi: int = 150, paper: str = "A4",
                   orientation: str = "landscape", preset: str | None = None,
                   today: dt.date | None = None, sim=None) -> bytes:
    """The 配置図 as a PNG of the page at ``dpi`` [px/inch] (the same drawing as the PDF).

    The image is ``round(width_mm · dpi / 25.4)`` × ``round(height_mm · dpi / 25.4)`` px.
    Parameters and errors as :func:`layout_map_pdf`.
    """
    if not (isinstance(dpi, (int, float)) and 36 <= dpi <= 600):
        raise ValueError(f"dpi must be between 36 and 600; got {dpi!r}")
    paper, orientation, _ = _options(paper, orientation, preset)
    pw, ph = _page_size(paper, orientation)
    sim = sim if sim is not None else simulate(plan, night_grids=False)
    cv = _PngCanvas(pw, ph, dpi)
    _draw_page(cv, plan, sim, paper, orientation, preset, today or dt.date.today())
    buf = io.BytesIO()
    cv.img.save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()
