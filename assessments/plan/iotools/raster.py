"""Raster backgrounds: GeoTIFF, and PNG / JPEG with a world file (都市計画図, 道路台帳図,
オルソ画像 from a municipal GIS section), in a 平面直角座標系 zone or in lat/lon.

:func:`read_raster_background` takes the uploaded files (the image and, where needed, its
world file ``.pgw`` / ``.jgw`` / ``.tfw`` / ``.wld`` and ``.prj``, matched by file stem) and
returns an :class:`ImportResult` whose ``background`` is a :class:`RasterBackground`: the
image as RGBA (reduced to at most ``Limits.max_background_px`` on the long side, aspect kept)
with its georeference — the file's coordinate system and the affine transform from pixel
corners to it.

Rotation against lat/lon: a 平面直角座標系 image is north-up in its zone, which is turned
against the meridians by the grid convergence (≈ Δλ · sin φ, e.g. 0.08° at 柏市 in zone IX)
and against the map's local metres as well. Nothing is resampled at import: the background
keeps its own grid and :meth:`RasterBackground.on_grid` warps it once onto the simulation
grid's local metres (exact coordinates at a mesh of control points, bilinear between them,
through :mod:`assessments.engine.grid`), giving an axis-aligned image with its local bounds —
the form the map draws under the heat map (``layout.images`` in local metres). World-file
rotation terms and a GeoTIFF ModelTransformation are affine too and so supported the same way.
:attr:`RasterBackground.corners_lonlat` / :meth:`~RasterBackground.footprint` give the
image's corner quad in lon/lat (e.g. to check it against the plan's area).

Work is bounded before decoding: bytes (``Limits.max_geo_bytes``), pixels from the file
header (``Limits.max_raster_pixels``, Pillow's decompression-bomb limit), JPEGs decoded at a
reduced scale and GeoTIFF pyramids read at the level needed.

References
----------
.. [1] OGC GeoTIFF Standard 1.1 (OGC 19-008r4, 2019): ModelPixelScaleTag 33550,
   ModelTiepointTag 33922, ModelTransformationTag 34264, GeoKeyDirectoryTag 34735;
   GTModelTypeGeoKey 1024 (1 projected, 2 geographic), GTRasterTypeGeoKey 1025
   (1 PixelIsArea: raster (0, 0) is the upper-left pixel's corner; 2 PixelIsPoint: its
   centre), GeographicTypeGeoKey 2048, GeogGeodeticDatumGeoKey 2050,
   ProjectedCSTypeGeoKey 3072 (EPSG codes; 32767 = user-defined).
.. [2] GDAL, "WLD -- ESRI World File", https://gdal.org/drivers/raster/wld.html: six lines
   A (pixel x size), D, B (rotation terms), E (negative pixel y size), C, F (x, y of the
   *centre* of the upper-left pixel); x = A·col + B·row + C, y = D·col + E·row + F.
.. [3] Pillow, ``Image.MAX_IMAGE_PIXELS`` (decompression-bomb protection, 89,478,485 px).
.. [4] 平面直角座標系, 国土交通省告示第九号 (zones and EPSG codes in
   :data:`assessments.engine.grid.PLANE_RECTANGULAR_ZONES`).
"""
from __future__ import annotations

import functools
import io
import math
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np

from assessments.engine.grid import PLANE_RECTANGULAR_ZONES, Grid, plane_rectangular_zone

from .result import ImportResult, Limits, new_result, short
from .values import JAPAN_LAT, JAPAN_LON, in_japan

__all__ = ["GridImage", "RasterBackground", "geotiff_georeference", "read_raster_background",
           "read_world_file"]

#: Image files, by suffix.
IMAGE_SUFFIXES = {".tif": "geotiff", ".tiff": "geotiff", ".png": "png", ".jpg": "jpeg",
                  ".jpeg": "jpeg"}
#: World-file suffixes [2]_ (``.wld`` goes with any image).
WORLD_SUFFIXES = (".pgw", ".pngw", ".jgw", ".jpgw", ".jpegw", ".tfw", ".tifw", ".tiffw",
                  ".wld")
#: EPSG code of JGD2011 lat/lon: every background's corners are given in it.
LATLON_EPSG = 6668
#: Geodetic datum (GeogGeodeticDatumGeoKey [1]_) → its geographic CRS, for GeoTIFFs that
#: give a datum but no CRS code: JGD2011, JGD2000, WGS 84.
_DATUM_CRS = {1128: 6668, 6612: 4612, 6326: 4326}
_USER_DEFINED = 32767


# ---------------------------------------------------------------------------------------
# coordinate systems
# ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _to_latlon(crs: str):
    """pyproj transformer ``crs`` → JGD2011 lat/lon with ``always_xy`` ((x, y) → (lon,
    lat)); raises ``pyproj.exceptions.CRSError`` or ``ValueError`` for a CRS it cannot use."""
    import pyproj
    c = pyproj.CRS.from_user_input(crs)
    if not (c.is_projected or c.is_geographic):
        raise ValueError(f"{crs} is neither a projected nor a geographic CRS")
    return pyproj.Transformer.from_crs(c, f"EPSG:{LATLON_EPSG}", always_xy=True)


def _crs_errors():
    """What pyproj raises for a coordinate system it cannot use: ``CRSError`` (unknown code
    or text), ``ProjError`` (no transformation), our ``ValueError`` (not a map CRS)."""
    from pyproj.exceptions import CRSError, ProjError
    return (CRSError, ProjError, ValueError)


def _affine_apply(t, col, row):
    a, b, c, d, e, f = t
    return a * col + b * row + c, d * col + e * row + f


def _affine_inverse(t, x, y):
    a, b, c, d, e, f = t
    det = a * e - b * d
    dx, dy = x - c, y - f
    return (e * dx - b * dy) / det, (a * dy - d * dx) / det


def _scaled(t, sx: float, sy: float) -> tuple:
    """The transform of the same image reduced by ``sx`` × ``sy`` source pixels per pixel."""
    a, b, c, d, e, f = t
    return (a * sx, b * sy, c, d * sx, e * sy, f)


def _centre_to_corner(a, b, c, d, e, f) -> tuple:
    """An affine on pixel-centre indices (pixel (0, 0)'s centre at (0, 0)) → on pixel-corner
    coordinates (its centre at (0.5, 0.5)), the convention of :class:`RasterBackground`."""
    return (a, b, c - 0.5 * (a + b), d, e, f - 0.5 * (d + e))


# ---------------------------------------------------------------------------------------
# the background value
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GridImage:
    """A background warped onto a grid's local metres: draw ``rgba`` with its north-west
    corner at (``x_w_m``, ``y_n_m``), ``sizex_m`` × ``sizey_m`` (plotly ``layout.images``
    with ``sizing="stretch"``).

    Attributes
    ----------
    rgba : ndarray
        ``(rows, cols, 4)`` uint8, row 0 north; alpha 0 outside the image.
    x_w_m, y_n_m : float
        Local x of the west edge, y of the north edge [m].
    pixel_m : float
        Size of one pixel [m] (square).
    """
    rgba: np.ndarray
    x_w_m: float
    y_n_m: float
    pixel_m: float

    @property
    def sizex_m(self) -> float:
        return self.rgba.shape[1] * self.pixel_m

    @property
    def sizey_m(self) -> float:
        return self.rgba.shape[0] * self.pixel_m


@dataclass(frozen=True, eq=False)
class RasterBackground:
    """A georeferenced image for the map background.

    Attributes
    ----------
    rgba : ndarray
        ``(rows, cols, 4)`` uint8 image, row 0 at the top.
    crs : str
        Its coordinate system, ``"EPSG:<code>"`` (e.g. ``EPSG:6677`` = 平面直角座標系 IX,
        ``EPSG:6668`` = JGD2011 lat/lon, ``EPSG:3857`` = Web Mercator tiles) or a WKT text.
    transform : tuple of 6 float
        ``(a, b, c, d, e, f)``: ``x = a·col + b·row + c``, ``y = d·col + e·row + f`` in the
        CRS's (east, north) / (lon, lat) order, for *pixel-corner* coordinates (the image's
        upper-left corner is ``(0, 0)``, pixel ``[r, k]``'s centre ``(k + 0.5, r + 0.5)``).
    source : dict
        How it was read: ``format``, ``name``, ``size_px`` of the file ``[cols, rows]``, …
    """
    rgba: np.ndarray
    crs: str
    transform: tuple
    source: dict = field(default_factory=dict)

    def __post_init__(self):
        # shared between reruns and caches like the plan's frozen values: never changed
        self.rgba.flags.writeable = False

    @property
    def shape(self) -> tuple:
        """``(rows, cols)`` of :attr:`rgba`."""
        return self.rgba.shape[:2]

    # --- coordinates ------------------------------------------------------------------
    def pixel_to_latlon(self, col, row):
        """Pixel-corner coordinates → ``(lat, lon)`` [°] (JGD2011). Scalars or arrays."""
        x, y = _affine_apply(self.transform, np.asarray(col, float), np.asarray(row, float))
        lon, lat = _to_latlon(self.crs).transform(x, y)
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        return (float(lat), float(lon)) if lat.ndim == 0 else (lat, lon)

    def latlon_to_pixel(self, lat, lon):
        """``(lat, lon)`` [°] → fractional pixel-corner ``(col, row)``. Scalars or arrays."""
        x, y = _to_latlon(self.crs).transform(np.asarray(lon, float), np.asarray(lat, float),
                                              direction="INVERSE")
        col, row = _affine_inverse(self.transform, np.asarray(x), np.asarray(y))
        col, row = np.asarray(col, dtype=float), np.asarray(row, dtype=float)
        return (float(col), float(row)) if col.ndim == 0 else (col, row)

    def _border(self, per_edge: int = 8):
        """Pixel-corner (col, row) around the image, clockwise from the upper-left corner
        (edges sampled: a projected image's straight edges are slightly curved in lon/lat)."""
        h, w = self.shape
        t = np.linspace(0.0, 1.0, per_edge, endpoint=False)
        cols = np.concatenate([t * w, np.full_like(t, w), (1 - t) * w, np.zeros_like(t)])
        rows = np.concatenate([np.zeros_like(t), t * h, np.full_like(t, h), (1 - t) * h])
        return cols, rows

    @property
    def corners_lonlat(self) -> tuple:
        """The image's four corners as ``(lon, lat)`` [°]: upper-left, upper-right,
        lower-right, lower-left (NW, NE, SE, SW of a north-up image)."""
        h, w = self.shape
        lat, lon = self.pixel_to_latlon([0, w, w, 0], [0, 0, h, h])
        return tuple((float(lo), float(la)) for lo, la in zip(lon, lat))

    @property
    def bounds_lonlat(self) -> tuple:
        """``(west, south, east, north)`` [°] enclosing the image (RFC 7946 bbox order)."""
        lat, lon = self.pixel_to_latlon(*self._border())
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def footprint(self) -> dict:
        """The image's outline as a GeoJSON Polygon (lon/lat, counter-clockwise)."""
        lat, lon = self.pixel_to_latlon(*self._border())
        ring = [[float(a), float(b)] for a, b in zip(lon[::-1], lat[::-1])]
        return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}

    @property
    def pixel_size_m(self) -> float:
        """Ground size of one pixel at the image centre [m] (mean of both directions)."""
        h, w = self.shape
        lat, lon = self.pixel_to_latlon([w / 2, w / 2 + 1, w / 2], [h / 2, h / 2, h / 2 + 1])
        g = Grid(float(lat[0]), float(lon[0]), 1.0, (1, 1), 0.0, 0.0)
        x, y = g.to_xy(lat, lon)
        return float((math.hypot(x[1] - x[0], y[1] - y[0])
                      + math.hypot(x[2] - x[0], y[2] - y[0])) / 2)

    # --- drawing --------------------------------------------------------------------------
    def on_grid(self, grid: Grid, max_px: int, *, control: int = 33) -> GridImage | None:
        """The part of the image over ``grid``, warped onto its local metres.

        Each output pixel centre goes local (x, y) → lat/lon (:meth:`Grid.to_latlon`) → the
        image's CRS → pixel; this is computed exactly on ``control`` × ``control`` points
        and bilinearly in between (the mapping is smooth: over a few km its curvature moves
        a point by far less than a pixel). Colours are sampled bilinearly; an image much
        finer than the output is first reduced by block means.

        Parameters
        ----------
        grid : assessments.engine.grid.Grid
        max_px : int
            Longest side of the result [px] (the map's ``OVERLAY_MAX_PX``); pixels are
            never finer than the image's own.
        control : int
            Control points each way at which the mapping is computed exactly.

        Returns
        -------
        GridImage or None
            None when the image does not reach the grid.
        """
        res = grid.resolution_m
        gx_w, gy_n = grid.x0_m - res / 2, grid.y0_m + res / 2
        gx_e, gy_s = gx_w + grid.shape[1] * res, gy_n - grid.shape[0] * res
        lat, lon = self.pixel_to_latlon(*self._border())
        bx, by = grid.to_xy(lat, lon)
        x_w, x_e = max(gx_w, float(np.nanmin(bx))), min(gx_e, float(np.nanmax(bx)))
        y_s, y_n = max(gy_s, float(np.nanmin(by))), min(gy_n, float(np.nanmax(by)))
        if not (x_w < x_e and y_s < y_n):
            return None
        native_m = self.pixel_size_m
        pixel_m = max(native_m, max(x_e - x_w, y_n - y_s) / max(int(max_px), 1))
        w = max(1, math.ceil((x_e - x_w) / pixel_m))
        h = max(1, math.ceil((y_n - y_s) / pixel_m))
        ci = np.linspace(0, w - 1, min(w, control))
        ri = np.linspace(0, h - 1, min(h, control))
        cx, cy = np.meshgrid(x_w + (ci + 0.5) * pixel_m, y_n - (ri + 0.5) * pixel_m)
        clat, clon = grid.to_latlon(cx, cy)
        ccol, crow = self.latlon_to_pixel(clat, clon)
        bad = ~(np.isfinite(ccol) & np.isfinite(crow))
        ccol[bad] = crow[bad] = -1e9
        wr, wc = _linear_weights(h, len(ri)), _linear_weights(w, len(ci))
        col, row = wr @ ccol @ wc.T, wr @ crow @ wc.T     # bilinear between control points
        ih, iw = self.shape
        inside = (col >= 0) & (col <= iw) & (row >= 0) & (row <= ih)
        if not inside.any():
            return None
        # only the window of the image that is used, reduced when much finer than the output
        c0 = max(0, int(np.floor(col[inside].min())) - 1)
        c1 = min(iw, int(np.ceil(col[inside].max())) + 1)
        r0 = max(0, int(np.floor(row[inside].min())) - 1)
        r1 = min(ih, int(np.ceil(row[inside].max())) + 1)
        k = max(1, min(int(pixel_m / native_m), c1 - c0, r1 - r0))
        src = block_reduce(self.rgba[r0:r1, c0:c1], k, k)
        # pixel-corner coordinates → indices of pixel centres in the reduced window
        out = _bilinear(src, (row - r0) / k - 0.5, (col - c0) / k - 0.5)
        out[..., 3][~inside] = 0
        return GridImage(out, x_w, y_n, pixel_m)

    # --- storage --------------------------------------------------------------------------
    def georef(self) -> dict:
        """The JSON-able georeference: ``crs``, ``transform``, ``source``."""
        return {"crs": self.crs, "transform": [float(v) for v in self.transform],
                "source": dict(self.source)}

    def to_png(self) -> bytes:
        """The image as PNG bytes (store with :meth:`georef`; read back with
        :meth:`from_png`)."""
        from PIL import Image
        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(self.rgba)).save(buf, format="PNG", compress_level=6)
        return buf.getvalue()

    @classmethod
    def from_png(cls, png: bytes, georef: dict) -> "RasterBackground":
        """A background from :meth:`to_png` bytes and :meth:`georef` (trusted, stored
        data: raises ``ValueError`` when they do not fit)."""
        from PIL import Image
        with Image.open(io.BytesIO(png), formats=["PNG"]) as im:
            rgba = np.asarray(im.convert("RGBA"))
        t = tuple(float(v) for v in georef["transform"])
        if len(t) != 6:
            raise ValueError("a background transform has 6 terms")
        return cls(rgba, str(georef["crs"]), t, dict(georef.get("source") or {}))


def _linear_weights(n: int, m: int) -> np.ndarray:
    """``(n, m)`` matrix interpolating linearly from ``m`` evenly spaced control values
    (the first at 0, the last at ``n − 1``) to all ``n`` positions."""
    t = np.arange(n) * ((m - 1) / max(n - 1, 1))
    i0 = np.minimum(np.floor(t).astype(np.int64), max(m - 2, 0))
    f = t - i0
    out = np.zeros((n, m))
    out[np.arange(n), i0] = 1 - f
    if m > 1:
        out[np.arange(n), i0 + 1] += f
    return out


def _bilinear(src: np.ndarray, r, c) -> np.ndarray:
    """``src`` (H, W, 4) uint8 sampled bilinearly at fractional pixel-centre indices ``r``,
    ``c`` (edge pixels repeated beyond the border) → uint8 of ``r``'s shape × 4."""
    h, w = src.shape[:2]
    r = np.clip(r, 0, h - 1)
    c = np.clip(c, 0, w - 1)
    r0 = np.minimum(r.astype(np.int64), max(h - 2, 0))
    c0 = np.minimum(c.astype(np.int64), max(w - 2, 0))
    fr = (r - r0).astype(np.float32)[..., None]
    fc = (c - c0).astype(np.float32)[..., None]
    flat = src.reshape(-1, 4)
    i00 = r0 * w + c0
    dc, dr = (1 if w > 1 else 0), (w if h > 1 else 0)
    p00, p01 = flat[i00].astype(np.float32), flat[i00 + dc].astype(np.float32)
    p10, p11 = flat[i00 + dr].astype(np.float32), flat[i00 + dr + dc].astype(np.float32)
    # in place: p00 + fc·(p01 − p00), the same for the next row, then between the rows
    p01 -= p00
    p01 *= fc
    p00 += p01
    p11 -= p10
    p11 *= fc
    p10 += p11
    p10 -= p00
    p10 *= fr
    p00 += p10
    return np.rint(p00, out=p00).astype(np.uint8)


# ---------------------------------------------------------------------------------------
# georeference from the file
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeoTiffGeoref:
    """What a GeoTIFF's tags say: ``transform`` (pixel corners → model, as
    :attr:`RasterBackground.transform`; None without georeference tags), ``crs``
    (``"EPSG:<code>"`` or None when the file does not say), and a problem ``(code, value,
    message)`` when the tags cannot be used."""
    transform: tuple | None
    crs: str | None
    problem: tuple | None = None


def _geokeys(directory) -> dict:
    """GeoKeyDirectory [1]_ → ``{key id: value}`` for the keys stored in the directory
    itself (TIFFTagLocation 0: every key holding an EPSG code)."""
    keys = tuple(int(v) for v in (directory or ()))
    out = {}
    for n in range(4, len(keys) - 3, 4):
        if keys[n + 1] == 0:
            out[keys[n]] = keys[n + 3]
    return out


def geotiff_georeference(tags: dict) -> GeoTiffGeoref:
    """The georeference of a GeoTIFF from its tags ``{tag code: value}`` [1]_.

    ModelTransformation (34264) or one ModelTiepoint (33922) with ModelPixelScale (33550);
    PixelIsPoint files are shifted by half a pixel. The CRS: ProjectedCSTypeGeoKey (3072)
    for projected files, GeographicTypeGeoKey (2048) — or a known datum (2050) — for
    geographic ones. Several tie points without a scale (ground control points) and
    user-defined or geocentric systems give a problem.
    """
    keys = _geokeys(tags.get(34735))
    crs = None
    model = keys.get(1024)
    if model == 1 or (model is None and 3072 in keys):
        code = keys.get(3072)
        if code is None or code == _USER_DEFINED:
            return GeoTiffGeoref(None, None, (
                "unknown_crs", "user-defined", "the GeoTIFF's projection is user-defined, "
                "not an EPSG code; save it with an EPSG code (e.g. 6677 for zone IX)"))
        crs = f"EPSG:{code}"
    elif model == 2 or (model is None and 2048 in keys):
        code = keys.get(2048)
        if code == _USER_DEFINED:
            code = _DATUM_CRS.get(keys.get(2050))
            if code is None:
                return GeoTiffGeoref(None, None, (
                    "unknown_crs", "user-defined", "the GeoTIFF's geographic system is "
                    "user-defined with an unknown datum"))
        crs = f"EPSG:{code}" if code else None
    elif model is not None:
        return GeoTiffGeoref(None, None, ("unknown_crs", f"GTModelType {model}",
                                          "the GeoTIFF is neither projected nor geographic"))
    point = keys.get(1025) == 2
    matrix = tags.get(34264)
    ties = tuple(float(v) for v in (tags.get(33922) or ()))
    scale = tuple(float(v) for v in (tags.get(33550) or ()))
    if matrix is not None and len(matrix) >= 8:
        m = [float(v) for v in matrix]
        t = (m[0], m[1], m[3], m[4], m[5], m[7])
    elif len(ties) >= 6 and len(scale) >= 2:
        i, j, x, y = ties[0], ties[1], ties[3], ties[4]
        sx, sy = scale[0], scale[1]
        t = (sx, 0.0, x - i * sx, 0.0, -sy, y + j * sy)
    elif len(ties) >= 12:
        return GeoTiffGeoref(None, crs, (
            "not_georeferenced", f"{len(ties) // 6} tie points",
            "the GeoTIFF has ground control points only; rectify it in a GIS first"))
    else:
        return GeoTiffGeoref(None, crs)
    if point:
        t = _centre_to_corner(*t)
    return GeoTiffGeoref(t, crs)


def read_world_file(text) -> tuple:
    """The six terms of a world file [2]_ as a pixel-corner transform ``(a, b, c, d, e,
    f)`` (see :attr:`RasterBackground.transform`). Raises ``ValueError`` (with the reason)
    for anything but six finite numbers with a non-zero pixel area."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8-sig", errors="replace")
    parts = str(text).split()
    if len(parts) != 6:
        raise ValueError(f"a world file has 6 numbers, this one has {len(parts)}")
    try:
        A, D, B, E, C, F = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"not numbers: {' '.join(parts)[:60]}") from None
    if not all(math.isfinite(v) for v in (A, D, B, E, C, F)):
        raise ValueError("a term is not a finite number")
    if A * E - B * D == 0:
        raise ValueError("the pixel size is zero")
    return _centre_to_corner(A, B, C, D, E, F)


def _looks_latlon(t, w: int, h: int) -> bool:
    """True when a transform's numbers can only be degrees in Japan: every corner inside
    Japan's lat/lon box and pixels under 0.01 (a metre grid that small would be a few
    centimetres across, next to its zone's origin)."""
    xs, ys = _affine_apply(t, np.array([0.0, w, w, 0.0]), np.array([0.0, 0.0, h, h]))
    return (max(abs(t[0]), abs(t[1]), abs(t[3]), abs(t[4])) < 0.01
            and bool(np.all((xs >= JAPAN_LON[0]) & (xs <= JAPAN_LON[1])
                            & (ys >= JAPAN_LAT[0]) & (ys <= JAPAN_LAT[1]))))


# ---------------------------------------------------------------------------------------
# decoding, bounded
# ---------------------------------------------------------------------------------------
def block_reduce(arr: np.ndarray, ky: int, kx: int) -> np.ndarray:
    """Mean of ``ky`` × ``kx`` blocks of an ``(H, W, C)`` uint8 image (C = 1–4; Pillow's
    ``Image.reduce``, colours weighted by alpha); the last rows / columns that do not fill a block are dropped (so the
    transform scales exactly). Works in strips: memory stays a few MB beyond the input."""
    from PIL import Image
    if ky == 1 and kx == 1:
        return arr
    h2, w2, ch = arr.shape[0] // ky, arr.shape[1] // kx, arr.shape[2]
    out = np.empty((h2, w2, ch), dtype=np.uint8)
    step = max(1, 4_000_000 // max(1, w2 * kx * ky * ch))
    for r in range(0, h2, step):
        n = min(step, h2 - r)
        piece = np.ascontiguousarray(arr[r * ky:(r + n) * ky, :w2 * kx])
        small = Image.fromarray(piece[..., 0] if ch == 1 else piece).reduce((kx, ky))
        out[r:r + n] = np.asarray(small).reshape(n, w2, ch)
    return out


def reduce_factor(w: int, h: int, max_px: int) -> tuple:
    """``(ky, kx)`` block sizes bringing ``w`` × ``h`` to at most ``max_px`` a side (one
    factor both ways, keeping the aspect; capped by the short side)."""
    k = max(1, math.ceil(max(w, h) / max(int(max_px), 1)))
    return min(k, h), min(k, w)


def _to_rgba(arr: np.ndarray) -> np.ndarray:
    """``(H, W[, C])`` uint8 gray / gray+alpha / RGB / RGBA → RGBA."""
    if arr.ndim == 2:
        arr = arr[..., None]
    h, w, c = arr.shape
    out = np.empty((h, w, 4), dtype=np.uint8)
    if c in (1, 2):
        out[..., :3] = arr[..., :1]
    else:
        out[..., :3] = arr[..., :3]
    out[..., 3] = arr[..., -1] if c in (2, 4) else 255
    return out


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """uint8 samples from uint8 / uint16 (stretched 0 … image maximum → 0 … 255) / bool."""
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255
    top = max(int(arr.max()), 1)
    return np.rint(arr.astype(np.float32) * (255.0 / top)).astype(np.uint8)


class _Refused(Exception):
    """A reader step refused the file: ``(code, value, message)``."""


def _pixels_ok(w: int, h: int, limits: Limits):
    if w * h > limits.max_raster_pixels:
        raise _Refused("too_many_pixels", f"{w} × {h}",
                       f"the image has {w * h:,} pixels ({w} × {h}); the limit is "
                       f"{limits.max_raster_pixels:,}")


#: What Pillow raises on damaged or unreadable image data: ``UnidentifiedImageError`` ⊂
#: ``OSError`` for unknown or truncated data, ``SyntaxError`` / ``EOFError`` /
#: ``struct.error`` from some plugins.
PILLOW_ERRORS = (OSError, SyntaxError, EOFError, struct.error)


def _decode_pillow(data: bytes, fmt: str, limits: Limits):
    """Decode a PNG / JPEG / TIFF with Pillow → ``(rgba, (W, H), (sx, sy))``: the reduced
    image, the file's size and the source pixels per pixel kept."""
    try:
        return _decode_pillow_unchecked(data, fmt, limits)
    except PILLOW_ERRORS as exc:
        raise _Refused("unsupported_format", type(exc).__name__,
                       f"the image could not be read ({short(str(exc))})") from None


def _decode_pillow_unchecked(data: bytes, fmt: str, limits: Limits):
    from PIL import Image
    pil_format = {"png": "PNG", "jpeg": "JPEG", "geotiff": "TIFF"}[fmt]
    with warnings.catch_warnings():
        # the pixel limit is checked below from the header, before any decoding
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=[pil_format])
        except Image.DecompressionBombError as exc:
            raise _Refused("too_many_pixels", "", str(exc)) from None
        with im:
            W, H = im.size
            _pixels_ok(W, H, limits)
            if fmt == "jpeg":
                # decode at 1/2, 1/4 or 1/8 scale when that still gives max_background_px
                k = max(1, math.ceil(max(W, H) / limits.max_background_px))
                im.draft("RGB", (max(1, -(-W // k)), max(1, -(-H // k))))
            if im.mode in ("F", "I") or (im.mode.startswith("I;16") and fmt == "geotiff"):
                raise _Refused("elevation_raster", im.mode,
                               "the image holds numbers (e.g. elevation), not colours")
            if im.mode.startswith("I;16"):
                arr = _to_uint8(np.asarray(im).astype(np.uint16))
            elif im.mode in ("1", "L", "LA", "RGB", "RGBA"):
                arr = np.asarray(im.convert("L") if im.mode == "1" else im)
            elif im.mode == "P":
                arr = np.asarray(im.convert("RGBA" if "transparency" in im.info else "RGB"))
            else:
                arr = np.asarray(im.convert("RGB"))
            ws, hs = im.size
    if arr.ndim == 2:
        arr = arr[..., None]
    ky, kx = reduce_factor(ws, hs, limits.max_background_px)
    small = _to_rgba(block_reduce(arr, ky, kx))
    return small, (W, H), (W / ws * kx, H / hs * ky)


def _tiff_array(arr, page, axes: str) -> np.ndarray:
    """A decoded TIFF level → ``(H, W, C)`` uint8 (gray / gray+alpha / RGB / RGBA) by its
    photometric interpretation; refuses value rasters and colour models it cannot show."""
    from tifffile import PHOTOMETRIC
    for ax in [a for a in axes if a not in "YXS"]:
        arr = np.take(arr, 0, axis=axes.index(ax))
        axes = axes.replace(ax, "")
    if "S" in axes:
        arr = np.moveaxis(arr, axes.index("S"), -1)
    else:
        arr = arr[..., None]
    samples = arr.shape[-1]
    photometric = page.photometric
    if arr.dtype.kind in "fic" or (arr.dtype.kind == "u" and arr.dtype.itemsize > 2):
        if samples == 1:
            raise _Refused("elevation_raster", str(arr.dtype),
                           "the GeoTIFF holds numbers (e.g. elevation), not colours")
        raise _Refused("unsupported_format", str(arr.dtype),
                       f"{arr.dtype} samples cannot be shown as a picture")
    if photometric == PHOTOMETRIC.PALETTE and samples == 1 and page.colormap is not None:
        cmap = np.asarray(page.colormap)
        cmap = (cmap // 257 if cmap.max() > 255 else cmap).astype(np.uint8)
        return cmap.T[np.clip(arr[..., 0], 0, cmap.shape[1] - 1)]
    arr = _to_uint8(arr)
    if photometric == PHOTOMETRIC.MINISWHITE and samples <= 2:
        arr = arr.copy()
        arr[..., 0] = 255 - arr[..., 0]
    if photometric in (PHOTOMETRIC.MINISWHITE, PHOTOMETRIC.MINISBLACK) and samples <= 2:
        return arr
    if photometric == PHOTOMETRIC.RGB and samples >= 3:
        return arr[..., :4]
    raise _Refused("unsupported_format", str(getattr(photometric, "name", photometric)),
                   "colour model not supported (use RGB, gray or a palette)")


def _decode_geotiff(data: bytes, limits: Limits):
    """→ ``(rgba, (W, H), (sx, sy), GeoTiffGeoref)``; reads the pyramid level needed when the
    file has one; pixels in compressions tifffile cannot decode (LZW, JPEG … need the
    optional ``imagecodecs``) are decoded by Pillow's libtiff instead."""
    import tifffile
    try:
        with tifffile.TiffFile(io.BytesIO(data)) as tif:
            page = tif.pages.first
            tags = {code: page.tags[code].value for code in (33550, 33922, 34264, 34735, 42113)
                    if code in page.tags}
            geo = geotiff_georeference(tags)
            W, H = int(page.imagewidth), int(page.imagelength)
            series = tif.series[0]
            level = series
            for lv in series.levels:           # smallest level still ≥ max_background_px
                shp = dict(zip(lv.axes, lv.shape))
                if max(shp.get("X", 0), shp.get("Y", 0)) >= min(
                        limits.max_background_px, max(W, H)):
                    level = lv
            shp = dict(zip(level.axes, level.shape))
            ws, hs = int(shp["X"]), int(shp["Y"])
            _pixels_ok(ws, hs, limits)
            try:
                arr = _tiff_array(level.asarray(), level.keyframe, level.axes)
            except (KeyError, ValueError, NotImplementedError) as exc:
                # ValueError("<COMPRESSION.LZW: 5> requires the 'imagecodecs' package"),
                # NotImplementedError("packints_decode of 20-bit integers requires …")
                if "imagecodecs" not in str(exc):
                    raise
                small, _, scale = _decode_pillow(data, "geotiff", limits)
                return small, (W, H), scale, geo
            # GDAL_NODATA is a sample value; in a palette file it is an index, not a colour
            nodata = (tags.get(42113)
                      if level.keyframe.photometric != tifffile.PHOTOMETRIC.PALETTE else None)
    # what tifffile raises on a damaged file (TypeError: a tag of the wrong count or type,
    # a tuple where a number belongs; NotImplementedError: a bit depth it cannot unpack)
    except (tifffile.TiffFileError, ValueError, IndexError, KeyError, TypeError,
            NotImplementedError, struct.error) as exc:
        raise _Refused("unsupported_format", type(exc).__name__,
                       f"not a readable TIFF ({short(str(exc))})") from None
    ky, kx = reduce_factor(ws, hs, limits.max_background_px)
    small = block_reduce(arr, ky, kx)
    rgba = _to_rgba(small)
    if nodata is not None and arr.shape[-1] in (1, 3):
        try:
            nd = float(str(nodata).strip("\x00 "))
        except ValueError:
            nd = None
        if nd is not None and 0 <= nd <= 255:
            # GDAL_NODATA: the collar of an orthophoto sheet is left transparent
            rgba[..., 3][np.all(small == np.uint8(nd), axis=-1)] = 0
    return rgba, (W, H), (W / ws * kx, H / hs * ky), geo


# ---------------------------------------------------------------------------------------
# the reader
# ---------------------------------------------------------------------------------------
def _stem(name: str) -> str:
    return PurePath(str(name).replace("\\", "/")).stem.lower()


def _suffix(name: str) -> str:
    return PurePath(str(name).replace("\\", "/")).suffix.lower()


def _prj_crs(text: bytes):
    """The CRS of an ESRI ``.prj`` (WKT) as ``"EPSG:<code>"`` when pyproj finds one, else
    the WKT itself; raises ``CRSError`` for text that is not a coordinate system."""
    import pyproj
    wkt = bytes(text).decode("utf-8-sig", errors="replace").strip()
    crs = pyproj.CRS.from_user_input(wkt)
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else wkt


def read_raster_background(files: dict, *, zone: int | None = None,
                           limits: Limits | None = None) -> ImportResult:
    """Read a raster background: a GeoTIFF, or a PNG / JPEG with its world file.

    Parameters
    ----------
    files : dict of str → bytes
        The uploaded files by name: one image (``.tif`` / ``.tiff`` / ``.png`` / ``.jpg`` /
        ``.jpeg``) and, for PNG / JPEG (or a TIFF without GeoTIFF tags), its world file of
        the same stem (``.pgw``, ``.jgw``, ``.tfw``, ``.wld`` …) and optionally its ``.prj``.
        Other files are listed as not used.
    zone : int, optional
        平面直角座標系 zone 1–19 of a world file's coordinates (world files carry no
        coordinate system; from the plan's prefecture, :func:`assessments.engine.grid.
        plane_rectangular_zone`). The file's own EPSG code (GeoTIFF, ``.prj``) wins. World
        files in degrees are recognised as JGD2011 lat/lon without it.
    limits : Limits, optional

    Returns
    -------
    ImportResult
        ``background`` = :class:`RasterBackground`; ``meta``: ``format``, ``name``,
        ``world_file``, ``crs``, ``size_px`` (of the file), ``bounds`` (west, south, east,
        north [°]). Refusals are coded problems (``no_image``, ``no_world_file``,
        ``bad_world_file``, ``not_georeferenced``, ``unknown_crs``, ``zone_unknown``,
        ``outside_japan``, ``too_many_pixels``, ``too_large``, ``elevation_raster``,
        ``unsupported_format`` …).

    Raises
    ------
    ValueError
        ``zone`` not in 1–19 (an invalid argument, not bad data).
    """
    if zone is not None:
        zone = plane_rectangular_zone(zone=zone)
    limits = limits or Limits()
    res = new_result(limits, format="raster")
    images, worlds, prjs, other = [], {}, {}, []
    for name, data in files.items():
        suf = _suffix(name)
        if suf in IMAGE_SUFFIXES:
            images.append((name, data))
        elif suf in WORLD_SUFFIXES:
            worlds.setdefault(_stem(name), []).append((name, data))
        elif suf == ".prj":
            prjs[_stem(name)] = (name, data)
        else:
            other.append(name)
    if not images:
        res.add(None, "", "no_image", ", ".join(map(str, files)),
                "no GeoTIFF, PNG or JPEG among the files")
        return res.finish()
    if len(images) > 1:
        res.add(None, "", "several_images", ", ".join(n for n, _ in images),
                "one image at a time, with its world file")
        return res.finish()
    name, data = images[0]
    data = bytes(data)
    fmt = IMAGE_SUFFIXES[_suffix(name)]
    res.meta.update(format=fmt, name=name)
    unused = other + [n for s, lst in worlds.items() for n, _ in lst if s != _stem(name)] \
        + [n for s, (n, _) in prjs.items() if s != _stem(name)]
    if unused:
        res.add(None, "", "file_ignored", ", ".join(unused),
                "not used (not the image's world file / .prj)")
    if not data:
        res.add(None, "", "empty", name, "the image file is empty")
        return res.finish()
    if len(data) > limits.max_geo_bytes:
        res.add(None, "", "too_large", f"{len(data):,} bytes",
                f"the file is {len(data):,} bytes; the limit is {limits.max_geo_bytes:,}")
        return res.finish()
    try:
        if fmt == "geotiff":
            rgba, (W, H), (sx, sy), geo = _decode_geotiff(data, limits)
        else:
            (rgba, (W, H), (sx, sy)), geo = _decode_pillow(data, fmt, limits), None
        transform, crs = (geo.transform, geo.crs) if geo else (None, None)
        if geo and geo.problem:
            raise _Refused(*geo.problem)
        if transform is None:
            mine = sorted(worlds.get(_stem(name), []),
                          key=lambda nd: (_suffix(nd[0]) == ".wld", nd[0]))
            if not mine:
                raise _Refused("not_georeferenced" if fmt == "geotiff" else "no_world_file",
                               name, "no georeference: give the image's world file (same "
                               "name, .pgw / .jgw / .tfw / .wld)")
            res.meta["world_file"] = mine[0][0]
            try:
                transform = read_world_file(mine[0][1])
            except ValueError as exc:
                raise _Refused("bad_world_file", mine[0][0], str(exc)) from None
        if crs is None and _stem(name) in prjs:
            try:
                crs = _prj_crs(prjs[_stem(name)][1])
            except _crs_errors() as exc:
                raise _Refused("unknown_crs", prjs[_stem(name)][0],
                               f"unreadable .prj ({short(str(exc))})") from None
        if crs is None:
            if _looks_latlon(transform, W, H):
                crs = f"EPSG:{LATLON_EPSG}"
                res.add(None, "crs", "crs_assumed", "JGD2011 lat/lon",
                        "the coordinates are degrees: read as JGD2011 latitude/longitude")
            elif zone is not None:
                crs = f"EPSG:{PLANE_RECTANGULAR_ZONES[zone][0]}"
            else:
                raise _Refused("zone_unknown", "", "the coordinates are metres in a "
                               "平面直角座標系 zone: give the zone (the plan's prefecture)")
        try:
            _to_latlon(crs)
        except _crs_errors() as exc:
            raise _Refused("unknown_crs", short(crs), f"unknown coordinate system "
                           f"({short(str(exc))})") from None
        bg = RasterBackground(rgba, crs, _scaled(transform, sx, sy), {
            "format": fmt, "name": name, "world_file": res.meta.get("world_file"),
            "size_px": [W, H]})
        corners = bg.corners_lonlat
        if not all(math.isfinite(lo) and math.isfinite(la) and in_japan(la, lo)
                   for lo, la in corners):
            lo, la = corners[0]
            raise _Refused("outside_japan", f"{la:.5f}, {lo:.5f}",
                           f"the image lies outside Japan ({crs}); is the zone right?")
    except _Refused as refused:
        code, value, message = refused.args
        res.add(None, "", code, value, message)
        return res.finish()
    if rgba.shape[:2] != (H, W):
        res.add(None, "", "raster_downsampled",
                f"{W} × {H} → {rgba.shape[1]} × {rgba.shape[0]}",
                f"reduced to at most {limits.max_background_px} px a side")
    res.background = bg
    res.meta.update(crs=crs, size_px=[W, H], bounds=list(bg.bounds_lonlat))
    return res.finish()
