"""Excel workbooks (.xlsx / .xlsm) of cameras or lights: the sheet's rows, safely.

Old .xls (OLE2) and encrypted workbooks are refused with a message saying what to do; a
text file renamed .xlsx is read as CSV.
"""
from __future__ import annotations

import functools
import io
import re
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from .result import ImportResult, Limits, short
from .text import decode_text, text_rows
from .xlsx_guard import TABLE_WORKBOOK, WorkbookProblem, check_workbook, column_letter

__all__ = ["DTD_MARKERS", "entity_part", "guard_problem", "ole_problem", "workbook_errors",
           "xlsx_rows"]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
#: What starts a document type or entity declaration in an XML file, in UTF-8 and UTF-16:
#: neither Office Open XML nor GML needs one, and refusing them before parsing stops entity
#: expansion ("billion laughs") and external entities (XXE).
DTD_MARKERS = tuple(m.encode(e) for m in ("<!DOCTYPE", "<!ENTITY")
                    for e in ("utf-8", "utf-16-le", "utf-16-be"))


@functools.cache
def workbook_errors() -> tuple:
    """What openpyxl raises on a damaged workbook that passed the zip checks.

    Found by fuzzing (byte flips, cut and inserted XML in every part): zip members with a bad
    CRC or deflate stream (``zipfile.BadZipFile``, ``zlib.error``, ``EOFError``), missing
    parts or relations (``KeyError``, ``OSError``), malformed XML (lxml's
    ``XMLSyntaxError``, ``xml.etree.ElementTree.ParseError``), and XML that parses but does
    not fit openpyxl's object model (``TypeError``, ``ValueError``, ``IndexError`` for a
    style index out of range), a member compressed with a method zipfile lacks
    (``NotImplementedError``), plus openpyxl's own ``InvalidFileException``.
    """
    from lxml.etree import XMLSyntaxError
    from openpyxl.utils.exceptions import InvalidFileException
    return (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, XMLSyntaxError,
            ParseError, TypeError, ValueError, IndexError, NotImplementedError,
            InvalidFileException)


def entity_part(zf: zipfile.ZipFile) -> str | None:
    """The first XML part of a workbook that declares a DOCTYPE or entities
    (:data:`DTD_MARKERS`), or ``None``.

    Read in 1 MiB blocks; the caller bounds the unpacked size first (zip bombs). A damaged
    member raises what reading it raises (:func:`workbook_errors`).
    """
    width = max(map(len, DTD_MARKERS))
    for info in zf.infolist():
        if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        with zf.open(info) as fh:
            while chunk := fh.read(1 << 20):
                block = tail + chunk
                if any(m in block for m in DTD_MARKERS):
                    return info.filename
                tail = block[-width:]
    return None


def _encrypted(res: ImportResult) -> None:
    res.add(None, "", "encrypted", "", "the workbook is password-protected; save an "
            "unprotected copy (or CSV) and import that")


def ole_problem(data: bytes, res: ImportResult) -> None:
    """Record why an OLE2 file (old .xls, or an encrypted workbook) is not read."""
    if "EncryptionInfo".encode("utf-16-le") in data[:200_000] or \
            "EncryptedPackage".encode("utf-16-le") in data:
        _encrypted(res)
    else:
        res.add(None, "", "xls_legacy", "", "this is an old Excel 97–2003 (.xls) file; save "
                "it as .xlsx or CSV and import that")


def xlsx_rows(data: bytes, res: ImportResult, limits: Limits, sheet: str | None):
    """Rows (lists of cell values) of one sheet of an .xlsx workbook, or ``None`` when it
    cannot be read (the problem is recorded in ``res``).

    The zip is checked before openpyxl opens it: declared sizes and compression ratios
    against ``limits`` (zip bombs), and the workbook part. Merged ranges get the value of
    their top-left cell; formula cells without a saved value are kept in
    ``res.meta["formulas"]`` so the row can say why a value is missing.
    """
    res.meta["format"] = "xlsx"
    if data[:8] == OLE2_MAGIC:
        ole_problem(data, res)
        return None
    if data[:4] != ZIP_MAGIC:
        text, enc = decode_text(data)
        if enc == "mixed" or (text is not None and text.count("\n") >= 1
                              and "\x00" not in text[:1000]):
            res.add(None, "", "renamed_csv", "", "the .xlsx file is really a text (CSV) "
                    "file; it was read as CSV")
            return text_rows(data, res, limits)
        res.add(None, "", "not_xlsx", "", "the file is not an Excel .xlsx workbook")
        return None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        res.add(None, "", "bad_zip", "", f"the .xlsx file is damaged ({short(str(exc))})")
        return None
    except NotImplementedError as exc:           # a zip format version zipfile lacks
        res.unreadable(exc)
        return None
    if any(i.flag_bits & 0x1 for i in infos):    # zip-encrypted parts need a password
        _encrypted(res)
        return None
    total = sum(i.file_size for i in infos)
    if len(infos) > 10_000 or total > limits.max_uncompressed_bytes:
        res.add(None, "", "zip_bomb", str(total), f"the workbook would unpack to {total:,} "
                f"bytes; the limit is {limits.max_uncompressed_bytes:,}")
        return None
    for i in infos:
        if i.file_size > 1_000_000 and i.file_size > limits.max_compression_ratio * max(
                1, i.compress_size):
            res.add(None, "", "zip_bomb", i.filename, f"{i.filename} is compressed "
                    f"{i.file_size / max(1, i.compress_size):.0f}:1 (limit "
                    f"{limits.max_compression_ratio:.0f}:1)")
            return None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        res.add(None, "", "not_xlsx", "", "the zip file is not an Excel workbook")
        return None
    try:
        part = entity_part(zf)
    except workbook_errors() as exc:
        res.unreadable(exc)
        return None
    if part is not None:
        res.add(None, "", "xml_entities", part, f"{part} declares a DOCTYPE or entities: "
                "refused (security)")
        return None
    try:        # what the sheets use, before openpyxl builds any of it
        over = check_workbook(zf, TABLE_WORKBOOK)
    except workbook_errors() as exc:
        res.unreadable(exc)
        return None
    if over is not None:
        guard_problem(over, res)
        return None
    import openpyxl                                    # lazy: only for Excel files
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except workbook_errors() as exc:
        res.unreadable(exc)
        return None
    except MemoryError:     # the guard's limits should prevent it; never a traceback
        res.add(None, "", "xlsx_memory", "", "the workbook does not fit in memory")
        return None
    try:
        sheets = wb.worksheets
        visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
        hidden = [ws.title for ws in sheets if ws not in visible]
        if sheet is not None:
            chosen = next((ws for ws in sheets if ws.title == sheet), None)
        else:
            chosen = visible[0] if visible else None
        if chosen is None:
            res.add(None, "", "no_visible_sheet", sheet or "",
                    "no visible worksheet" if sheet is None else f"no sheet named {sheet!r}")
            return None
        if hidden and sheet is None:
            res.add(None, "", "hidden_sheets_ignored", ", ".join(hidden),
                    f"hidden sheets not read: {', '.join(hidden)}")
        res.meta["sheet"] = chosen.title
        chosen.reset_dimensions()   # the sheet's <dimension> may claim XFD1048576
        rows = []
        for values in chosen.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > limits.max_rows + 12:
                res.add(None, "", "too_many_rows", str(limits.max_rows),
                        f"the sheet has more than {limits.max_rows:,} rows (the limit)")
                return None
        path = getattr(chosen, "_worksheet_path", None)
        merged = _merged_ranges(zf, path) if path else []
    except workbook_errors() as exc:       # a damaged sheet part is read lazily, here
        res.unreadable(exc)
        return None
    except MemoryError:
        res.add(None, "", "xlsx_memory", "", "the workbook does not fit in memory")
        return None
    finally:
        wb.close()
    if merged:
        _fill_merged(rows, merged)
        res.add(None, "", "merged_cells", str(len(merged)), f"{len(merged)} merged cell "
                "ranges: their value was copied to every cell of the range")
    formulas = _formula_cells(data, chosen.title) if len(data) < 5_000_000 else {}
    res.meta["formulas"] = formulas
    return rows


def guard_problem(problem: WorkbookProblem, res: ImportResult) -> None:
    """Record a limit of :mod:`.xlsx_guard` that the workbook passes (code ``xlsx_<code>``;
    the value names the sheet, what it uses and the limit: ``カメラ: XFD (16,384) > AMJ
    (1,024)``)."""
    if problem.code == "columns":
        found = f"{column_letter(problem.found)} ({problem.found:,})"
        limit = f"{column_letter(problem.limit)} ({problem.limit:,})"
    else:
        found, limit = f"{problem.found:,}", f"{problem.limit:,}"
    value = f"{problem.sheet}: {found} > {limit}" if problem.sheet else f"{found} > {limit}"
    res.add(None, "", f"xlsx_{problem.code}", value,
            f"the workbook uses {problem.code.replace('_', ' ')} {found}; the limit is {limit}")


def _merged_ranges(zf: zipfile.ZipFile, path: str) -> list:
    try:
        xml = zf.read(path.lstrip("/"))
    except KeyError:
        return []
    return re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"', xml)


def _fill_merged(rows, merged) -> None:
    from openpyxl.utils.cell import range_boundaries
    for ref in merged:
        try:
            c0, r0, c1, r1 = range_boundaries(ref.decode())
        except ValueError:
            continue
        if r0 - 1 >= len(rows):
            continue
        top = rows[r0 - 1]
        value = top[c0 - 1] if c0 - 1 < len(top) else None
        for r in range(r0 - 1, min(r1, len(rows))):
            row = rows[r]
            if len(row) < c1:
                row.extend([None] * (c1 - len(row)))
            for c in range(c0 - 1, c1):
                if row[c] is None:
                    row[c] = value


def _formula_cells(data: bytes, title: str) -> dict:
    """``{(row, col): formula}`` (0-based) of formula cells, to explain empty values."""
    import openpyxl
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except workbook_errors():
        return {}
    out = {}
    try:
        ws = wb[title]
        ws.reset_dimensions()
        for r, values in enumerate(ws.iter_rows(values_only=True)):
            for c, v in enumerate(values):
                if isinstance(v, str) and v.startswith("="):
                    out[(r, c)] = v
    except workbook_errors():
        return {}
    finally:
        wb.close()
    return out
