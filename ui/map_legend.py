"""The map's legend, drawn beside the map, never on it: a legend inside a plotly chart
covers part of the map and swallows the clicks meant for it.

One list of entries (:func:`legend_sections`) — the raster layer's colours, the map's
symbols and the imported base map's layers — and one PIL drawer (:func:`draw_legend`):
the シミュレーション page shows it as an image beside the map (:func:`legend_png`), the
map's PNG (``ui.map_view.render_png``) draws it in its side panel. The symbol styles are
declared here once and the interactive map draws its traces with them.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from assessments.plan.basemap import LayerStyle
from reports.fonts import pil_font
from ui.i18n import t
from ui.map_base import DASH_PX, SKETCH_COLOUR, _dash_runs


@dataclass(frozen=True)
class Mark:
    """A point symbol: ``symbol`` one of ``"circle"``, ``"ring"``, ``"star"``,
    ``"star_open"``, ``"x"``; colours as ``(r, g, b)``."""
    symbol: str
    colour: tuple
    edge: tuple = (255, 255, 255)


#: The map's own symbols (``(r, g, b, opacity)`` colours; widths [px]).
BUILDINGS = LayerStyle("sim.map.buildings", (70, 74, 84, 0.9), 0.6, fill=(120, 126, 140, 0.55))
HOMES = LayerStyle("sim.map.homes", (150, 70, 30, 1.0), 0.8, fill=(214, 120, 60, 0.65))
AREA = LayerStyle("sim.map.area", (31, 45, 61, 1.0), 2.0, "dash")
DISTRICTS = LayerStyle("sim.map.districts", (120, 40, 150, 0.8), 2.0, "dashdot")
FOOTPRINTS = LayerStyle("sim.map.footprints", (25, 60, 140, 0.6), 1.2, "dot")
SKETCH = LayerStyle("map.sketch", (255, 127, 14, 1.0), 2.5)
CAMERA = Mark("circle", (13, 71, 161))
#: An already installed camera (``cameras[].existing``): a ring of the camera colour.
CAMERA_EXISTING = Mark("ring", (13, 71, 161))
LIGHT = Mark("star", (255, 212, 0), (107, 86, 0))
#: Devices of a proposal (「配置を提案」), not yet in the plan: hollow, in a colour no layer
#: uses (magenta), the camera's aim dashed.
PROPOSED_COLOUR = (216, 27, 96)
CAMERA_PROPOSED = Mark("ring", PROPOSED_COLOUR)
LIGHT_PROPOSED = Mark("star_open", PROPOSED_COLOUR, PROPOSED_COLOUR)
POINT = Mark("x", (0, 0, 0), (0, 0, 0))
assert SKETCH_COLOUR == "#{:02x}{:02x}{:02x}".format(*SKETCH.colour[:3])

#: One legend entry: its label and a fill colour (``"#rrggbb"``: a square), a
#: :class:`LayerStyle` (a line, or a square when filled) or a :class:`Mark`.
Entry = tuple  # (str, str | LayerStyle | Mark)


def hex_rgb(colour: str) -> tuple:
    """``"#rrggbb"`` → ``(r, g, b)``."""
    c = colour.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def symbol_entries(plan: dict, sim, *, overlays, has_homes: bool, sketch: bool = False,
                   point: bool = False, existing: int = 0,
                   proposed: tuple = (0, 0)) -> list[Entry]:
    """The map's symbols that are drawn: buildings (homes), the area, districts, camera
    footprints, lights, cameras (``existing``: how many are already installed), the
    proposed cameras and lights (``proposed``: their numbers), a sketched area, the
    inspected point."""
    out: list[Entry] = []
    if "buildings" in overlays and (plan.get("buildings") or {}).get("features"):
        out.append((t(BUILDINGS.label), BUILDINGS))
        if has_homes:
            out.append((t(HOMES.label), HOMES))
    if plan.get("area"):
        out.append((t(AREA.label), AREA))
    if (plan.get("districts") or {}).get("features"):
        out.append((t(DISTRICTS.label), DISTRICTS))
    if "footprints" in overlays and sim.model.views:
        out.append((t(FOOTPRINTS.label), FOOTPRINTS))
    if sim.lights:
        out.append((t("sim.map.lights"), LIGHT))
    if len(sim.model.views) > existing:
        out.append((t("sim.map.cameras"), CAMERA))
    if existing:
        out.append((t("sim.map.cameras_existing"), CAMERA_EXISTING))
    if proposed[0]:
        out.append((t("sim.map.cameras_proposed"), CAMERA_PROPOSED))
    if proposed[1]:
        out.append((t("sim.map.lights_proposed"), LIGHT_PROPOSED))
    if sketch:
        out.append((t(SKETCH.label), SKETCH))
    if point:
        out.append((t("sim.map.point"), POINT))
    return out


# ---------------------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------------------
#: Sizes of the drawn legend [px] at scale 1: text, title, row height, swatch side.
TEXT_PX, TITLE_PX, ROW_PX, SWATCH_PX = 13, 14, 22, 16
INK = (20, 20, 20, 255)


def _rgba(colour, opacity=1.0) -> tuple:
    if isinstance(colour, str):
        return (*hex_rgb(colour), round(255 * opacity))
    if len(colour) == 4:
        return (*colour[:3], round(255 * colour[3]))
    return (*colour, round(255 * opacity))


def _star(cx, cy, r) -> list:
    """A five-pointed star's corners around ``(cx, cy)`` [px], point up."""
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.45
        a = math.pi / 5 * i
        pts.append((cx + rr * math.sin(a), cy - rr * math.cos(a)))
    return pts


def draw_swatch(d: ImageDraw.ImageDraw, x: float, y: float, s: float, swatch) -> None:
    """Draw one swatch in the ``s`` × ``s`` box at ``(x, y)`` (top left) [px]."""
    if isinstance(swatch, str):
        d.rectangle([x, y, x + s, y + s], fill=_rgba(swatch), outline=(60, 60, 60, 255))
    elif isinstance(swatch, LayerStyle):
        if swatch.fill:
            d.rectangle([x, y, x + s, y + s], fill=_rgba(swatch.fill),
                        outline=_rgba(swatch.colour), width=max(1, round(swatch.width)))
        else:
            pts = np.array([[x, y + s / 2], [x + s * 1.6, y + s / 2]])
            width = max(1, round(swatch.width * 1.4))
            runs = _dash_runs(pts, DASH_PX[swatch.dash]) if swatch.dash in DASH_PX else [pts]
            for run in runs:
                d.line(run.ravel().tolist(), fill=_rgba(swatch.colour), width=width)
    elif isinstance(swatch, Mark):
        cx, cy, r = x + s / 2, y + s / 2, s / 2
        if swatch.symbol == "star":
            d.polygon(_star(cx, cy, r * 1.1), fill=_rgba(swatch.colour),
                      outline=_rgba(swatch.edge))
        elif swatch.symbol == "star_open":
            pts = _star(cx, cy, r * 1.1)
            d.line(pts + pts[:1], fill=_rgba(swatch.colour), width=2)
        elif swatch.symbol == "x":
            w = max(2, round(s / 6))
            d.line([cx - r, cy - r, cx + r, cy + r], fill=_rgba(swatch.colour), width=w)
            d.line([cx - r, cy + r, cx + r, cy - r], fill=_rgba(swatch.colour), width=w)
        elif swatch.symbol == "ring":
            d.ellipse([cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8],
                      fill=(255, 255, 255, 255), outline=_rgba(swatch.colour),
                      width=max(2, round(s / 5)))
        else:
            d.ellipse([cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8],
                      fill=_rgba(swatch.colour), outline=(40, 40, 40, 255), width=2)


def legend_height(sections, *, scale: float = 1.0) -> int:
    """Height [px] :func:`draw_legend` needs for ``sections``."""
    rows = sum(len(e) for _, e in sections if e)
    titles = sum(1 for title, e in sections if e and title)
    gaps = max(0, sum(1 for _, e in sections if e) - 1)
    return math.ceil(scale * (ROW_PX * rows + (TITLE_PX + 10) * titles + 10 * gaps + 4))


def draw_legend(d: ImageDraw.ImageDraw, x: float, y: float, sections, *,
                scale: float = 1.0) -> float:
    """Draw ``sections`` (``[(title, [entry, …])]``; empty sections skipped) from
    ``(x, y)`` [px] downwards; returns the y below the last row."""
    f_text, f_title = pil_font(round(TEXT_PX * scale)), pil_font(round(TITLE_PX * scale),
                                                                  bold=True)
    s, row = SWATCH_PX * scale, ROW_PX * scale
    first = True
    for title, entries in sections:
        if not entries:
            continue
        if not first:
            y += 10 * scale
        first = False
        if title:
            d.text((x, y), title, fill=INK, font=f_title)
            y += (TITLE_PX + 10) * scale
        for label, swatch in entries:
            draw_swatch(d, x, y + (row - s) / 2 - 1, s, swatch)
            d.text((x + s * 1.6 + 8 * scale, y + row / 2 - 1), label, fill=INK, font=f_text,
                   anchor="lm")
            y += row
    return y


def legend_width(sections, *, scale: float = 1.0) -> int:
    """Width [px] the widest row or title of ``sections`` needs."""
    f_text, f_title = pil_font(round(TEXT_PX * scale)), pil_font(round(TITLE_PX * scale),
                                                                  bold=True)
    w = 0.0
    for title, entries in sections:
        if not entries:
            continue
        if title:
            w = max(w, f_title.getlength(title))
        for label, _ in entries:
            w = max(w, SWATCH_PX * scale * 1.6 + 8 * scale + f_text.getlength(label))
    return math.ceil(w) + 4


def legend_png(sections, *, scale: float = 1.0) -> bytes | None:
    """The legend as a PNG just large enough (transparent-free, white), or None when
    there is nothing to explain."""
    if not any(e for _, e in sections):
        return None
    pad = round(6 * scale)
    img = Image.new("RGBA", (legend_width(sections, scale=scale) + 2 * pad,
                             legend_height(sections, scale=scale) + 2 * pad),
                    (255, 255, 255, 255))
    draw_legend(ImageDraw.Draw(img, "RGBA"), pad, pad, sections, scale=scale)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PNG")
    return buf.getvalue()
