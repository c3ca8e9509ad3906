"""Offline tile packages: MBTiles 1.3 files of raster tiles (PNG / JPEG), read-only.

A GIS section exports its base map (地理院タイル, an orthophoto, its own 都市計画図) as one
``.mbtiles`` file — an SQLite database with a ``metadata`` table (name, value) and a
``tiles`` table (zoom_level, tile_column, tile_row, tile_data) [1]_. Nothing here goes to a
network or writes: :func:`open_mbtiles` opens the file read-only (a path with SQLite's
``mode=ro`` URI; uploaded bytes deserialised into memory with ``query_only``) and gives
:class:`MBTiles` with its :class:`MBTilesMetadata` and :meth:`MBTiles.tile`;
:func:`render_mbtiles` puts the tiles covering a lon/lat box at one zoom together into one
image, a :class:`~assessments.plan.iotools.raster.RasterBackground` in Web Mercator
(EPSG:3857) that the map warps onto its grid like any other background;
:func:`read_mbtiles` does both and never raises.

Tile numbers use the XYZ scheme of 地理院タイル (row 0 at the top); the file stores TMS rows,
``tile_row = 2^z − 1 − y`` [1]_. The tile maths (lat/lon ↔ tile ↔ EPSG:3857) is the one in
:mod:`assessments.engine.grid`.

References
----------
.. [1] MBTiles 1.3 specification, Mapbox, https://github.com/mapbox/mbtiles-spec/blob/master/
   1.3/spec.md: required metadata ``name``, ``format`` (``png``, ``jpg``; ``pbf`` / ``mvt``
   = vector tiles), suggested ``bounds`` (left, bottom, right, top in WGS 84), ``center``,
   ``minzoom``, ``maxzoom``; optional ``attribution``, ``scheme``; tiles in the
   global-mercator (spherical Mercator) profile, TMS rows ("11/327/791 is inserted as
   zoom_level 11, tile_column 327, and tile_row 1256, since 1256 is 2^11 - 1 - 791").
.. [2] SQLite, "Uniform Resource Identifiers", ``mode=ro``, https://www.sqlite.org/uri.html;
   file header "SQLite format 3\\0", https://www.sqlite.org/fileformat.html.
"""
from __future__ import annotations

import io
import math
import os
import sqlite3
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assessments.engine.grid import latlon_to_tile, tile_to_latlon, tile_to_web_mercator

from .raster import PILLOW_ERRORS, RasterBackground, block_reduce, reduce_factor
from .result import ImportFileError, ImportResult, Limits, new_result, short

__all__ = ["MBTiles", "MBTilesMetadata", "choose_zoom", "open_mbtiles", "read_mbtiles",
           "render_mbtiles", "tile_bounds"]

#: The SQLite file header [2]_.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: ``metadata.format`` values → the image format kept; vector formats are refused [1]_.
RASTER_FORMATS = {"png": "png", "image/png": "png", "jpg": "jpg", "jpeg": "jpg",
                  "image/jpeg": "jpg", "webp": "webp", "image/webp": "webp"}
VECTOR_FORMATS = {"pbf", "mvt", "application/vnd.mapbox-vector-tile",
                  "application/x-protobuf"}
#: Web Mercator's latitude limit [°]: atan(sinh(π)).
MAX_LAT = math.degrees(math.atan(math.sinh(math.pi)))
#: Largest tile side accepted [px] (tiles are 256 or 512 px).
MAX_TILE_PX = 1024
#: Deepest zoom level read (2^30 tiles a side, a few cm per pixel): a level beyond it in a
#: file's metadata or tiles is damage, and 2^z of it would not fit in memory.
MAX_ZOOM = 30


@dataclass(frozen=True)
class MBTilesMetadata:
    """The ``metadata`` table of an MBTiles file [1]_.

    Attributes
    ----------
    name : str
    format : {"png", "jpg", "webp"}
        Tile image format (from ``format``, or from the tiles when the file does not say).
    bounds : tuple of 4 float or None
        ``(west, south, east, north)`` [°] from ``bounds``; None when absent or unreadable.
    minzoom, maxzoom : int
        From ``minzoom`` / ``maxzoom``, else from the zoom levels of the tiles.
    center : tuple or None
        ``(lon, lat, zoom)`` from ``center``.
    attribution : str
        Shown with the map (the data's licence usually requires it).
    scheme : {"tms", "xyz"}
        Row numbering of the ``tiles`` table: ``tms`` per the spec; ``xyz`` when the file
        says so (some exporters).
    raw : dict
        Every metadata row as text.
    """
    name: str
    format: str
    bounds: tuple | None
    minzoom: int
    maxzoom: int
    center: tuple | None = None
    attribution: str = ""
    scheme: str = "tms"
    raw: dict = field(default_factory=dict)


def _numbers(text, n: int) -> tuple | None:
    try:
        vals = tuple(float(v) for v in str(text).split(","))
    except ValueError:
        return None
    return vals if len(vals) == n and all(math.isfinite(v) for v in vals) else None


def _int(text) -> int | None:
    try:
        return int(float(str(text).strip()))
    except (ValueError, OverflowError):     # not a number; ±inf
        return None


def _zoom(text) -> int | None:
    """A zoom level of the metadata, None when it is not one of 0 … :data:`MAX_ZOOM`."""
    z = _int(text)
    return z if z is not None and 0 <= z <= MAX_ZOOM else None


def _sniff(tile: bytes | None) -> str | None:
    """The format of one tile's bytes: ``png`` / ``jpg`` / ``webp``, ``vector`` (gzip or zlib
    data: a Mapbox vector tile), or None."""
    if not tile:
        return None
    if tile[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if tile[:3] == b"\xff\xd8\xff":
        return "jpg"
    if tile[:4] == b"RIFF" and tile[8:12] == b"WEBP":
        return "webp"
    if tile[:2] == b"\x1f\x8b" or (len(tile) > 1 and tile[0] == 0x78
                                    and (tile[0] * 256 + tile[1]) % 31 == 0):
        return "vector"
    return None


class MBTiles:
    """An open, read-only MBTiles file (from :func:`open_mbtiles`). Safe to share between
    threads (one lock around the connection); use as a context manager or :meth:`close`."""

    def __init__(self, con: sqlite3.Connection, metadata: MBTilesMetadata, name: str = ""):
        self._con = con
        self._lock = threading.Lock()
        self.metadata = metadata
        self.name = name

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The stored bytes of XYZ tile ``z/x/y`` (row 0 at the top), or None when the file
        has no such tile. The ``tiles`` table's TMS row is ``2^z − 1 − y`` [1]_."""
        z, x, y = int(z), int(x), int(y)
        row = (2 ** z - 1 - y) if self.metadata.scheme == "tms" else y
        with self._lock:
            hit = self._con.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                "AND tile_row = ?", (z, x, row)).fetchone()
        return bytes(hit[0]) if hit and hit[0] is not None else None

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _refuse(limits: Limits, code: str, value: str, message: str):
    res = new_result(limits, format="mbtiles")
    res.add(None, "", code, value, message)
    res.raise_for_fatal()


def _connect(data_or_path, limits: Limits) -> tuple[sqlite3.Connection, str]:
    """A read-only connection to bytes (deserialised into memory) or to a path (``mode=ro``)."""
    if isinstance(data_or_path, (bytes, bytearray, memoryview)):
        data = bytes(data_or_path)
        if len(data) > limits.max_geo_bytes:
            _refuse(limits, "too_large", f"{len(data):,} bytes",
                    f"the file is {len(data):,} bytes; the limit is {limits.max_geo_bytes:,}")
        if data[:16] != SQLITE_MAGIC:
            _refuse(limits, "not_mbtiles", short(data[:16]), "not an SQLite database")
        con = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            con.deserialize(data)
            con.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            con.close()
            _refuse(limits, "not_mbtiles", type(exc).__name__, f"damaged SQLite ({exc})")
        return con, ""
    path = Path(os.fspath(data_or_path))
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        _refuse(limits, "not_mbtiles", path.name, f"cannot read {path.name} ({exc})")
    if head != SQLITE_MAGIC:
        _refuse(limits, "not_mbtiles", path.name, "not an SQLite database")
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True,
                          check_same_thread=False)
    return con, path.name


def open_mbtiles(data_or_path, *, limits: Limits | None = None) -> MBTiles:
    """Open an MBTiles file of raster tiles, read-only [1]_.

    Parameters
    ----------
    data_or_path : bytes or str or os.PathLike
        The uploaded file's bytes (at most ``Limits.max_geo_bytes``), or a path.

    Returns
    -------
    MBTiles

    Raises
    ------
    ImportFileError
        With the coded problem: ``not_mbtiles`` (not SQLite, damaged, no ``metadata`` /
        ``tiles`` table), ``vector_tiles`` (``pbf`` / ``mvt``), ``unsupported_format``
        (tiles of another kind), ``no_tiles`` (no tile at all), ``too_large``.
    """
    limits = limits or Limits()
    con, name = _connect(data_or_path, limits)
    try:
        rows = con.execute("SELECT name, value FROM metadata").fetchall()
        first = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles "
                            "LIMIT 1").fetchone()
        raw = {str(k): "" if v is None else str(v) for k, v in rows if k is not None}
        zmin = _zoom(raw.get("minzoom", ""))
        zmax = _zoom(raw.get("maxzoom", ""))
        if zmin is None or zmax is None:
            lo, hi = con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles WHERE "
                                 "zoom_level BETWEEN 0 AND ?", (MAX_ZOOM,)).fetchone()
            zmin = lo if zmin is None else zmin
            zmax = hi if zmax is None else zmax
    except sqlite3.Error as exc:
        con.close()
        _refuse(limits, "not_mbtiles", type(exc).__name__,
                f"not an MBTiles file or damaged ({short(str(exc))})")
    declared = raw.get("format", "").strip().lower()
    # tile_data may be stored as TEXT or a number in a damaged file: only bytes are sniffed
    sniffed = (_sniff(bytes(first[3])) if first and isinstance(first[3], (bytes, memoryview))
               else None)
    if declared in VECTOR_FORMATS or sniffed == "vector":
        con.close()
        _refuse(limits, "vector_tiles", declared or "pbf",
                "vector tiles (pbf / mvt) cannot be drawn as a background; export raster "
                "(PNG / JPEG) tiles")
    fmt = RASTER_FORMATS.get(declared) or sniffed
    if first is None or zmin is None or zmax is None:
        con.close()
        _refuse(limits, "no_tiles", name, "the file holds no tiles")
    if fmt is None:
        con.close()
        _refuse(limits, "unsupported_format", declared, f"tile format {declared!r}")
    bounds = _numbers(raw.get("bounds", ""), 4)
    if bounds and not (bounds[0] < bounds[2] and bounds[1] < bounds[3]):
        bounds = None
    center = _numbers(raw.get("center", ""), 3)
    scheme = "xyz" if raw.get("scheme", "").strip().lower() == "xyz" else "tms"
    meta = MBTilesMetadata(name=raw.get("name", "") or name, format=fmt, bounds=bounds,
                           minzoom=int(min(zmin, zmax)), maxzoom=int(max(zmin, zmax)),
                           center=center, attribution=raw.get("attribution", ""),
                           scheme=scheme, raw=raw)
    return MBTiles(con, meta, name)


# ---------------------------------------------------------------------------------------
# tiles → one background image
# ---------------------------------------------------------------------------------------
def _tile_range(bbox, z: int) -> tuple:
    """Fractional XYZ tile coordinates ``(x0, y0, x1, y1)`` of a ``(west, south, east,
    north)`` box at zoom ``z``, clipped to the world."""
    west, south, east, north = bbox
    n = 2 ** z
    x0, y0 = latlon_to_tile(north, west, z)
    x1, y1 = latlon_to_tile(south, east, z)
    return (min(max(x0, 0.0), n), min(max(y0, 0.0), n), min(max(x1, 0.0), n),
            min(max(y1, 0.0), n))


def _tile_count(frac: tuple) -> int:
    x0, y0, x1, y1 = frac
    return (max(math.ceil(x1) - math.floor(x0), 1)) * (max(math.ceil(y1) - math.floor(y0), 1))


def choose_zoom(metadata: MBTilesMetadata, bbox, limits: Limits | None = None,
                tile_px: int = 256) -> int:
    """The highest zoom of the file at which the box is at most
    ``Limits.max_background_px`` pixels a side and ``Limits.max_tiles`` tiles (else the
    file's lowest zoom)."""
    limits = limits or Limits()
    for z in range(metadata.maxzoom, metadata.minzoom - 1, -1):
        frac = _tile_range(bbox, z)
        side = max(frac[2] - frac[0], frac[3] - frac[1]) * tile_px
        if side <= limits.max_background_px and _tile_count(frac) <= limits.max_tiles:
            return z
    return metadata.minzoom


def _check_bbox(bbox) -> tuple:
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise ValueError(f"bbox must be (west, south, east, north) in degrees, got {bbox!r}"
                         ) from None
    if not (all(map(math.isfinite, (west, south, east, north))) and west < east
            and south < north and -180 <= west and east <= 180):
        raise ValueError(f"bbox must be (west, south, east, north) with west < east, "
                         f"south < north, got {bbox!r}")
    return west, max(south, -MAX_LAT), east, min(north, MAX_LAT)


def _decode_tile(data: bytes):
    """A tile's RGBA array, or None when it cannot be read or is too large."""
    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "WEBP"]) as im:
                if max(im.size) > MAX_TILE_PX:
                    return None
                return np.asarray(im.convert("RGBA"))
    except (*PILLOW_ERRORS, Image.DecompressionBombError):
        return None


def render_mbtiles(mb: MBTiles, bbox, *, zoom: int | None = None,
                   limits: Limits | None = None) -> ImportResult:
    """The tiles covering a lon/lat box at one zoom, put together into one background.

    Parameters
    ----------
    mb : MBTiles
    bbox : (west, south, east, north)
        The box [°] (e.g. the plan's area with a margin); the image covers it to the pixel.
    zoom : int, optional
        Zoom level; by default :func:`choose_zoom` (the most detail within the limits).

    Returns
    -------
    ImportResult
        ``background`` = :class:`RasterBackground` in EPSG:3857 (reduced to
        ``Limits.max_background_px`` a side when larger); ``meta``: ``format`` ``mbtiles``,
        ``name``, ``zoom``, ``tiles`` (found), ``attribution``. Problems: ``out_of_range``
        (a zoom the file does not have), ``too_many_tiles``, ``too_many_pixels``,
        ``no_tiles`` (none in the box), ``missing_tiles``, ``bad_tile``.

    Raises
    ------
    ValueError
        A ``bbox`` that is not four finite degrees with west < east, south < north.
    """
    limits = limits or Limits()
    bbox = _check_bbox(bbox)
    meta = mb.metadata
    res = new_result(limits, format="mbtiles", name=meta.name, attribution=meta.attribution)
    if zoom is None:
        zoom = choose_zoom(meta, bbox, limits)
    elif not meta.minzoom <= int(zoom) <= meta.maxzoom:
        res.add(None, "zoom", "out_of_range", str(zoom),
                f"zoom {zoom} is not in the file ({meta.minzoom}–{meta.maxzoom})")
        return res.finish()
    z = int(zoom)
    res.meta["zoom"] = z
    frac = _tile_range(bbox, z)
    tx0, ty0 = math.floor(frac[0]), math.floor(frac[1])
    tx1 = max(math.ceil(frac[2]), tx0 + 1)
    ty1 = max(math.ceil(frac[3]), ty0 + 1)
    count = (tx1 - tx0) * (ty1 - ty0)
    if count > limits.max_tiles:
        res.add(None, "zoom", "too_many_tiles", f"{count:,}",
                f"{count:,} tiles at zoom {z}; the limit is {limits.max_tiles:,}")
        return res.finish()
    canvas, found, missing, bad = None, 0, 0, 0
    for tx in range(tx0, tx1):
        for ty in range(ty0, ty1):
            try:
                data = mb.tile(z, tx, ty)
            except sqlite3.Error as exc:
                res.add(None, "", "not_mbtiles", type(exc).__name__,
                        f"the file is damaged ({short(str(exc))})")
                return res.finish()
            arr = None if data is None else _decode_tile(data)
            if arr is None:
                missing += data is None
                bad += data is not None
                continue
            if canvas is None:               # the first tile gives the tile size [px]
                tile_px = arr.shape[0]
                gx0, gy0 = math.floor(frac[0] * tile_px), math.floor(frac[1] * tile_px)
                w = max(math.ceil(frac[2] * tile_px), gx0 + 1) - gx0
                h = max(math.ceil(frac[3] * tile_px), gy0 + 1) - gy0
                if w * h > limits.max_raster_pixels:
                    res.add(None, "zoom", "too_many_pixels", f"{w} × {h}",
                            f"{w * h:,} pixels at zoom {z}; the limit is "
                            f"{limits.max_raster_pixels:,}")
                    return res.finish()
                canvas = np.zeros((h, w, 4), dtype=np.uint8)
            if arr.shape[:2] != (tile_px, tile_px):
                from PIL import Image
                arr = np.asarray(Image.fromarray(arr).resize((tile_px, tile_px)))
            ox, oy = tx * tile_px - gx0, ty * tile_px - gy0     # tile's corner on the canvas
            cx0, cy0 = max(ox, 0), max(oy, 0)
            cx1, cy1 = min(ox + tile_px, w), min(oy + tile_px, h)
            if cx0 < cx1 and cy0 < cy1:
                canvas[cy0:cy1, cx0:cx1] = arr[cy0 - oy:cy1 - oy, cx0 - ox:cx1 - ox]
            found += 1
    if canvas is None:
        res.add(None, "", "no_tiles", f"z{z}",
                f"the file has no readable tile in this area at zoom {z}")
        return res.finish()
    if missing:
        res.add(None, "", "missing_tiles", str(missing),
                f"{missing} tiles of the area are not in the file (left transparent)")
    if bad:
        res.add(None, "", "bad_tile", str(bad), f"{bad} tiles could not be read")
    ky, kx = reduce_factor(w, h, limits.max_background_px)
    rgba = block_reduce(canvas, ky, kx)
    if (ky, kx) != (1, 1):
        res.add(None, "", "raster_downsampled",
                f"{w} × {h} → {rgba.shape[1]} × {rgba.shape[0]}",
                f"reduced to at most {limits.max_background_px} px a side")
    # pixel-corner transform in EPSG:3857 from the tile maths of assessments.engine.grid
    e0, n0 = tile_to_web_mercator(gx0 / tile_px, gy0 / tile_px, z)
    e1, n1 = tile_to_web_mercator((gx0 + 1) / tile_px, (gy0 + 1) / tile_px, z)
    transform = ((e1 - e0) * kx, 0.0, e0, 0.0, (n1 - n0) * ky, n0)
    res.background = RasterBackground(rgba, "EPSG:3857", transform, {
        "format": "mbtiles", "name": meta.name, "zoom": z, "size_px": [w, h],
        "attribution": meta.attribution})
    res.meta.update(tiles=found, crs="EPSG:3857",
                    bounds=list(res.background.bounds_lonlat))
    return res.finish()


def read_mbtiles(data_or_path, bbox, *, zoom: int | None = None,
                 limits: Limits | None = None) -> ImportResult:
    """:func:`open_mbtiles` then :func:`render_mbtiles`, never raising on a bad file: the
    background of the box ``(west, south, east, north)`` [°] as an :class:`ImportResult`."""
    limits = limits or Limits()
    try:
        mb = open_mbtiles(data_or_path, limits=limits)
    except ImportFileError as exc:
        res = new_result(limits, format="mbtiles")
        res.problems.append(exc.problem)
        return res.finish()
    with mb:
        return render_mbtiles(mb, bbox, zoom=zoom, limits=limits)


def tile_bounds(z: int, x: int, y: int) -> tuple:
    """``(west, south, east, north)`` [°] of XYZ tile ``z/x/y``."""
    north, west = tile_to_latlon(x, y, z)
    south, east = tile_to_latlon(x + 1, y + 1, z)
    return west, south, east, north
