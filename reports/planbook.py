"""The plan book (計画書) PDF: the plan as one A4 document for 庁内決裁, a council committee
or a 町内会.

Pages: cover, summary (概要), 配置図, one page per camera (position, model, mounting, day
and night DORI areas, the preview of a person at its aim point), night lighting, privacy,
readiness, costs by 年度, grant and payer shares, sources (a long table runs on to the next
page under its repeated header). Every page but the cover carries the plan's
name in its header; every page carries 「- n / N -」 in its footer.

Written with fpdf2 (a maintained pure-Python PDF writer that embeds subsets of OpenType CFF
fonts such as Noto Sans CJK, so ``pdffonts`` lists embedded Japanese fonts and
``pdftotext`` gives the text back). Fonts come from :mod:`reports.fonts`; money only from
:func:`assessments.programme.grants.plan_grant` (the one cost and grant arithmetic); the
figures of the simulation from :func:`assessments.simulate.simulate`. Pure: nothing here
imports streamlit or ``ui``.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import re

import numpy as np
from fpdf import FPDF
from PIL import Image

from assessments.engine import image_quality as iq
from assessments.engine import night as N
from assessments.engine.dori import DORI_SOURCES, dori_label, level_at, level_for
from assessments.engine.point_view import DAY_PREVIEW_LX, camera_at_cell
from assessments.programme import costs as C
from assessments.programme.grants import plan_grant
from assessments.simulate import simulate

from . import fonts
from .excel import (ITEM_CATEGORIES, PRIVACY_STATUS_LABELS, RUNNING_CATEGORIES, SES_LABELS,
                    clean_text, scheme_rows, wareki_fy, wareki_month)
from .layout_map import compass_ja, draw_layout_legend, draw_layout_map
from .typesetting import wrap_japanese

__all__ = ["plan_book_pdf", "aim_point_m"]

# A4 portrait [mm]
PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
MARGIN_MM = 20.0
TOP_MM = 22.0
BOTTOM_MM = 20.0
TEXT_W_MM = PAGE_W_MM - 2 * MARGIN_MM

BODY_PT = 10.0
LINE_MM = 5.6         # body line pitch: 10 pt (3.5 mm) × 1.6, the usual 行送り of a report
CELL_PAD_MM = 1.2



_BOOK_TITLE = "見守りカメラ・防犯灯 整備計画書"
_PURPOSE = "庁内決裁・議会の委員会・町内会への説明に用いる計画の概要です。"

# Standards the figures follow (title, publisher, URL; "" where no public page was found).
_STANDARD_SOURCES = (
    {"title": "IEC 62676-4:2014 Video surveillance systems for use in security "
              "applications - Part 4: Application guidelines（DORI の画素密度の基準）",
     "publisher": "International Electrotechnical Commission (IEC)",
     "url": "https://webstore.iec.ch/en/publication/7353"},
    {"title": "SES E1901-4 防犯灯の照度基準（2015年2月3日改正、クラスA・B）",
     "publisher": "公益社団法人 日本防犯設備協会", "url": ""},
)


# ------------------------------------------------------------------------------ helpers
def aim_point_m(camera, *, target_height_m: float) -> float | None:
    """Horizontal distance from a camera to where its optical axis meets the target height
    (the point it is aimed at) [m]; None when the axis does not come down to it.

    ``d = (mount_height_m − target_height_m) / tan(tilt_deg)`` (pinhole camera, flat
    ground). Example: 5 m mount, 1.5 m target, 15° tilt → 3.5 / tan 15° = 13.06 m.
    """
    drop = float(camera.mount_height_m) - float(target_height_m)
    tilt = math.radians(float(camera.tilt_deg))
    if drop <= 0 or tilt <= 0:
        return None
    return drop / math.tan(tilt)


def _yen(v) -> str:
    return f"{float(v):,.0f} 円"


def _m2(v) -> str:
    return f"{float(v):,.0f} m²"


def _num(v, fmt: str = "{:g}", unit: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return fmt.format(v) + (f" {unit}" if unit else "")


def _png(arr, *, width_px: int = 200) -> bytes:
    """PNG of a reflectance image (0–1, grey), ``width_px`` wide: 200 px over the 26 mm
    it is printed at is ~195 dpi, sharper than the print needs and a quarter of the bytes
    of the 400 px preview."""
    img = Image.fromarray(np.round(np.clip(arr, 0.0, 1.0) * 255).astype(np.uint8), "L")
    if img.width > width_px:
        img = img.resize((width_px, round(img.height * width_px / img.width)),
                         Image.Resampling.BOX)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _start_fy(plan: dict) -> int | None:
    fy = C.number((plan.get("project") or {}).get("start_fy"))
    return int(fy) if fy is not None and 1927 <= fy <= 2200 else None


def _fy_label(start_fy: int | None, offset: int) -> str:
    return f"{offset + 1}年目" + (f"（{wareki_fy(start_fy + offset)}）" if start_fy else "")


# ---------------------------------------------------------------------------- document
class _Book(FPDF):
    """A4 portrait with the plan's name in the header and 「- n / N -」 in the footer."""

    def __init__(self, plan_name: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.plan_name = plan_name
        self.set_margins(MARGIN_MM, TOP_MM, MARGIN_MM)
        self.set_auto_page_break(True, margin=BOTTOM_MM)
        self.set_title(plan_name)
        self.set_creator("Mimamori Planner")
        self.set_lang("ja")
        fonts.add_fpdf_fonts(self)

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font(fonts.FPDF_GOTHIC, "", 8)
        self.set_text_color(90)
        name = self.plan_name
        while name and self.get_string_width(name + "…") > TEXT_W_MM - 30:
            name = name[:-1]
        shown = name if name == self.plan_name else name + "…"
        self.set_xy(MARGIN_MM, 10)
        self.cell(TEXT_W_MM - 30, 5, shown)
        self.cell(30, 5, "計画書", align="R")
        self.set_draw_color(150)
        self.line(MARGIN_MM, 15.5, PAGE_W_MM - MARGIN_MM, 15.5)
        self.set_text_color(0)
        self.set_draw_color(0)
        self.set_xy(MARGIN_MM, TOP_MM)

    def footer(self):
        self.set_y(-13)
        self.set_font(fonts.FPDF_GOTHIC, "", 9)
        self.set_text_color(60)
        # "{nb}" is fpdf2's alias for the page count, filled in when the file is written
        self.cell(0, 5, f"- {self.page_no()} / {{nb}} -", align="C")
        self.set_text_color(0)

    # -- text ----------------------------------------------------------------------------
    def lines_of(self, text: str, width_mm: float) -> list[str]:
        return wrap_japanese(text, lambda s: self.get_string_width(s) <= width_mm)

    def room(self, height_mm: float) -> None:
        """Start a new page unless ``height_mm`` still fits on this one."""
        if self.get_y() + height_mm > PAGE_H_MM - BOTTOM_MM:
            self.add_page()

    def heading(self, text: str, *, size: float = 15.0) -> None:
        self.set_font(fonts.FPDF_GOTHIC, "", size)
        self.set_x(MARGIN_MM)
        self.cell(TEXT_W_MM, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(0)
        self.set_line_width(0.4)
        self.line(MARGIN_MM, self.get_y() + 1, PAGE_W_MM - MARGIN_MM, self.get_y() + 1)
        self.set_line_width(0.2)
        self.ln(4)

    def subheading(self, text: str) -> None:
        self.room(14)
        self.ln(2)
        self.set_font(fonts.FPDF_GOTHIC, "", 11.5)
        self.set_x(MARGIN_MM)
        self.cell(TEXT_W_MM, 7, "■ " + text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def para(self, text: str, *, size: float = BODY_PT, gothic: bool = False,
             indent_mm: float = 0.0, pitch_mm: float | None = None) -> None:
        self.set_font(fonts.FPDF_GOTHIC if gothic else fonts.FPDF_MINCHO, "", size)
        pitch = pitch_mm or size * 0.3528 * 1.6
        for line in self.lines_of(text, TEXT_W_MM - indent_mm):
            self.room(pitch)
            self.set_x(MARGIN_MM + indent_mm)
            self.cell(TEXT_W_MM - indent_mm, pitch, line, new_x="LMARGIN", new_y="NEXT")

    def table(self, headers, rows, widths_mm, *, aligns=None, size: float = 9.0) -> None:
        """A ruled table; long cells wrap (禁則 kept) and rows that would cross the page
        bottom move to the next page under a repeated header row."""
        widths = [w * TEXT_W_MM / sum(widths_mm) for w in widths_mm]
        aligns = aligns or ["L"] * len(widths)
        pitch = size * 0.3528 * 1.45

        def draw(cells, *, head: bool):
            self.set_font(fonts.FPDF_GOTHIC if head else fonts.FPDF_MINCHO, "", size)
            wrapped = [self.lines_of(clean_text(c), w - 2 * CELL_PAD_MM) or [""]
                       for c, w in zip(cells, widths)]
            h = max(len(w) for w in wrapped) * pitch + 2 * CELL_PAD_MM
            if self.get_y() + h > PAGE_H_MM - BOTTOM_MM:
                self.add_page()
                if not head:
                    draw(headers, head=True)
                    self.set_font(fonts.FPDF_MINCHO, "", size)
            y = self.get_y()
            x = MARGIN_MM
            for lines, w, al in zip(wrapped, widths, aligns):
                if head:
                    self.set_fill_color(228, 232, 238)
                    self.rect(x, y, w, h, style="DF")
                else:
                    self.rect(x, y, w, h)
                for i, line in enumerate(lines):
                    self.set_xy(x + CELL_PAD_MM, y + CELL_PAD_MM + i * pitch)
                    self.cell(w - 2 * CELL_PAD_MM, pitch, line, align="C" if head else al)
                x += w
            self.set_xy(MARGIN_MM, y + h)

        self.set_draw_color(120)
        self.set_line_width(0.2)
        draw(headers, head=True)
        for r in rows:
            draw(r, head=False)
        self.set_draw_color(0)
        self.ln(2)

    def pairs(self, rows, *, label_w: float = 0.34, size: float = 9.5) -> None:
        """A two-column 項目 | 内容 table."""
        self.table(["項目", "内容"], rows, [label_w, 1 - label_w], size=size)


# ------------------------------------------------------------------------------- pages
def _cover(pdf: _Book, plan: dict, today: _dt.date) -> None:
    pdf.add_page()
    m = plan.get("municipality") or {}
    project = plan.get("project") or {}
    pdf.set_y(70)
    pdf.set_font(fonts.FPDF_GOTHIC, "", 13)
    pdf.cell(TEXT_W_MM, 8, _BOOK_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(fonts.FPDF_GOTHIC, "", 22)
    for line in pdf.lines_of(plan.get("name") or "（名称未設定の計画）", TEXT_W_MM):
        pdf.cell(TEXT_W_MM, 12, line, align="C", new_x="LMARGIN", new_y="NEXT")
    if project.get("title"):
        pdf.ln(3)
        pdf.set_font(fonts.FPDF_MINCHO, "", 13)
        for line in pdf.lines_of(str(project["title"]), TEXT_W_MM):
            pdf.cell(TEXT_W_MM, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(175)
    town = "".join(str(m.get(k) or "") for k in ("prefecture", "name"))
    rows = [("自治体", town or "（未設定）"),
            ("作成日", f"{today.year}年{today.month}月{today.day}日"
                       f"（{wareki_month(today.year, today.month)}{today.day}日）")]
    if project.get("applicant"):
        rows.append(("申請者・担当", str(project["applicant"])))
    fy = _start_fy(plan)
    if fy:
        rows.append(("開始年度", f"{wareki_fy(fy)}（{fy}年度）"))
    pdf.set_font(fonts.FPDF_MINCHO, "", 11)
    for label, value in rows:
        pdf.set_x(55)
        pdf.set_font(fonts.FPDF_GOTHIC, "", 11)
        pdf.cell(30, 8, label)
        pdf.set_font(fonts.FPDF_MINCHO, "", 11)
        pdf.cell(70, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(225)
    pdf.para("この計画書の目的：" + _PURPOSE, size=10)
    if project.get("purpose"):
        pdf.para("事業の目的：" + str(project["purpose"]), size=10)
    sample = plan.get("sample") or {}
    if sample.get("attribution"):
        pdf.para(f"地図データ：{sample['attribution']}（{sample.get('licence') or ''}）", size=8)


def _summary(pdf: _Book, plan: dict, res: dict, pg, *, thresholds: dict) -> None:
    pdf.add_page()
    pdf.heading("1. 計画の概要")
    project = plan.get("project") or {}
    text = [(label, project.get(k)) for label, k in (
        ("事業名", "title"), ("目的", "purpose"), ("解決すべき課題", "issues"),
        ("目指す姿", "target_state"))]
    rows = [(label, str(v)) for label, v in text if v]
    if rows:
        pdf.pairs(rows, label_w=0.22)
    area = float(res.get("area_m2") or 0.0)

    def share(a):
        return f"{_m2(a)}（{a / area * 100:.1f} %）" if area else _m2(a)

    # Observe, or the plan's edition's level at its pixel density (Discern in 2025)
    key = level_for("observe", thresholds) or next(iter(thresholds))
    label = dori_label(key)
    costs = pg.costs
    cams = len(res.get("cameras") or [])
    il = res.get("illuminance") or {}
    pdf.subheading("主な数値")
    figures = [
        ("カメラ", f"{cams} 台（設置場所 {costs.sites} か所）"),
        ("防犯灯", f"{len(plan.get('lights') or [])} 灯"),
        ("評価する範囲の面積", _m2(area)),
        ("カメラに映る面積（日中）", share(res.get("covered_m2") or 0.0)),
        ("2台以上のカメラに映る面積", share(res.get("multi_camera_m2") or 0.0)),
        (f"{label}以上で映る面積（日中）", share((res.get("dori_m2") or {}).get(key, 0.0))),
        (f"{label}以上で映る面積（夜間）", share((res.get("night_dori_m2") or {}).get(key, 0.0))),
        ("夜間の平均照度（路面）", _num(il.get("mean_lx"), "{:.1f}", "lx")),
        ("防犯灯の照度基準", _ses_text(il)),
        ("総事業費（初期費用、税込）", _yen(costs.initial_jpy)),
        (f"運用費（{costs.years}年分、税込）", _yen(costs.running_total_jpy)),
        ("交付金・補助金", _grant_text(pg)),
        ("録画の保存期間", f"{C.retention_days(plan):g} 日（録画容量の目安 "
                      f"{costs.storage_tb:.2f} TB）"),
    ]
    if pg.self_pay_total_jpy is not None:
        figures.insert(12, ("自己負担（運用費を含む）", _yen(pg.self_pay_total_jpy)))
    pdf.pairs(figures, label_w=0.4)
    pdf.para(f"面積は地上 {res.get('target_height_m', 1.5):g} m の高さ（人の顔の高さ）で、"
             f"{res.get('resolution_m', 1.0):g} m 四方のます目ごとに計算した値です。"
             f"{label}は人物の動きや服装が分かる画素密度（{thresholds.get(key, 0):g} px/m）"
             "以上で映ることを指します。", size=8.5)


def _ses_text(il: dict) -> str:
    cls = il.get("ses_class")
    if not cls:
        return "判定できません（カメラに映る範囲がありません）"
    return f"SES E1901 {SES_LABELS.get(cls, cls)}"


def _grant_text(pg) -> str:
    if pg.scheme is None:
        return "補助制度が選ばれていません"
    a = pg.amounts
    name = pg.scheme.get("name_ja") or pg.scheme.get("id")
    if a is None or a.grant_jpy is None:
        return f"{name}：金額を算定できません（補助率・定額が未確認）"
    return f"{_yen(a.grant_jpy)}（{name}）"


def _layout_page(pdf: _Book, plan: dict, sim) -> None:
    pdf.add_page()
    pdf.heading("2. 配置図")
    top = pdf.get_y()
    legend_h = 62.0      # the legend and notes below the map, in columns
    info = draw_layout_map(pdf, plan, sim, x_mm=MARGIN_MM, y_mm=top, w_mm=TEXT_W_MM,
                           h_mm=PAGE_H_MM - BOTTOM_MM - top - 16 - legend_h)
    draw_layout_legend(pdf, plan, sim, info, x_mm=MARGIN_MM,
                       y_mm=PAGE_H_MM - BOTTOM_MM - 14 - legend_h, w_mm=TEXT_W_MM,
                       h_mm=legend_h - 3)
    pdf.set_y(PAGE_H_MM - BOTTOM_MM - 14)
    note = (f"縮尺 1:{info.scale_n:,}（A4 に印刷したとき）。カメラの番号は次のページ以降の"
            "カメラごとのページに対応します。")
    if info.outside:
        note += f"評価範囲の外にあるカメラ：{'、'.join(info.outside)}。"
    pdf.para(note, size=8.5)


def _camera_page(pdf: _Book, plan: dict, sim, entry: dict, number: int, *,
                 luminaires) -> None:
    model = sim.model
    cid = entry["id"]
    cam = model.cameras[cid]
    raw = next((c for c in plan.get("cameras") or () if str(c.get("id")) == cid), {})
    pdf.add_page()
    pdf.heading(f"3-{number}. カメラ {cid}")
    pos = f"北緯 {cam.lat_deg:.6f}°、東経 {cam.lon_deg:.6f}°"
    rows = [("位置", pos), ("住所・設置場所", str(raw.get("address") or "（未記入）"))]
    if raw.get("site"):
        rows.append(("設置場所ID（柱など）", str(raw["site"])))
    rows += [
        ("機種", str(raw.get("model") or "（未記入）")),
        ("解像度・画角", f"{cam.width_px} × {cam.height_px} 画素、水平 {cam.hfov_deg:g}°・"
                     f"垂直 {cam.vfov_deg:.1f}°"),
        ("取付高さ", f"{cam.mount_height_m:g} m"),
        ("向き（方位角）", f"{cam.azimuth_deg:g}°（{compass_ja(cam.azimuth_deg)}）"),
        ("俯角", f"{cam.tilt_deg:g}°"),
        ("夜間の仕様", f"最低照度 {cam.min_illuminance_lx:g} lx、赤外線照射 "
                  + (f"{cam.ir_range_m:g} m" if cam.ir_range_m else "なし")),
    ]
    if raw.get("signage"):
        rows.append(("設置の表示", str(raw["signage"])))
    if raw.get("note"):
        rows.append(("備考", str(raw["note"])))
    pdf.pairs(rows, label_w=0.26, size=9)

    pdf.subheading("映る範囲（DORI の段階ごとの面積）")
    axis = entry.get("dori_axis_end_m") or {}
    day, night = entry.get("dori_m2") or {}, entry.get("night_dori_m2") or {}
    pdf.table(["段階", "基準 [px/m]", "日中の面積", "夜間の面積", "正面方向の到達距離"],
              [(dori_label(k), f"{t:g}", _m2(day.get(k, 0.0)), _m2(night.get(k, 0.0)),
                _num(axis.get(k), "{:.1f}", "m"))
               for k, t in model.thresholds.items()],
              [0.27, 0.15, 0.19, 0.19, 0.2], aligns=["L", "R", "R", "R", "R"], size=8.5)
    _preview(pdf, sim, cid, luminaires=luminaires)


def _preview(pdf: _Book, sim, cid: str, *, luminaires) -> None:
    """The person preview at the camera's aim point: reference, day, night (as the
    シミュレーション page draws it for a clicked point)."""
    model = sim.model
    view = model.views[cid]
    cam = view.camera
    pdf.subheading("人物の見え方（カメラの向けた位置に立つ人）")
    d_aim = aim_point_m(cam, target_height_m=model.target_height_m)
    seen = view.pixel_density > 0 if not view.empty else None
    if seen is None or not seen.any():
        pdf.para("このカメラに映る範囲がありません（建物に遮られているか、範囲の外です）。")
        return
    if d_aim is None:  # aimed level or up: half its reach
        d_aim = view.range_m / 2.0
    az = math.radians(cam.azimuth_deg)
    ax, ay = view.x_m + d_aim * math.sin(az), view.y_m + d_aim * math.cos(az)
    # the seen cell nearest the aim point (the aim point itself may be behind a wall)
    dist2 = ((view.x_axis_m[None, :] - ax) ** 2 + (view.y_axis_m[:, None] - ay) ** 2)
    r, c = np.unravel_index(np.argmin(np.where(seen, dist2, np.inf)), dist2.shape)
    rec = camera_at_cell(view, cam, model.grid, view.rows.start + int(r),
                         view.cols.start + int(c), luminaires, model.thresholds)
    pd, npd, ev, dist, mode = (rec["day_px_m"], rec["night_px_m"], rec["vertical_lx"],
                               rec["distance_m"], rec["night_mode"])
    day, night = rec["day"], rec["night"]
    thr = model.thresholds
    pdf.para(f"カメラから {dist:.1f} m（{compass_ja(cam.azimuth_deg)}方向）の地点。"
             f"日中 {pd:.0f} px/m「{_level_text(level_at(pd, thr))}」、"
             + (f"夜間 {npd:.0f} px/m「{_level_text(level_at(npd, thr))}」（"
                f"{'赤外線・白黒' if mode == iq.NIGHT_IR else 'カラー'}、顔の鉛直面照度 "
                f"{ev:.2f} lx）。" if night is not None else
                f"夜間は暗すぎて映りません（顔の鉛直面照度 {ev:.2f} lx）。"),
             size=9)
    img_h = 52.0
    img_w = img_h / 2.0   # the reference drawing is 800 × 400 px (2 : 1)
    pdf.room(img_h + 12)
    y = pdf.get_y() + 1
    pics = [("見本（基準）", day.reference), ("日中", day.display),
            ("夜間", night.display if night is not None else None)]
    for i, (cap, arr) in enumerate(pics):
        x = MARGIN_MM + 8 + i * (img_w + 22)
        if arr is None:
            pdf.set_fill_color(20, 20, 20)
            pdf.rect(x, y, img_w, img_h, style="F")
        else:
            pdf.image(io.BytesIO(_png(arr)), x=x, y=y, w=img_w, h=img_h)
        pdf.set_xy(x - 6, y + img_h + 1)
        pdf.set_font(fonts.FPDF_GOTHIC, "", 8.5)
        pdf.cell(img_w + 12, 5, cap, align="C")
    pdf.set_xy(MARGIN_MM, y + img_h + 8)
    pdf.para("画像は解像度・動きのぶれ・暗さによる雑音を模擬した見え方の目安で、実際の映像では"
             f"ありません（歩く速さ {iq.WALKING_SPEED_M_S:g} m/s、シャッター {cam.shutter_s:g} 秒、"
             f"日中 {DAY_PREVIEW_LX:,.0f} lx）。", size=8)


def _level_text(key) -> str:
    return dori_label(key) if key else "監視の基準未満"


def _night_page(pdf: _Book, plan: dict, res: dict, *, thresholds: dict) -> None:
    pdf.add_page()
    pdf.heading("4. 夜間の照明")
    il = res.get("illuminance") or {}
    groups = C.device_groups(plan.get("lights") or [])
    pdf.subheading("防犯灯")
    if groups:
        pdf.table(["機種", "数量"], [(g["model"] or "（機種未記入）", f"{g['quantity']} 灯")
                                    for g in groups], [0.8, 0.2], aligns=["L", "R"])
    else:
        pdf.para("防犯灯は計画されていません（夜間はカメラの赤外線照射のみで評価しています）。")
    pdf.subheading("照度（評価範囲の路面）")
    pdf.pairs([
        ("平均照度", _num(il.get("mean_lx"), "{:.1f}", "lx")),
        ("最小照度", _num(il.get("min_lx"), "{:.1f}", "lx")),
        ("最大照度", _num(il.get("max_lx"), "{:.1f}", "lx")),
        ("均斉度（最小／平均）", _num(il.get("uniformity"), "{:.2f}")),
        ("防犯灯の照度基準の判定", _ses_text(il)),
        ("照らされているがカメラに映らない面積", _m2(res.get("lit_but_unseen_m2") or 0.0)),
        ("カメラに映るが暗い面積", _m2(res.get("seen_but_dark_m2") or 0.0)),
    ])
    pdf.para("SES E1901（日本防犯設備協会）：クラスAは平均水平面照度 5 lx・最小鉛直面照度 1 lx 以上"
             "（4 m 先の歩行者の顔の概要が分かる）、クラスBは 3 lx・0.5 lx 以上（4 m 先の歩行者の"
             "挙動・姿勢が分かる）。ここでの値は評価範囲全体（庭・空き地を含む）の値で、道路上だけを"
             "評価すると照明の配置により高くなります。", size=8.5)
    pdf.subheading("昼と夜の映り方（評価範囲全体）")
    day, night = res.get("dori_m2") or {}, res.get("night_dori_m2") or {}
    pdf.table(["段階", "日中の面積", "夜間の面積"],
              [(dori_label(k), _m2(day.get(k, 0.0)), _m2(night.get(k, 0.0)))
               for k in thresholds], [0.4, 0.3, 0.3], aligns=["L", "R", "R"])


def _privacy_page(pdf: _Book, plan: dict, rows) -> None:
    pdf.add_page()
    pdf.heading("5. プライバシーへの配慮")
    privacy = plan.get("privacy") or {}
    settings = privacy.get("settings") or {}
    pdf.pairs([("録画の保存期間", f"{C.retention_days(plan):g} 日"),
               ("管理責任者", str(settings.get("manager") or "（未記入）"))])
    if rows is None:
        rows = [{"item": iid, "status": (a or {}).get("status", ""),
                 "owner": (a or {}).get("owner", ""), "due": (a or {}).get("due", ""),
                 "evidence": (a or {}).get("evidence", "")}
                for iid, a in (privacy.get("answers") or {}).items()]
    if not rows:
        pdf.para("プライバシー対応のチェックリストはまだ回答されていません。")
        return
    gaps = [r for r in rows if r.get("status") in ("todo", "partial", "")]
    pdf.subheading(f"未対応・一部対応の項目（{len(gaps)} 件）と対応策")
    if gaps:
        pdf.table(["項目", "状況", "対応策", "担当・期限"],
                  [(r.get("item"), PRIVACY_STATUS_LABELS.get(r.get("status"), "未回答"),
                    r.get("action") or "", " ".join(str(r.get(k) or "") for k in ("owner", "due")))
                   for r in gaps], [0.36, 0.12, 0.34, 0.18], size=8.5)
    else:
        pdf.para("回答済みの項目に未対応のものはありません。")
    done = [r for r in rows if r.get("status") in ("done", "na")]
    if done:
        pdf.subheading(f"対応済み・対象外の項目（{len(done)} 件）")
        pdf.table(["項目", "状況", "根拠・備考"],
                  [(r.get("item"), PRIVACY_STATUS_LABELS.get(r.get("status"), ""),
                    r.get("evidence") or "") for r in done], [0.45, 0.13, 0.42], size=8.5)


def _readiness_page(pdf: _Book, plan: dict, rows) -> None:
    pdf.add_page()
    pdf.heading("6. 推進体制の準備度（自己評価）")
    if rows is None:
        rows = [{"condition": "", "question": qid, "level": (a or {}).get("level"),
                 "evidence": (a or {}).get("evidence", "")}
                for qid, a in ((plan.get("readiness") or {}).get("answers") or {}).items()]
    if not rows:
        pdf.para("準備度の自己評価はまだ回答されていません。")
        return
    pdf.para("各設問をレベル0〜4で自己評価したものです（3以上が目安）。", size=9)
    pdf.table(["条件", "設問", "レベル", "不足・次の対応"],
              [(r.get("condition") or "", r.get("question") or "",
                "未回答" if r.get("level") is None else f"{r['level']} / {r.get('max_level') or 4}",
                " ".join(str(r.get(k) or "") for k in ("gap", "action")).strip())
               for r in rows], [0.18, 0.38, 0.1, 0.34], aligns=["L", "L", "C", "L"], size=8.5)


def _costs_page(pdf: _Book, plan: dict, pg) -> None:
    pdf.add_page()
    pdf.heading("7. 事業費と負担（年度別）")
    c = pg.costs
    pdf.subheading("初期費用（設備・設置工事、税込）")
    lines = [ln for ln in c.lines if ln.amount_jpy or ln.quantity]
    pdf.table(["区分", "名称", "単価", "数量", "金額"],
              [(ITEM_CATEGORIES.get(ln.category, ln.category), ln.name or "",
                _yen(ln.unit_price_jpy), f"{ln.quantity:g}", _yen(ln.amount_jpy))
               for ln in lines] + [("", "総事業費（初期費用 計）", "", "", _yen(c.initial_jpy))],
              [0.16, 0.4, 0.16, 0.09, 0.19], aligns=["L", "L", "R", "R", "R"], size=8.5)
    if c.running:
        pdf.subheading(f"運用費（年額、{c.years}年分、税込）")
        pdf.table(["区分", "名称", "年額", f"{c.years}年間 計"],
                  [(RUNNING_CATEGORIES.get(r.category, r.category), r.name or "",
                    _yen(r.annual_jpy), _yen(r.amount_jpy)) for r in c.running],
                  [0.18, 0.42, 0.2, 0.2], aligns=["L", "L", "R", "R"], size=8.5)
    pdf.subheading("年度別の事業費")
    fy = _start_fy(plan)
    years = [(_fy_label(fy, i), c.initial_jpy if i == 0 else 0.0, c.running_annual_jpy)
             for i in range(c.years)]
    pdf.table(["年度", "初期費用", "運用費", "計"],
              [(lab, _yen(a), _yen(b), _yen(a + b)) for lab, a, b in years]
              + [("合計", _yen(c.initial_jpy), _yen(c.running_total_jpy), _yen(c.total_jpy))],
              [0.31, 0.23, 0.23, 0.23], aligns=["L", "R", "R", "R"], size=8.5)
    if not fy:
        pdf.para("開始年度が未設定のため、年度は「1年目」からの順番で示しています。", size=8.5)


def _grant_page(pdf: _Book, plan: dict, pg, *, schemes=(), calls=(), today=None) -> None:
    pdf.add_page()
    pdf.heading("8. 交付金・補助金と負担区分")
    fy = _start_fy(plan)
    if pg.scheme is None:
        pdf.para("補助制度が選ばれていません。補助金・交付金のページで制度を選ぶと、補助対象経費・"
                 "交付金額・負担区分をここに示します。")
        return
    s, a = pg.scheme, pg.amounts
    rows = [("制度", str(s.get("name_ja") or s.get("id"))),
            ("実施主体", str(s.get("body_ja") or "")),
            ("補助率", str(s.get("rate_text_ja") or _num(s.get("rate"))))]
    if a is not None:
        rows += [("補助の対象とする経費", _yen(a.basis_jpy)),
                 ("補助対象経費（上限適用後）", _yen(a.eligible_jpy)),
                 ("交付金・補助金の額", _yen(a.grant_jpy) if a.grant_jpy is not None
                  else "算定できません（補助率・定額が未確認）")]
        if a.applicant_jpy is not None:
            rows.append(("申請者の負担（補助対象経費のうち）", _yen(a.applicant_jpy)))
    if pg.self_pay_total_jpy is not None:
        rows.append(("自己負担 計（運用費を含む）", _yen(pg.self_pay_total_jpy)))
    rows += scheme_rows(s, schemes, calls, fy, today or _dt.date.today())
    pdf.pairs(rows)
    if a is not None and a.shares:
        pdf.subheading(f"負担区分（補助の対象とする経費 {_yen(a.basis_jpy)} の内訳、"
                       f"{_fy_label(fy, 0)}）")
        pdf.table(["負担者", "負担割合", "金額"],
                  [(sh.get("payer_ja") or sh.get("payer"), sh.get("share_text") or "",
                    _yen(sh.get("amount_jpy") or 0.0)) for sh in a.shares],
                  [0.4, 0.25, 0.35], aligns=["L", "C", "R"], size=9)
    pdf.para("金額は税込です。補助対象経費の範囲・上限・様式は制度と自治体により異なります。"
             "申請の前に公募要領で確認してください。", size=8.5)


def _sources(plan: dict, sources, scheme) -> list[dict]:
    """The book's citations: given sources, the chosen scheme, the map data and the
    standards the figures follow (``title``, ``publisher``, ``url``)."""
    out, seen = [], set()

    def add(title, publisher="", url="", verified=None):
        key = (str(title), str(url))
        if title and key not in seen:
            seen.add(key)
            out.append({"title": str(title), "publisher": str(publisher or ""),
                        "url": str(url or ""), "verified": verified})

    for s in sources or ():
        add(s.get("title") or s.get("label") or s.get("key"), s.get("publisher"),
            s.get("url") or s.get("source"), s.get("verified"))
    if scheme:
        add(f"補助制度：{scheme.get('name_ja') or scheme.get('id')}", scheme.get("body_ja"),
            scheme.get("source"), scheme.get("verified"))
    sample = plan.get("sample") or {}
    if sample.get("attribution"):
        add(f"{sample['attribution']}（{sample.get('licence') or ''}）", "国土交通省")
    for s in _STANDARD_SOURCES:
        add(s["title"], s["publisher"], s["url"])
    return out


def _sources_page(pdf: _Book, plan: dict, sources, scheme, standard: str) -> None:
    pdf.add_page()
    pdf.heading("9. 出典")
    # a numbered list, not a table: a URL on its own full-width line stays whole
    for i, s in enumerate(_sources(plan, sources, scheme), start=1):
        state = "" if s["verified"] is None else (
            "（未確認）" if str(s["verified"]).lower() in ("false", "0", "no") else "")
        pdf.room(16)
        pdf.para(f"{i}. {s['title']}{state}", size=9.5)
        pdf.para(f"発行者：{s['publisher'] or '（記載なし）'}", size=8.5, indent_mm=6)
        for url in re.split(r";\s*", s["url"]) if s["url"] else ["（URL なし）"]:
            pdf.para(url, size=8.5, indent_mm=6)
        pdf.ln(1.5)
    pdf.ln(2)
    pdf.para(f"画素密度の段階（DORI）：{DORI_SOURCES.get(standard, standard)}。"
             "（未確認）の付いた値は公募要領・原典で確認してください。", size=8.5)


# ------------------------------------------------------------------------------ public
def plan_book_pdf(plan: dict, *, schemes=None, shares=None, calls=None, readiness_rows=None,
                  privacy_rows=None, sources=None, today=None, sim=None) -> bytes:
    """The plan book (計画書) as an A4 PDF.

    Parameters
    ----------
    plan : dict
        The plan (docs/architecture.md); not modified. It must simulate
        (:func:`assessments.simulate.simulate` raises ``PlanError`` otherwise).
    schemes, shares : list of dict, optional
        Rows of ``grant_schemes`` / ``grant_shares``: the plan's chosen scheme gives the
        grant and the payer shares (:func:`assessments.programme.grants.plan_grant`).
    calls : list of dict, optional
        Rows of ``grant_calls``: the scheme's application windows and successor, as on
        the workbook's 概要 sheet (:func:`reports.excel.scheme_rows`).
    readiness_rows, privacy_rows : list of dict, optional
        Evaluated rows as for :func:`reports.excel.build_workbook`
        (:func:`reports.inputs.workbook_inputs`); by default the plan's raw answers.
    sources : list of dict, optional
        Citations ``{"title", "publisher", "url" | "source", "verified"}``; the chosen
        scheme, the map data and the standards are added.
    today : datetime.date, optional
        作成日 on the cover (default: today).
    sim : Simulation, optional
        A result of :func:`assessments.simulate.simulate` for this plan (computed when
        not given).

    Returns
    -------
    bytes
        The PDF.

    Raises
    ------
    reports.fonts.JapaneseFontMissing
        No Japanese font is installed (the message names what to install).
    """
    today = today or _dt.date.today()
    if isinstance(today, _dt.datetime):
        today = today.date()
    sim = sim if sim is not None else simulate(plan)
    res = sim.result
    pg = plan_grant(plan, schemes=schemes or (), shares=shares or ())
    thresholds = dict(sim.model.thresholds)
    luminaires = N.plan_luminaires(sim.model.grid, plan.get("lights"))
    pdf = _Book(str(plan.get("name") or "計画書"))
    _cover(pdf, plan, today)
    _summary(pdf, plan, res, pg, thresholds=thresholds)
    _layout_page(pdf, plan, sim)
    for i, entry in enumerate(res.get("cameras") or [], start=1):
        _camera_page(pdf, plan, sim, entry, i, luminaires=luminaires)
    _night_page(pdf, plan, res, thresholds=thresholds)
    _privacy_page(pdf, plan, privacy_rows)
    _readiness_page(pdf, plan, readiness_rows)
    _costs_page(pdf, plan, pg)
    _grant_page(pdf, plan, pg, schemes=schemes or (), calls=calls or (), today=today)
    _sources_page(pdf, plan, sources, pg.scheme, res.get("standard") or "")
    return bytes(pdf.output())
