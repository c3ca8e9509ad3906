"""Camera / light tables (CSV, TSV, Excel) → the plan's cameras or lights.

:func:`read_point_table` finds the header row (title rows above it are skipped), maps the
columns (:mod:`.columns`), reads each cell by its column's kind, converts 平面直角座標系 X/Y to
lat/lon, checks ranges, applies defaults and makes ids unique. Bad data never raises: it
becomes a :class:`~.result.Problem` of the row or the file.
"""
from __future__ import annotations

import math

from assessments.engine.grid import plane_rectangular_transformer

from .columns import DEFAULT_CAMERA, DEFAULT_LIGHT, KINDS, READ_AS, RANGES, map_columns, \
    parse_flag, parse_resolution
from .result import ImportResult, Limits, new_result
from .text import text_rows
from .values import (COORD_DECIMALS, clean_id, in_japan, parse_coordinate, parse_number,
                     plane_zone_epsg, resolve_zone)
from .xlsx import OLE2_MAGIC, ZIP_MAGIC, ole_problem, xlsx_rows

__all__ = ["read_point_table"]


def _find_header(rows) -> int | None:
    """Index of the header row: the first of the first 10 rows that maps a coordinate or
    address column; else the first non-empty row."""
    first = None
    for i, row in enumerate(rows[:10]):
        if not any(str(c or "").strip() for c in row):
            continue
        if first is None:
            first = i
        fields = set(map_columns(row)[0].values())
        if {"lat", "lon"} <= fields or {"plane_x", "plane_y"} <= fields or "address" in fields:
            return i
    return first


def read_point_table(data: bytes, filename: str = "", *, kind: str = "camera",
                     prefecture: str | None = None, plane_zone: int | None = None,
                     sheet: str | None = None, limits: Limits | None = None) -> ImportResult:
    """Read cameras or lights from a CSV / TSV / Excel file.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.
    filename : str
        Its name; ``.xlsx`` / ``.xlsm`` select the Excel reader, anything else is text.
    kind : {"camera", "light"}
        What the rows are; decides the output fields and defaults.
    prefecture : str, optional
        The plan's prefecture (``埼玉県``); picks the 平面直角座標系 zone for X/Y columns.
    plane_zone : int, optional
        Zone 1–19, overriding ``prefecture``.
    sheet : str, optional
        Excel sheet to read; default the first visible one.
    limits : Limits, optional

    Returns
    -------
    ImportResult
        ``rows`` in the plan's camera / light format. Never raises for bad data.

    Raises
    ------
    ValueError
        If ``kind`` is not one of ``"camera"``, ``"light"``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    limits = limits or Limits()
    res = new_result(limits, format="", kind=kind)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        res.add(None, "", "unsupported_format", type(data).__name__, "expected bytes")
        return res.finish()
    data = bytes(data)
    if len(data) > limits.max_bytes:
        res.add(None, "", "too_large", str(len(data)),
                f"the file is {len(data):,} bytes; the limit is {limits.max_bytes:,}")
        return res.finish()
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        res.add(None, "", "empty", "", "the file is empty")
        return res.finish()
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == ZIP_MAGIC:
        rows = xlsx_rows(data, res, limits, sheet)
        if rows is None:
            return res.finish()
    elif data[:8] == OLE2_MAGIC:
        ole_problem(data, res)
        return res.finish()
    else:
        rows = text_rows(data, res, limits)
        if rows is None:
            return res.finish()
    _rows_to_points(rows, res, kind=kind, prefecture=prefecture, plane_zone=plane_zone,
                    limits=limits)
    return res.finish()


def _rows_to_points(rows, res: ImportResult, *, kind, prefecture, plane_zone,
                    limits: Limits) -> None:
    """Header detection, column mapping, then every data row → ``res.rows`` (or a
    problem and ``res.skipped``)."""
    hidx = _find_header(rows)
    if hidx is None:
        res.add(None, "", "empty", "", "the file has no rows")
        return
    headers = ["" if h is None else str(h) for h in rows[hidx]]
    mapping, unmapped = map_columns(headers)
    res.meta["columns"] = {headers[i]: f for i, f in mapping.items()}
    fields = set(mapping.values())
    body = [r for r in rows[hidx + 1:]]
    first_data_row = hidx + 2                    # 1-based file row of body[0]
    if len(body) > limits.max_rows:
        res.add(None, "", "too_many_rows", str(limits.max_rows),
                f"the file has more than {limits.max_rows:,} rows (the limit)")
        return
    has_ll = {"lat", "lon"} <= fields
    has_xy = {"plane_x", "plane_y"} <= fields
    if not (has_ll or has_xy or "address" in fields):
        res.add(None, "", "no_coordinates", ", ".join(headers[:12]),
                "no latitude/longitude (緯度/経度), X/Y (平面直角座標系) or address (住所) "
                "column was found in the header")
        return
    if not any(any(str(c or "").strip() for c in r) for r in body):
        res.add(None, "", "header_only", "", "the file has a header but no data rows")
        return
    if unmapped:
        res.add(None, "", "unmapped_columns", ", ".join(unmapped),
                "kept as attributes: " + ", ".join(unmapped), "info")
    transformer = None
    if has_xy and not has_ll:
        zone = resolve_zone(res, prefecture, plane_zone)
        if zone is None:
            return
        transformer = plane_rectangular_transformer(zone)
        res.meta["crs"] = f"EPSG:{plane_zone_epsg(zone)}"
    else:
        res.meta["crs"] = "EPSG:6668 (JGD2011) / WGS 84 lat lon"
    formulas = res.meta.pop("formulas", {}) or {}
    defaults = DEFAULT_CAMERA if kind == "camera" else DEFAULT_LIGHT
    prefix = "C" if kind == "camera" else "L"
    ids: dict[str, int] = {}
    n_read = 0
    for k, raw in enumerate(body):
        rownum = first_data_row + k
        if not any(str(c or "").strip() for c in raw):
            continue
        n_read += 1
        out, attrs, ok = {}, {}, True
        for i, cell in enumerate(raw):
            fld = mapping.get(i)
            if fld is None:
                if i < len(headers) and headers[i].strip() and cell not in (None, ""):
                    attrs[headers[i]] = cell if isinstance(cell, (int, float, bool)) \
                        else str(cell)
                continue
            if cell is None and (hidx + 1 + k, i) in formulas:
                res.add(rownum, fld, "formula_not_calculated", formulas[(hidx + 1 + k, i)],
                        "the formula has no saved value; open and save the file in Excel")
                ok = False
                continue
            try:
                how = READ_AS[fld]
                if how == "coordinate":
                    val = parse_coordinate(cell)
                elif how == "number":
                    val = parse_number(cell)
                elif how == "resolution":
                    val = parse_resolution(cell)
                    if val is False:
                        res.add(rownum, fld, "bad_resolution", cell, "resolution not read "
                                "(expected e.g. 1920x1080); the default was used")
                        continue
                elif how == "id":
                    val = None if cell is None else clean_id(cell) or None
                elif how == "flag":
                    val = parse_flag(cell)
                else:
                    val = None if cell is None else str(cell).strip() or None
            except ValueError as exc:
                code = "bad_dms" if fld in ("lat", "lon") and "分秒" in str(exc) or \
                    "< 60" in str(exc) else "not_a_number"
                res.add(rownum, fld, code, cell, str(exc))
                ok = False
                continue
            if isinstance(val, float) and not math.isfinite(val):
                res.add(rownum, fld, "not_finite", cell, f"{fld} is not a finite number")
                ok = False
                continue
            if val is not None:
                out[fld] = val
        if not ok:
            res.skipped.append(rownum)
            continue
        # resolution "1920x1080" fills width/height when not given separately
        if "resolution" in out:
            w, h = out.pop("resolution")
            out.setdefault("width_px", w)
            out.setdefault("height_px", h)
        # coordinates
        lat, lon = out.pop("lat", None), out.pop("lon", None)
        px, py = out.pop("plane_x", None), out.pop("plane_y", None)
        if transformer is not None and px is not None and py is not None:
            lon, lat = transformer.transform(py, px)          # X north, Y east [1]
            if not in_japan(lat, lon):
                lon2, lat2 = transformer.transform(px, py)
                if in_japan(lat2, lon2):
                    lat, lon = lat2, lon2
                    res.add(rownum, "plane_x", "xy_swapped", f"{px}, {py}",
                            "X and Y looked swapped (X is north–south in 平面直角座標系); "
                            "they were swapped")
        if lat is None or lon is None:
            if out.get("address"):
                res.needs_geocoding.append(_finish_point(out, attrs, defaults, res, rownum,
                                                         kind, count=False))
                res.add(rownum, "address", "needs_geocoding", out["address"],
                        "no coordinates; the address can be geocoded on request", "info")
            else:
                res.add(rownum, "lat" if lat is None else "lon", "missing", "",
                        "latitude and longitude are required")
            res.skipped.append(rownum)
            continue
        if not in_japan(lat, lon):
            if in_japan(lon, lat):
                res.add(rownum, "lat", "swapped_lat_lon", f"{lat}, {lon}",
                        "latitude and longitude were swapped; corrected")
                lat, lon = lon, lat
            else:
                res.add(rownum, "lat", "outside_japan", f"{lat}, {lon}",
                        f"({lat:.5f}, {lon:.5f}) is outside Japan (lat 20–46, lon 122–154)")
                res.skipped.append(rownum)
                continue
        bad = False
        for fld, (lo, hi) in RANGES.items():
            v = out.get(fld)
            if v is not None and not (lo <= v <= hi):
                res.add(rownum, fld, "out_of_range", v, f"{fld} = {v} is outside {lo}–{hi}")
                bad = True
        if bad:
            res.skipped.append(rownum)
            continue
        out["lat"], out["lon"] = round(lat, COORD_DECIMALS), round(lon, COORD_DECIMALS)
        point = _finish_point(out, attrs, defaults, res, rownum, kind)
        # ids: from the file (unique), else C1, C2 … / L1, L2 …
        pid = clean_id(point.get("id")) if point.get("id") is not None else ""
        if not pid:
            pid = f"{prefix}{len(res.rows) + 1}"
        if pid in ids:
            ids[pid] += 1
            new = f"{pid}-{ids[pid]}"
            res.add(rownum, "id", "duplicate_id", pid, f"id {pid!r} repeats; renamed {new!r}")
            pid = new
        else:
            ids[pid] = 1
        point["id"] = pid
        res.rows.append(point)
    res.meta["rows_read"] = n_read


def _finish_point(out, attrs, defaults, res, rownum, kind, count=True) -> dict:
    """A parsed row as a plan camera / light: integers where the plan has them, the
    defaults of ``kind`` applied (and counted), other columns in ``attributes``."""
    point = dict(out)
    for k in ("width_px", "height_px", "unit_price_jpy"):
        if isinstance(point.get(k), float):
            point[k] = int(round(point[k]))
    if kind == "light" and any(point.get(k) is not None for k in
                               ("intensity_cd", "lumens", "ies")):
        applied = {k: v for k, v in defaults.items()
                   if k not in ("lumens", "distribution") and point.get(k) is None}
        if point.get("lumens") is not None and point.get("distribution") is None:
            applied["distribution"] = defaults["distribution"]
    else:
        applied = {k: v for k, v in defaults.items() if point.get(k) is None}
    point.update(applied)
    if kind == "camera" and "azimuth_deg" in point:
        point["azimuth_deg"] = float(point["azimuth_deg"]) % 360.0
    if attrs:
        point["attributes"] = attrs
    if count:
        for k, v in applied.items():
            if v not in (None, "", 0) or k in ("azimuth_deg",):
                res.defaults_applied[k] = res.defaults_applied.get(k, 0) + 1
    return point
