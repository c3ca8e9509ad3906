"""Form-shaped sheets of the Excel plan: the plan's figures laid out like the forms a city
or a 町会 hands in, beside the working sheets (事業費, カメラ配置) they are filled from.

Which forms a plan gets follows its grant scheme (:func:`forms_for`):

national 交付金 (デジタル田園都市国家構想交付金 デジタル実装タイプ and its successor, 新しい地方経済・生活環境創生交付金)
    ``様式_実施計画``: the items of a 地域再生計画 / 実施計画 in the order of the published plans
    (事業名, 作成主体, 区域, 事業概要, KPI as 年度ごとの増加分 and their 累計, 年度別事業費, 実施期間,
    総事業費 / 交付対象事業費 / 交付金額).
prefectural and municipal camera subsidies (東京都 地域における見守り活動支援事業 and the city runs, 兵庫県, 加古川市 …)
    ``様式_収支予算書`` (income per payer: 都 / 市 / 団体, expense lines, か所数) and
    ``様式_設置場所一覧`` (one line per 設置場所 with its cameras, and the 位置図 when a map is given).

Sources (read 2026-12-07, stored copies of public pages; :data:`FORM_SOURCES`)
------------------------------------------------------------------------------
The original デジタル実装型 実施計画 form and the 収支予算書 / 設置場所一覧 forms of the camera
subsidies were not found, so every sheet says 「様式の原本で確認してください（未確認）」 and each
item names the source it follows (or 未確認) in its 根拠 column:

- 内閣府 地方創生推進事務局「地域再生計画認定申請マニュアル（総論）」平成28年12月22日時点・抜粋版
  (copy: https://expydoc.com/doc/11697708/): items 1 名称, 2 作成主体の名称, 3 区域, 4 目標.
- Published 地域再生計画 (copies: https://docsplayer.net/amp/106490818-… and
  https://docsplayer.net/amp/107538342-…): 5-1 全体の概要; the KPI table 事業開始前（現時点） /
  年度（n年目） / KPI増加分の累計.
- 村井宗明「新しい地方経済・生活環境創生交付金 デジタル実装型 制度概要」
  (https://muraimuneaki.net/koufukin2026/gaiyou.html): TYPE A 補助率 1/2, 3年間の KPI.
- 中央区「防犯設備整備費助成（都との連携事業）」
  (https://www.city.chuo.lg.jp/bosai/bohan/enjo/bouhansetsubitorenkei.html): 負担割合 都・区・団体,
  対象経費 (防犯カメラ等の購入・取付), 申請書類 (活動計画書, 補助金申請書).
- 上市町「防犯カメラ設置にかかる補助金の交付について」(https://www.town.kamiichi.toyama.jp/page/5742.html)
  and 中津川市「防犯カメラ設置補助金」
  (https://www.city.nakatsugawa.lg.jp/soshikikarasagasu/bosaianzenka/3/4/23421.html): 位置図 and
  見積書 are attached to a camera-subsidy application.
- 尼崎市「地域で防犯カメラを設置する場合の補助について（令和6年度）」
  (https://www.city.amagasaki.hyogo.jp/kurashi/ansin/bouhan/1004345.html): one か所 = one
  independent camera system (2 cameras on one recorder = 1 か所).
- 加古川市「令和7年度加古川市地域見守り防犯カメラ設置補助事業について」
  (https://www.city.kakogawa.lg.jp/soshikikarasagasu/bousai/shiminseikatsuanshinka/bouhann/47622.html):
  1か所目 (優先順位1位) / 2か所目以降, 既存の建物等 / 自立柱（ポール）新設.
- 弥生「防犯カメラ設置補助事業（兵庫県）」(https://shikin.yayoi-kk.co.jp/search/y5536): 所定の応募書,
  原則1団体1カ所.

Money comes only from :func:`assessments.programme.grants.plan_grant` (the one cost and grant
arithmetic); amounts are 税込 (:data:`assessments.programme.costs.TAX_BASIS`). Where the
事業費 sheet exposes the cell of a figure (``cost_refs`` of :func:`reports.excel.build_workbook`),
the form cell is a formula referring to it, so an edit in 事業費 reaches the form.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from assessments.programme import costs as _costs
from assessments.programme.grants import is_public, plan_grant, rate_fraction
from reports.excel import (_add_image, _formula, _fy_label, _print_setup, _put, _start_fy,
                           _widths, clean_text, sanitize_sheet_title, wareki_fy)

__all__ = ["FormSource", "FORM_SOURCES", "FORM_SHEETS", "UNVERIFIED_NOTE", "NATIONAL_PREFIXES",
           "forms_for", "site_rows", "kpi_increments", "write_form_sheets"]

#: The note every form sheet carries: its layout is not the original form's.
UNVERIFIED_NOTE = "様式の原本で確認してください（未確認）"
#: Date the sources below were read.
READ_ON = "2026-12-07"
#: Scheme ids of the national 交付金 that use a 地域再生計画 / 実施計画.
NATIONAL_PREFIXES = ("dtd_", "shinchiho_")

#: Form key -> sheet title.
FORM_SHEETS = {
    "jisshi": "様式_実施計画",
    "shushi": "様式_収支予算書",
    "basho": "様式_設置場所一覧",
}


@dataclass(frozen=True)
class FormSource:
    """One source a form item follows: title, publisher, URL, date read, what it backs."""

    key: str
    title: str
    publisher: str
    url: str
    backs: str
    read: str = READ_ON


FORM_SOURCES = {s.key: s for s in (
    FormSource("N1", "地域再生計画認定申請マニュアル（総論）平成28年12月22日時点・抜粋版（写し）",
               "内閣府 地方創生推進事務局",
               "https://expydoc.com/doc/11697708/",
               "項目 1 地域再生計画の名称、2 作成主体の名称、3 区域、4 目標"),
    FormSource("N2", "地域再生計画（公表された計画の写し）", "各地方公共団体（docsplayer 掲載）",
               "https://docsplayer.net/amp/107538342-地域交流センター利用者数-57-000-人-4-000-人-4-000-人-4-000-人-休日滞在人口率地域交流センター利用者数-平成-32-年度-4-年目-平成-33-年度-5-年目-kpi-増加分の累計-10-10-80-0-11-倍-0-11-倍-0-54-倍-4-000.html",
               "5-1 全体の概要、KPI表（年度（n年目）ごとの増加分と KPI増加分の累計）"),
    FormSource("N3", "地域再生計画（公表された計画の写し、数値目標表）", "各地方公共団体（docsplayer 掲載）",
               "https://docsplayer.net/amp/106490818-数値目標-事業開始前-平成-28-年度-平成-29-年度-平成-30-年度-現時点-1-年目-2-年目-3-年目-0-千円-0-千円-0-千円-1-000-千円-0-人-0-人-0-人-600-人-0-件-0-件-0-件-5-件-平成-31-年度-4-年目-平成-32.html",
               "KPI表の列: 事業開始前（現時点）、年度（1年目）〜"),
    FormSource("N4", "新しい地方経済・生活環境創生交付金 デジタル実装型 制度概要の詳細解説",
               "村井宗明（コンサルタントのサイト。内閣府の要綱ではない）",
               "https://muraimuneaki.net/koufukin2026/gaiyou.html",
               "TYPE A 補助率 1/2、3年間の KPI 計画、単年度の交付"),
    FormSource("T1", "防犯設備整備費助成（都との連携事業）", "中央区",
               "https://www.city.chuo.lg.jp/bosai/bohan/enjo/bouhansetsubitorenkei.html",
               "負担割合（都・区・団体）、対象経費（防犯カメラ等の購入・取付）、申請書類"),
    FormSource("T2", "地域における見守り活動支援事業（防犯カメラ）", "東京都",
               "https://bouhan.metro.tokyo.jp/03_examine/02_equipment/t06_01.html",
               "都 7/12・区市町村 1/3・団体 1/12、1台60万円"),
    FormSource("C1", "防犯カメラ設置にかかる補助金の交付について", "上市町",
               "https://www.town.kamiichi.toyama.jp/page/5742.html",
               "申請書類: 位置図、見積書の写し、仕様が分かる書類"),
    FormSource("C2", "防犯カメラ設置補助金", "中津川市",
               "https://www.city.nakatsugawa.lg.jp/soshikikarasagasu/bosaianzenka/3/4/23421.html",
               "申請書類: 設置場所の位置図（住宅地図等）、見積書の写し（明細）"),
    FormSource("H1", "防犯カメラ設置補助事業（兵庫県）", "弥生株式会社（補助金検索）",
               "https://shikin.yayoi-kk.co.jp/search/y5536",
               "所定の応募書、原則1団体に1カ所"),
    FormSource("H2", "地域で防犯カメラを設置する場合の補助について（令和6年度）", "尼崎市",
               "https://www.city.amagasaki.hyogo.jp/kurashi/ansin/bouhan/1004345.html",
               "1カ所 = 独立した防犯カメラシステム一式"),
    FormSource("K1", "令和7年度加古川市地域見守り防犯カメラ設置補助事業について", "加古川市",
               "https://www.city.kakogawa.lg.jp/soshikikarasagasu/bousai/shiminseikatsuanshinka/"
               "bouhann/47622.html",
               "1か所目（優先順位1位）・2か所目以降、既存の建物等／自立柱（ポール）新設"),
)}

#: Sources listed on each form (in this order).
_FORM_SOURCE_KEYS = {
    "jisshi": ("N1", "N2", "N3", "N4"),
    "shushi": ("T1", "T2", "C1", "C2", "H1", "K1"),
    "basho": ("C1", "C2", "H2", "K1"),
}
_TAX_NOTE = {"tax_included": "金額は税込（消費税を含む）。税抜の金額は算出していません。"}
_LINKED_NOTE = "（事業費シートと連動）"
_VALUE_NOTE = "（書き出し時の値。事業費シートを変えたら再度書き出してください）"
_SHARE_LABEL = {"national": "国 交付金", "prefecture": "{payer}補助金",
                "municipality": "{payer}補助金", "applicant": "{payer}負担金（自己負担）"}




def _rate_label(scheme: dict) -> str:
    """The rate as the form's label states it: the fraction (「1/2」), or 補助率未確認 (the
    rate text's notes on caps and sources stay on the 事業費 sheet)."""
    f = rate_fraction(scheme.get("rate"))
    if f is None:
        return "補助率未確認"
    return "10/10" if f == 1 else f"{f.numerator}/{f.denominator}"
def _bool(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def forms_for(scheme: dict | None) -> list[str]:
    """Form keys (:data:`FORM_SHEETS`) for a ``grant_schemes`` row: the 実施計画 for the national
    交付金 (:data:`NATIONAL_PREFIXES`), 収支予算書 and 設置場所一覧 for prefectural and municipal
    subsidies, none otherwise (no scheme, other national schemes)."""
    if not scheme:
        return []
    sid = str(scheme.get("id") or "")
    level = str(scheme.get("level") or "")
    if level == "national":
        return ["jisshi"] if sid.startswith(NATIONAL_PREFIXES) else []
    if level in ("prefecture", "municipality"):
        return ["shushi", "basho"]
    return []


def kpi_increments(kpi: dict, years: int) -> tuple[float | None, list[float | None]]:
    """A KPI's baseline and its 年度ごとの増加分 for ``years`` years.

    ``targets`` are the values to reach at the end of each year; the form asks for each
    year's increase over the year before (the first year over the baseline), and their
    累計 equals the last target − baseline. A missing baseline counts as 0; a missing
    target gives None (and the next year's increase counts from the last known value).

    Examples
    --------
    baseline 120, targets [110, 100, 90] → increments [-10, -10, -10], 累計 -30.
    """
    baseline = _costs.number(kpi.get("baseline"))
    last = baseline if baseline is not None else 0.0
    out: list[float | None] = []
    targets = list(kpi.get("targets") or ())
    for i in range(years):
        value = _costs.number(targets[i]) if i < len(targets) else None
        if value is None:
            out.append(None)
            continue
        out.append(value - last)
        last = value
    return baseline, out


def site_rows(cameras) -> list[dict]:
    """The placed cameras grouped by 設置場所 (the site rule of :mod:`assessments.programme.costs`:
    cameras with the same ``site`` share one; a camera without one is its own site).

    Returns
    -------
    list of dict
        In order of first appearance: ``site`` (its ID, or the camera ID), ``address``
        (the first camera's non-empty address), ``lat`` / ``lon`` [°] (the first camera's),
        ``camera_ids``, ``models`` (distinct, in order), ``count`` [台], ``amount_jpy`` (Σ
        ``unit_price_jpy`` [円 税込]), ``signage`` (distinct 設置の表示 texts).
    """
    groups: dict[str, dict] = {}
    for cam in cameras or ():
        site = clean_text(cam.get("site"))
        key = ("s", site) if site else ("c", clean_text(cam.get("id")), id(cam))
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"site": site or clean_text(cam.get("id")), "address": "",
                               "lat": _costs.number(cam.get("lat")),
                               "lon": _costs.number(cam.get("lon")),
                               "camera_ids": [], "models": [], "count": 0,
                               "amount_jpy": 0.0, "signage": []}
        g["camera_ids"].append(clean_text(cam.get("id")))
        g["count"] += 1
        price = _costs.number(cam.get("unit_price_jpy"))
        g["amount_jpy"] += price if price is not None and price > 0 else 0.0
        if not g["address"]:
            g["address"] = clean_text(cam.get("address"))
        for field, text in (("models", cam.get("model")), ("signage", cam.get("signage"))):
            text = clean_text(text)
            if text and text not in g[field]:
                g[field].append(text)
    return list(groups.values())


# ------------------------------------------------------------------------------ layout
_COLS = 8  # A–H: label in A, value in B–G, 根拠 in H


def _header_text(text: str) -> str:
    """Text for a page header (``&`` starts a header code in Excel)."""
    return clean_text(text).replace("&", "&&")


def _setup(ws, plan, *, form_label: str, widths, landscape: bool = False) -> None:
    """A4 print layout with a header naming the 自治体 and 事業名 and page numbers."""
    _widths(ws, widths)
    _fit_rows(ws)
    _print_setup(ws, title_rows=None, freeze=None, landscape=landscape)
    muni = plan.get("municipality") or {}
    ws.oddHeader.left.text = _header_text(" ".join(
        x for x in (clean_text(muni.get("prefecture")), clean_text(muni.get("name"))) if x))
    ws.oddHeader.center.text = _header_text(_title_of(plan))
    ws.oddHeader.right.text = _header_text(form_label)
    ws.oddFooter.center.text = "&P / &N"
    ws.print_area = f"A1:{chr(ord('A') + len(widths) - 1)}{ws.max_row}"


def _title_of(plan: dict) -> str:
    return clean_text((plan.get("project") or {}).get("title")) or clean_text(plan.get("name"))


def _heading(ws, title: str, scheme: dict) -> int:
    _put(ws, 1, 1, title, "mm_title")
    _put(ws, 2, 1, f"補助制度: {clean_text(scheme.get('name_ja') or scheme.get('id'))}", "mm_note")
    _put(ws, 3, 1, UNVERIFIED_NOTE + "。項目の順と名称は右端の「根拠」の資料に拠ります。"
         + _TAX_NOTE[_costs.TAX_BASIS], "mm_note")
    return 5


def _merge(ws, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _field(ws, row: int, label: str, value, basis: str, *, style: str = "mm_text") -> int:
    """One bordered form item: label (A), value (B–G merged), 根拠 (H)."""
    _put(ws, row, 1, label, "mm_label")
    if isinstance(value, str) and value.startswith("=") and style != "mm_text":
        _formula(ws, row, 2, value, style)
    else:
        _put(ws, row, 2, value, style)
    for c in range(3, _COLS):
        ws.cell(row, c).style = style
    _merge(ws, row, 2, _COLS - 1)
    _put(ws, row, _COLS, basis, "mm_text")
    return row + 1


def _ref(cost_refs, test) -> str | None:
    """The 事業費 cell (``'事業費'!$C$n``) whose label passes ``test``, or None."""
    return next((ref for label, ref in cost_refs or () if test(label)), None)


def _money(ref: str | None, value) -> tuple:
    """A linked formula when the 事業費 cell is known, else the value."""
    return (f"={ref}", _LINKED_NOTE) if ref else (value, _VALUE_NOTE)


def _sources(ws, row: int, key: str, scheme: dict) -> int:
    """The sources the form's items follow: per source its 記号 and title / publisher, its
    URL, and the date read with what it backs (three rows, so long URLs stay readable)."""
    row += 1
    _put(ws, row, 1, "根拠とした資料（様式・項目の出典）", "mm_subtitle")
    entries = [FORM_SOURCES[k] for k in _FORM_SOURCE_KEYS[key]]
    if scheme.get("source"):
        entries.append(FormSource("S", f"補助制度: {clean_text(scheme.get('name_ja'))}",
                                  clean_text(scheme.get("body_ja")),
                                  clean_text(scheme.get("source")),
                                  "補助率・負担割合・上限（grant_schemes の出典）"))
    for src in entries:
        for text, style in ((f"{src.title}（{src.publisher}）", "mm_label"),
                            (src.url, "mm_text"),
                            (f"参照日 {src.read}。拠った項目: {src.backs}", "mm_text")):
            row += 1
            _put(ws, row, 1, src.key if style == "mm_label" else None, style)
            _put(ws, row, 2, text, style)
            for c in range(3, _COLS + 1):
                ws.cell(row, c).style = style
            _merge(ws, row, 2, _COLS)
    return row + 1


def _units(text: str) -> int:
    """Width of a text line in column-width units (a full-width character counts 2)."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _fit_rows(ws) -> None:
    """Row heights that show all of each wrapped cell (LibreOffice and Excel keep the
    stored height of a row, and never grow merged cells by themselves)."""
    widths = {}
    for rng in ws.merged_cells.ranges:
        widths[(rng.min_row, rng.min_col)] = sum(
            ws.column_dimensions[get_column_letter(c)].width or 8.43
            for c in range(rng.min_col, rng.max_col + 1))
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or cell.value.startswith("=") \
                    or not cell.alignment.wrap_text:
                continue
            width = widths.get((cell.row, cell.column)) or (
                ws.column_dimensions[get_column_letter(cell.column)].width or 8.43)
            per_line = max(width - 1.5, 1.0)
            lines = max(lines, sum(max(1, math.ceil(_units(part) / per_line))
                                   for part in cell.value.split("\n")))
        if lines > 1:
            height = 14.5 * lines + 2
            old = ws.row_dimensions[row[0].row].height
            ws.row_dimensions[row[0].row].height = max(height, old or 0)


# ---------------------------------------------------------------------- 実施計画 (national)
def _write_jisshi(wb, plan, *, scheme, grant, cost_refs) -> str:
    title = sanitize_sheet_title(FORM_SHEETS["jisshi"])
    ws = wb.create_sheet(title)
    pc, amounts = grant.costs, grant.amounts
    project = plan.get("project") or {}
    muni = plan.get("municipality") or {}
    start_fy = _start_fy(plan)
    row = _heading(ws, "実施計画（地域再生計画の項目に沿った記載案）", scheme)
    _put(ws, row, 1, "項目", "mm_header")
    _put(ws, row, 2, "記載内容", "mm_header")
    _merge(ws, row, 2, _COLS - 1)
    _put(ws, row, _COLS, "根拠", "mm_header")
    row += 1
    body = " ".join(x for x in (clean_text(muni.get("prefecture")), clean_text(muni.get("name")))
                    if x)
    row = _field(ws, row, "1 事業名（計画の名称）", _title_of(plan), "N1")
    row = _field(ws, row, "2 作成主体の名称", body, "N1")
    row = _field(ws, row, "3 区域", f"{clean_text(muni.get('name'))}の区域の一部（配置図の対象区域）"
                 if muni.get("name") else "", "N1")
    parts = [(label, clean_text(project.get(k))) for k, label in
             (("purpose", "目的"), ("issues", "課題"), ("target_state", "目指す姿"))]
    outline = "\n".join(f"{label}: {text}" for label, text in parts if text)
    outline += ("\n" if outline else "") + (
        f"整備内容: 見守りカメラ {len(plan.get('cameras') or ())}台（{pc.sites}か所）、"
        f"防犯灯 {len(plan.get('lights') or ())}灯")
    row = _field(ws, row, "4 事業概要", outline, "N2")

    # KPI: 年度ごとの増加分 and 累計 (N2, N3)
    kpis = [k for k in plan.get("kpis") or () if clean_text(k.get("name"))]
    need = _costs.number(scheme.get("kpi_years"))
    years = max([int(need) if need else 0, 1] + [len(k.get("targets") or ()) for k in kpis])
    years = min(years, 5)  # five year columns fit the A4 width
    row += 1
    _put(ws, row, 1, "5 重要業績評価指標（KPI）", "mm_subtitle")
    _put(ws, row, _COLS, "N2, N3", "mm_text")
    row += 1
    heads = ["KPI", "単位", "事業開始前（現時点）"] + [
        _fy_label(start_fy, i) + " 増加分" for i in range(years)] + ["KPI増加分の累計"]
    # KPI name spans A; unit B; baseline C; years D…; 累計 after the years
    for c, head in enumerate(heads, start=1):
        _put(ws, row, c, head, "mm_header")
    ws.row_dimensions[row].height = 45
    for k in kpis:
        row += 1
        baseline, inc = kpi_increments(k, years)
        _put(ws, row, 1, clean_text(k.get("name")), "mm_text")
        _put(ws, row, 2, clean_text(k.get("unit")), "mm_text")
        _put(ws, row, 3, baseline, "mm_num")
        for i, value in enumerate(inc):
            _put(ws, row, 4 + i, value, "mm_num")
        a, b = ws.cell(row, 4).coordinate, ws.cell(row, 3 + years).coordinate
        _formula(ws, row, 4 + years, f"=SUM({a}:{b})", "mm_total_num")
    if not kpis:
        row += 1
        _put(ws, row, 1, "KPI が未入力です（事業計画シートで入力してください）", "mm_text")
        _merge(ws, row, 1, 4 + years)
    row += 1
    _put(ws, row, 1, "増加分 = 各年度の目標値 − 前年度の目標値（1年目は事業開始前の値から）。"
         "累計 = 増加分の合計 = 最終年度の目標値 − 事業開始前の値。", "mm_note")
    row += 2

    # 年度別事業費: initial in the first year, running every year (from plan_costs)
    _put(ws, row, 1, "6 年度別事業費 [円]（税込）", "mm_subtitle")
    _put(ws, row, _COLS, "未確認", "mm_text")
    row += 1
    for c, head in enumerate(("年度", "初期費用（交付対象）", "運用費", "計"), start=1):
        _put(ws, row, c, head, "mm_header")
    initial_ref = _ref(cost_refs, lambda s: s.startswith("初期費用"))
    running_ref = _ref(cost_refs, lambda s: s.startswith("運用費（"))
    first = row + 1
    for i in range(pc.years):
        row += 1
        _put(ws, row, 1, _fy_label(start_fy, i), "mm_text")
        if i == 0:
            _money_cell(ws, row, 2, initial_ref, pc.initial_jpy)
        else:
            _put(ws, row, 2, 0, "mm_yen")
        if running_ref:
            _formula(ws, row, 3, f"={running_ref}/{pc.years}", "mm_yen")
        else:
            _put(ws, row, 3, pc.running_annual_jpy, "mm_yen")
        _formula(ws, row, 4, f"=B{row}+C{row}", "mm_yen")
    row += 1
    _put(ws, row, 1, "計", "mm_total_label")
    for c in (2, 3, 4):
        L = chr(ord("A") + c - 1)
        _formula(ws, row, c, f"=SUM({L}{first}:{L}{row - 1})", "mm_total_yen")
    row += 2

    # 実施期間 (the scheme's duration from the start year)
    duration = _costs.number(scheme.get("duration_years"))
    if start_fy is None:
        period = "開始年度が未設定です（事業計画シートで入力してください）"
    else:
        span = int(duration) if duration and duration >= 1 else 1
        period = wareki_fy(start_fy) + (
            "（単年度）" if span == 1 else f"〜{wareki_fy(start_fy + span - 1)}（{span}年度）")
        if need:
            period += (f"。KPI の計画期間 {wareki_fy(start_fy)}〜"
                       f"{wareki_fy(start_fy + int(need) - 1)}（{int(need)}年間）")
    row = _field(ws, row, "7 実施期間（交付対象期間）", period, "N4")
    row += 1

    # 総事業費 / 交付対象事業費 / 交付金額 (initial cost only)
    _put(ws, row, 1, "8 事業費と交付金（初期費用のみ。運用費は含めない）", "mm_subtitle")
    _put(ws, row, _COLS, "N4, S", "mm_text")
    row += 1
    eligible_ref = _ref(cost_refs, lambda s: s == "補助対象経費")
    grant_ref = _ref(cost_refs, lambda s: s.startswith("補助金"))
    local_ref = _ref(cost_refs, lambda s: s.startswith("地方負担（"))
    lines = [("総事業費（初期費用）", initial_ref, pc.initial_jpy),
             ("交付対象事業費", eligible_ref, amounts.eligible_jpy),
             (f"交付金額（{_rate_label(scheme)}）", grant_ref, amounts.grant_jpy),
             ("地方負担", local_ref, amounts.applicant_jpy)]
    for label, ref, value in lines:
        _put(ws, row, 1, label, "mm_total_label")
        _merge(ws, row, 1, 2)
        note = _money_cell(ws, row, 3, ref, value, style="mm_total_yen")
        _put(ws, row, 4, "円（税込）" + note, "mm_note")
        row += 1
    row = _sources(ws, row, "jisshi", scheme)
    _setup(ws, plan, form_label=FORM_SHEETS["jisshi"],
           widths=(26, 14, 13, 13, 13, 13, 13, 13, 13))
    ws.page_setup.fitToHeight = 0
    return title


def _money_cell(ws, row: int, col: int, ref: str | None, value, *, style: str = "mm_yen") -> str:
    """Write a money cell (linked formula or value) and return its note."""
    content, note = _money(ref, value)
    if isinstance(content, str):
        _formula(ws, row, col, content, style)
    else:
        _put(ws, row, col, content, style)
    return note


# ---------------------------------------------------------------- 収支予算書 (camera subsidy)
def _write_shushi(wb, plan, *, scheme, grant, cost_refs) -> str:
    title = sanitize_sheet_title(FORM_SHEETS["shushi"])
    ws = wb.create_sheet(title)
    pc, amounts = grant.costs, grant.amounts
    project = plan.get("project") or {}
    row = _heading(ws, "収支予算書", scheme)
    row = _field(ws, row, "事業名", _title_of(plan), "T1")
    row = _field(ws, row, "申請団体", clean_text(project.get("applicant")), "T1")
    row = _field(ws, row, "設置か所数 [か所]", pc.sites, "H2", style="mm_int")
    row = _field(ws, row, "防犯カメラ台数 [台]", pc.cameras, "T2", style="mm_int")
    row += 1

    # 収入の部: one line per payer of plan_grant (都 / 市 / 団体, or the fixed-amount body)
    _put(ws, row, 1, "1 収入の部 [円]", "mm_subtitle")
    _put(ws, row, _COLS, "T1, T2, S", "mm_text")
    row += 1
    for c, head in enumerate(("区分", "", "予算額 [円]", "負担割合・備考"), start=1):
        _put(ws, row, c, head, "mm_header")
    _merge(ws, row, 1, 2)
    _merge(ws, row, 4, _COLS)
    income_first = row + 1
    for share in amounts.shares:
        row += 1
        payer = clean_text(share.get("payer_ja"))
        label = _SHARE_LABEL.get(share.get("payer"), "{payer}").format(payer=payer)
        if share.get("payer") == "applicant":
            ref = _ref(cost_refs, lambda s: s.endswith("負担（補助の対象とする費用のうち）"))
        elif share.get("payer") in ("national", "prefecture", "municipality") and is_public(share):
            ref = _ref(cost_refs, lambda s, p=payer: s.startswith(f"{p} 負担（"))
            if ref is None and len(amounts.shares) == 2:  # one public payer: the grant line
                ref = _ref(cost_refs, lambda s: s.startswith("補助金"))
        else:
            ref = None
        _put(ws, row, 1, label, "mm_label")
        _merge(ws, row, 1, 2)
        note = _money_cell(ws, row, 3, ref, share.get("amount_jpy"))
        _put(ws, row, 4, " ".join(x for x in (clean_text(share.get("share_text")), note) if x),
             "mm_text")
        _merge(ws, row, 4, _COLS)
    income_last = row
    row += 1
    _put(ws, row, 1, "収入 計", "mm_total_label")
    _merge(ws, row, 1, 2)
    _formula(ws, row, 3, f"=SUM(C{income_first}:C{income_last})", "mm_total_yen")
    income_total = f"C{row}"
    row += 2

    # 支出の部: the cost lines the grant is computed on (initial; running when covered)
    _put(ws, row, 1, "2 支出の部 [円]（税込）", "mm_subtitle")
    _put(ws, row, _COLS, "T1, C1, C2", "mm_text")
    row += 1
    for c, head in enumerate(("費目", "内容", "単価 [円]", "数量", "金額 [円]", "備考"), start=1):
        _put(ws, row, c, head, "mm_header")
    _merge(ws, row, 6, _COLS)
    expense_first = row + 1
    labels = {"camera": "防犯カメラ購入費", "pole": "ポール・支柱設置費", "light": "防犯灯",
              "recorder": "録画装置", "network": "通信機器・配線", "installation": "設置工事費",
              "other": "その他"}
    for line in pc.lines:
        row += 1
        _put(ws, row, 1, labels.get(line.category, clean_text(line.category)), "mm_text")
        _put(ws, row, 2, clean_text(line.name) or "（機種未入力）", "mm_text")
        _put(ws, row, 3, line.unit_price_jpy if line.source != "cameras" and
             line.source != "lights" else None, "mm_yen")
        _put(ws, row, 4, line.quantity, "mm_num")
        _put(ws, row, 5, line.amount_jpy, "mm_yen")
        _put(ws, row, 6, "単価は機器ごと（設置場所一覧）" if line.source in ("cameras", "lights")
             else "", "mm_text")
        _merge(ws, row, 6, _COLS)
    covers_running = _bool(scheme.get("covers_running"))
    if covers_running:
        for line in pc.running:
            row += 1
            _put(ws, row, 1, "維持管理費", "mm_text")
            _put(ws, row, 2, clean_text(line.name), "mm_text")
            _put(ws, row, 3, line.annual_jpy, "mm_yen")
            _put(ws, row, 4, line.years, "mm_num")
            _put(ws, row, 5, line.amount_jpy, "mm_yen")
            _put(ws, row, 6, "年額 × 年数", "mm_text")
            _merge(ws, row, 6, _COLS)
    if row < expense_first:
        row += 1
        _put(ws, row, 1, "費用が未入力です", "mm_text")
    row += 1
    _put(ws, row, 1, "支出 計", "mm_total_label")
    _merge(ws, row, 1, 4)
    _formula(ws, row, 5, f"=SUM(E{expense_first}:E{row - 1})", "mm_total_yen")
    expense_total = f"E{row}"
    row += 1
    _put(ws, row, 1, "収入 計 − 支出 計（0 になること）", "mm_label")
    _merge(ws, row, 1, 4)
    _formula(ws, row, 5, f"={income_total}-{expense_total}", "mm_yen")
    row += 1
    eligible_ref = _ref(cost_refs, lambda s: s == "補助対象経費")
    _put(ws, row, 1, "うち補助対象経費", "mm_label")
    _merge(ws, row, 1, 4)
    note = _money_cell(ws, row, 5, eligible_ref, amounts.eligible_jpy)
    _put(ws, row, 6, note, "mm_note")
    row += 1
    if not covers_running and pc.running_annual_jpy:
        _put(ws, row, 1, f"維持管理費（年額 {pc.running_annual_jpy:,.0f} 円）は補助の対象外のため、"
             "この予算書に含めていません。", "mm_note")
        row += 1
    row = _sources(ws, row, "shushi", scheme)
    _setup(ws, plan, form_label=FORM_SHEETS["shushi"], widths=(22, 26, 12, 8, 14, 12, 12, 12))
    return title


# ------------------------------------------------------------------- 設置場所一覧 + 位置図
def _write_basho(wb, plan, *, scheme, grant, map_png) -> str:
    title = sanitize_sheet_title(FORM_SHEETS["basho"])
    ws = wb.create_sheet(title)
    pc = grant.costs
    row = _heading(ws, "防犯カメラ設置場所一覧", scheme)
    heads = (("No.（優先順位）", "K1"), ("設置場所", "H2"), ("住所・設置場所", "C2"),
             ("緯度・経度 [°]", "C2"), ("カメラ（台数・番号）", "H2"), ("機種", "C1"),
             ("機器の金額 [円]（税込）", "C2"), ("設置方法（既存構造物／ポール新設）", "K1"))
    for c, (head, _) in enumerate(heads, start=1):
        _put(ws, row, c, head, "mm_header")
    ws.row_dimensions[row].height = 45
    row += 1
    for c, (_, basis) in enumerate(heads, start=1):
        _put(ws, row, c, f"根拠 {basis}", "mm_note")
    first = row + 1
    for n, site in enumerate(site_rows(plan.get("cameras")), start=1):
        row += 1
        where = "" if site["lat"] is None or site["lon"] is None else \
            f"{site['lat']:.6f}, {site['lon']:.6f}"
        cams = f"{site['count']}台（{'、'.join(site['camera_ids'])}）"
        address = site["address"]
        if site["signage"]:
            address += ("\n" if address else "") + "設置の表示: " + "、".join(site["signage"])
        for c, value in enumerate((n, site["site"], address, where, cams,
                                   "、".join(site["models"]), site["amount_jpy"]), start=1):
            _put(ws, row, c, value, "mm_yen" if c == 7 else ("mm_int" if c == 1 else "mm_text"))
        _put(ws, row, 8, None, "mm_input_text")  # the official chooses (K1: amounts differ)
    placed = row - first + 1
    typed = pc.sites - placed
    if typed > 0:  # camera items typed in 事業費, not yet placed: one site each (costs rule)
        row += 1
        _put(ws, row, 1, None, "mm_text")
        _put(ws, row, 2, f"未配置のカメラ（事業費の品目）{typed}台 = {typed}か所", "mm_text")
        _merge(ws, row, 2, _COLS)
    row += 1
    _put(ws, row, 1, "設置か所数 計", "mm_total_label")
    _merge(ws, row, 1, 4)
    _put(ws, row, 5, pc.sites, "mm_total_int")
    _put(ws, row, 6, f"カメラ {pc.cameras}台", "mm_text")
    _merge(ws, row, 6, _COLS)
    row += 1
    _put(ws, row, 1, "1か所 = 独立した防犯カメラシステム一式（同じ柱・録画装置のカメラは同じ設置場所ID）。"
         "設置方法は補助額が異なる制度があるため記入してください。", "mm_note")
    row += 1
    row = _sources(ws, row, "basho", scheme)
    if map_png:
        row += 1
        ws.row_breaks.append(Break(id=row - 1))  # the 位置図 on its own page
        _put(ws, row, 1, "位置図（カメラ番号・撮影方向は配置図のとおり）", "mm_subtitle")
        _add_image(ws, map_png, f"A{row + 1}")
        row += 40
        _put(ws, row, 1, None, "mm_note")
    _setup(ws, plan, form_label=FORM_SHEETS["basho"], widths=(8, 12, 26, 20, 16, 26, 12, 14),
           landscape=True)
    return title


_WRITERS = {"jisshi": _write_jisshi, "shushi": _write_shushi}


def write_form_sheets(wb, plan: dict, *, scheme: dict | None, shares=(), cost_refs=(),
                      map_png: bytes | None = None) -> list[str]:
    """Write the form sheets of the plan's grant scheme at the end of ``wb``.

    Parameters
    ----------
    wb : openpyxl.Workbook
        The workbook of :func:`reports.excel.build_workbook` (named styles registered).
    plan : dict
        The plan; not modified.
    scheme : dict or None
        The chosen ``grant_schemes`` row; no sheets without one (:func:`forms_for`).
    shares : sequence of dict
        Rows of ``grant_shares``; the scheme's (variant as :func:`plan_grant` picks it) give
        the payer split of 収支予算書.
    cost_refs : sequence of (str, str)
        (label, cell) of the 事業費 totals as the 事業費 writer returns them; the form cells
        whose figure is among them become formulas referring to them.
    map_png : bytes, optional
        The map, placed as 位置図 on its own page of 設置場所一覧.

    Returns
    -------
    list of str
        Titles of the sheets written, in order.
    """
    keys = forms_for(scheme)
    if not keys:
        return []
    grant = plan_grant(plan, scheme=scheme, shares=list(shares or ()))
    if grant.amounts is None:
        return []
    out = []
    for key in keys:
        if key == "basho":
            out.append(_write_basho(wb, plan, scheme=scheme, grant=grant, map_png=map_png))
        else:
            out.append(_WRITERS[key](wb, plan, scheme=scheme, grant=grant, cost_refs=cost_refs))
    return out
