"""What every reader returns: :class:`ImportResult` with its :class:`Problem` list, the
problem codes, and the explicit :class:`Limits` of the importers.

Bad input never raises: a reader records a :class:`Problem` (row, field, machine-readable
``code`` the UI translates in ``ui/strings/simulate.py``, English ``message``) and goes on or
stops. :meth:`ImportResult.raise_for_fatal` turns a fatal problem into
:class:`ImportFileError` for callers that prefer an exception.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["ImportFileError", "ImportResult", "Limits", "PROBLEM_CODES", "Problem",
           "new_result", "short"]


@dataclass
class Problem:
    """One thing wrong with an imported file.

    Attributes
    ----------
    row : int or None
        1-based row of the file (the header is row 1 of a table; feature index + 1 for
        GeoJSON / building number for CityGML); ``None`` for the whole file.
    field : str
        Field (canonical name, or the file's column header) or ``""``.
    code : str
        Machine-readable reason; the UI translates by code (see ``PROBLEM_CODES``).
    value : str
        The offending value, shortened.
    message : str
        English explanation.
    severity : {"error", "warning", "info"}
        ``error``: the row (or, with ``row=None``, the file) was not imported;
        ``warning``: imported with a correction or a default; ``info``: for the record.
    """
    row: int | None
    field: str
    code: str
    value: str = ""
    message: str = ""
    severity: str = "error"

    def as_dict(self) -> dict:
        return asdict(self)


#: Every problem code a reader can give, with its severity.
PROBLEM_CODES = {
    # file level
    "too_large": "error", "empty": "error", "header_only": "error", "no_header": "error",
    "unknown_encoding": "error", "no_coordinates": "error", "too_many_rows": "error",
    "zone_unknown": "error", "zone_assumed": "warning", "encrypted": "error",
    "xls_legacy": "error", "not_xlsx": "error", "bad_zip": "error", "zip_bomb": "error",
    "no_visible_sheet": "error", "hidden_sheets_ignored": "info", "merged_cells": "info",
    "renamed_csv": "warning", "delimiter": "info", "encoding": "info",
    "unmapped_columns": "info", "too_many_problems": "info", "bad_json": "error",
    "not_geojson": "error", "too_many_features": "error", "too_many_vertices_total": "error",
    "bad_xml": "error", "xml_entities": "error", "no_buildings": "error",
    "unknown_crs": "error", "duplicate_column": "warning", "unsupported_format": "error",
    "unclosed_quote": "error", "field_too_long": "error", "csv_syntax": "error",
    "mixed_encoding": "error", "no_area": "error", "no_districts": "error",
    # workbook bombs (.xlsx_guard: what the sheets use, measured before loading)
    "xlsx_rows": "error", "xlsx_columns": "error", "xlsx_cells": "error",
    "xlsx_merged_ranges": "error", "xlsx_merged_cells": "error",
    "xlsx_shared_strings": "error", "xlsx_cell_formats": "error", "xlsx_memory": "error",
    # row / feature level
    "missing": "error", "not_a_number": "error", "not_finite": "error", "bad_dms": "error",
    "outside_japan": "error", "swapped_lat_lon": "warning", "xy_swapped": "warning",
    "out_of_range": "error", "default_applied": "info", "duplicate_id": "warning",
    "needs_geocoding": "info", "formula_not_calculated": "error", "bad_resolution": "warning",
    "not_polygon": "error", "invalid_geometry": "error", "repaired": "warning",
    "too_many_vertices": "error", "default_height": "warning", "bad_height": "warning",
    "too_many_crossings": "error", "outline_too_intricate": "error",
    "geocode_failed": "error", "geocode_limit": "info",
    # 基盤地図情報 (FGD) and its DEM, .zip archives of GML files
    "no_gml_in_zip": "error", "not_fgd": "error", "fgd_is_dem": "error",
    "no_features": "error", "old_datum": "warning", "open_outline": "warning",
    "ignored_features": "info", "not_dem": "error", "bad_dem": "error",
    "dem_mixed_resolution": "error", "too_many_cells": "error", "dem_no_data": "warning",
    "terrain_projected": "error", "bad_tiff": "error",
    # raster backgrounds (GeoTIFF, PNG / JPEG + world file) and MBTiles packages
    "no_image": "error", "several_images": "error", "no_world_file": "error",
    "bad_world_file": "error", "not_georeferenced": "error", "too_many_pixels": "error",
    "elevation_raster": "error", "crs_assumed": "warning", "raster_downsampled": "info",
    "file_ignored": "info", "not_mbtiles": "error", "vector_tiles": "error",
    "too_many_tiles": "error", "no_tiles": "error", "missing_tiles": "info",
    "bad_tile": "warning",
    # PLATEAU CityGML downloads (several models and mesh files)
    "not_bldg": "error", "not_tran": "error", "duplicate_across_files": "info",
}


@dataclass
class Limits:
    """Explicit limits of the importers; a file over one is rejected and the problem says
    which limit (never silent truncation).

    Attributes
    ----------
    max_bytes : int
        Largest CSV / Excel upload [bytes].
    max_geo_bytes : int
        Largest GeoJSON / CityGML / raster image / MBTiles upload [bytes] (a PLATEAU 3rd-mesh bldg file is a few
        to some tens of MB).
    max_rows : int
        Most data rows in a camera / light table.
    max_uncompressed_bytes : int
        Largest total declared uncompressed size of an .xlsx's zip members [bytes].
    max_compression_ratio : float
        Largest uncompressed / compressed ratio of one .xlsx member bigger than 1 MB.
    max_features : int
        Most buildings / area features.
    max_vertices_per_feature : int
        Most vertices of one feature; a bigger one is skipped and reported.
    max_vertices_total : int
        Most vertices in a whole file.
    max_problems : int
        Most problems listed; the rest are counted in one ``too_many_problems``.
    max_geocode : int
        Most addresses geocoded in one call of :func:`geocode_addresses`.
    max_zip_members : int
        Most files in a .zip of GML files (nested .zip included); a 基盤地図情報 2nd-mesh
        DEM5A download holds up to 100 3rd-mesh files.
    max_dem_cells : int
        Most cells of a mosaicked elevation grid (4 bytes each; a 2nd mesh of DEM5A is
        1500 × 2250 = 3,375,000 cells).
    max_raster_pixels : int
        Most pixels of an image decoded for a background (a raster image, or the tiles of an
        MBTiles view put together): Pillow's decompression-bomb limit
        ``PIL.Image.MAX_IMAGE_PIXELS`` (89,478,485 px ≈ 0.25 GiB of 24-bit pixels), checked
        from the file's header before anything is decoded.
    max_background_px : int
        Longest side of a background image kept [px]; a larger image is reduced (aspect
        kept) and the import says so.
    max_tiles : int
        Most MBTiles tiles put together into one background.
    """
    max_bytes: int = 20_000_000
    max_geo_bytes: int = 200_000_000
    max_rows: int = 100_000
    max_uncompressed_bytes: int = 200_000_000
    max_compression_ratio: float = 200.0
    max_features: int = 200_000
    max_vertices_per_feature: int = 20_000
    max_vertices_total: int = 5_000_000
    max_problems: int = 500
    max_geocode: int = 200
    max_zip_members: int = 2_000
    max_dem_cells: int = 25_000_000
    max_raster_pixels: int = 89_478_485
    max_background_px: int = 4096
    max_tiles: int = 1024


@dataclass
class ImportResult:
    """What a reader returns.

    Attributes
    ----------
    rows : list of dict
        Cameras / lights in the plan's format (``docs/architecture.md``), for tables.
    collection : dict or None
        A GeoJSON FeatureCollection (lon/lat), for buildings and areas. Building features
        have ``properties.height_m`` [m] and, when the file says so, ``is_home``.
    problems : list of Problem
    skipped : list of int
        Rows (features) that were not imported.
    needs_geocoding : list of dict
        Rows with an address but no coordinates, for opt-in :func:`geocode_addresses`.
    defaults_applied : dict
        ``{field: number of rows}`` that got a default from ``DEFAULT_CAMERA`` /
        ``DEFAULT_LIGHT`` / ``DEFAULT_BUILDING_HEIGHT_M``.
    meta : dict
        How the file was read: ``format``, ``encoding``, ``delimiter``, ``sheet``,
        ``columns`` (file header → field), ``crs``, ``rows_read``.
    layers : dict
        ``{name: FeatureCollection}`` (lon/lat) of a file with several layers besides its
        buildings (基盤地図情報: ``roads``, ``rail``, ``water``, ``boundaries``, …).
    terrain : assessments.engine.visibility.Terrain or None
        The ground-height raster of an elevation file (基盤地図情報 DEM).
    background : assessments.plan.iotools.raster.RasterBackground or None
        The georeferenced image of a raster background (GeoTIFF, PNG / JPEG + world file,
        an MBTiles view).
    """
    rows: list = field(default_factory=list)
    collection: dict | None = None
    problems: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    needs_geocoding: list = field(default_factory=list)
    defaults_applied: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    terrain: object = None
    background: object = None
    _limit: int = 500
    _dropped: int = 0

    @property
    def fatal(self) -> Problem | None:
        """The file-level error that stopped the import, if any."""
        for p in self.problems:
            if p.row is None and p.severity == "error":
                return p
        return None

    @property
    def ok(self) -> bool:
        """True when the file was read (rows may still have been skipped)."""
        return self.fatal is None

    def add(self, row, fld, code, value="", message="", severity=None) -> None:
        sev = severity or PROBLEM_CODES.get(code, "error")
        if len(self.problems) >= self._limit and not (row is None and sev == "error"):
            self._dropped += 1
            return
        self.problems.append(Problem(row, fld, code, short(value), message, sev))

    def unreadable(self, exc: BaseException) -> None:
        """Record that a parser gave up on the file (``unsupported_format``, naming the
        exception the parser raised)."""
        self.add(None, "", "unsupported_format", type(exc).__name__,
                 f"the file could not be read ({type(exc).__name__}: {short(str(exc))})")

    def finish(self) -> "ImportResult":
        if self._dropped:
            self.problems.append(Problem(
                None, "", "too_many_problems", str(self._dropped),
                f"{self._dropped} further problems are not listed (limit {self._limit})",
                "info"))
            self._dropped = 0
        self.skipped = sorted(set(self.skipped))
        return self

    def raise_for_fatal(self) -> None:
        """Raise :class:`ImportFileError` if the file could not be read."""
        p = self.fatal
        if p is not None:
            raise ImportFileError(p)


class ImportFileError(ValueError):
    """A file that could not be imported; ``.problem`` is the :class:`Problem`."""

    def __init__(self, problem: Problem):
        super().__init__(f"{problem.code}: {problem.message}")
        self.problem = problem
        self.code = problem.code


def short(value, limit: int = 80) -> str:
    """``value`` as printable text of at most ``limit`` characters (for problem values)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else "�" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def new_result(limits: Limits, **meta) -> ImportResult:
    """An empty :class:`ImportResult` bounded by ``limits.max_problems``."""
    res = ImportResult(meta=dict(meta))
    res._limit = limits.max_problems
    return res
