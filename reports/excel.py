"""The Excel plan: one workbook holding a plan for a grant application and the council.

``build_workbook(plan) -> bytes`` writes one sheet per part of the plan that has data
(概要 always; 事業計画, 事業費, カメラ配置, カメラ別の結果, 照明配置, 地区別集計, 準備度評価,
プライバシー対応, 出典 when their data exists). The 事業費 sheet computes the shares with live formulas, so an official who changes a unit
price or a camera's price in Excel sees the totals follow: national / local for schemes
with a rate or a fixed amount, one row per payer (都 / 市 / 団体) for schemes with a payer
split in ``grant_shares`` (東京都 見守り and the city runs). The arithmetic is the grant
matcher's (:mod:`assessments.programme.grants`): eligible cost = min(cost, project cost cap,
per-camera cap × cameras); each public payer pays share × eligible cost (円未満切捨て, the
first one capped by ``cap_jpy``); the applicant pays the rest, including cost above the caps.
Camera and light prices have one source: the devices' ``unit_price_jpy`` (the カメラ配置 /
照明配置 sheets' 単価 column, summed per model into 事業費 with SUMIFS).
The tables are laid out so that :mod:`reports.excel_import` can read the edited workbook back:
each table has one header row of known labels (see the ``*_COLUMNS`` specs below) and ends
at the first row whose first cell is empty.

All amounts are stored in yen; cells shown in 千円 only use the ``#,##0,`` number format.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.properties import PageSetupProperties

from assessments.engine.dori import DORI_ORDER, dori_label
from assessments.plan.iotools.export import INJECTION_START
from assessments.plan.iotools.values import ERAS
from datasets.citations import cite, citation_text
from assessments.programme import costs as _costs
from assessments.programme.costs import device_groups
from assessments.programme.grants import (is_public, plan_grant, rate_fraction, scheme_calendar,
                                          scheme_for, share_fraction, shares_for,
                                          successor_chain)
from reports.styles import FONT_NAME, register_styles

#: Format marker written into the workbook's custom document properties.
FORMAT_NAME = "mimamori-plan-xlsx"
FORMAT_VERSION = 1

#: Sheet key -> sheet title (fixed Japanese titles; the importer finds sheets by them).
SHEETS = {
    "summary": "概要",
    "plan": "事業計画",
    "costs": "事業費",
    "cameras": "カメラ配置",
    "camera_results": "カメラ別の結果",
    "lights": "照明配置",
    "districts": "地区別集計",
    "readiness": "準備度評価",
    "privacy": "プライバシー対応",
    "sources": "出典",
}

#: Use-case ids (docs/architecture.md "Shared identifiers") -> Japanese label.
USE_CASE_LABELS = {
    "watch_elderly": "見守り・高齢者",
    "watch_children": "見守り・子ども",
    "people_count": "人流計測・人数",
    "people_attributes": "人流計測・属性",
    "abnormal_behavior": "異常行動検知",
    "intrusion_flood": "侵入検知・水害時",
    "crime_info_sharing": "地域防犯情報共有",
    "face_identification": "顔識別",
    "dangerous_driving": "危険運転検知",
    "disaster_monitoring": "災害監視",
}

#: costs.items[].category -> label of the 区分 column.
ITEM_CATEGORIES = {
    "camera": "カメラ",
    "pole": "ポール・支柱",
    "light": "照明・防犯灯",
    "recorder": "録画装置",
    "network": "ネットワーク",
    "installation": "設置工事",
    "other": "その他",
}
#: costs.running[].category -> label.
RUNNING_CATEGORIES = {
    "electricity": "電気料金",
    "communication": "通信費",
    "maintenance": "保守・点検",
    "replacement": "機器更新",
    "other": "その他",
}
#: 区分 of the cost lines computed from the カメラ配置 sheet (skipped on import: the
#: cameras' own rows are the data).
CAMERA_LINKED_LABEL = "カメラ（配置シート連動）"
#: 区分 of the cost lines computed from the 照明配置 sheet (skipped on import likewise).
LIGHT_LINKED_LABEL = "照明（配置シート連動）"
LINKED_LABELS = (CAMERA_LINKED_LABEL, LIGHT_LINKED_LABEL)
#: 品名 of the linked line that counts the devices of models without a line of their own.
OTHER_MODELS_LABEL = "上記以外の機種（配置シートで追加）"
#: 区分 of the estimate lines (the simulation's rates × quantities from the plan); read
#: back on import as the rates, not as items.
ESTIMATE_LABELS = {"pole": "ポール・支柱（概算）", "recorder_per_tb": "録画装置（概算）",
                   "installation": "設置工事（概算）"}

PRIVACY_STATUS_LABELS = {"done": "対応済", "partial": "一部対応", "todo": "未対応",
                         "na": "対象外"}

#: Largest number Excel stores; used as "no cap" inside MIN().
_NO_CAP = "9.99E+307"
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
#: Rows below a table that its formulas still cover, so rows added in Excel are counted.
_ROOM_ROWS = 500
#: Width of a result column of カメラ別の結果 [characters]: "Recognise" on one line. The ID
#: column and 13 result columns (監視面積 + 6 DORI levels by day and by night) print at
#: about 86 % in LibreOffice on A4 landscape (10.5 pt text → 9 pt), 96 % by
#: :func:`_page_fit`'s estimate (784 pt / ((8 × 7 + 5 + 13 × (10 × 7 + 5)) × 0.75 pt)).
_RESULT_WIDTH = 10.0
_RESULT_ID_WIDTH = 8.0
#: Left and right page margins [inch]; narrower than Excel's 0.7 so that A4 holds more.
_SIDE_MARGIN_IN = 0.4


@dataclass(frozen=True)
class Column:
    """One column of a data table: plan field, header label, style kind, width [chars]."""

    key: str
    header: str
    kind: str = "text"
    width: float = 12.0
    optional: bool = False  # older workbooks may lack the column (the import keeps the plan's value)


#: The 既設 column of the device sheets: 「既設」 marks a camera or light already installed
#: (``programme.costs.is_existing``): on the map, not in 事業費 (every cost formula skips it).
EXISTING_HEADER = "既設"
EXISTING_MARK = "既設"
EXISTING_NOTE = "「既設」の列に既設と書いた機器は、設置済みとして事業費に含めません。"

CAMERA_COLUMNS = (
    Column("id", "カメラID", "text", 10),
    Column("address", "住所・設置場所", "text", 18),
    Column("lat", "緯度 [°]", "coord", 10.5),
    Column("lon", "経度 [°]", "coord", 11.5),
    Column("mount_height_m", "設置高さ [m]", "float1", 7),
    Column("azimuth_deg", "方位 [°]（北から時計回り）", "float1", 8),
    Column("tilt_deg", "俯角 [°]", "float1", 6),
    Column("hfov_deg", "水平画角 [°]", "float1", 7),
    Column("model", "機種", "text", 16),
    Column("use_case", "用途", "text", 9),
    Column("unit_price_jpy", "単価 [円]", "yen", 10),
    Column("signage", "設置の表示（掲示位置）", "text", 12),
    # cameras with the same ID share one site (a pole); empty = the camera is its own site
    Column("site", "設置場所ID（同じ柱・場所は同じID）", "text", 11, optional=True),
    Column("existing", EXISTING_HEADER, "text", 6, optional=True),
)
LIGHT_COLUMNS = (
    Column("id", "照明ID", "text", 10),
    Column("address", "住所・設置場所", "text", 28),
    Column("lat", "緯度 [°]", "coord", 12),
    Column("lon", "経度 [°]", "coord", 12),
    Column("mount_height_m", "設置高さ [m]", "float1", 9),
    Column("intensity_cd", "光度 [cd]", "float1", 10),
    Column("lumens", "光束 [lm]", "int", 10),
    Column("distribution", "配光", "text", 10),
    Column("model", "機種", "text", 16),
    Column("unit_price_jpy", "単価 [円]", "yen", 12),
    Column("existing", EXISTING_HEADER, "text", 8, optional=True),
)
ITEM_COLUMNS = (
    Column("category", "区分", "text", 22),
    Column("name", "品名・内容", "text", 30),
    Column("unit_price_jpy", "単価 [円]", "yen", 14),
    Column("quantity", "数量", "int", 8),
    Column("amount", "金額 [円]", "yen", 14),
    Column("note", "備考", "text", 24),
)
RUNNING_COLUMNS = (
    Column("category", "区分", "text", 22),
    Column("name", "名称・内容", "text", 30),
    Column("annual_jpy", "年額 [円]", "yen", 14),
)
KPI_COLUMNS = (
    Column("name", "KPI（指標）", "text", 30),
    Column("unit", "単位", "text", 8),
    Column("baseline", "基準値", "num", 12),
)
SCHEDULE_COLUMNS = (
    Column("task", "実施内容", "text", 30),
    Column("start", "開始", "month", 12),
    Column("end", "終了", "month", 12),
)
PROJECT_FIELDS = (
    ("title", "事業名"),
    ("applicant", "申請者・実施主体"),
    ("purpose", "事業の目的"),
    ("issues", "解決すべき課題"),
    ("target_state", "目指す姿"),
)
KPI_TARGET_PREFIX = "目標"
MIN_KPI_YEARS = 3


# --------------------------------------------------------------------------------- helpers
#: (first fiscal year of the era, era name), latest first, from the one era table
#: (``assessments.plan.iotools.values.ERAS``); 元年度 = the fiscal year the era began
_ERAS = tuple((start[0], name) for name, _, start in ERAS)


def wareki_fy(fy: int) -> str:
    """和暦 label of a Japanese fiscal year (April of ``fy`` to March of ``fy + 1``).

    Parameters
    ----------
    fy : int
        Fiscal year as the Western year in which it starts [year]; 2026 = April 2026 to
        March 2027.

    Returns
    -------
    str
        ``"令和8年度"`` for 2026, ``"令和元年度"`` for 2019.

    Notes
    -----
    A fiscal year is named after the era in force when it begins, except that the year an
    era began in mid-year takes the new era's name (FY2019 began in 平成31年4月 but the
    government calls it 令和元年度; FY1989 is 平成元年度). Year numbers are
    ``fy - first_year + 1`` with 1 written 元.

    References
    ----------
    .. [1] 元号法 (昭和54年法律第43号); 改元: 平成 from 1989-01-08, 令和 from 2019-05-01.
    """
    if isinstance(fy, bool) or not isinstance(fy, (int,)) and not (
            isinstance(fy, float) and float(fy).is_integer()):
        raise ValueError(f"fiscal year must be an integer year, got {fy!r}")
    fy = int(fy)
    for first, era in _ERAS:
        if fy >= first:
            n = fy - first + 1
            if era == "昭和" and n == 1:
                break
            return f"{era}{'元' if n == 1 else n}年度"
    raise ValueError(f"fiscal year must be 1927 or later (昭和2年度 onwards), got {fy}")


def wareki_fy_formula(ref: str) -> str:
    """Excel formula giving :func:`wareki_fy` of the year in cell ``ref`` (empty when the
    cell holds no year from 1927 on).

    ``wareki_fy_formula("B9")`` evaluates to 「令和8年度」 for 2026 and 「令和元年度」 for 2019,
    so the label follows the year cell when it is edited in Excel. Built from the same era
    table as :func:`wareki_fy`.
    """
    expr = '""'
    for first, era in reversed(_ERAS):  # the latest era is tested first (outermost IF)
        expr = (f'IF({ref}>={first},"{era}"&IF({ref}={first},"元",{ref}-{first - 1}),'
                f'{expr})')
    return f'=IF(AND(ISNUMBER({ref}),{ref}>=1927),{expr}&"年度","")'


def wareki_month(year: int, month: int) -> str:
    """和暦 label of a calendar month: ``wareki_month(2026, 4) == "令和8年4月"``.

    Months before 令和 (2019-05) / 平成 (1989-02, the first full month) use the earlier era.
    """
    if not 1 <= int(month) <= 12:
        raise ValueError(f"month must be 1–12, got {month!r}")
    year, month = int(year), int(month)
    for era, _, (y, m, d) in ERAS:
        # an era that began after the 1st names the month from the next one on
        first = (y, m) if d == 1 else (y + m // 12, m % 12 + 1)
        if (year, month) >= first:
            n = year - y + 1
            return f"{era}{'元' if n == 1 else n}年{month}月"
    raise ValueError(f"year must be 1927 or later, got {year}")


def fiscal_year(day: _dt.date) -> int:
    """Japanese fiscal year containing ``day`` [year]: 2027-03-31 -> 2026, 2027-04-01 -> 2027."""
    return day.year if day.month >= 4 else day.year - 1


def parse_month(text) -> tuple[int, int] | None:
    """``"2026-04"`` (also ``2026/4``, a date or datetime) -> ``(2026, 4)``; empty -> None.

    Raises ValueError for anything else.
    """
    if text is None or text == "":
        return None
    if isinstance(text, (_dt.date, _dt.datetime)):
        return text.year, text.month
    m = re.fullmatch(r"\s*(\d{4})[-/年.](\d{1,2})月?(?:[-/.]\d{1,2}日?)?\s*", str(text))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"month must look like 2026-04, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def sanitize_sheet_title(title: str) -> str:
    """A valid Excel sheet title: ``[]:*?/\\`` replaced by ``_``, no edge quotes, ≤ 31 chars."""
    text = _SHEET_TITLE_BAD.sub("_", str(title or ""))
    text = ILLEGAL_CHARACTERS_RE.sub("", text).strip().strip("'")
    return text[:31] or "Sheet"


def clean_text(value) -> str:
    """User text as stored in a cell: str, characters Excel refuses removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def needs_text_guard(text: str) -> bool:
    """True when ``text`` would be taken as a formula by Excel or a CSV reader."""
    return text.startswith(INJECTION_START)


def _put(ws, row: int, col: int, value, style: str = "mm_text"):
    """Write one cell. Strings are always text (never formulas); numbers stay numbers."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.style = style
        if text.startswith("="):
            cell.data_type = "s"  # openpyxl would otherwise store it as a formula
        if needs_text_guard(text):
            cell.quotePrefix = True  # Excel keeps the cell text when it is edited
        return cell
    if isinstance(value, bool):
        value = int(value)
    cell.value = value
    cell.style = style
    return cell


def _formula(ws, row: int, col: int, formula: str, style: str):
    """Write a formula we built (never user text)."""
    assert formula.startswith("=")
    cell = ws.cell(row=row, column=col)
    cell.value = formula
    cell.style = style
    return cell


def _num(value):
    """A number for a numeric cell, or None when empty / not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value if value == value else None
    try:
        out = float(str(value).replace(",", ""))
    except ValueError:
        return None
    return int(out) if out.is_integer() else out


def _style_for(kind: str, *, input_cell: bool = False) -> str:
    if kind == "text":
        return "mm_input_text" if input_cell else "mm_text"
    return f"mm_input_{kind}" if input_cell else f"mm_{kind}"


def _print_setup(ws, *, title_rows: str | None, freeze: str | None,
                 landscape: bool = False) -> None:
    """A4, fit to one page wide, repeated header rows, frozen panes."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = _SIDE_MARGIN_IN
    if title_rows:
        ws.print_title_rows = title_rows
    if freeze:
        ws.freeze_panes = freeze


def _title(ws, text: str, note: str = "") -> int:
    """Sheet heading in row 1 (and a note in row 2); returns the next free row."""
    _put(ws, 1, 1, text, "mm_title")
    if note:
        _put(ws, 2, 1, note, "mm_note")
    return 4


def _widths(ws, widths) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _table(ws, row: int, columns, records, *, extra_headers=(), extra_values=None,
           input_cells: bool = True) -> tuple[int, int]:
    """Header + one row per record; returns (header row, last data row)."""
    for j, col in enumerate(columns, start=1):
        _put(ws, row, j, col.header, "mm_header")
    for k, header in enumerate(extra_headers, start=len(columns) + 1):
        _put(ws, row, k, header, "mm_header_result")
    header_row = row
    for rec in records:
        row += 1
        for j, col in enumerate(columns, start=1):
            value = rec.get(col.key)
            if col.kind != "text":
                value = _num(value) if not isinstance(value, (_dt.date,)) else value
            elif value is None:
                value = ""
            _put(ws, row, j, value, _style_for(col.kind, input_cell=input_cells))
        if extra_values is not None:
            for k, (value, kind) in enumerate(extra_values(rec), start=len(columns) + 1):
                _put(ws, row, k, value, _style_for(kind))
    return header_row, row


def _scheme_for(plan: dict, schemes) -> dict | None:
    return scheme_for(plan, schemes)


def _start_fy(plan: dict):
    fy = _num((plan.get("project") or {}).get("start_fy"))
    return int(fy) if fy is not None and 1927 <= fy <= 2200 else None


def _fy_label(start_fy, offset: int) -> str:
    if start_fy is None:
        return f"{offset + 1}年目"
    return f"{offset + 1}年目（{wareki_fy(start_fy + offset)}）"


def camera_cost_groups(cameras) -> list[dict]:
    """Cameras grouped by model for the cost table: ``[{"model", "quantity", "amount_jpy"}]``
    (:func:`assessments.programme.costs.device_groups`; the model text as written to the
    cells)."""
    return [dict(g, model=clean_text(g["model"])) for g in device_groups(cameras)]


#: Lights grouped by model, like :func:`camera_cost_groups`.
light_cost_groups = camera_cost_groups


def _to_buy(devices) -> list:
    """The devices not already installed (the cost lines' devices, as in
    ``programme.costs.plan_costs``)."""
    return [d for d in devices or () if not _costs.is_existing(d)]


def cost_totals(plan: dict, *, scheme: dict | None = None, shares=None,
                include_running: bool | None = None) -> dict:
    """The figures the 事業費 sheet computes, in Python [円] (the sheet's expected values).

    A view of :func:`assessments.programme.grants.plan_grant` (the one arithmetic); the
    sheet's formulas mirror it.

    Parameters
    ----------
    plan : dict
    scheme : dict, optional
        The ``grant_schemes`` row to apply (default: none).
    shares : sequence of dict, optional
        ``grant_shares`` rows; the scheme's rows (variant ``renewal`` when
        ``plan["grant"]["renewal"]``) switch to the payer split.
    include_running : bool, optional
        Override the scheme's ``covers_running`` (the sheet's 運用費を補助対象に含める cell).

    Returns
    -------
    dict
        ``initial``, ``running_total``, ``total`` (運用費を含む), ``basis`` (the cost the
        scheme applies to), ``eligible``, ``cameras``, ``sites``, ``national`` (the grant:
        national or upper payers together; None when unknown), ``applicant`` (basis −
        grant), ``local`` (total − grant: 自己負担 計, running cost included), ``shares``:
        ``[{"payer", "payer_ja", "share_text", "share", "amount_jpy"}]`` per payer
        (applicant last) for split schemes, else ``[]``.
    """
    s = dict(scheme) if scheme else None
    if s is not None and include_running is not None:
        s["covers_running"] = bool(include_running)
    pg = plan_grant(plan, shares=shares or (), scheme=s) if s else plan_grant(plan)
    c = pg.costs
    out = {"initial": c.initial_jpy, "running_total": c.running_total_jpy,
           "total": c.total_jpy, "cameras": c.cameras, "sites": c.sites,
           "basis": c.initial_jpy, "eligible": c.initial_jpy, "national": None,
           "applicant": None, "local": None, "shares": []}
    a = pg.amounts
    if a is None:
        return out
    out.update(basis=a.basis_jpy, eligible=a.eligible_jpy)
    if a.grant_jpy is None:
        return out
    out.update(national=a.grant_jpy, applicant=a.applicant_jpy,
               local=c.total_jpy - a.grant_jpy)
    if pg.share_rows:
        out["shares"] = [{"payer": sh["payer"], "payer_ja": clean_text(sh["payer_ja"]),
                          "share_text": clean_text(sh["share_text"]),
                          "share": float(share_fraction(sh)) if sh["share_text"] else None,
                          "amount_jpy": sh["amount_jpy"]} for sh in a.shares]
    return out


# ---------------------------------------------------------------------------------- sheets
def scheme_rows(scheme: dict, schemes, calls, start_fy: int | None, today) -> list:
    """Rows ``(label, text)`` of the chosen scheme for the 概要 sheet and the plan book: its successor (the data's ``successor_id`` chain)
    and its application window for the start year and the next (未発表 when none was
    announced: never an earlier year's dates)."""
    rows = []
    chain = successor_chain(scheme.get("id"), schemes)
    if chain:
        by_id = {str(s_["id"]): s_ for s_ in schemes}
        latest = by_id.get(chain[-1]) or {}
        rows.append(("後継制度", "この制度は「" + clean_text(latest.get("name_ja") or chain[-1])
                     + "」に引き継がれています。申請は後継制度の公募要領で確認してください。"))
    first = start_fy or fiscal_year(today)
    for e in scheme_calendar(scheme.get("id"), calls, fiscal_years=(first, first + 1),
                             today=today):
        label = f"申請時期（{wareki_fy(e['fiscal_year'])}）"
        if e["status"] == "not_announced":
            last = e["last"]
            text = "未発表" + (f"（前回：{last['fiscal_year']}年度 {last.get('start_date') or ''}"
                             f"〜{last.get('end_date') or ''}）" if last else "")
        else:
            text = (f"{e['start'] or '（開始日未確認）'}〜{e['end'] or '（締切未確認）'}"
                    + ("（締切済み）" if e["status"] == "closed" else "")
                    + (f"　{clean_text(e['note_ja'])}" if e["note_ja"] else ""))
        rows.append((label, text))
    return rows


def _write_summary_sheet(wb, plan, *, scheme, schemes, calls, today, sheets_written,
                         cost_refs, source_count) -> None:
    ws = wb.create_sheet(sanitize_sheet_title(SHEETS["summary"]))
    row = _title(ws, "見守り・スマートシティ事業 計画書（概要）",
                 f"作成日 {today.isoformat()}（{wareki_month(today.year, today.month)}"
                 f"{today.day}日）　見守りプランナーで作成")
    muni = plan.get("municipality") or {}
    project = plan.get("project") or {}
    start_fy = _start_fy(plan)
    use_cases = "、".join(USE_CASE_LABELS.get(u, clean_text(u))
                         for u in plan.get("use_cases") or ())
    rows = [
        ("自治体", " ".join(x for x in (clean_text(muni.get("prefecture")),
                                        clean_text(muni.get("name"))) if x)),
        ("地方公共団体コード", clean_text(muni.get("code"))),
        ("計画名", clean_text(plan.get("name"))),
        ("事業名", clean_text(project.get("title"))),
        ("申請者・実施主体", clean_text(project.get("applicant"))),
        ("事業の目的", clean_text(project.get("purpose"))),
        ("用途（ユースケース）", use_cases),
        ("開始年度", wareki_fy(start_fy) + f"（{start_fy}年度）" if start_fy else ""),
    ]
    if scheme:
        rows.append(("補助制度", clean_text(scheme.get("name_ja") or scheme.get("id"))))
        rows.append(("補助率・上限", clean_text(scheme.get("rate_text_ja"))))
        if str(scheme.get("verified", "")).lower() in ("false", "0", "no"):
            reason = clean_text(scheme.get("unverified_reason_ja"))
            rows.append(("注意", "この補助制度の数値は未確認です" + (f"（{reason}）" if reason else "")
                         + "。公募要領で確認してください。"))
        rows += scheme_rows(scheme, schemes, calls, start_fy, today)
    rows.append(("カメラ台数", len(plan.get("cameras") or ())))
    rows.append(("照明台数", len(plan.get("lights") or ())))
    for label, value in rows:
        _put(ws, row, 1, label, "mm_label")
        _put(ws, row, 2, value, "mm_int" if isinstance(value, int) else "mm_text")
        row += 1
    if cost_refs:
        row += 1
        _put(ws, row, 1, "事業費（千円）", "mm_subtitle")
        row += 1
        for label, ref in cost_refs:
            _put(ws, row, 1, label, "mm_total_label")
            _formula(ws, row, 2, f"={ref}", "mm_total_kyen")
            row += 1
    row += 1
    _put(ws, row, 1, "収録シート", "mm_label")
    _put(ws, row, 2, "、".join(sheets_written), "mm_text")
    if source_count:
        row += 1
        _put(ws, row, 1, "出典", "mm_label")
        _put(ws, row, 2, f"{SHEETS['sources']}シートに{source_count}件", "mm_text")
    _widths(ws, (22, 80))
    _print_setup(ws, title_rows=None, freeze=None)


def _write_plan_sheet(wb, plan) -> None:
    ws = wb.create_sheet(sanitize_sheet_title(SHEETS["plan"]))
    row = _title(ws, "事業計画", "年度は4月〜翌年3月。黄色のセルは編集でき、取り込みで計画に反映されます。")
    project = plan.get("project") or {}
    start_fy = _start_fy(plan)
    for key, label in PROJECT_FIELDS:
        _put(ws, row, 1, label, "mm_label")
        _put(ws, row, 2, clean_text(project.get(key)), "mm_input_text")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        row += 1
    _put(ws, row, 1, "開始年度", "mm_label")
    _put(ws, row, 2, start_fy, "mm_input_year")
    # the label follows the year cell when the official changes it in Excel
    _formula(ws, row, 3, wareki_fy_formula(f"B{row}"), "mm_text")
    row += 2

    kpis = plan.get("kpis") or []
    n_years = max([MIN_KPI_YEARS] + [len(k.get("targets") or ()) for k in kpis])
    _put(ws, row, 1, "KPI（基準値と年度別目標）", "mm_subtitle")
    row += 1
    target_headers = [f"{KPI_TARGET_PREFIX} {_fy_label(start_fy, i)}" for i in range(n_years)]
    header_row, last = _table(ws, row, KPI_COLUMNS, kpis, extra_headers=())
    for k, header in enumerate(target_headers, start=len(KPI_COLUMNS) + 1):
        _put(ws, header_row, k, header, "mm_header")
    for i, kpi in enumerate(kpis):
        targets = list(kpi.get("targets") or ())
        for k in range(n_years):
            value = _num(targets[k]) if k < len(targets) else None
            _put(ws, header_row + 1 + i, len(KPI_COLUMNS) + 1 + k, value, "mm_input_num")
    row = max(last, header_row) + 2

    schedule = plan.get("schedule") or []
    _put(ws, row, 1, "スケジュール（年度別）", "mm_subtitle")
    row += 1
    recs, spans = [], []
    for task in schedule:
        rec = dict(task)
        span = []
        for key in ("start", "end"):
            try:
                ym = parse_month(task.get(key))
            except ValueError:
                ym = None
            rec[key] = _dt.date(ym[0], ym[1], 1) if ym else None
            span.append(ym)
        recs.append(rec)
        spans.append(span)
    fys = sorted({fiscal_year(_dt.date(*ym, 1)) for span in spans for ym in span if ym})
    fy_cols = list(range(fys[0], fys[-1] + 1)) if fys else (
        [start_fy + i for i in range(3)] if start_fy else [])
    fy_cols = fy_cols[:10]
    header_row, last = _table(
        ws, row, SCHEDULE_COLUMNS, recs,
        extra_headers=["開始（和暦）", "終了（和暦）"] + [wareki_fy(fy) for fy in fy_cols])
    for i, (a, b) in enumerate(spans):
        r = header_row + 1 + i
        base = len(SCHEDULE_COLUMNS)
        _put(ws, r, base + 1, wareki_month(*a) if a else "", "mm_text")
        _put(ws, r, base + 2, wareki_month(*b) if b else "", "mm_text")
        for k, fy in enumerate(fy_cols, start=base + 3):
            on = bool(a and b and fiscal_year(_dt.date(*a, 1)) <= fy
                      <= fiscal_year(_dt.date(*b, 1)))
            _put(ws, r, k, "■" if on else "", "mm_text")
    _widths(ws, (26, 12, 12, 14, 14, 14, 14, 14, 12, 12, 12, 12, 12))
    _print_setup(ws, title_rows=None, freeze="B4", landscape=True)


def _linked_lines(ws, row: int, groups, ranges, *, label: str, sheet_key: str) -> int:
    """Cost lines per model summed from a device sheet with SUMIFS; returns the last row.

    The last line holds the devices of models not listed above (all devices minus the
    listed lines), so a device of a new model added in Excel is counted and priced."""
    id_rng, model_rng, price_rng, ex_rng = ranges
    new = f'{ex_rng},"<>{EXISTING_MARK}"'        # devices already installed are not bought
    first = row + 1
    for group in groups:
        row += 1
        crit = '"=' + _criteria_escape(group["model"]).replace('"', '""') + '"'
        _put(ws, row, 1, label, "mm_text")
        _put(ws, row, 2, group["model"] or "（機種未設定）", "mm_text")
        _formula(ws, row, 4, f'=COUNTIFS({id_rng},"<>",{model_rng},{crit},{new})', "mm_int")
        _formula(ws, row, 5, f'=SUMIFS({price_rng},{id_rng},"<>",{model_rng},{crit},{new})',
                 "mm_yen")
        _formula(ws, row, 3, f"=IF(D{row}=0,0,E{row}/D{row})", "mm_yen")
        _put(ws, row, 6, f"{SHEETS[sheet_key]}シートの単価の合計", "mm_note")
    last = row
    row += 1
    _put(ws, row, 1, label, "mm_text")
    _put(ws, row, 2, OTHER_MODELS_LABEL, "mm_text")

    def listed(c: str) -> str:
        return f"-SUM({c}{first}:{c}{last})" if last >= first else ""

    _formula(ws, row, 4, f'=COUNTIFS({id_rng},"<>",{new}){listed("D")}', "mm_int")
    _formula(ws, row, 5, f'=SUMIFS({price_rng},{id_rng},"<>",{new}){listed("E")}', "mm_yen")
    _formula(ws, row, 3, f"=IF(D{row}=0,0,E{row}/D{row})", "mm_yen")
    _put(ws, row, 6, f"{SHEETS[sheet_key]}シートで追加された機種の台数・単価の合計", "mm_note")
    return row


def _table_range(col: str, header_row: int, total_row: int) -> str:
    """Rows of a table from its header to the row above its total, as a range that grows.

    ``$E$5:INDEX($E:$E,ROW($E$20)-1)`` ends just above the total row wherever rows are
    inserted (even directly above the total, which a plain ``E6:E19`` would miss); the
    header's text is ignored by SUM and SUMIF."""
    return (f"${col}${header_row}:INDEX(${col}:${col},"
            f"ROW(${col}${total_row})-1)")


def _fraction_formula(value: Fraction) -> str | float:
    """An exact fraction as a formula (``=1/6``), or a number when it is whole."""
    if value.denominator == 1:
        return float(value)
    return f"={value.numerator}/{value.denominator}"


def _distinct_sites_formula(id_rng: str, site_rng: str, ex_rng: str) -> str:
    """Sites of the new cameras: distinct 設置場所ID values + cameras without one, cameras
    marked 既設 left out (``programme.costs.site_count`` of the cameras to buy).

    ``(site<>"")*(new)/COUNTIFS(site, site&"", new)`` adds 1 per distinct site of new
    cameras; ``+(site="")+(existing)`` keeps the divisor ≥ 1 on the rows whose numerator
    is 0 (blank, or an installed camera)."""
    new, old = f'({ex_rng}<>"{EXISTING_MARK}")', f'({ex_rng}="{EXISTING_MARK}")'
    return (f'=SUMPRODUCT(({id_rng}<>"")*({site_rng}="")*{new})'
            f'+SUMPRODUCT(({site_rng}<>"")*{new}/(COUNTIFS({site_rng},{site_rng}&"",'
            f'{ex_rng},"<>{EXISTING_MARK}")+({site_rng}="")+{old}))')


def _write_costs_sheet(wb, plan, *, scheme, share_rows=(), camera_sheet=None,
                       light_sheet=None) -> list[tuple[str, str]]:
    """事業費 with live formulas mirroring :mod:`assessments.programme.grants`; returns
    (label, cell reference) of the totals."""
    title = sanitize_sheet_title(SHEETS["costs"])
    ws = wb.create_sheet(title)
    pc = _costs.plan_costs(plan)
    years = min(max(pc.years, 1), 10)
    start_fy = _start_fy(plan)
    _title(ws, "事業費（補助対象経費と負担区分）",
           "単価・年額は円（税込）、合計は千円表示（セルの値は円）。"
           "黄色のセルを変えると合計と負担額が再計算されます。")
    s = scheme or {}
    share_rows = list(share_rows or ())
    applicant = next((r for r in share_rows if not is_public(r)), None)
    rate = rate_fraction(s.get("rate"))
    # parameter block from row 4, values in column C
    params = [("scheme", "補助制度", clean_text(s.get("name_ja") or s.get("id") or "（未選択）"),
               "mm_text")]
    if not share_rows:
        params.append(("rate", "補助率（国・上位団体の負担割合）",
                       None if rate is None else _fraction_formula(rate), "mm_input_rate"))
    params += [
        ("cap", "補助金の上限（補助限度額）[円]", _num(s.get("cap_jpy")), "mm_input_yen"),
        ("pcap", "補助対象事業費の上限 [円]", _num(s.get("project_cost_cap_jpy")),
         "mm_input_yen"),
        ("per_camera", "カメラ1台あたりの上限 [円]", _num(s.get("per_camera_cap_jpy")),
         "mm_input_yen"),
    ]
    if not share_rows:
        params += [
            ("fixed", "定額補助 [円/か所]（1か所目）", _num(s.get("fixed_amount_jpy")),
             "mm_input_yen"),
            ("fixed_next", "定額補助 [円/か所]（2か所目以降。空欄=1か所目と同じ）",
             _num(s.get("fixed_amount_next_jpy")), "mm_input_yen"),
            ("max_sites", "定額の対象か所数の上限（空欄=制限なし）", _num(s.get("max_sites")),
             "mm_input_int"),
        ]
    params += [
        ("unit", "端数処理の単位 [円]（1000=千円未満切捨て）",
         _num(s.get("rounding_unit_jpy")) or 1, "mm_input_int"),
        ("include_running", "運用費を補助対象に含める（1=含める）",
         1 if str(s.get("covers_running")).lower() in ("true", "1") else 0, "mm_input_int"),
    ]
    for i, r in enumerate(share_rows):
        params.append((f"share{i}", f"負担割合: {clean_text(r.get('payer_ja'))}",
                       _fraction_formula(share_fraction(r)), "mm_input_rate"))
        if is_public(r):
            params.append((f"share_cap{i}", f"負担の上限 [円]: {clean_text(r.get('payer_ja'))}",
                           _num(r.get("cap_jpy")), "mm_input_yen"))
    ref = {}
    row = 4
    _put(ws, row, 1, "補助制度の条件", "mm_subtitle")
    row += 1
    for key, label, value, style in params:
        _put(ws, row, 1, label, "mm_label")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        if isinstance(value, str) and value.startswith("="):
            _formula(ws, row, 3, value, style)
        else:
            _put(ws, row, 3, value, style)
        ref[key] = f"$C${row}"
        if key in ("rate", "scheme") and s.get("rate_text_ja"):
            _put(ws, row, 4, clean_text(s.get("rate_text_ja")), "mm_note")
        if key == "rate":
            ws.cell(row, 3).number_format = "# ?/??"
        if key.startswith("share") and not key.startswith("share_cap"):
            r = share_rows[int(key[5:])]
            ws.cell(row, 3).number_format = "# ?/??"
            note = clean_text(r.get("share_text"))
            if not is_public(r):
                note += "（自己負担。補助対象外の経費も負担）"
            _put(ws, row, 4, note, "mm_note")
        row += 1
    if share_rows:
        variant = clean_text(share_rows[0].get("variant"))
        _put(ws, row, 1, "負担区分の出典", "mm_label")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        _put(ws, row, 3, ("更新" if variant == "renewal" else "新設・標準") + "　"
             + clean_text(share_rows[0].get("source")), "mm_note")
        row += 1
    counts = {}
    for key, label in (("cameras", "カメラ台数（1台あたり上限の計算に使用）"),
                       ("placed_sites", "設置か所数（カメラ配置の設置場所ID）"),
                       ("sites", "設置か所数（定額の計算に使用。未配置のカメラは1台1か所）")):
        _put(ws, row, 1, label, "mm_label")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ref[key] = f"$C${row}"
        counts[key] = row
        row += 1
    row += 1

    # initial costs
    _put(ws, row, 1, "初期費用（設備・設置工事、税込）", "mm_subtitle")
    row += 1
    for j, col in enumerate(ITEM_COLUMNS, start=1):
        _put(ws, row, j, col.header, "mm_header")
    first_item = row + 1
    if camera_sheet:
        row = _linked_lines(ws, row, camera_cost_groups(_to_buy(plan.get("cameras"))),
                            (*camera_sheet[:3], camera_sheet[4]),
                            label=CAMERA_LINKED_LABEL, sheet_key="cameras")
    if light_sheet:
        row = _linked_lines(ws, row, light_cost_groups(_to_buy(plan.get("lights"))), light_sheet,
                            label=LIGHT_LINKED_LABEL, sheet_key="lights")
    device_counts = [f'COUNTIFS({rng[0]},"<>",{rng[-1]},"<>{EXISTING_MARK}")'
                     for rng in (camera_sheet, light_sheet) if rng]
    for line in pc.by_source("estimate"):
        row += 1
        _put(ws, row, 1, ESTIMATE_LABELS[line.key], "mm_text")
        _put(ws, row, 3, line.unit_price_jpy, "mm_input_yen")
        if line.key == "pole":
            _put(ws, row, 2, "シミュレーションの概算単価 × 設置か所数", "mm_text")
            _formula(ws, row, 4, f"={ref['placed_sites']}", "mm_int")
        elif line.key == "installation" and device_counts:
            _put(ws, row, 2, "シミュレーションの概算単価 × カメラ・照明の台数", "mm_text")
            _formula(ws, row, 4, "=" + "+".join(device_counts), "mm_int")
        else:
            _put(ws, row, 2, f"シミュレーションの概算単価 × 録画容量 [TB]（保存"
                             f"{_costs.retention_days(plan):g}日）", "mm_text")
            _put(ws, row, 4, line.quantity, "mm_float1")
        _formula(ws, row, 5, f"=C{row}*D{row}", "mm_yen")
        _put(ws, row, 6, "単価はシミュレーションの費用タブと同じ値（取り込みで反映）", "mm_note")
    items = (plan.get("costs") or {}).get("items") or []
    for item in items:
        row += 1
        cat = item.get("category") or "other"
        _put(ws, row, 1, ITEM_CATEGORIES.get(cat, clean_text(cat)), "mm_input_text")
        _put(ws, row, 2, clean_text(item.get("name")), "mm_input_text")
        _put(ws, row, 3, _num(item.get("unit_price_jpy")) or 0, "mm_input_yen")
        _put(ws, row, 4, _num(item.get("quantity")) or 0, "mm_input_int")
        _formula(ws, row, 5, f"=C{row}*D{row}", "mm_yen")
        _put(ws, row, 6, clean_text(item.get("note")), "mm_input_text")
    if row < first_item:  # an empty table still gets one row for the official to fill
        row += 1
        for j in range(1, 7):
            _put(ws, row, j, None, "mm_input_text")
        _formula(ws, row, 5, f"=C{row}*D{row}", "mm_yen")
    row += 1
    _put(ws, row, 1, "初期費用 計", "mm_total_label")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    _formula(ws, row, 5, f"=SUM({_table_range('E', first_item - 1, row)})", "mm_total_yen")
    initial_ref = f"$E${row}"
    cat_rng, qty_rng = (_table_range("A", first_item - 1, row),
                        _table_range("D", first_item - 1, row))
    typed_cameras = f'SUMIF({cat_rng},"{ITEM_CATEGORIES["camera"]}",{qty_rng})'
    _formula(ws, counts["cameras"], 3,
             f'={typed_cameras}+SUMIF({cat_rng},"{CAMERA_LINKED_LABEL}",{qty_rng})', "mm_int")
    if camera_sheet:
        _formula(ws, counts["placed_sites"], 3,
                 _distinct_sites_formula(camera_sheet[0], camera_sheet[3], camera_sheet[4]),
                 "mm_int")
    else:
        _put(ws, counts["placed_sites"], 3, 0, "mm_int")
    _formula(ws, counts["sites"], 3, f"={ref['placed_sites']}+{typed_cameras}", "mm_int")
    row += 2

    # running costs
    _put(ws, row, 1, f"運用費（年額と{years}年間の計、税込）", "mm_subtitle")
    row += 1
    for j, col in enumerate(RUNNING_COLUMNS, start=1):
        _put(ws, row, j, col.header, "mm_header")
    year_cols = list(range(len(RUNNING_COLUMNS) + 1, len(RUNNING_COLUMNS) + 1 + years))
    for k, c in enumerate(year_cols):
        _put(ws, row, c, _fy_label(start_fy, k), "mm_header")
    total_col = year_cols[-1] + 1
    _put(ws, row, total_col, f"{years}年間 計 [円]", "mm_header")
    first_run = row + 1
    running = (plan.get("costs") or {}).get("running") or []
    for item in running or [None]:
        row += 1
        if item is None:
            for j in range(1, 4):
                _put(ws, row, j, None, "mm_input_text")
        else:
            cat = item.get("category") or "other"
            _put(ws, row, 1, RUNNING_CATEGORIES.get(cat, clean_text(cat)), "mm_input_text")
            _put(ws, row, 2, clean_text(item.get("name")), "mm_input_text")
            _put(ws, row, 3, _num(item.get("annual_jpy")) or 0, "mm_input_yen")
        for c in year_cols:
            _formula(ws, row, c, f"=$C{row}", "mm_yen")
        a, b = get_column_letter(year_cols[0]), get_column_letter(year_cols[-1])
        _formula(ws, row, total_col, f"=SUM({a}{row}:{b}{row})", "mm_yen")
    row += 1
    _put(ws, row, 1, "運用費 計", "mm_total_label")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for c in [3] + year_cols + [total_col]:
        L = get_column_letter(c)
        _formula(ws, row, c, f"=SUM({_table_range(L, first_run - 1, row)})", "mm_total_yen")
    running_ref = f"${get_column_letter(total_col)}${row}"
    row += 2

    # summary with the shares: on a page of its own, whole (the page a council reads)
    ws.row_breaks.append(Break(id=row - 1))
    _put(ws, row, 1, "事業費の総括と負担区分（千円）", "mm_subtitle")
    row += 1
    no_cap = lambda k: f'IF({{{k}}}="",' + _NO_CAP + f",{{{k}}})"  # noqa: E731
    unit = 'IF({unit}="",1,{unit})'
    floor_unit = lambda x: f"ROUNDDOWN(({x})/{unit}+0.000001,0)*{unit}"  # noqa: E731
    lines = [
        ("initial", "初期費用（設備・設置工事）", f"={initial_ref}"),
        ("running", f"運用費（{years}年分）", f"={running_ref}"),
        ("total", f"事業費合計（運用費{years}年分を含む）", "=C{initial}+C{running}"),
        ("basis", "補助の対象とする費用（初期費用。運用費を含めるときはその分も）",
         "=C{initial}+IF({include_running}=1,C{running},0)"),
        # eligible: the basis, the project cost cap, the per-camera cap × cameras
        ("eligible", "補助対象経費",
         "=MIN(C{basis}," + no_cap("pcap") + ","
         "IF(OR({per_camera}=\"\",{cameras}=0)," + _NO_CAP + ",{per_camera}*{cameras}))"),
    ]
    if share_rows:
        part = {i: "MIN(C{eligible}*{share%d}," % i + no_cap(f"share_cap{i}") + ")"
                for i, r in enumerate(share_rows) if is_public(r)}
        lines.append(("grant", "補助金 計（公費負担の合計）",
                      "=" + floor_unit("MIN(" + "+".join(part.values()) + ","
                                       + no_cap("cap") + ")")))
        payer_keys = []
        for n, (i, p) in enumerate(part.items()):
            key = f"payer{i}"
            r = share_rows[i]
            if n == len(part) - 1:  # the last public payer: the rest of the grant
                formula = "=C{grant}" + "".join("-C{%s}" % k for k in payer_keys)
            else:
                formula = ("=MIN(" + floor_unit(p) + ",C{grant}"
                           + "".join("-C{%s}" % k for k in payer_keys) + ")")
            payer_keys.append(key)
            lines.append((key, f"{clean_text(r.get('payer_ja'))} 負担"
                               f"（{clean_text(r.get('share_text'))}）", formula))
        name = clean_text((applicant or {}).get("payer_ja")) or "申請者"
        lines.append(("applicant", f"{name} 負担（補助の対象とする費用のうち）",
                      "=C{basis}-C{grant}"))
        lines.append(("self_total", f"{name} 負担 計（運用費{years}年分を含む）",
                      "=C{total}-C{grant}"))
        note = ("補助対象経費 = MIN(補助の対象とする費用, 補助対象事業費の上限, 1台あたり上限×台数)。"
                "各負担者 = 補助対象経費 × 負担割合（負担の上限まで）。補助金 計 = その合計（補助限度額まで）を"
                "端数処理の単位で切捨て。最後の公費負担者が端数を含む残り。自己負担 = 費用 − 補助金 計。")
    else:
        n_sites = "IF({max_sites}=\"\",{sites},MIN({sites},{max_sites}))"
        fixed = ("IF(" + n_sites + "<1,0,{fixed}+IF({fixed_next}=\"\",{fixed},{fixed_next})*("
                 + n_sites + "-1))")
        lines += [
            ("grant", "補助金（国・上位団体の負担）",
             "=IF(AND({rate}=\"\",{fixed}=\"\"),\"\"," + floor_unit(
                 "MIN(IF({fixed}<>\"\",MIN(" + fixed + ",C{eligible}),C{eligible}*{rate}),"
                 + no_cap("cap") + ")") + ")"),
            ("applicant", "地方負担（補助の対象とする費用のうち）",
             "=IF(C{grant}=\"\",\"\",C{basis}-C{grant})"),
            ("self_total", f"地方負担 計（運用費{years}年分を含む）",
             "=IF(C{grant}=\"\",\"\",C{total}-C{grant})"),
        ]
        note = ("補助対象経費 = MIN(補助の対象とする費用, 補助対象事業費の上限, 1台あたり上限×台数)。"
                "補助金 = MIN(補助対象経費×補助率, 上限) を端数処理の単位で切捨て。定額のときは "
                "MIN(1か所目 + 2か所目以降×(か所数−1), 補助対象経費)（か所数は上限まで）。"
                "地方負担 = 費用 − 補助金。")
    out = {}
    for key, _, _ in lines:
        out[key] = row
        row += 1
    for key, label, template in lines:
        r = out[key]
        formula = template.format(**ref, **out)  # parameter cells and summary rows
        _put(ws, r, 1, label, "mm_total_label")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        _formula(ws, r, 3, formula, "mm_total_kyen")
    _put(ws, row, 1, note, "mm_note")
    _widths(ws, (22, 30, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14))
    _print_setup(ws, title_rows=None, freeze="A4", landscape=True)
    ws.sheet_properties.tabColor = "FFC000"
    return [(label, f"'{title}'!$C${out[key]}") for key, label, _ in lines]


def _criteria_escape(text: str) -> str:
    """Escape COUNTIF/SUMIF wildcards (``* ? ~``) so a model name matches literally."""
    return re.sub(r"([*?~])", r"~\1", text)


def _dori_label(key: str) -> str:
    """Header name of a DORI level as the pages name it (``sim.dori.<key>``:
    "Recognise（認識）", a 2025 level whose threshold is unconfirmed marked so)."""
    from ui.strings import load_all     # the UI's texts only (ui.strings imports no Streamlit)
    pair = load_all().get(f"sim.dori.{key}")
    return clean_text(pair[0] if pair else dori_label(key, "ja"))


def _dori_keys(results) -> tuple[list[str], list[str]]:
    day, night = set(), set()
    for cam in (results or {}).get("cameras") or ():
        day.update((cam.get("dori_m2") or {}).keys())
        night.update((cam.get("night_dori_m2") or {}).keys())
    order = {k: i for i, k in enumerate(DORI_ORDER)}
    key = lambda k: (order.get(k, 99), k)  # noqa: E731
    return sorted(day, key=key), sorted(night, key=key)


def _write_cameras_sheet(wb, plan, *, results, map_png) -> tuple[str, str, str, str]:
    """カメラ配置: the cameras' editable columns (the simulation's figures are on
    :func:`_write_camera_results_sheet`'s sheet, so this one prints near full size);
    returns the (id, model, unit price, site) column ranges for 事業費's formulas."""
    title = sanitize_sheet_title(SHEETS["cameras"])
    ws = wb.create_sheet(title)
    note = "黄色の列は編集でき、取り込みで計画に反映されます。" + EXISTING_NOTE
    if (results or {}).get("cameras"):
        note += f"シミュレーション結果は「{SHEETS['camera_results']}」シートにあります。"
    row = _title(ws, "カメラ配置", note
                 + "設置の表示: 撮影区域内の見やすい位置に防犯カメラ作動中である旨を掲示します。")
    cams = []
    for cam in plan.get("cameras") or []:
        rec = dict(cam)
        uc = cam.get("use_case")
        rec["use_case"] = USE_CASE_LABELS.get(uc, uc) if uc else ""
        rec["existing"] = EXISTING_MARK if _costs.is_existing(cam) else ""
        cams.append(rec)
    header_row, last = _table(ws, row, CAMERA_COLUMNS, cams)
    _widths(ws, [c.width for c in CAMERA_COLUMNS])
    _print_setup(ws, title_rows=f"{header_row}:{header_row}", freeze=f"B{header_row + 1}",
                 landscape=True)
    if map_png:
        _add_image(ws, map_png, f"A{last + 3}")
    end = last + _ROOM_ROWS
    col = {c.key: get_column_letter(i) for i, c in enumerate(CAMERA_COLUMNS, start=1)}
    rng = lambda k: f"'{title}'!${col[k]}${header_row + 1}:${col[k]}${end}"  # noqa: E731
    return rng("id"), rng("model"), rng("unit_price_jpy"), rng("site"), rng("existing")


def _write_camera_results_sheet(wb, plan, *, results) -> None:
    """カメラ別の結果: per camera the monitored area and the DORI areas by day and by night
    [m²] of the simulation (RESULT.json ``cameras``), one row per row of カメラ配置.

    The sheet is a snapshot: IDs and figures are the simulation's at export, written as
    values so that sorting カメラ配置 in Excel cannot pair an ID with another camera's
    figures. The importer does not read this sheet
    (:data:`reports.excel_import.IMPORTED_SHEETS`)."""
    ws = wb.create_sheet(sanitize_sheet_title(SHEETS["camera_results"]))
    row = _title(ws, "カメラ別の結果",
                 "出力時点のシミュレーション結果（面積 [m²]）。昼・夜の各レベルはそのレベル以上の"
                 "面積です。カメラの設置条件を変えた場合は、シミュレーションから出力し直してください。")
    by_id = {str(c.get("id")): c for c in (results or {}).get("cameras") or ()}
    day_keys, night_keys = _dori_keys(results)
    # two header rows: 昼 / 夜 over their levels, the level names below ("Monitor\n（監視）")
    _put(ws, row, 1, "カメラID", "mm_header")
    _put(ws, row, 2, "監視面積 [m²]", "mm_header_result")
    col = 3
    for when, keys in (("昼", day_keys), ("夜", night_keys)):
        if not keys:
            continue
        for j, k in enumerate(keys, start=col):
            _put(ws, row + 1, j, _dori_label(k).replace("（", "\n（", 1), "mm_header_result")
        _put(ws, row, col, f"{when}（各レベル以上の面積 [m²]）", "mm_header_result")
        ws.merge_cells(start_row=row, start_column=col, end_row=row,
                       end_column=col + len(keys) - 1)
        col += len(keys)
    for j in (1, 2):
        ws.merge_cells(start_row=row, start_column=j, end_row=row + 1, end_column=j)
    header_rows = f"{row}:{row + 1}"
    row += 1
    first = row + 1
    for cam in plan.get("cameras") or ():
        row += 1
        res = by_id.get(str(cam.get("id")), {})
        _put(ws, row, 1, clean_text(cam.get("id")), "mm_text")
        values = ([res.get("covered_m2")] + [(res.get("dori_m2") or {}).get(k) for k in day_keys]
                  + [(res.get("night_dori_m2") or {}).get(k) for k in night_keys])
        for j, v in enumerate(values, start=2):
            _put(ws, row, j, _num(v), "mm_area")
    _widths(ws, [_RESULT_ID_WIDTH] + [_RESULT_WIDTH] * (col - 2))
    _print_setup(ws, title_rows=header_rows, freeze=f"B{first}", landscape=True)


def _add_image(ws, png: bytes, anchor: str) -> None:
    from openpyxl.drawing.image import Image

    img = Image(io.BytesIO(png))
    if img.width > 900:  # keep it printable within the fitted page width
        scale = 900 / img.width
        img.width, img.height = int(img.width * scale), int(img.height * scale)
    ws.add_image(img, anchor)


def _write_lights_sheet(wb, plan, *, map_png) -> tuple[str, str, str]:
    """照明配置; returns the (id, model, unit price) column ranges for 事業費's formulas."""
    title = sanitize_sheet_title(SHEETS["lights"])
    ws = wb.create_sheet(title)
    row = _title(ws, "照明配置", "黄色の列は編集でき、取り込みで計画に反映されます。IES配光データは計画側に保持されます。"
                 + EXISTING_NOTE)
    lights = []
    for light in plan.get("lights") or []:
        rec = dict(light)
        if light.get("ies") and not light.get("distribution"):
            rec["distribution"] = "IES"
        rec["existing"] = EXISTING_MARK if _costs.is_existing(light) else ""
        lights.append(rec)
    header_row, last = _table(ws, row, LIGHT_COLUMNS, lights)
    _widths(ws, [c.width for c in LIGHT_COLUMNS])
    _print_setup(ws, title_rows=f"{header_row}:{header_row}", freeze=f"B{header_row + 1}",
                 landscape=True)
    if map_png:
        _add_image(ws, map_png, f"A{last + 3}")
    end = last + _ROOM_ROWS
    col = {c.key: get_column_letter(i) for i, c in enumerate(LIGHT_COLUMNS, start=1)}
    rng = lambda k: f"'{title}'!${col[k]}${header_row + 1}:${col[k]}${end}"  # noqa: E731
    return rng("id"), rng("model"), rng("unit_price_jpy"), rng("existing")


_READINESS_COLUMNS = (
    Column("condition", "条件", "text", 18), Column("question", "設問", "text", 40),
    Column("level", "回答レベル", "int", 10), Column("max_level", "満点", "int", 8),
    Column("gap", "不足", "text", 24), Column("action", "対応策", "text", 36),
    Column("owner", "担当", "text", 12), Column("due", "期限", "text", 12),
    Column("evidence", "根拠・備考", "text", 30), Column("basis", "評価の根拠（出典）", "text", 30),
)
_PRIVACY_COLUMNS = (
    Column("item", "項目", "text", 36), Column("status", "対応状況", "text", 10),
    Column("gap", "不足", "text", 24), Column("action", "対応策", "text", 30),
    Column("owner", "担当", "text", 12), Column("due", "期限", "text", 12),
    Column("evidence", "根拠・備考", "text", 30), Column("basis", "根拠（法令・指針）", "text", 30),
)


#: SES E1901 class (``assessments.engine.lighting.ses_class``) → label on the sheets.
SES_LABELS = {"A": "クラスA", "B": "クラスB", "below_B": "クラスB未満"}


def _write_districts_sheet(wb, results) -> None:
    """地区別集計: coverage and DORI areas per district (小学校区 …), from the simulation."""
    ws = wb.create_sheet(sanitize_sheet_title(SHEETS["districts"]))
    row = _title(ws, "地区別集計",
                 "シミュレーション結果（面積 [m²]）。地区の境界内で建物を除いたセルで集計し、地区が重なる所は"
                 "先に並ぶ地区に数えます。昼・夜の各レベルはそのレベル以上の面積です。")
    rows = results.get("districts") or []
    day_keys, night_keys = _dori_keys({"cameras": [
        {"dori_m2": d.get("dori_m2"), "night_dori_m2": d.get("night_dori_m2")} for d in rows]})
    headers = (["地区", "評価面積 [m²]", "カメラに映る面積 [m²]", "カメラに映る割合"]
               + [f"昼 {_dori_label(k)} [m²]" for k in day_keys]
               + [f"夜 {_dori_label(k)} [m²]" for k in night_keys]
               + ["平均照度 [lx]", "最小照度 [lx]", "防犯照明（SES E1901）",
                  "地区内のカメラ [台]", "カメラ ID"])
    for j, h in enumerate(headers, start=1):
        _put(ws, row, j, h, "mm_header" if j == 1 else "mm_header_result")
    header_row = row
    for d in rows:
        row += 1
        cams = d.get("cameras") or []
        il = d.get("illuminance") or {}
        values = ([(str(d.get("name") or d.get("id") or ""), "mm_text"),
                   (_num(d.get("area_m2")), "mm_area"), (_num(d.get("covered_m2")), "mm_area"),
                   (_num(d.get("coverage_fraction")), "mm_rate")]
                  + [(_num((d.get("dori_m2") or {}).get(k)), "mm_area") for k in day_keys]
                  + [(_num((d.get("night_dori_m2") or {}).get(k)), "mm_area")
                     for k in night_keys]
                  + [(_num(il.get("mean_lx")), "mm_float1"), (_num(il.get("min_lx")), "mm_float2"),
                     (SES_LABELS.get(il.get("ses_class"), "―"), "mm_text")]
                  + [(len(cams), "mm_int"), (", ".join(str(c) for c in cams[:50])
                                             + (" …" if len(cams) > 50 else ""), "mm_text")])
        for j, (v, style) in enumerate(values, start=1):
            _put(ws, row, j, v, style)
    _widths(ws, [22, 13, 15, 13] + [12] * (len(day_keys) + len(night_keys))
            + [11, 11, 16, 12, 40])
    _print_setup(ws, title_rows=f"{header_row}:{header_row}", freeze=f"B{header_row + 1}",
                 landscape=True)


def _write_readiness_sheet(wb, plan, *, rows) -> None:
    ws = wb.create_sheet(sanitize_sheet_title(SHEETS["readiness"]))
    row = _title(ws, "準備度評価（自己評価）", "出力時点の評価結果です（取り込みの対象外）。")
    if rows is None:
        rows = [{"condition": "", "question": qid, "level": _num((a or {}).get("level")),
                 "evidence": (a or {}).get("evidence", "")}
                for qid, a in ((plan.get("readiness") or {}).get("answers") or {}).items()]
    recs = [{**r, **{k: clean_text(r.get(k)) for k in ("condition", "question", "gap",
                                                       "action", "owner", "due",
                                                       "evidence", "basis")}}
            for r in rows]
    header_row, _ = _table(ws, row, _READINESS_COLUMNS, recs, input_cells=False)
    _widths(ws, [c.width for c in _READINESS_COLUMNS])
    _print_setup(ws, title_rows=f"{header_row}:{header_row}", freeze=f"A{header_row + 1}",
                 landscape=True)


def _write_privacy_sheet(wb, plan, *, rows) -> None:
    ws = wb.create_sheet(sanitize_sheet_title(SHEETS["privacy"]))
    row = _title(ws, "プライバシー対応（チェックリスト）", "出力時点の対応状況です（取り込みの対象外）。")
    privacy = plan.get("privacy") or {}
    settings = privacy.get("settings") or {}
    if settings:
        for label, value in (("保存期間 [日]", _num(settings.get("retention_days"))),
                             ("管理責任者", clean_text(settings.get("manager")))):
            _put(ws, row, 1, label, "mm_label")
            _put(ws, row, 2, value, "mm_int" if label.startswith("保存") else "mm_text")
            row += 1
        row += 1
    if rows is None:
        rows = [{"item": iid, "status": (a or {}).get("status", ""),
                 "evidence": (a or {}).get("evidence", ""), "owner": (a or {}).get("owner", ""),
                 "due": (a or {}).get("due", "")}
                for iid, a in (privacy.get("answers") or {}).items()]
    recs = []
    for r in rows:
        rec = {k: clean_text(r.get(k)) for k in ("item", "status", "gap", "action", "owner",
                                                 "due", "evidence", "basis")}
        rec["status"] = PRIVACY_STATUS_LABELS.get(rec["status"], rec["status"])
        recs.append(rec)
    header_row, _ = _table(ws, row, _PRIVACY_COLUMNS, recs, input_cells=False)
    _widths(ws, [c.width for c in _PRIVACY_COLUMNS])
    _print_setup(ws, title_rows=f"{header_row}:{header_row}", freeze=f"A{header_row + 1}",
                 landscape=True)


def _write_sources_sheet(wb, sources) -> None:
    """出典: one row per source the plan relies on, as citations a reader can look up
    (title, publisher, date, URL; :func:`cite`)."""
    ws = wb.create_sheet(sanitize_sheet_title(SHEETS["sources"]))
    row = _title(ws, "出典", "この計画が依拠するデータの出典。未確認の値は公募要領・原典で確認してください。")
    cols = (Column("no", "No.", "int", 5), Column("title", "内容", "text", 30),
            Column("citation", "出典（文献名・発行者・日付）", "text", 52),
            Column("url", "URL", "text", 40), Column("verified", "確認状況", "text", 9))
    recs = []
    for i, src in enumerate(sources, start=1):
        verified = src.get("verified")
        cites = cite(src.get("url") or src.get("source"))
        recs.append({
            "no": i,
            "title": clean_text(src.get("title") or src.get("label") or src.get("key")),
            "citation": clean_text("\n".join(
                citation_text(c) + (f"（{c['url_note']}）" if c.get("url_note") else "")
                for c in cites)),
            "url": clean_text("\n".join(dict.fromkeys(c["url"] for c in cites if c["url"]))),
            "verified": "" if verified is None else (
                "未確認" if str(verified).lower() in ("false", "0", "no") else "確認済"),
        })
    header_row, _ = _table(ws, row, cols, recs, input_cells=False)
    _widths(ws, [c.width for c in cols])
    _print_setup(ws, title_rows=f"{header_row}:{header_row}", freeze=f"A{header_row + 1}",
                 landscape=True)


# --------------------------------------------------------------------------- print layout
#: Printable area of an A4 page inside the margins [pt] (1 inch = 72 pt; A4 = 595 × 842 pt;
#: top and bottom margins are openpyxl's 1 inch, which leave room for header and footer).
_A4_PT = (595.3, 841.9)
_PX_PT = 0.75                      # 96 px per inch on screen
#: Default row height [pt] of 10.5 pt 游ゴシック, and the height of one wrapped line.
_ROW_PT = 18.0
_LINE_PT_PER_FONT_PT = 1.55
#: Share of the estimated page height the breaks fill (column widths in points are an
#: estimate).
_PAGE_SAFETY = 1.0
#: Rows of a sheet's heading (title, note, blank; :func:`_title`), kept with what follows.
_HEADING_ROWS = 3


def _text_units(line: str) -> float:
    """Width of a line in Excel column-width units (the width of "0"): a full-width (CJK)
    character is about two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in line)


def _text_lines(text: str, width_chars: float, font_pt: float = 10.5) -> int:
    """Lines a wrapped text takes in a column ``width_chars`` wide (openpyxl cannot ask
    Excel to autofit rows, so the height is estimated; rounding up leaves room)."""
    usable = max(width_chars - 1.0, 1.0) * 10.5 / font_pt
    return sum(max(1, math.ceil(_text_units(line) / usable)) for line in text.split("\n"))


def _col_width(ws, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return dim.width if dim is not None and dim.width else 8.43


def _col_pt(width_chars: float) -> float:
    """Column width [pt] of a width in characters (7 px per character + 5 px padding)."""
    return (width_chars * 7 + 5) * _PX_PT


def _page_fit(ws, last_col: int) -> tuple[float, float]:
    """(scale of fit-to-width, page height in sheet points) of ``ws``'s print setup."""
    w, h = _A4_PT if ws.page_setup.orientation != "landscape" else _A4_PT[::-1]
    printable_w = w - 72 * (ws.page_margins.left + ws.page_margins.right)
    printable_h = h - 72 * (ws.page_margins.top + ws.page_margins.bottom)
    content_w = sum(_col_pt(_col_width(ws, c)) for c in range(1, last_col + 1))
    scale = min(1.0, math.floor(printable_w / content_w * 100) / 100)  # whole percent
    # the applications measure column widths with the font they find: keep a margin
    return scale, printable_h / scale * _PAGE_SAFETY


def _fit_rows(ws, last_col: int) -> None:
    """Wrap every text cell and give each row the height its longest text needs.

    A text wider than its column that has empty cells to its right up to the last
    column (a note) is merged across them first, so it is neither cut at the print area's
    edge nor squeezed into one narrow column."""
    merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
    covered = {(row, col) for r in ws.merged_cells.ranges for row, col in r.cells
               if (row, col) != (r.min_row, r.min_col)}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=last_col):
        need = 0.0
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value or cell.value.startswith(
                    "=") and cell.data_type == "f" or (cell.row, cell.column) in covered:
                continue
            rng = merged.get((cell.row, cell.column))
            cols = range(cell.column, (rng.max_col if rng else cell.column) + 1)
            width = sum(_col_width(ws, c) for c in cols)
            font_pt = cell.font.sz or 10.5
            if (rng is None and cell.column < last_col
                    and _text_units(cell.value) > width - 1
                    and all(ws.cell(cell.row, c).value in (None, "")
                            for c in range(cell.column + 1, last_col + 1))):
                ws.merge_cells(start_row=cell.row, start_column=cell.column,
                               end_row=cell.row, end_column=last_col)
                width = sum(_col_width(ws, c) for c in range(cell.column, last_col + 1))
            if not cell.alignment.wrap_text:
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal,
                                           vertical=cell.alignment.vertical or "top",
                                           wrap_text=True)
            lines = _text_lines(cell.value, width, font_pt)
            need = max(need, lines * font_pt * _LINE_PT_PER_FONT_PT + 4)
        # every row gets an explicit height, so the page breaks computed below are the
        # ones Excel and LibreOffice make (their default heights depend on the font found)
        dim = ws.row_dimensions[row[0].row]
        dim.height = max(dim.height or 0, _ROW_PT, round(need, 1))


def _row_pt(ws, row: int) -> float:
    return ws.row_dimensions[row].height or _ROW_PT


def _title_rows(ws) -> tuple[int, int] | None:
    if not ws.print_title_rows:
        return None
    a, b = (int(x) for x in re.findall(r"\d+", ws.print_title_rows)[:2])
    return a, b


def _blocks(ws, last_row: int) -> list[tuple[int, int]]:
    """Runs of rows holding something, separated by empty rows: a heading and its table,
    a summary and its note."""
    filled = [any(c.value not in (None, "") for c in r) for r in ws.iter_rows(
        min_row=1, max_row=last_row)]
    out, start = [], None
    for i, f in enumerate(filled + [False], start=1):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def _paginate(ws, last_row: int, page_pt: float, forced=()) -> None:
    """Row breaks that keep each block on one page when it fits on one (else the block
    starts a new page and flows on); ``forced`` rows always start a page (the map)."""
    titles = _title_rows(ws)
    title_pt = sum(_row_pt(ws, r) for r in range(titles[0], titles[1] + 1)) if titles else 0
    starts = {a: b for a, b in _blocks(ws, last_row)}
    y, repeat = 0.0, 0.0
    for r in range(1, last_row + 1):
        h = _row_pt(ws, r)
        if r in forced and y > repeat:
            ws.row_breaks.append(Break(id=r - 1))
            y = repeat
        elif r in starts and y > repeat and r > _HEADING_ROWS + 1:  # the heading stays
            block = sum(_row_pt(ws, k) for k in range(r, starts[r] + 1))
            if y + block > page_pt and block <= page_pt - repeat:
                ws.row_breaks.append(Break(id=r - 1))
                y = repeat
        if y + h > page_pt:  # the application breaks here itself
            y = repeat
        y += h
        if titles and r == titles[1]:
            repeat = title_pt  # from here on every page starts with the title rows


def _fit_images(ws, last_col: int, page_pt: float) -> tuple[int, set]:
    """Scale each image to fit one page (below the repeated title rows) and the printed
    width; returns the last row an image covers and the images' first rows."""
    titles = _title_rows(ws)
    title_pt = sum(_row_pt(ws, r) for r in range(titles[0], titles[1] + 1)) if titles else 0
    width_pt = sum(_col_pt(_col_width(ws, c)) for c in range(1, last_col + 1))
    last, firsts = 0, set()
    for img in ws._images:
        anchor = img.anchor
        first = (coordinate_from_string(anchor)[1] if isinstance(anchor, str)
                 else anchor._from.row + 1)
        scale = min(1.0, width_pt / (img.width * _PX_PT),
                    (page_pt - title_pt - 2 * _ROW_PT) / (img.height * _PX_PT))
        img.width, img.height = int(img.width * scale), int(img.height * scale)
        rows = math.ceil(img.height * _PX_PT / _ROW_PT) + 1
        for r in range(first, first + rows):
            ws.row_dimensions[r].height = _ROW_PT  # the map's rows keep a known height
        last, firsts = max(last, first + rows), firsts | {first}
    return last, firsts


def _page_header_footer(ws, plan: dict) -> None:
    """自治体名 (left) and 事業名 (right) on top of every page, 「- 1 / 3 -」 below."""
    muni = plan.get("municipality") or {}
    project = plan.get("project") or {}
    esc = lambda text: clean_text(text).replace("&", "&&")  # noqa: E731  (& starts a code)
    left = " ".join(x for x in (esc(muni.get("prefecture")), esc(muni.get("name"))) if x)
    right = esc(project.get("title") or plan.get("name"))
    for part, text in ((ws.oddHeader.left, left), (ws.oddHeader.right, right)):
        part.text, part.size = text[:120], 9
    ws.oddFooter.center.text, ws.oddFooter.center.size = "- &P / &N -", 9
    ws.oddFooter.right.text, ws.oddFooter.right.size = "&A", 8


def finish_for_print(wb, plan: dict) -> None:
    """Make every sheet print as a document: row heights that fit their text, print area,
    the header and footer, page breaks that keep blocks together and an image (the map)
    on a page of its own."""
    for ws in wb.worksheets:
        last_col = max(ws.max_column, 1)
        _fit_rows(ws, last_col)
        _, page_pt = _page_fit(ws, last_col)
        img_last, img_rows = _fit_images(ws, last_col, page_pt)
        last_row = max(ws.max_row, img_last)
        ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
        # breaks the sheet's writer set stay; the computed ones are added around them
        forced = img_rows | {b.id + 1 for b in ws.row_breaks.brk}
        ws.row_breaks = RowBreak()
        _paginate(ws, last_row, page_pt, forced=forced)
        _page_header_footer(ws, plan)


# ------------------------------------------------------------------------------- workbook
def sheets_for(plan: dict, *, sources=None, readiness_rows=None, privacy_rows=None) -> list[str]:
    """Keys of :data:`SHEETS` that :func:`build_workbook` writes for ``plan``, in order."""
    project = plan.get("project") or {}
    costs = plan.get("costs") or {}
    keys = ["summary"]
    if any(project.get(k) for k, _ in PROJECT_FIELDS) or plan.get("kpis") or plan.get(
            "schedule") or project.get("start_fy"):
        keys.append("plan")
    if costs.get("items") or costs.get("running") or plan.get("cameras") or plan.get(
            "lights"):
        keys.append("costs")
    if plan.get("cameras"):
        keys.append("cameras")
    if plan.get("cameras") and plan.get("area"):
        keys.append("camera_results")  # written when the simulation gives its figures
    if plan.get("lights"):
        keys.append("lights")
    if plan.get("districts") and plan.get("area"):
        keys.append("districts")     # written when the simulation gives its figures
    if readiness_rows or (plan.get("readiness") or {}).get("answers"):
        keys.append("readiness")
    if privacy_rows or (plan.get("privacy") or {}).get("answers"):
        keys.append("privacy")
    if sources:
        keys.append("sources")
    return keys


def _sources_with_scheme(sources, scheme) -> list[dict]:
    out = [dict(s) for s in sources or ()]
    if scheme and scheme.get("source"):
        known = {str(s.get("url") or s.get("source")) for s in out}
        if str(scheme["source"]) not in known:
            out.append({"title": f"補助制度: {scheme.get('name_ja') or scheme.get('id')}",
                        "source": scheme["source"], "verified": scheme.get("verified")})
    return out


def build_workbook(plan: dict, *, schemes: list[dict] | None = None,
                   sources: list[dict] | None = None, results: dict | None = None,
                   map_png: bytes | None = None, today=None,
                   readiness_rows: list[dict] | None = None,
                   privacy_rows: list[dict] | None = None,
                   shares: list[dict] | None = None,
                   calls: list[dict] | None = None,
                   font_name: str = FONT_NAME) -> bytes:
    """The plan as an .xlsx workbook for the grant application.

    Parameters
    ----------
    plan : dict
        The plan (docs/architecture.md); not modified.
    schemes : list of dict, optional
        Rows of the ``grant_schemes`` table; the one whose ``id`` is
        ``plan["grant"]["scheme_id"]`` sets the rate and caps of the 事業費 sheet.
    sources : list of dict, optional
        Data sources the plan relies on: ``{"title" | "key", "url" | "source",
        "verified"}``. The chosen scheme's ``source`` is added when missing.
    results : dict, optional
        RESULT.json of ``python -m assessments simulate``: per camera ``covered_m2``,
        ``dori_m2`` and ``night_dori_m2`` [m²], on the カメラ別の結果 sheet (when the plan
        has an area and cameras).
    map_png : bytes, optional
        Map image (PNG) placed below the camera and light tables.
    today : datetime.date, optional
        Date printed on the 概要 sheet; today by default.
    readiness_rows, privacy_rows : list of dict, optional
        Evaluated rows (``condition``/``item``, ``question``, ``level``, ``max_level``,
        ``status``, ``gap``, ``action``, ``owner``, ``due``, ``evidence``, ``basis``); by
        default the plan's raw answers are listed.
    shares : list of dict, optional
        Rows of the ``grant_shares`` table (``datasets.queries.list_grant_shares``). When
        the chosen scheme has rows there (variant ``renewal`` when
        ``plan["grant"]["renewal"]`` is true, else ``standard``), 事業費 shows one row per
        payer instead of national / local.
    calls : list of dict, optional
        Rows of the ``grant_calls`` table: the 概要 sheet states the chosen scheme's
        application window for the plan's start year and the next, or that it is not yet
        announced (:func:`assessments.programme.grants.scheme_calendar`), and names the
        scheme that replaced it (``successor_id``).
    font_name : str, optional
        Font of every cell (``"游ゴシック"``; ``"MS Pゴシック"`` for older PCs).

    Returns
    -------
    bytes
        The .xlsx file, ready for ``st.download_button``.
    """
    today = today or _dt.date.today()
    if isinstance(today, _dt.datetime):
        today = today.date()
    scheme = _scheme_for(plan, schemes)
    sources = _sources_with_scheme(sources, scheme)
    keys = sheets_for(plan, sources=sources, readiness_rows=readiness_rows,
                      privacy_rows=privacy_rows)
    for key, part in (("districts", "districts"), ("camera_results", "cameras")):
        if key in keys and not (results or {}).get(part):
            keys.remove(key)
    wb = Workbook()
    wb.remove(wb.active)
    register_styles(wb, font_name=font_name)
    titles = [SHEETS[k] for k in keys]
    # the summary links to the cost totals, so costs are laid out first, then reordered
    camera_ranges = light_ranges = None
    if "cameras" in keys:
        camera_ranges = _write_cameras_sheet(wb, plan, results=results, map_png=map_png)
        if "camera_results" in keys:
            _write_camera_results_sheet(wb, plan, results=results)
    if "lights" in keys:
        light_ranges = _write_lights_sheet(wb, plan, map_png=map_png)
    cost_refs = []
    if "costs" in keys:
        share_rows = shares_for(shares, scheme.get("id"), renewal=bool(
            (plan.get("grant") or {}).get("renewal"))) if scheme else []
        cost_refs = _write_costs_sheet(wb, plan, scheme=scheme, share_rows=share_rows,
                                       camera_sheet=camera_ranges, light_sheet=light_ranges)
    _write_summary_sheet(wb, plan, scheme=scheme, schemes=schemes or (), calls=calls or (),
                         today=today, sheets_written=titles,
                         cost_refs=cost_refs, source_count=len(sources))
    if "plan" in keys:
        _write_plan_sheet(wb, plan)
    if "districts" in keys:
        _write_districts_sheet(wb, results)
    if "readiness" in keys:
        _write_readiness_sheet(wb, plan, rows=readiness_rows)
    if "privacy" in keys:
        _write_privacy_sheet(wb, plan, rows=privacy_rows)
    if "sources" in keys:
        _write_sources_sheet(wb, sources)
    finish_for_print(wb, plan)  # after every sheet is written
    wb._sheets.sort(key=lambda ws: titles.index(ws.title))
    from reports.forms import write_form_sheets  # reports.forms builds on this module
    write_form_sheets(wb, plan, scheme=scheme, shares=shares, cost_refs=cost_refs,
                      map_png=map_png)
    wb.active = 0
    _set_properties(wb, plan, keys, today)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _set_properties(wb, plan, keys, today) -> None:
    from openpyxl.packaging.custom import StringProperty

    wb.properties.title = clean_text(plan.get("name"))[:200]
    wb.properties.creator = "見守りプランナー (Mimamori Planner)"
    wb.properties.subject = "見守り・スマートシティ事業 計画書"
    for name, value in (("mimamori_format", FORMAT_NAME),
                        ("mimamori_format_version", str(FORMAT_VERSION)),
                        ("mimamori_plan_id", clean_text(plan.get("id"))),
                        ("mimamori_sheets", ";".join(keys)),
                        ("mimamori_exported", today.isoformat())):
        wb.custom_doc_props.append(StringProperty(name=name, value=value or "-"))


# ------------------------------------------------------- tables of the 事業計画・事業費 page
def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip())


def kpi_rows(kpis) -> tuple[list[dict], int]:
    """KPIs as flat rows ``{"name", "unit", "baseline", "t1" … "tN"}`` and N (≥ 3)."""
    n = max([MIN_KPI_YEARS] + [len(k.get("targets") or ()) for k in kpis or ()])
    rows = []
    for k in kpis or ():
        targets = list(k.get("targets") or ())
        row = {"name": k.get("name") or "", "unit": k.get("unit") or "",
               "baseline": _num(k.get("baseline"))}
        row.update({f"t{i + 1}": _num(targets[i]) if i < len(targets) else None
                    for i in range(n)})
        rows.append(row)
    return rows, n


def kpis_from_rows(rows, old=None) -> list[dict]:
    """Inverse of :func:`kpi_rows`: empty rows dropped, trailing empty targets trimmed,
    other fields of ``old`` KPIs at the same position kept."""
    out = []
    old = list(old or ())
    for row in rows:
        targets = []
        i = 1
        while f"t{i}" in row:
            targets.append(None if _blank(row[f"t{i}"]) else _num(row[f"t{i}"]))
            i += 1
        while targets and targets[-1] is None:
            targets.pop()
        name = "" if _blank(row.get("name")) else str(row["name"])
        if not name and _blank(row.get("baseline")) and not targets:
            continue
        kpi = dict(old[len(out)]) if len(out) < len(old) else {}
        kpi.update(name=name, unit="" if _blank(row.get("unit")) else str(row["unit"]),
                   baseline=None if _blank(row.get("baseline")) else _num(row["baseline"]),
                   targets=targets)
        out.append(kpi)
    return out


def schedule_from_rows(rows) -> tuple[list[dict], list[tuple[int, str]]]:
    """Schedule rows ``{"task", "start", "end"}`` normalised to ``YYYY-MM``.

    Returns the schedule and the (1-based row, text) of every month that could not be read.
    """
    out, bad = [], []
    for i, row in enumerate(rows, start=1):
        if all(_blank(row.get(k)) for k in ("task", "start", "end")):
            continue
        rec = {"task": "" if _blank(row.get("task")) else str(row["task"])}
        for key in ("start", "end"):
            value = row.get(key)
            try:
                ym = None if _blank(value) else parse_month(value)
            except ValueError:
                bad.append((i, str(value)))
                ym = None
            rec[key] = f"{ym[0]:04d}-{ym[1]:02d}" if ym else ""
        out.append(rec)
    return out, bad

