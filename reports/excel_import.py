"""Read an Excel plan back after an official edited it: validate, diff, apply.

``read_workbook(data)`` checks the file (size, zip structure, uncompressed size before any
XML is parsed, our format marker, the sheets it should contain) and reads the editable
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

from assessments.plan.iotools.xlsx import workbook_errors
from reports import excel as X

#: Largest upload accepted [bytes].
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest total uncompressed size of the zip members [bytes] (zip-bomb guard; Python's
#: zipfile never returns more than a member's declared size, so the declared sizes bound
#: what the XML parser can receive).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
#: Largest number of rows read from one sheet.
MAX_ROWS = 50_000

#: Sheets whose data is read back; the others are reports of the moment.
IMPORTED_SHEETS = ("plan", "costs", "cameras", "lights")

_RANGES = {  # field -> (min, max) inclusive [unit of the field]
    "lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "mount_height_m": (0.0, 500.0),
    "azimuth_deg": (0.0, 360.0), "tilt_deg": (-90.0, 90.0), "hfov_deg": (0.0, 360.0),
    "unit_price_jpy": (0, 1e12), "intensity_cd": (0.0, 1e7), "lumens": (0.0, 1e8),
    "quantity": (0, 1e7), "annual_jpy": (0, 1e12), "start_fy": (1927, 2200),
}
_USE_CASE_BY_LABEL = {v: k for k, v in X.USE_CASE_LABELS.items()}
_ITEM_BY_LABEL = {v: k for k, v in X.ITEM_CATEGORIES.items()}
_RUNNING_BY_LABEL = {v: k for k, v in X.RUNNING_CATEGORIES.items()}
_ESTIMATE_BY_LABEL = {v: k for k, v in X.ESTIMATE_LABELS.items()}


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
    if not _check_container(data, result):
        return result
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except workbook_errors() as exc:  # what openpyxl raises on a damaged workbook
        result.messages.append(ImportMessage("unreadable", params={"detail": str(exc)[:200]}))
        return result
    props = {p.name: getattr(p, "value", None) for p in getattr(wb, "custom_doc_props", [])}
    titles = {X.SHEETS[k]: k for k in X.SHEETS}
    present = {titles[ws.title] for ws in wb.worksheets if ws.title in titles}
    ours = props.get("mimamori_format") == X.FORMAT_NAME or (
        "summary" in present and str(wb[X.SHEETS["summary"]]["A1"].value or "").startswith(
            "見守り・スマートシティ事業"))
    if not ours:
        result.messages.append(ImportMessage("foreign_workbook"))
        return result
    try:
        version = int(props.get("mimamori_format_version") or X.FORMAT_VERSION)
    except ValueError:
        version = X.FORMAT_VERSION + 1
    if version > X.FORMAT_VERSION:
        result.messages.append(ImportMessage("newer_format", params={"version": version}))
        return result
    result.plan_id = props.get("mimamori_plan_id") or None
    expected = [k for k in str(props.get("mimamori_sheets") or "").split(";") if k in X.SHEETS]
    for key in expected:
        if key not in present:
            severity = "error" if key in IMPORTED_SHEETS else "warning"
            result.messages.append(ImportMessage("missing_sheet", severity,
                                                 sheet=X.SHEETS[key]))
    for ws in wb.worksheets:
        if ws.title not in titles:
            result.messages.append(ImportMessage("unknown_sheet", "warning", sheet=ws.title))
    readers = {"plan": _read_plan_sheet, "costs": _read_costs_sheet,
               "cameras": _read_cameras_sheet, "lights": _read_lights_sheet}
    for key, reader in readers.items():
        if key not in present:
            continue
        ws = wb[X.SHEETS[key]]
        if ws.max_row > MAX_ROWS:
            result.messages.append(ImportMessage("too_many_rows", sheet=ws.title,
                                                 params={"rows": ws.max_row,
                                                         "limit": MAX_ROWS}))
            continue
        reader(ws, result)
    return result


# ---------------------------------------------------------------------------- cell reading
class _Sheet:
    """Cell access with messages that carry the sheet/row/column."""

    def __init__(self, ws, result: ImportResult):
        self.ws, self.result, self.title = ws, result, ws.title
        self.rows = [list(r) for r in ws.iter_rows(values_only=True)]

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

    def number(self, row, col, key, *, header="", integer=False):
        """A number, None when empty; a message (and None) when not a number / out of range."""
        value = self.cell(row, col)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or isinstance(value, (_dt.date, _dt.datetime)):
            self.msg("not_a_number", row, col, header=header, value=str(value))
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "").replace("，", ""))
            except ValueError:
                self.msg("not_a_number", row, col, header=header, value=value[:40])
                return None
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
               stop_labels=()) -> list[tuple[int, dict]]:
    cols = sh.header_map(header_row, columns)
    if cols is None:
        return []
    out = []
    seen = {}
    for r in range(header_row + 1, len(sh.rows) + 1):
        values = [sh.cell(r, c) for c in cols.values()]
        first = sh.text(r, 1)
        if first in stop_labels:
            break
        if _empty(values):
            if id_key is None and not stop_labels:
                break  # KPI / schedule tables end at the first empty row
            continue
        rec = {}
        for spec in columns:
            if spec.key not in cols:
                continue
            c = cols[spec.key]
            if spec.kind == "text":
                # user text is kept as typed; ids and category labels are matched stripped
                rec[spec.key] = sh.text(r, c, strip=spec.key in ("id", "category"))
            elif spec.kind == "month":
                value = sh.cell(r, c)
                try:
                    ym = X.parse_month(value.strip() if isinstance(value, str) else value)
                except ValueError:
                    sh.msg("not_a_month", r, c, header=spec.header, value=str(value)[:40])
                    ym = None
                rec[spec.key] = f"{ym[0]:04d}-{ym[1]:02d}" if ym else ""
            else:
                rec[spec.key] = sh.number(r, c, spec.key, header=spec.header,
                                          integer=spec.key in _INTEGER_FIELDS)
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


def _read_cameras_sheet(ws, result: ImportResult) -> None:
    sh = _Sheet(ws, result)
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
        for key in ("lat", "lon"):
            if rec.get(key) is None:
                sh.msg("missing_value", r, None, header=dict(
                    (c.key, c.header) for c in X.CAMERA_COLUMNS)[key])
        cams.append(rec)
    result.cameras = cams


def _read_lights_sheet(ws, result: ImportResult) -> None:
    sh = _Sheet(ws, result)
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
        lights.append(rec)
    result.lights = lights


def _read_costs_sheet(ws, result: ImportResult) -> None:
    sh = _Sheet(ws, result)
    header = sh.find_row(X.ITEM_COLUMNS[0].header)
    if header is None or sh.text(header, 2) != X.ITEM_COLUMNS[1].header:
        sh.msg("missing_header", header=X.ITEM_COLUMNS[1].header)
        return
    columns = [c for c in X.ITEM_COLUMNS if c.key != "amount"]
    items, rates = [], {}
    for r, rec in _read_rows(sh, columns, header_row=header, id_key=None,
                             stop_labels=("初期費用 計",)):
        if rec["category"] in X.LINKED_LABELS:  # computed from the device sheets
            continue
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
    result.costs = {"items": items, "running": running}
    result.estimate_rates = rates


def _category(sh, row, label, by_label, keys) -> str:
    if label in by_label:
        return by_label[label]
    if label in keys:
        return label
    sh.msg("unknown_category", row, 1, severity="warning", value=label)
    return "other"


def _read_plan_sheet(ws, result: ImportResult) -> None:
    sh = _Sheet(ws, result)
    project = {}
    for key, label in X.PROJECT_FIELDS:
        r = sh.find_row(label)
        if r is not None:
            project[key] = sh.text(r, 2, strip=False)
    r = sh.find_row("開始年度")
    if r is not None:
        project["start_fy"] = sh.number(r, 2, "start_fy", header="開始年度", integer=True)
    result.project = project

    header = sh.find_row(X.KPI_COLUMNS[0].header)
    if header is None:
        sh.msg("missing_header", header=X.KPI_COLUMNS[0].header)
    else:
        target_cols = [c for c in range(1, len(sh.rows[header - 1]) + 1)
                       if sh.text(header, c).startswith(X.KPI_TARGET_PREFIX)]
        kpis = []
        for r, rec in _read_rows(sh, X.KPI_COLUMNS, header_row=header, id_key=None):
            targets = [sh.number(r, c, "target", header=sh.text(header, c))
                       for c in target_cols]
            while targets and targets[-1] is None:
                targets.pop()
            rec["targets"] = targets
            kpis.append(rec)
        result.kpis = kpis

    header = sh.find_row(X.SCHEDULE_COLUMNS[0].header)
    if header is None:
        sh.msg("missing_header", header=X.SCHEDULE_COLUMNS[0].header)
    else:
        result.schedule = [rec for _, rec in _read_rows(sh, X.SCHEDULE_COLUMNS,
                                                        header_row=header, id_key=None)]


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
        if key not in out and value in ("", []):
            continue
        if not _same(out.get(key), value):
            out[key] = copy.deepcopy(value)
    return out


def _merge_by_id(old_list, new_list) -> list[dict]:
    old = {str(x.get("id")): x for x in old_list or ()}
    return [_merge(old.get(str(rec["id"])), rec) for rec in new_list]


def _merge_by_index(old_list, new_list) -> list[dict]:
    old_list = list(old_list or ())
    return [_merge(old_list[i] if i < len(old_list) else None, rec)
            for i, rec in enumerate(new_list)]


def apply(plan: dict, imported: ImportResult) -> dict:
    """The plan with the workbook's sections applied; ``plan`` itself is not modified.

    Cameras and lights are matched by id (rows removed in Excel are removed, new ids are
    added; fields the workbook does not carry, e.g. ``width_px`` or ``ies``, are kept);
    cost lines, KPIs and schedule rows are matched by position. An empty numeric cell
    keeps the plan's value.

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
        new["cameras"] = _merge_by_id(plan.get("cameras"), imported.cameras)
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
        new["kpis"] = _merge_by_index(plan.get("kpis"), imported.kpis)
    if imported.schedule is not None:
        new["schedule"] = _merge_by_index(plan.get("schedule"), imported.schedule)
    if imported.project is not None:
        new["project"] = _merge(plan.get("project"), imported.project)
    return new


def _diff_records(section, old_list, new_list, *, by_id: bool) -> list[Change]:
    def keyed(items):
        if by_id:
            return {str(x.get("id")): x for x in items or ()}
        return {str(i + 1): x for i, x in enumerate(items or ())}

    old, new = keyed(old_list), keyed(new_list)
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


def diff(plan: dict, imported: ImportResult) -> list[Change]:
    """What :func:`apply` would change, section by section (empty when nothing changes)."""
    if imported.errors:
        return []
    new = apply(plan, imported)
    changes = []
    changes += _diff_records("project", [plan.get("project") or {}], [new["project"]],
                             by_id=False) if imported.project is not None else []
    changes = [Change("project", "", c.kind, c.field, c.old, c.new) for c in changes]
    for section, by_id in (("cameras", True), ("lights", True), ("kpis", False),
                           ("schedule", False)):
        changes += _diff_records(section, plan.get(section), new.get(section), by_id=by_id)
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
