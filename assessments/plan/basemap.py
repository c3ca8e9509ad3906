"""The base-map parts of a plan: imported map layers, a raster background and terrain.

A plan stores what a municipality imported once, as JSON, so the workspace can keep it by
content hash (``datasets/workspace.py`` ``BLOB_KEYS``) and every page, export and the CLI
read the same values:

- ``plan["map_layers"]``: ``{layer: FeatureCollection}`` in lon/lat, layer names in
  :data:`LAYERS` (基盤地図情報 基本項目 from :func:`~assessments.plan.iotools.fgd.read_fgd`,
  PLATEAU ``tran`` road polygons, and the sample's ``streets`` / ``park``);
- ``plan["background"]``: one raster background (:func:`background_doc`);
- ``plan["terrain"]``: ground heights, either ``{"file": …}`` (the CLI's PLAN.json) or the
  heights themselves (:func:`terrain_doc`).
"""
from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

#: Map layers a plan can hold, in drawing order (bottom first), with their source kind.
LAYERS = ("admin_areas", "town_areas", "park", "water", "road_areas", "roads", "streets",
          "rail", "boundaries", "towns")
#: Layers read from 基盤地図情報 基本項目 (replaced together by an FGD import).
FGD_LAYERS = ("roads", "rail", "water", "boundaries", "admin_areas", "towns", "town_areas")
#: Layers read from PLATEAU CityGML (``tran``: LOD1 road polygons).
PLATEAU_LAYERS = ("road_areas",)
@dataclass(frozen=True)
class LayerStyle:
    """How one map layer is drawn, on the map, in its PNG and on the printed 配置図.

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
        """The line colour as CSS ``rgba(…)``."""
        return _css(self.colour)

    @property
    def fill_css(self) -> str | None:
        """The fill colour as CSS ``rgba(…)`` (None without a fill)."""
        return _css(self.fill) if self.fill else None


def _css(rgba) -> str:
    return "rgba({},{},{},{:g})".format(*rgba)


#: The style of every layer of :data:`LAYERS` (the app's map, its PNG and the printed
#: 配置図 all draw with it). ``road_areas`` is
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
#: The 表示区分 (``vis``) of a 基盤地図情報 feature that standard maps do not draw.
HIDDEN = "非表示"
#: The most terrain cells a plan stores (≈ 16 MB of float32; a 基盤地図情報 DEM5A
#: 3次メッシュ file is 225 × 150 cells, so this holds several hundred of them).
MAX_TERRAIN_CELLS = 4_000_000


def layer_features(plan: dict, name: str) -> list:
    """The features of map layer ``name`` of a plan (``[]`` when it has none)."""
    layer = (plan.get("map_layers") or {}).get(name) or {}
    return list(layer.get("features") or []) if isinstance(layer, dict) else []


def has_base_map(plan: dict) -> bool:
    """The plan holds an imported base map (a map layer or a raster background)."""
    return bool(plan.get("background")) or any(layer_features(plan, k) for k in LAYERS)


# --- terrain ---------------------------------------------------------------------------
def terrain_doc(terrain, *, name: str = "", source: str = "") -> dict:
    """A geographic :class:`~assessments.engine.visibility.Terrain` as plan JSON.

    Heights are stored as little-endian float32 [m] in base64 (NaN = no data), row-major,
    north row first; ``lat_north`` / ``lon_west`` are the centre of cell ``[0, 0]`` [°].

    Raises
    ------
    ValueError
        For a terrain attached to a grid (it has no georeference of its own) or one larger
        than :data:`MAX_TERRAIN_CELLS`.
    """
    if getattr(terrain, "_grid", None) is not None:
        raise ValueError("terrain on a grid has no georeference to store")
    h = np.asarray(terrain.height_m, dtype="<f4")
    if h.size > MAX_TERRAIN_CELLS:
        raise ValueError(f"terrain of {h.size} cells is larger than {MAX_TERRAIN_CELLS}")
    return {"name": str(name), "source": str(source), "rows": int(h.shape[0]),
            "cols": int(h.shape[1]), "lat_north": float(terrain.lat_north),
            "lon_west": float(terrain.lon_west), "dlat_deg": float(terrain.dlat_deg),
            "dlon_deg": float(terrain.dlon_deg),
            "height_m_f32": base64.b64encode(np.ascontiguousarray(h).tobytes()).decode("ascii")}


def is_terrain_doc(spec) -> bool:
    """``spec`` holds the heights themselves (:func:`terrain_doc`), not a file name."""
    return isinstance(spec, dict) and isinstance(spec.get("height_m_f32"), str)


def terrain_from_doc(spec: dict):
    """The :class:`~assessments.engine.visibility.Terrain` of a :func:`terrain_doc`.

    Raises
    ------
    ValueError
        When the stored values do not fit together (size, spacing, corner).
    """
    from ..engine.visibility import Terrain
    try:
        rows, cols = int(spec["rows"]), int(spec["cols"])
        geo = {k: float(spec[k]) for k in ("lat_north", "lon_west", "dlat_deg", "dlon_deg")}
        raw = base64.b64decode(spec["height_m_f32"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"terrain: {exc}") from None
    if not (0 < rows * cols <= MAX_TERRAIN_CELLS) or len(raw) != 4 * rows * cols:
        raise ValueError(f"terrain: {len(raw)} bytes do not hold {rows} × {cols} heights")
    if not all(math.isfinite(v) for v in geo.values()):
        raise ValueError("terrain: georeference is not finite")
    h = np.frombuffer(raw, dtype="<f4").reshape(rows, cols).astype(np.float32)
    return Terrain(h, **geo)


def terrain_extent(rows: int, cols: int, *, lat_north: float, lon_west: float,
                   dlat_deg: float, dlon_deg: float) -> tuple[float, float, float, float]:
    """``(lon_w, lat_s, lon_e, lat_n)`` [°] of the cell edges of a geographic height grid
    whose cell ``[0, 0]`` is centred at ``(lat_north, lon_west)``."""
    lat_n = float(lat_north) + float(dlat_deg) / 2
    lon_w = float(lon_west) - float(dlon_deg) / 2
    return lon_w, lat_n - int(rows) * float(dlat_deg), lon_w + int(cols) * float(dlon_deg), lat_n


def terrain_bounds(spec: dict) -> tuple[float, float, float, float]:
    """``(lon_w, lat_s, lon_e, lat_n)`` [°] of the cell edges of a :func:`terrain_doc`."""
    return terrain_extent(spec["rows"], spec["cols"], lat_north=spec["lat_north"],
                          lon_west=spec["lon_west"], dlat_deg=spec["dlat_deg"],
                          dlon_deg=spec["dlon_deg"])


# --- raster background -----------------------------------------------------------------
def background_doc(background, *, name: str = "", attribution: str = "") -> dict:
    """A :class:`~assessments.plan.iotools.raster.RasterBackground` as plan JSON: the
    image as PNG (base64), its georeference, the file name and the attribution the user
    gave (出典, printed on every map)."""
    return {"name": str(name), "attribution": str(attribution),
            "png": base64.b64encode(background.to_png()).decode("ascii"),
            "georef": background.georef()}


def background_from_doc(spec: dict):
    """The :class:`~assessments.plan.iotools.raster.RasterBackground` of a
    :func:`background_doc` (``ValueError`` when it does not decode)."""
    from .iotools.raster import RasterBackground
    try:
        png = base64.b64decode(spec["png"], validate=True)
        return RasterBackground.from_png(png, spec["georef"])
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise ValueError(f"background: {exc}") from None
