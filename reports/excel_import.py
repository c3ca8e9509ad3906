"""Read an Excel plan back after an official edited it: validate, diff, apply.

``read_workbook(data)`` checks the file (size, zip structure, uncompressed size before any
XML is parsed, what the sheets use against ``xlsx_guard.PLAN_WORKBOOK``, our format marker,
the sheets it should contain) and reads the editable
tables written by :mod:`reports.excel` — cameras, lights, cost items, running costs, KPIs,
schedule and the project text — into an :class:`ImportResult`. Every problem becomes an
:class:`ImportMessage` with a code and the sheet/row/column, so the UI can translate it.
``diff(plan, result)`` lists what would change; ``apply(plan, result)`` returns the new
plan, or raises when the result has errors (nothing is ever half-applied).
"""
from __future__ import annotations

import copy
import datetime as _dt
import io
import zipfile
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from assessments.engine.devices import check_devices
from assessments.engine.photometry import MAX_CANDELA
from assessments.plan.iotools.presets import complete_camera
from assessments.plan.iotools.values import (number_and_unit, parse_fiscal_year,
                                             parse_year_month)
from assessments.plan.iotools.xlsx import entity_part, workbook_errors
from assessments.plan.iotools.xlsx_guard import PLAN_WORKBOOK, check_workbook, column_letter
from reports import excel as X
from reports.forms import FORM_SHEETS

#: File types offered by the uploaders of this reader: .xlsm is read as a workbook (its
#: cells, never its macros); .xls gets its own message (save it as .xlsx) — a type left out
#: would be refused by Streamlit's uploader with its own English message.
UPLOAD_TYPES = ("xlsx", "xlsm", "xls")
#: Largest upload accepted [bytes].
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest total uncompressed size of the zip members [bytes] (zip-bomb guard; Python's
#: zipfile never returns more than a member's declared size, so the declared sizes bound
#: what the XML parser can receive).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
#: Largest number of rows read from one sheet.
MAX_ROWS = PLAN_WORKBOOK.max_rows

#: Sheets whose data is read back; the others are reports of the moment.
IMPORTED_SHEETS = ("plan", "costs", "cameras", "lights")

_RANGES = {  # field -> (min, max) inclusive [unit of the field]
    "lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "mount_height_m": (0.0, 500.0),
    "azimuth_deg": (0.0, 360.0), "tilt_deg": (-90.0, 90.0), "hfov_deg": (0.0, 360.0),
    "unit_price_jpy": (0, 1e12), "intensity_cd": (0.0, MAX_CANDELA), "lumens": (0.0, 1e8),
    "quantity": (0, 1e7), "annual_jpy": (0, 1e12), "start_fy": (1927, 2200),
}
_USE_CASE_BY_LABEL = {v: k for k, v in X.USE_CASE_LABELS.items()}
_ITEM_BY_LABEL = {v: k for k, v in X.ITEM_CATEGORIES.items()}
_RUNNING_BY_LABEL = {v: k for k, v in X.RUNNING_CATEGORIES.items()}
_ESTIMATE_BY_LABEL = {v: k for k, v in X.ESTIMATE_LABELS.items()}
#: Unit suffixes (:data:`~assessments.plan.iotools.values.UNIT_SUFFIXES` kinds) a field
#: accepts: 42万円 is a price, 12台 a quantity; a count typed as a price is refused.
_YEN_UNITS = (None, "yen", "scale")
_UNITS_BY_FIELD = {"unit_price_jpy": _YEN_UNITS, "annual_jpy": _YEN_UNITS,
                   "quantity": (None, "count"), "baseline": (None, "count", "scale"),
                   "target": (None, "count", "scale"), "mount_height_m": (None, "length"),
                   "azimuth_deg": (None, "angle"), "tilt_deg": (None, "angle"),
                   "hfov_deg": (None, "angle"), "intensity_cd": (None, "cd"),
                   "lumens": (None, "lm")}
#: First two header cells of each imported table: a renamed sheet is found by them.
_HEADER_SIGNATURES = {
    "cameras": (X.CAMERA_COLUMNS[0].header, X.CAMERA_COLUMNS[1].header),
    "lights": (X.LIGHT_COLUMNS[0].header, X.LIGHT_COLUMNS[1].header),
    "costs": (X.ITEM_COLUMNS[0].header, X.ITEM_COLUMNS[1].header),
    "plan": (X.KPI_COLUMNS[0].header, X.KPI_COLUMNS[1].header),
}


@dataclass
class ImportMessage:
    """One finding: ``code`` (stable, translated by the UI) and where it is.

    ``severity`` is ``"error"`` (the import cannot be applied) or ``"warning"``.
    ``row`` is the 1-based sheet row, ``column`` the column letter, ``params`` extra values
    for the message text (``header``, ``value``, ``min``, ``max``, ``limit`` …).
    """

    code: str
    severity: str = "error"
    sheet: str = ""
    row: int | None = None
    column: str = ""
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        where = "!".join(x for x in (self.sheet, f"{self.column}{self.row or ''}") if x)
        extra = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.severity}: {self.code}" + (f" at {where}" if where else "") + (
            f" ({extra})" if extra else "")


@dataclass
class ImportResult:
    """What was read from the workbook; a section is None when its sheet was not there."""

    cameras: list[dict] | None = None
    lights: list[dict] | None = None
    costs: dict | None = None
    #: the simulation's estimate rates read from the 事業費 estimate lines ``{key: 円}``
    #: (an empty price keeps the plan's rate)
    estimate_rates: dict | None = None
    kpis: list[dict] | None = None
    schedule: list[dict] | None = None
    project: dict | None = None
    #: table position (0-based, empty rows counted) of each KPI / schedule row, so a row
    #: cleared in Excel removes only the plan's row at that position
    kpi_positions: list[int] | None = None
    schedule_positions: list[int] | None = None
    plan_id: str | None = None
    messages: list[ImportMessage] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportMessage]:
        return [m for m in self.messages if m.severity == "error"]

    @property
    def warnings(self) -> list[ImportMessage]:
        return [m for m in self.messages if m.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is something to apply and no error."""
        return not self.errors


@dataclass(frozen=True)
class Change:
    """One difference between the plan and the workbook.

    ``section`` is ``cameras``, ``lights``, ``costs.items``, ``costs.running``,
    ``simulation.unit_prices_jpy`` (the estimate rates), ``kpis``, ``schedule`` or
    ``project``; ``key`` the camera/light id or the 1-based row number;
    ``kind`` is ``added``, ``removed`` or ``changed`` (then ``field``, ``old``, ``new``).
    """

    section: str
    key: str
    kind: str
    field: str = ""
    old: object = None
    new: object = None


class ImportRejected(ValueError):
    """``apply`` was called with a result that has errors."""


# ------------------------------------------------------------------------ file checks
def _check_container(data: bytes, result: ImportResult) -> bool:
    def err(code, **params):
        result.messages.append(ImportMessage(code, params=params))
        return False

    if not isinstance(data, (bytes, bytearray)):
        return err("not_xlsx")
    if len(data) > MAX_FILE_BYTES:
        return err("file_too_large", size=len(data), limit=MAX_FILE_BYTES)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return err("xls_or_encrypted")  # OLE container: .xls or a password-protected file
    if data[:4] != b"PK\x03\x04":
        return err("not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return err("not_xlsx")
    if len(infos) > MAX_ZIP_MEMBERS:
        return err("zip_too_many_members", members=len(infos), limit=MAX_ZIP_MEMBERS)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return err("zip_too_large_uncompressed", size=total, limit=MAX_UNCOMPRESSED_BYTES)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return err("not_xlsx")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return err("macro_workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = entity_part(zf)
    except workbook_errors() as exc:  # a damaged part: what openpyxl would meet too
        return err("unreadable", detail=str(exc)[:200])
    if part is not None:
        return err("xml_entities", part=part)
    return True


def read_workbook(data: bytes) -> ImportResult:
    """Read an Excel plan written by :func:`reports.excel.build_workbook` (and edited).

    Parameters
    ----------
    data : bytes
        The uploaded file.

    Returns
    -------
    ImportResult
        The sections found and the messages. ``result.ok`` is False when any error was
        found; sections are then still filled as far as they could be read, for display.
    """
    result = ImportResult()
    if not _check_container(data, result) or not _check_sheets(data, result):
        return result
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
        # the same file with its formulas: tells a typed value from a computed one
        wbf = load_workbook(io.BytesIO(data), data_only=False)
    except workbook_errors() as exc:  # what openpyxl raises on a damaged workbook
        result.messages.append(ImportMessage("unreadable", params={"detail": str(exc)[:200]}))
        return result
    except MemoryError:  # the sheet limits should prevent it; said, never a traceback
        result.messages.append(ImportMessage("xlsx_memory"))
        return result
    try:
        _read_sheets(wb, wbf, result)
    except MemoryError:
        result.messages.append(ImportMessage("xlsx_memory"))
    return result


def _check_sheets(data: bytes, result: ImportResult) -> bool:
    """False (and an ``xlsx_<code>`` error naming the sheet, what it uses and the limit)
    when the workbook passes a limit of :data:`PLAN_WORKBOOK`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            over = check_workbook(zf, PLAN_WORKBOOK)
    except workbook_errors() as exc:  # a damaged part: what openpyxl would meet too
        result.messages.append(ImportMessage("unreadable", params={"detail": str(exc)[:200]}))
        return False
    if over is None:
        return True
    if over.code == "columns":
        found = f"{column_letter(over.found)} ({over.found:,})"
        limit = f"{column_letter(over.limit)} ({over.limit:,})"
    else:
        found, limit = f"{over.found:,}", f"{over.limit:,}"
    result.messages.append(ImportMessage(f"xlsx_{over.code}", sheet=over.sheet,
                                         params={"found": found, "limit": limit}))
    return False


def _read_sheets(wb, wbf, result: ImportResult) -> None:
    """The plan's sections from the loaded workbook (values ``wb``, formulas ``wbf``)."""
    props = {p.name: getattr(p, "value", None) for p in getattr(wb, "custom_doc_props", [])}
    titles = {X.SHEETS[k]: k for k in X.SHEETS}
    present = {titles[ws.title] for ws in wb.worksheets if ws.title in titles}
    ours = props.get("mimamori_format") == X.FORMAT_NAME or (
        "summary" in present and str(wb[X.SHEETS["summary"]]["A1"].value or "").startswith(
            "見守り・スマートシティ事業"))
    if not ours:
        result.messages.append(ImportMessage("foreign_workbook"))
        return
    try:
        version = int(props.get("mimamori_format_version") or X.FORMAT_VERSION)
    except ValueError:
        version = X.FORMAT_VERSION + 1
    if version > X.FORMAT_VERSION:
        result.messages.append(ImportMessage("newer_format", params={"version": version}))
        return
    result.plan_id = props.get("mimamori_plan_id") or None
    sheets = _locate_sheets(wb, result)
    expected = [k for k in str(props.get("mimamori_sheets") or "").split(";") if k in X.SHEETS]
    for key in expected:
        if key not in sheets:
            severity = "error" if key in IMPORTED_SHEETS else "warning"
            result.messages.append(ImportMessage("missing_sheet", severity,
                                                 sheet=X.SHEETS[key]))
    readers = {"plan": _read_plan_sheet, "costs": _read_costs_sheet,
               "cameras": _read_cameras_sheet, "lights": _read_lights_sheet}
    for key, reader in readers.items():
        if key not in sheets:
            continue
        ws = sheets[key]
        if ws.max_row > MAX_ROWS:
            result.messages.append(ImportMessage("too_many_rows", sheet=ws.title,
                                                 params={"rows": ws.max_row,
                                                         "limit": MAX_ROWS}))
            continue
        reader(_Sheet(ws, wbf[ws.title], result), result)


def _locate_sheets(wb, result: ImportResult) -> dict:
    """Sheet key -> worksheet: by title, else a renamed sheet by its table's header row
    (warning ``sheet_renamed``); other sheets get ``unknown_sheet``."""
    titles = {X.SHEETS[k]: k for k in X.SHEETS}
    found = {titles[ws.title]: ws for ws in wb.worksheets if ws.title in titles}
    for ws in wb.worksheets:
        if ws.title in titles or ws.title in FORM_SHEETS.values():  # forms: reports only
            continue
        key = next((k for k in _HEADER_SIGNATURES if k not in found
                    and _has_header_row(ws, _HEADER_SIGNATURES[k])), None)
        if key is None:
            result.messages.append(ImportMessage("unknown_sheet", "warning", sheet=ws.title))
            continue
        found[key] = ws
        result.messages.append(ImportMessage("sheet_renamed", "warning", sheet=ws.title,
                                             params={"expected": X.SHEETS[key]}))
    return found


def _has_header_row(ws, signature) -> bool:
    """True when a row in the first 400 has ``signature`` in its first two cells."""
    for row in ws.iter_rows(max_row=400, max_col=2, values_only=True):
        if tuple(_text(v) for v in row) == tuple(signature):
            return True
    return False


# ---------------------------------------------------------------------------- cell reading
class _Sheet:
    """Cell access with messages that carry the sheet/row/column."""

    def __init__(self, ws, wsf, result: ImportResult):
        self.ws, self.result, self.title = ws, result, ws.title
        self.rows = [list(r) for r in ws.iter_rows(values_only=True)]
        self.fcells = [list(r) for r in wsf.iter_rows()]  # the cells with their formulas

    def formula(self, row: int, col: int) -> str | None:
        """The formula of a cell (``"=C5*D5"``), None when it holds a value or nothing."""
        if row - 1 < len(self.fcells) and col - 1 < len(self.fcells[row - 1]):
            cell = self.fcells[row - 1][col - 1]
            if cell.data_type == "f":
                return str(cell.value)
        return None

    def typed_over(self, row: int, col: int):
        """The value typed over a cell the workbook computes (None when it is still a
        formula or empty)."""
        if self.formula(row, col) is not None:
            return None
        value = self.cell(row, col)
        return None if _empty([value]) else value

    def quoted(self, row: int, col: int) -> bool:
        """True when the cell is marked as text (Excel's leading apostrophe)."""
        if row - 1 < len(self.fcells) and col - 1 < len(self.fcells[row - 1]):
            return bool(getattr(self.fcells[row - 1][col - 1], "quotePrefix", False))
        return False

    def cell(self, row: int, col: int):
        if row - 1 < len(self.rows) and col - 1 < len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return None

    def msg(self, code, row=None, col=None, severity="error", **params):
        self.result.messages.append(ImportMessage(
            code, severity, sheet=self.title, row=row,
            column=get_column_letter(col) if col else "", params=params))

    def find_row(self, first_header: str, *, col: int = 1, start: int = 1) -> int | None:
        for r in range(start, min(len(self.rows), 400) + 1):
            if _text(self.cell(r, col)) == first_header:
                return r
        return None

    def header_map(self, row: int, columns, *, sheet_required=True) -> dict[str, int] | None:
        found = {}
        for c in range(1, len(self.rows[row - 1]) + 1):
            text = _text(self.cell(row, c))
            if text:
                found.setdefault(text, c)
        out, ok = {}, True
        for spec in columns:
            if spec.header in found:
                out[spec.key] = found[spec.header]
            elif spec.optional:
                continue  # an older workbook: the plan keeps its value
            elif sheet_required:
                self.msg("missing_column", row, None, header=spec.header)
                ok = False
        return out if ok else None

    def text(self, row, col, *, strip: bool = True) -> str:
        return _text(self.cell(row, col), strip=strip)

    def user_text(self, row, col, *, header="", strip: bool = True) -> str:
        """Text typed by the user, kept as typed: a formula typed in a text cell is kept as
        its text (warning ``formula_kept_as_text``: its result is not saved by every program
        and a formula is never run from a plan), and text that a spreadsheet would take as a
        formula (``=``, ``+``, ``-``, ``@`` …) typed without the leading apostrophe is kept
        with the warning ``formula_like_text``."""
        formula = self.formula(row, col)
        if formula is not None:
            self.msg("formula_kept_as_text", row, col, severity="warning", header=header,
                     value=formula[:60])
            return formula.strip() if strip else formula
        text = self.text(row, col, strip=strip)
        if X.needs_text_guard(text) and not self.quoted(row, col):
            self.msg("formula_like_text", row, col, severity="warning", header=header,
                     value=text[:60])
        return text

    def number(self, row, col, key, *, header="", integer=False, ours=False):
        """A number, None when empty; a message (and None) when not a number / out of range.

        Accepts thousands separators, 全角 digits and a unit suffix that fits the field
        (``42万円`` = 420000 for a price, ``12台`` for a quantity). ``ours``: the cell
        holds a formula the writer put there (no warning when it has no saved result)."""
        value = self.cell(row, col)
        formula = self.formula(row, col)
        if formula is not None and _empty([value]):
            if ours:
                return None
            # a formula without a saved result (a file saved by a program that does not
            # calculate): the plan keeps its value, and the official is told
            self.msg("formula_not_calculated", row, col, severity="warning", header=header,
                     value=formula[:60])
            return None
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or isinstance(value, (_dt.date, _dt.datetime)):
            self.msg("not_a_number", row, col, header=header, value=str(value))
            return None
        if isinstance(value, str):
            try:
                number, unit = number_and_unit(value)
            except ValueError:
                self.msg("not_a_number", row, col, header=header, value=value[:40])
                return None
            if unit not in _UNITS_BY_FIELD.get(key, (None,)):
                self.msg("wrong_unit", row, col, header=header, value=value[:40])
                return None
            if number is None:  # "-", "なし": no value
                return None
            value = number
        if value != value or value in (float("inf"), float("-inf")):
            self.msg("not_a_number", row, col, header=header, value=str(value))
            return None
        lo, hi = _RANGES.get(key, (None, None))
        if lo is not None and not lo <= value <= hi:
            self.msg("out_of_range", row, col, header=header, value=value, min=lo, max=hi)
            return None
        if integer and float(value).is_integer():
            return int(value)
        return value


def _text(value, *, strip: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = value if isinstance(value, str) else str(value)
    return text.strip() if strip else text


def _empty(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


_INTEGER_FIELDS = {"unit_price_jpy", "quantity", "annual_jpy", "start_fy", "lumens"}


def _read_rows(sh: _Sheet, columns, *, header_row: int, id_key: str | None,
               stop_labels=(), end_row: int | None = None,
               computed=lambda first: ()) -> list[tuple[int, dict]]:
    """The data rows below ``header_row`` up to a ``stop_labels`` row or ``end_row``
    (exclusive); empty rows are skipped, and one with data below it gets the warning
    ``empty_row`` (a row cleared in Excel: that row alone is removed). ``computed(text of
    column A)`` names the fields the writer computes by formula in such a row."""
    cols = sh.header_map(header_row, columns)
    if cols is None:
        return []
    out = []
    seen = {}
    gaps = []
    for r in range(header_row + 1, min(end_row or len(sh.rows) + 1, len(sh.rows) + 1)):
        values = [sh.cell(r, c) for c in cols.values()]
        first = sh.text(r, 1)
        if first in stop_labels:
            break
        if _empty(values) and not any(sh.formula(r, c) for c in cols.values()):
            gaps.append(r)
            continue
        for g in gaps if id_key is None else ():  # rows matched by position
            sh.msg("empty_row", g, None, severity="warning")
        gaps = []
        ours = computed(first)
        rec = {}
        for spec in columns:
            if spec.key not in cols:
                continue
            c = cols[spec.key]
            if spec.kind == "text":
                # user text is kept as typed; ids and category labels are matched stripped
                rec[spec.key] = sh.user_text(r, c, header=spec.header,
                                             strip=spec.key in ("id", "category"))
            elif spec.kind == "month":
                value = sh.cell(r, c)
                try:
                    ym = parse_year_month(value)
                except ValueError:
                    sh.msg("not_a_month", r, c, header=spec.header, value=str(value)[:40])
                    ym = None
                rec[spec.key] = f"{ym[0]:04d}-{ym[1]:02d}" if ym else ""
            else:
                rec[spec.key] = sh.number(r, c, spec.key, header=spec.header,
                                          integer=spec.key in _INTEGER_FIELDS,
                                          ours=spec.key in ours)
        if id_key:
            if not rec[id_key]:
                sh.msg("missing_id", r, cols[id_key])
                continue
            if rec[id_key] in seen:
                sh.msg("duplicate_id", r, cols[id_key], value=rec[id_key],
                       first_row=seen[rec[id_key]])
                continue
            seen[rec[id_key]] = r
        out.append((r, rec))
    return out


def _read_existing(rec: dict) -> None:
    """The 既設 column as the plan's ``existing`` flag: 「既設」 (or ○, はい, true, 1) is
    True, anything else False; a workbook without the column leaves the plan's value."""
    if "existing" in rec:
        text = str(rec["existing"] or "").strip().lower()
        rec["existing"] = text in (X.EXISTING_MARK, "○", "〇", "はい", "true", "1", "yes")


def _read_cameras_sheet(sh: _Sheet, result: ImportResult) -> None:
    header = sh.find_row(X.CAMERA_COLUMNS[0].header)
    if header is None:
        sh.msg("missing_header", header=X.CAMERA_COLUMNS[0].header)
        return
    cams = []
    for r, rec in _read_rows(sh, X.CAMERA_COLUMNS, header_row=header, id_key="id"):
        uc = rec.get("use_case", "")
        if uc and uc not in _USE_CASE_BY_LABEL and uc not in X.USE_CASE_LABELS:
            sh.msg("unknown_use_case", r, None, severity="warning", value=uc)
        rec["use_case"] = _USE_CASE_BY_LABEL.get(uc, uc)
        _read_existing(rec)
        for key in ("lat", "lon"):
            if rec.get(key) is None:
                sh.msg("missing_value", r, None, header=dict(
                    (c.key, c.header) for c in X.CAMERA_COLUMNS)[key])
        cams.append(rec)
    result.cameras = cams


def _read_lights_sheet(sh: _Sheet, result: ImportResult) -> None:
    header = sh.find_row(X.LIGHT_COLUMNS[0].header)
    if header is None:
        sh.msg("missing_header", header=X.LIGHT_COLUMNS[0].header)
        return
    lights = []
    for r, rec in _read_rows(sh, X.LIGHT_COLUMNS, header_row=header, id_key="id"):
        for key in ("lat", "lon"):
            if rec.get(key) is None:
                sh.msg("missing_value", r, None, header=dict(
                    (c.key, c.header) for c in X.LIGHT_COLUMNS)[key])
        if rec.get("distribution") == "IES":
            rec["distribution"] = ""  # the IES text stays in the plan
        _read_existing(rec)
        lights.append(rec)
    result.lights = lights


def _read_costs_sheet(sh: _Sheet, result: ImportResult) -> None:
    header = sh.find_row(X.ITEM_COLUMNS[0].header)
    if header is None or sh.text(header, 2) != X.ITEM_COLUMNS[1].header:
        sh.msg("missing_header", header=X.ITEM_COLUMNS[1].header)
        return
    columns = [c for c in X.ITEM_COLUMNS if c.key != "amount"]
    col = {c.key: i for i, c in enumerate(X.ITEM_COLUMNS, start=1)}
    items, rates = [], {}
    def computed(first):
        if first in X.LINKED_LABELS:
            return ("unit_price_jpy", "quantity")
        return ("quantity",) if first in _ESTIMATE_BY_LABEL else ()

    for r, rec in _read_rows(sh, columns, header_row=header, id_key=None,
                             stop_labels=("初期費用 計",), computed=computed):
        if rec["category"] in X.LINKED_LABELS:  # computed from the device sheets
            _computed(sh, r, header, (col["unit_price_jpy"], col["quantity"], col["amount"]))
            continue
        _computed(sh, r, header, (col["amount"],))
        if rec["category"] in _ESTIMATE_BY_LABEL:  # the simulation's rate × a derived count
            rates[_ESTIMATE_BY_LABEL[rec["category"]]] = rec["unit_price_jpy"]
            continue
        rec["category"] = _category(sh, r, rec["category"], _ITEM_BY_LABEL, X.ITEM_CATEGORIES)
        rec["unit_price_jpy"] = rec["unit_price_jpy"] or 0
        rec["quantity"] = rec["quantity"] or 0
        items.append(rec)
    run_header = sh.find_row(X.RUNNING_COLUMNS[0].header, start=header + 1)
    if run_header is None or sh.text(run_header, 2) != X.RUNNING_COLUMNS[1].header:
        sh.msg("missing_header", header=X.RUNNING_COLUMNS[1].header)
        return
    running = []
    for r, rec in _read_rows(sh, X.RUNNING_COLUMNS, header_row=run_header, id_key=None,
                             stop_labels=("運用費 計",)):
        rec["category"] = _category(sh, r, rec["category"], _RUNNING_BY_LABEL,
                                    X.RUNNING_CATEGORIES)
        rec["annual_jpy"] = rec["annual_jpy"] or 0
        running.append(rec)
        _computed(sh, r, run_header, range(len(X.RUNNING_COLUMNS) + 1,
                                           len(sh.rows[run_header - 1]) + 1))
    total = sh.find_row("初期費用 計", start=header)
    if total is not None:
        _computed(sh, total, header, (col["amount"],))
    total = sh.find_row("運用費 計", start=run_header)
    if total is not None:  # the running total and every summary line below it
        for r in range(total, len(sh.rows) + 1):
            _computed(sh, r, run_header if r == total else None,
                      range(3, len(sh.rows[run_header - 1]) + 1) if r == total else (3,))
    result.costs = {"items": items, "running": running}
    result.estimate_rates = rates


def _computed(sh: _Sheet, row: int, header_row: int | None, cols) -> None:
    """Warn ``computed_overwritten`` for each of ``cols`` in ``row`` that the workbook
    computes but that now holds a typed value: the import cannot keep it (the plan stores
    the inputs: 単価, 数量, the device rows), so the official is told to change those."""
    for c in cols:
        value = sh.typed_over(row, c)
        if value is not None:
            label = sh.text(header_row, c) if header_row else sh.text(row, 1)
            sh.msg("computed_overwritten", row, c, severity="warning", header=label,
                   value=str(value)[:40])


def _category(sh, row, label, by_label, keys) -> str:
    if label in by_label:
        return by_label[label]
    if label in keys:
        return label
    sh.msg("unknown_category", row, 1, severity="warning", value=label)
    return "other"


def _read_plan_sheet(sh: _Sheet, result: ImportResult) -> None:
    project = {}
    for key, label in X.PROJECT_FIELDS:
        r = sh.find_row(label)
        if r is not None:
            project[key] = sh.user_text(r, 2, header=label, strip=False)
    r = sh.find_row("開始年度")
    if r is not None:
        project["start_fy"] = _fiscal_year(sh, r, 2, "開始年度")
    result.project = project

    header = sh.find_row(X.KPI_COLUMNS[0].header)
    schedule_header = sh.find_row(X.SCHEDULE_COLUMNS[0].header)
    if header is None:
        sh.msg("missing_header", header=X.KPI_COLUMNS[0].header)
    else:
        # the KPI table ends above the schedule's heading (the row above its header)
        end = schedule_header - 1 if schedule_header and schedule_header > header else None
        target_cols = [c for c in range(1, len(sh.rows[header - 1]) + 1)
                       if sh.text(header, c).startswith(X.KPI_TARGET_PREFIX)]
        kpis, positions = [], []
        for r, rec in _read_rows(sh, X.KPI_COLUMNS, header_row=header, id_key=None,
                                 end_row=end):
            targets = [sh.number(r, c, "target", header=sh.text(header, c))
                       for c in target_cols]
            while targets and targets[-1] is None:
                targets.pop()
            rec["targets"] = targets
            kpis.append(rec)
            positions.append(r - header - 1)
        result.kpis, result.kpi_positions = kpis, positions

    header = schedule_header
    if header is None:
        sh.msg("missing_header", header=X.SCHEDULE_COLUMNS[0].header)
    else:
        rows = _read_rows(sh, X.SCHEDULE_COLUMNS, header_row=header, id_key=None)
        result.schedule = [rec for _, rec in rows]
        result.schedule_positions = [r - header - 1 for r, _ in rows]


def _fiscal_year(sh: _Sheet, row: int, col: int, header: str):
    """A fiscal year typed as 2026, 2026年度, 令和8年度 or R8 (None and a message when not)."""
    value = sh.cell(row, col)
    try:
        fy = parse_fiscal_year(value)
    except ValueError:
        sh.msg("not_a_year", row, col, header=header, value=str(value)[:40])
        return None
    lo, hi = _RANGES["start_fy"]
    if fy is not None and not lo <= fy <= hi:
        sh.msg("out_of_range", row, col, header=header, value=fy, min=lo, max=hi)
        return None
    return fy


# ---------------------------------------------------------------------------- diff/apply
def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(
            a, bool) and not isinstance(b, bool):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def _merge(old: dict | None, new: dict) -> dict:
    """``old`` updated with the fields of ``new`` that differ (empty numbers keep ``old``)."""
    out = copy.deepcopy(old) if old else {}
    for key, value in new.items():
        if value is None and key in out:
            continue  # an empty numeric cell never erases a value
        if value is None:
            continue
        if key not in out and (value in ("", []) or value is False):
            continue    # an empty cell or an unticked flag adds nothing
        if not _same(out.get(key), value):
            out[key] = copy.deepcopy(value)
    return out


def _merge_by_id(old_list, new_list) -> list[dict]:
    old = {str(x.get("id")): x for x in old_list or ()}
    return [_merge(old.get(str(rec["id"])), rec) for rec in new_list]


def _merge_by_index(old_list, new_list, positions=None) -> list[dict]:
    """``new_list`` merged with the old rows at the same table positions (``positions``:
    the row each came from, empty rows counted; by default 0, 1, 2 …)."""
    old_list = list(old_list or ())
    positions = list(positions) if positions is not None else list(range(len(new_list)))
    return [_merge(old_list[i] if i < len(old_list) else None, rec)
            for i, rec in zip(positions, new_list)]


def _completed_cameras(plan: dict, imported: ImportResult, camera_presets):
    """The merged cameras, each new one lacking optics completed from a camera of the same model,
    its preset or the defaults; with a warning per completed camera."""
    cams = _merge_by_id(plan.get("cameras"), imported.cameras)
    known = {str(c.get("id")) for c in plan.get("cameras") or ()}
    out, messages = [], []
    for cam in cams:
        if str(cam.get("id")) in known:  # the plan's own cameras stay as they are
            out.append(cam)
            continue
        done, source, name = complete_camera(cam, cameras=cams, presets=camera_presets)
        if source:
            messages.append(ImportMessage(f"camera_from_{source}", "warning",
                                          sheet=X.SHEETS["cameras"],
                                          params={"id": str(cam.get("id")), "source": name,
                                                  "model": str(cam.get("model") or ""),
                                                  "mount_height_m": done["mount_height_m"],
                                                  "hfov_deg": done["hfov_deg"],
                                                  "width_px": done["width_px"],
                                                  "height_px": done["height_px"]}))
        out.append(done)
    return out, messages


def apply_messages(plan: dict, imported: ImportResult, *, camera_presets=()) -> list:
    """Warnings of :func:`apply`: cameras added in Excel without their optics and where
    the optics came from (``camera_from_model`` / ``camera_from_preset`` /
    ``camera_from_defaults``)."""
    if imported.errors or imported.cameras is None:
        return []
    return _completed_cameras(plan, imported, camera_presets)[1]


def device_issues(plan: dict, imported: ImportResult, *, camera_presets=()) -> list:
    """What the simulation would refuse in the cameras and lights the workbook gives (a
    camera in Paris, a 270° field of view …), checked on the plan :func:`apply` would
    make (``assessments.engine.devices.check_devices``, the one device check); problems
    the plan already had are not counted. The import is not applied while any remain, so
    it never turns a plan that runs into one that does not.

    Returns
    -------
    list of (str, PlanIssue, list)
        ``(section, issue, rows)``: ``"cameras"`` / ``"lights"``, the issue, and that
        section's devices in table order (to name the row).
    """
    if imported.errors:
        return []
    new = apply(plan, imported, camera_presets=camera_presets)
    out = []
    for section, kind, changed in (("cameras", "camera", imported.cameras),
                                   ("lights", "light", imported.lights)):
        if changed is None:
            continue
        # only what the workbook brings: a problem the plan already had is not the file's
        before = {_issue_key(i) for i in check_devices(kind, plan.get(section) or [])[1]}
        rows = new.get(section) or []
        out += [(section, issue, rows) for issue in check_devices(kind, rows)[1]
                if _issue_key(issue) not in before]
    return out


def _issue_key(issue) -> tuple:
    return (issue.kind, issue.id, issue.field, issue.code, repr(issue.value))


def apply(plan: dict, imported: ImportResult, *, camera_presets=()) -> dict:
    """The plan with the workbook's sections applied; ``plan`` itself is not modified.

    Cameras and lights are matched by id (rows removed in Excel are removed, new ids are
    added; fields the workbook does not carry, e.g. ``width_px`` or ``ies``, are kept);
    cost lines, KPIs and schedule rows are matched by position. An empty numeric cell
    keeps the plan's value. A camera row added with only its position and model (or
    preset) takes its resolution and optics from a camera of the same model, else from
    ``camera_presets`` (rows of the ``camera_presets`` table), else the defaults
    (:func:`apply_messages` says which).

    Raises
    ------
    ImportRejected
        When ``imported`` has errors.
    """
    if imported.errors:
        raise ImportRejected("the workbook has errors: "
                             + "; ".join(str(m) for m in imported.errors[:5]))
    new = copy.deepcopy(plan)
    if imported.cameras is not None:
        new["cameras"] = _completed_cameras(plan, imported, camera_presets)[0]
    if imported.lights is not None:
        new["lights"] = _merge_by_id(plan.get("lights"), imported.lights)
    if imported.costs is not None:
        costs = copy.deepcopy(plan.get("costs") or {})
        costs["items"] = _merge_by_index(costs.get("items"), imported.costs["items"])
        costs["running"] = _merge_by_index(costs.get("running"), imported.costs["running"])
        new["costs"] = costs
    rates = {k: v for k, v in (imported.estimate_rates or {}).items() if v is not None}
    if rates:
        sim = copy.deepcopy(plan.get("simulation") or {})
        old_rates = sim.get("unit_prices_jpy") if isinstance(sim.get("unit_prices_jpy"),
                                                             dict) else {}
        sim["unit_prices_jpy"] = _merge(old_rates, rates)
        new["simulation"] = sim
    if imported.kpis is not None:
        new["kpis"] = _merge_by_index(plan.get("kpis"), imported.kpis, imported.kpi_positions)
    if imported.schedule is not None:
        new["schedule"] = _merge_by_index(plan.get("schedule"), imported.schedule,
                                          imported.schedule_positions)
    if imported.project is not None:
        new["project"] = _merge(plan.get("project"), imported.project)
    return new


def _diff_records(section, old_list, new_list, *, by_id: bool,
                  positions=None) -> list[Change]:
    def keyed(items, where=None):
        if by_id:
            return {str(x.get("id")): x for x in items or ()}
        where = range(len(items or ())) if where is None else where
        return {str(i + 1): x for i, x in zip(where, items or ())}

    old, new = keyed(old_list), keyed(new_list, positions)
    out = []
    for key, rec in new.items():
        if key not in old:
            out.append(Change(section, key, "added", new=rec))
            continue
        for name in list(dict.fromkeys([*old[key], *rec])):
            if not _same(old[key].get(name), rec.get(name)):
                out.append(Change(section, key, "changed", name, old[key].get(name),
                                  rec.get(name)))
    out += [Change(section, key, "removed", old=rec) for key, rec in old.items()
            if key not in new]
    return out


def diff(plan: dict, imported: ImportResult, *, camera_presets=()) -> list[Change]:
    """What :func:`apply` would change, section by section (empty when nothing changes)."""
    if imported.errors:
        return []
    new = apply(plan, imported, camera_presets=camera_presets)
    changes = []
    changes += _diff_records("project", [plan.get("project") or {}], [new["project"]],
                             by_id=False) if imported.project is not None else []
    changes = [Change("project", "", c.kind, c.field, c.old, c.new) for c in changes]
    for section, by_id, positions in (
            ("cameras", True, None), ("lights", True, None),
            ("kpis", False, imported.kpi_positions if imported.kpis is not None else None),
            ("schedule", False,
             imported.schedule_positions if imported.schedule is not None else None)):
        changes += _diff_records(section, plan.get(section), new.get(section), by_id=by_id,
                                 positions=positions)
    old_costs, new_costs = plan.get("costs") or {}, new.get("costs") or {}
    for sub in ("items", "running"):
        changes += _diff_records(f"costs.{sub}", old_costs.get(sub), new_costs.get(sub),
                                 by_id=False)
    old_rates = ((plan.get("simulation") or {}).get("unit_prices_jpy") or {})
    new_rates = ((new.get("simulation") or {}).get("unit_prices_jpy") or {})
    changes += [Change("simulation.unit_prices_jpy", key, "changed", key, old_rates.get(key),
                       value) for key, value in new_rates.items()
                if not _same(old_rates.get(key), value)]
    return changes
