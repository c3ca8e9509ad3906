"""Drawing primitives shared by the simulation map (``ui.map_view``) and its imported
base map (``ui.map_base``): image overlays as data URIs, NaN-joined vector parts, plain
scatter traces."""
from __future__ import annotations

import base64
import io
import math

import numpy as np
from PIL import Image


#: Largest side of the image overlays sent to the browser [px]: a district's 2,000 × 2,000
#: cells are reduced 2 × 2 → 1,000 px (the map is drawn ≈ 1,100 px wide at most).
OVERLAY_MAX_PX = 1200


def overlay_step(shape, max_px: int | None) -> int:
    """Cells per image pixel (each way) so that no side exceeds ``max_px`` (1 = full)."""
    if not max_px:
        return 1
    return max(1, math.ceil(max(shape) / int(max_px)))


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


def _scatter(**kw) -> dict:
    """A scatter trace as a plain dict (the figure is assembled without plotly's
    per-property validation, which cost more than drawing the rest of the map)."""
    return dict(type="scatter", **kw)
