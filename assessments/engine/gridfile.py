"""GRID.tif: a simulation's per-cell arrays as a tiled, compressed GeoTIFF.

One page (image file directory) per array, each 256 × 256-tiled and deflate-compressed
(but :data:`RAW_PAGES`), in the grid's own projection: the azimuthal equidistant projection
on GRS80 centred on the area (:mod:`assessments.engine.grid`), declared with GeoKeys as a user-defined projected
CRS (``CT_AzimuthalEquidistant``, JGD2011 datum), so GDAL and QGIS place it without a
side file. The first page is ``pixel_density``; ``gdalinfo GRID.tif`` shows it, the other
pages are its subdatasets (``GTIFF_DIR:2:GRID.tif`` …). Each page's ImageDescription is a
JSON object ``{"name": …}`` (the first also has ``camera_ids``, the order of
``best_camera``, and the grid's origin and resolution). Cell-centre latitudes and longitudes
are not stored: they follow from the georeference.

References
----------
.. [1] OGC GeoTIFF Standard 1.1 (OGC 19-008r4), 2019: GeoKeyDirectoryTag (34735),
   GeoDoubleParamsTag (34736), GeoAsciiParamsTag (34737), ModelPixelScaleTag (33550),
   ModelTiepointTag (33922); ProjCoordTransGeoKey 12 = CT_AzimuthalEquidistant; user-defined
   = 32767.
.. [2] EPSG:6668, JGD2011 geographic 2D CRS (GRS 1980 ellipsoid).
"""
from __future__ import annotations

import io
import json

import numpy as np

from .grid import Grid

__all__ = ["GRID_TIF_ORDER", "RAW_PAGES", "geokeys", "write_grid_tif", "read_grid_tif"]

#: Pages of GRID.tif in order (those present are written); ``pixel_density`` first, the
#: layer a GIS shows.
GRID_TIF_ORDER = ("pixel_density", "dori_level", "camera_count", "best_camera", "inside",
                  "illuminance_lx", "vertical_illuminance_lx")

#: Pages stored without compression: the horizontal illuminance is float noise in every lit
#: cell, where deflate saves about a third of the bytes at more CPU than all other pages
#: together (a GRID.tif is written for every run with ``--grid``, so speed wins here).
RAW_PAGES = frozenset({"illuminance_lx"})

_TILE = (256, 256)
_USER_DEFINED = 32767


def geokeys(grid: Grid) -> list:
    """GeoTIFF tags (tifffile ``extratags``) of ``grid``: pixel scale, the tie point of the
    north-west corner (PixelIsArea) and the GeoKeys of its projection [1]_."""
    res = grid.resolution_m
    west_m = grid.x0_m - res / 2          # cell [0, 0]'s centre is half a cell in
    north_m = grid.y0_m + res / 2
    # GeoKeyDirectory: header (version 1, revision 1.0, N keys), then (key, location, count,
    # value); location 34736 = the value is the index into the doubles, 34737 into ascii
    citation = "Mimamori Planner grid: aeqd on GRS80 (JGD2011)|"
    keys = [
        (1024, 0, 1, 1),                  # GTModelType: projected
        (1025, 0, 1, 1),                  # GTRasterType: PixelIsArea
        (1026, 34737, len(citation), 0),  # GTCitation
        (2048, 0, 1, 6668),               # GeographicType: JGD2011
        (3072, 0, 1, _USER_DEFINED),      # ProjectedCSType: user-defined
        (3074, 0, 1, _USER_DEFINED),      # Projection: user-defined
        (3075, 0, 1, 12),                 # ProjCoordTrans: CT_AzimuthalEquidistant
        (3076, 0, 1, 9001),               # ProjLinearUnits: metre
        (3082, 34736, 1, 0),              # ProjFalseEasting [m]
        (3083, 34736, 1, 1),              # ProjFalseNorthing [m]
        (3088, 34736, 1, 2),              # ProjCenterLong [°]
        (3089, 34736, 1, 3),              # ProjCenterLat [°]
    ]
    directory = [1, 1, 0, len(keys)] + [v for k in keys for v in k]
    doubles = (0.0, 0.0, float(grid.origin_lon), float(grid.origin_lat))
    return [(33550, "d", 3, (res, res, 0.0), True),
            (33922, "d", 6, (0.0, 0.0, 0.0, west_m, north_m, 0.0), True),
            (34735, "H", len(directory), directory, True),
            (34736, "d", len(doubles), doubles, True),
            (34737, "s", 0, citation, True)]


def write_grid_tif(arrays: dict, grid: Grid, path=None, *, level: int = 1,
                   workers: int | None = None) -> bytes | None:
    """Write the per-cell arrays of a simulation as GRID.tif.

    Parameters
    ----------
    arrays : dict
        Name → 2-D array on ``grid`` (:meth:`assessments.simulate.Simulation.grid_arrays`,
        :func:`assessments.engine.tiles.run_tiles`); the names of :data:`GRID_TIF_ORDER`
        present are written in that order (``lat`` / ``lon`` are not: the georeference
        gives them), ``camera_ids`` goes into the first page's description. ``inside`` is
        stored as uint8 (TIFF has no bool).
    grid : Grid
        The grid of the arrays.
    path : str or Path, optional
        Written whole or not at all (:func:`assessments.plan.validate.write_atomic`); without
        it the file's bytes are returned.
    level : int
        Deflate level (1 fastest; the gain from 6 or 9 on these arrays is a few per cent).
        The pages of :data:`RAW_PAGES` are not compressed.
    workers : int, optional
        Threads compressing tiles (tifffile; default: its own choice).
    """
    import tifffile
    names = [k for k in GRID_TIF_ORDER if k in arrays]
    if not names:
        raise ValueError(f"no grid array to write; expected some of {GRID_TIF_ORDER}")
    tags = geokeys(grid)
    buf = io.BytesIO()
    with tifffile.TiffWriter(buf, bigtiff=grid.shape[0] * grid.shape[1] * 4 > 2 ** 31) as tw:
        for i, name in enumerate(names):
            a = np.asarray(arrays[name])
            if a.shape != grid.shape:
                raise ValueError(f"{name}: shape {a.shape} does not match the grid {grid.shape}")
            if a.dtype == bool:
                a = a.view(np.uint8)
            desc = {"name": name}
            if i == 0:
                desc.update(origin_lat=grid.origin_lat, origin_lon=grid.origin_lon,
                            resolution_m=grid.resolution_m,
                            camera_ids=[str(c) for c in arrays.get("camera_ids", ())])
            packed = name not in RAW_PAGES
            tw.write(a, tile=_TILE, compression="zlib" if packed else None,
                     compressionargs={"level": int(level)} if packed else None,
                     description=json.dumps(desc, ensure_ascii=False), metadata=None,
                     extratags=tags, maxworkers=workers, photometric="minisblack")
    data = buf.getvalue()
    if path is None:
        return data
    from ..plan.validate import write_atomic
    write_atomic(path, data)
    return None


def read_grid_tif(source) -> tuple[dict, dict]:
    """Read GRID.tif back: ``(arrays, info)``, ``arrays`` by page name (``inside`` as
    bool), ``info`` the first page's description (origin, resolution, ``camera_ids``)."""
    import tifffile
    arrays, info = {}, {}
    with tifffile.TiffFile(io.BytesIO(source) if isinstance(source, bytes) else source) as tif:
        for page in tif.pages:
            desc = json.loads(page.description)
            a = page.asarray()
            arrays[desc["name"]] = a.astype(bool) if desc["name"] == "inside" else a
            if not info:
                info = desc
    return arrays, info
