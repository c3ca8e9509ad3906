"""Files in and out of a plan: camera / light tables, buildings, areas, districts.

Public face (import from here; the modules are the implementation)::

    from assessments.plan import iotools
    res = iotools.read_point_table(data, "cameras.csv", prefecture="埼玉県")

Everything here is pure: bytes in, plain Python objects out. Nothing is downloaded, nothing
is written, and bad input never raises: every reader returns an :class:`ImportResult` whose
``problems`` say what was wrong, on which row and in which field, with a machine-readable
``code`` the UI translates (``ui/strings/simulate.py``). Only invalid *arguments* (a ``kind``
that does not exist) raise ``ValueError``; :meth:`ImportResult.raise_for_fatal` turns a fatal
problem into :class:`ImportFileError` for callers that prefer an exception. Limits
(:class:`Limits`) are explicit and reported: a file over a limit is rejected with a problem
naming the limit, never silently truncated.

Readers, one module per format
------------------------------
- :func:`read_point_table` (:mod:`.table`; :mod:`.text` for CSV / TSV, :mod:`.xlsx` for
  Excel, :mod:`.columns` for the one declaration of the columns) — cameras or lights.
  Encodings UTF-8 (with or without BOM), UTF-16, Shift_JIS / CP932, EUC-JP; header names in
  Japanese or English; 全角 digits and spaces; decimal degrees or 度分秒; 平面直角座標系 X/Y
  (EPSG:6669–6687) with the zone from the prefecture (:mod:`.values`).
- :func:`read_geojson` (:mod:`.geojson`) — buildings, an area of interest or districts,
  including PLATEAU building GeoJSON (``measuredHeight``).
- :func:`read_citygml` (:mod:`.citygml`) — PLATEAU CityGML ``bldg`` files or a PLATEAU
  download .zip (every ``udx/bldg`` mesh file, merged); and :func:`read_buildings`, which
  picks CityGML or GeoJSON by the file.
- :func:`read_plateau_roads` (:mod:`.plateau_tran`) — PLATEAU ``tran`` road areas (LOD1
  polygons) as the layer ``road_areas``; :func:`read_plateau` reads a download's buildings
  and roads in one go.
- :func:`geocode_addresses` (:mod:`.geocode`) — opt-in geocoding of rows with an address
  and no coordinates, with a geocoder the caller passes.
- :func:`read_fgd` (:mod:`.fgd`) — 基盤地図情報 基本項目 GML (one file or a .zip):
  buildings (``BldA`` / closed ``BldL``, a height per 建物種別 set by the caller) and the
  layers ``roads``, ``rail``, ``water``, ``boundaries``, ``admin_areas``, ``towns``,
  ``town_areas``.
- :func:`read_dem` (:mod:`.dem`) — 基盤地図情報 数値標高モデル GML (DEM5A/5B/10B, one
  mesh or a .zip mosaicked) as an engine ``Terrain``. Both unpack .zip files with
  :mod:`.archive` (limits, zip bombs, the safe XML parser set-up).
- :func:`read_raster_background` (:mod:`.raster`) — a map background from a GeoTIFF or a
  PNG / JPEG with its world file (平面直角座標系 zone or lat/lon): a
  :class:`RasterBackground` (RGBA, CRS, pixel → CRS transform; ``on_grid`` warps it onto the
  simulation grid's local metres for the map).
- :func:`open_mbtiles` / :func:`render_mbtiles` / :func:`read_mbtiles` (:mod:`.mbtiles`) —
  offline MBTiles packages of raster tiles, read-only: metadata, ``tile(z, x, y)``, and the
  tiles over a lon/lat box as one :class:`RasterBackground`.

Buildings get their ``id`` and ``is_home`` from the one rule of
:mod:`assessments.plan.buildings` (shared polygon cleaning in :mod:`.polygons`).

Writers (:mod:`.export`)
------------------------
- :func:`points_to_csv` — UTF-8 with BOM (Excel opens it), CSV-injection safe.
- :func:`features_to_geojson` — FeatureCollection bytes (footprints, layers, buildings).
- :func:`points_to_features` — cameras / lights as GeoJSON Points.
"""
from .citygml import read_buildings, read_citygml
from .dem import read_dem, read_terrain
from .columns import (CAMERA_FIELDS, COLUMN_ALIASES, COLUMNS, DEFAULT_CAMERA, DEFAULT_LIGHT,
                      KINDS, LIGHT_FIELDS, RANGES, Column, map_columns)
from .export import escape_cell, features_to_geojson, points_to_csv, points_to_features
from .fgd import read_fgd
from .geocode import geocode_addresses
from .geojson import read_geojson
from .mbtiles import MBTiles, MBTilesMetadata, open_mbtiles, read_mbtiles, render_mbtiles
from .plateau_tran import read_plateau, read_plateau_roads
from .polygons import DEFAULT_BUILDING_HEIGHT_M
from .raster import GridImage, RasterBackground, read_raster_background
from .result import PROBLEM_CODES, ImportFileError, ImportResult, Limits, Problem
from .table import read_point_table
from .text import decode_text
from .values import (COORD_DECIMALS, MULTI_ZONE_PREFECTURES, PLANE_ZONE_BY_PREFECTURE,
                     parse_coordinate, parse_number, plane_zone_epsg, round_coords)

__all__ = ["CAMERA_FIELDS", "COLUMNS", "COLUMN_ALIASES", "COORD_DECIMALS", "Column",
           "DEFAULT_BUILDING_HEIGHT_M", "DEFAULT_CAMERA", "DEFAULT_LIGHT", "GridImage",
           "ImportFileError", "ImportResult", "KINDS", "LIGHT_FIELDS", "Limits", "MBTiles",
           "MBTilesMetadata", "MULTI_ZONE_PREFECTURES", "PLANE_ZONE_BY_PREFECTURE", "PROBLEM_CODES",
           "Problem", "RANGES", "RasterBackground", "decode_text", "escape_cell",
           "features_to_geojson", "geocode_addresses", "map_columns", "open_mbtiles",
           "parse_coordinate", "parse_number", "plane_zone_epsg", "points_to_csv",
           "points_to_features", "read_buildings", "read_citygml", "read_dem", "read_fgd",
           "read_geojson", "read_mbtiles", "read_plateau", "read_plateau_roads",
           "read_point_table", "read_raster_background",
           "read_terrain", "render_mbtiles", "round_coords"]
