"""Workbook bombs: what an .xlsx's sheets use, measured from its XML before openpyxl loads it.

A few kB of zip can claim a sheet of 16,384 columns, a merged range over 99,000 rows or a
single cell at XFD40000; openpyxl then builds every cell of that rectangle (padded rows, one
``MergedCell`` per merged cell) and runs out of memory. :func:`check_workbook` streams each
XML part once with a regular expression over its tags (no tree is built), stops as soon as a
limit is passed, and returns the first limit passed. The sheet's ``<dimension>`` claim is not
read: readers ignore it (``ReadOnlyWorksheet.reset_dimensions``) and the used range is
measured from the cells themselves.

Every workbook reader of the app calls it: the camera / light tables (:mod:`.xlsx`) and the
plan workbook read back on the 出力 page (``reports.excel_import``).
"""
from __future__ import annotations

import html
import posixpath
import re
import zipfile
from dataclasses import dataclass

__all__ = ["PLAN_WORKBOOK", "TABLE_WORKBOOK", "WorkbookLimits", "WorkbookProblem",
           "check_workbook", "column_index", "column_letter"]


@dataclass(frozen=True)
class WorkbookLimits:
    """What one workbook may use; over a limit it is refused before it is loaded.

    Attributes
    ----------
    max_rows : int
        Last row a sheet may use (cells, ``<row>`` elements and merged ranges).
    max_columns : int
        Last column a sheet may use (1,024 = column AMJ).
    max_cells : int
        Most cells of the used rectangles (last row × last column) of all sheets together:
        openpyxl pads every row to that rectangle.
    max_merged_ranges : int
        Most merged ranges in the workbook.
    max_merged_cells : int
        Most cells covered by merged ranges, summed (openpyxl makes one per cell).
    max_shared_strings : int
        Most entries of the shared-string table.
    max_cell_formats : int
        Most cell formats (``<xf>``); 64,000 is Excel's own limit per workbook
        (Microsoft, "Excel specifications and limits").
    """
    max_rows: int
    max_columns: int
    max_cells: int
    max_merged_ranges: int
    max_merged_cells: int
    max_shared_strings: int
    max_cell_formats: int = 64_000


#: Camera / light tables (values only, ``read_only=True``, about 20 µs a cell read twice):
#: up to 100,000 data rows (``Limits.max_rows``) below a few title rows, and 500,000 cells
#: (20,000 cameras × 25 columns) so an import takes seconds, not minutes.
TABLE_WORKBOOK = WorkbookLimits(max_rows=100_100, max_columns=1_024, max_cells=500_000,
                                max_merged_ranges=10_000, max_merged_cells=500_000,
                                max_shared_strings=500_000)
#: The plan workbook of the 出力 page, loaded whole twice (values and formulas, about 1 kB
#: of memory per cell): its largest sheet is the camera table, one row per camera (2,000
#: cameras: 2,004 rows × 14 columns, 35,000 cells in all sheets), so 150,000 cells leave
#: room for 10,000 cameras; it merges 52 ranges (openpyxl's cost grows faster than the
#: number of ranges: 4,000 take 3 s).
PLAN_WORKBOOK = WorkbookLimits(max_rows=50_000, max_columns=1_024, max_cells=150_000,
                               max_merged_ranges=2_000, max_merged_cells=150_000,
                               max_shared_strings=150_000)


@dataclass(frozen=True)
class WorkbookProblem:
    """The first limit a workbook passes.

    ``code`` is ``rows``, ``columns``, ``cells``, ``merged_ranges``, ``merged_cells``,
    ``shared_strings`` or ``cell_formats``; ``sheet`` the sheet's name (or the part's path
    when no sheet names it; empty for workbook-wide counts); ``found`` what the file uses
    (at least; the scan stops at the limit) and ``limit`` the limit.
    """
    code: str
    sheet: str
    found: int
    limit: int


_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData(?=[\s/>])([^>]*)>")
_ROW_SPLIT = re.compile(rb"<(?:[\w.-]+:)?row(?=[\s/>])([^>]*)>")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])")
# attribute values in either quote, spaces around "=" (XML allows both); a value that is
# not plain (character references such as &#88;) is unescaped as the XML parser would
_VALUE = rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')"""
_CELL_REF = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*["']([A-Za-z]+)(\d+)["']""")
_CELL_R = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\br" + _VALUE)
_ROW_R = re.compile(rb"\br" + _VALUE)
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref" + _VALUE)
_PLAIN_CELL = re.compile(r"\$?([A-Za-z]+)\$?(\d+)")
_SI = re.compile(rb"<(?:[\w.-]+:)?si(?=[\s/>])")
_XF = re.compile(rb"<(?:[\w.-]+:)?xf(?=[\s/>])")
_CHUNK_BYTES = 1 << 20


def _value(m: re.Match) -> str:
    """The attribute value matched by ``_VALUE``, unescaped."""
    raw = m.group(1) if m.group(1) is not None else m.group(2)
    return html.unescape((raw or b"").decode("utf-8", "replace")).strip()


def _int(digits: bytes | str) -> int:
    """A row number; a longer one than 9 digits is past every limit (and ``int`` refuses
    over 4,300 digits)."""
    return int(digits) if len(digits) <= 9 else 10 ** 9


def column_index(letters: bytes | str) -> int:
    """1-based column number of a column name (``A`` → 1, ``XFD`` → 16,384)."""
    if len(letters) > 7:        # past every limit; keeps the number small
        return 26 ** 7
    n = 0
    for ch in (letters if isinstance(letters, str) else letters.decode()).upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letter(index: int) -> str:
    """Column name of a 1-based column number (16,384 → ``XFD``)."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


class _Over(Exception):
    """A limit was passed (carries the problem; ends the scan)."""

    def __init__(self, problem: WorkbookProblem):
        super().__init__(problem.code)
        self.problem = problem


class _Scan:
    """Counts of one workbook, updated tag by tag."""

    def __init__(self, limits: WorkbookLimits):
        self.limits = limits
        self.cells = self.merged_ranges = self.merged_cells = 0
        self.strings = self.formats = 0
        self.used = 0           # used rectangles of the sheets so far [cells]

    def over(self, code, sheet, found, limit):
        if found > limit:
            raise _Over(WorkbookProblem(code, sheet, found, limit))

    def part(self, stream, sheet: str) -> None:
        """Scan one XML part; rows and cells count only after its ``<sheetData>`` (a
        drawing's ``<xdr:row>`` is not a row)."""
        lim = self.limits
        self.sheet, self.in_sheet = sheet, False
        self.row = self.col = self.max_row = self.max_col = 0
        tail = b""
        while True:
            chunk = stream.read(_CHUNK_BYTES)
            buf = tail + chunk
            tail = b""
            if chunk:                   # keep a tag cut at the end for the next piece
                cut = buf.rfind(b"<")
                if cut >= 0 and buf.find(b">", cut) < 0 and len(buf) - cut < _CHUNK_BYTES:
                    buf, tail = buf[:cut], buf[cut:]
            self._piece(buf)
            if not chunk:
                break
        # the rectangle openpyxl pads every row to, added over the sheets
        self.used += self.max_row * self.max_col
        self.over("cells", sheet, self.used, lim.max_cells)

    def _piece(self, buf: bytes) -> None:
        lim, sheet = self.limits, self.sheet
        if not self.in_sheet:
            m = _SHEET_DATA.search(buf)
            if m and not m.group(1).rstrip().endswith(b"/"):
                self.in_sheet = True
                self._rows(buf[m.end():])
        else:
            self._rows(buf)
        for m in _MERGE.finditer(buf):
            ends = [_PLAIN_CELL.fullmatch(x) for x in _value(m).split(":")]
            if not 1 <= len(ends) <= 2 or None in ends:
                continue                # not a range: openpyxl refuses the file itself
            c0, r0 = column_index(ends[0].group(1)), _int(ends[0].group(2))
            c1, r1 = column_index(ends[-1].group(1)), _int(ends[-1].group(2))
            self.merged_ranges += 1
            self.merged_cells += (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
            self.max_row = max(self.max_row, r0, r1)
            self.max_col = max(self.max_col, c0, c1)
            self.over("merged_ranges", sheet, self.merged_ranges, lim.max_merged_ranges)
            self.over("columns", sheet, self.max_col, lim.max_columns)
            self.over("rows", sheet, self.max_row, lim.max_rows)
            self.over("merged_cells", sheet, self.merged_cells, lim.max_merged_cells)
        self.strings += len(_SI.findall(buf))
        self.over("shared_strings", "", self.strings, lim.max_shared_strings)
        self.formats += len(_XF.findall(buf))
        self.over("cell_formats", "", self.formats, lim.max_cell_formats)

    def _rows(self, text: bytes) -> None:
        """Rows and cells of a piece of ``<sheetData>``: the text before its first
        ``<row>`` continues the current row."""
        parts = _ROW_SPLIT.split(text)
        self._cells(parts[0])
        for i in range(1, len(parts), 2):
            r = _ROW_R.search(parts[i])
            value = _value(r) if r else ""
            self.row = _int(value) if value.isascii() and value.isdigit() else self.row + 1
            self.col = 0
            self.max_row = max(self.max_row, self.row)
            self.over("rows", self.sheet, self.max_row, self.limits.max_rows)
            self._cells(parts[i + 1])

    def _cells(self, text: bytes) -> None:
        n = len(_CELL.findall(text))
        if not n:
            return
        refs = _CELL_REF.findall(text)
        if len(refs) != len(_CELL_R.findall(text)):     # some not plain: unescape them
            refs = [(m.group(1), m.group(2)) for m in map(
                _PLAIN_CELL.fullmatch, map(_value, _CELL_R.finditer(text))) if m]
        if refs:
            last = max(column_index(x) for x in {x for x, _ in refs})
            self.max_row = max(self.max_row, max(_int(d) for _, d in refs))
        else:
            last = 0
        # a cell without a reference is the one after the previous cell (openpyxl);
        # counting each as one more column bounds where they can land
        self.col = max(self.col, last) + (n - len(refs))
        self.max_col = max(self.max_col, self.col)
        self.cells += n
        self.over("columns", self.sheet, self.max_col, self.limits.max_columns)
        self.over("rows", self.sheet, self.max_row, self.limits.max_rows)
        self.over("cells", self.sheet, self.cells, self.limits.max_cells)


def _sheet_names(zf: zipfile.ZipFile) -> tuple[dict, set]:
    """``{part path: sheet name}`` from ``xl/workbook.xml`` and its relationships, and the
    parts those relationships name (openpyxl opens them whatever their extension)."""
    def small(name):
        try:
            info = zf.getinfo(name)
        except KeyError:
            return b""
        return zf.read(info) if info.file_size <= 5_000_000 else b""

    targets = {}
    for m in re.finditer(rb"<(?:\w+:)?Relationship\b([^>]*)>", small("xl/_rels/workbook.xml.rels")):
        rid = re.search(rb'\bId="([^"]*)"', m.group(1))
        target = re.search(rb'\bTarget="([^"]*)"', m.group(1))
        if rid and target:
            t = html.unescape(target.group(1).decode("utf-8", "replace"))
            targets[rid.group(1)] = (t.lstrip("/") if t.startswith("/")
                                     else posixpath.normpath(posixpath.join("xl", t)))
    out = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)>", small("xl/workbook.xml")):
        name = re.search(rb'\bname="([^"]*)"', m.group(1))
        rid = re.search(rb'\b\w+:id="([^"]*)"', m.group(1))
        if name and rid and rid.group(1) in targets:
            out[targets[rid.group(1)]] = html.unescape(name.group(1).decode("utf-8", "replace"))
    return out, set(targets.values())


def check_workbook(zf: zipfile.ZipFile, limits: WorkbookLimits) -> WorkbookProblem | None:
    """The first limit of ``limits`` the workbook in ``zf`` passes, or ``None``.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The workbook, its zip directory already checked against the total uncompressed
        size (each part is read once, in 1 MB pieces).
    limits : WorkbookLimits

    Returns
    -------
    WorkbookProblem or None

    Raises
    ------
    zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError
        On a damaged part (the caller's ``workbook_errors``).
    """
    names, targets = _sheet_names(zf)
    scan = _Scan(limits)
    try:
        for info in zf.infolist():
            if not info.is_dir() and (info.filename.lower().endswith(".xml")
                                      or info.filename in targets):
                with zf.open(info) as stream:
                    scan.part(stream, names.get(info.filename, info.filename))
    except _Over as over:
        return over.problem
    return None
