"""Cell styles of the Excel plan, defined once as data and registered as NamedStyles.

Every cell the writer fills uses one of the named styles below, so a workbook carries a
handful of styles (not one per cell) and an official who restyles "mm_header" in Excel
restyles every header at once.
"""
from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

#: Font of every cell. 游ゴシック ships with Windows 8.1+ and Office; on older LGWAN PCs
#: Excel substitutes it by charset (128 = SHIFTJIS_CHARSET), normally with MS Pゴシック.
FONT_NAME = "游ゴシック"
#: The font to name instead when the workbook is meant for PCs without 游ゴシック.
FALLBACK_FONT_NAME = "MS Pゴシック"
FONT_CHARSET = 128

#: Number formats. Amounts stay in yen in the cell; ``kyen`` only *displays* 千円
#: (the trailing comma divides by 1,000), so formulas and imports keep exact yen.
NUMBER_FORMATS = {
    "int": "#,##0",
    # a year is a label, not an amount: 2026, never 「2,026」
    "year": "0",
    "yen": "#,##0",
    "kyen": "#,##0,",
    "float1": "0.0",
    "float2": "0.00",
    "coord": "0.000000",
    "rate": "0.0%",
    "month": 'yyyy"年"m"月"',
    "date": "yyyy-mm-dd",
    "area": "#,##0",
    "num": "General",
}

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_RESULT_FILL = PatternFill("solid", fgColor="E2EFDA")
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")

#: name -> keyword arguments of ``NamedStyle`` (font given as Font keyword arguments).
STYLE_SPECS: dict[str, dict] = {
    "mm_title": {"font": {"size": 14, "bold": True}},
    "mm_subtitle": {"font": {"size": 11, "bold": True}},
    "mm_note": {"font": {"size": 9, "italic": True, "color": "595959"},
                "alignment": Alignment(wrap_text=False, vertical="top")},
    "mm_header": {"font": {"bold": True}, "fill": _HEADER_FILL, "border": _BOX,
                  "alignment": Alignment(horizontal="center", vertical="center",
                                         wrap_text=True)},
    "mm_header_result": {"font": {"bold": True}, "fill": _RESULT_FILL, "border": _BOX,
                         "alignment": Alignment(horizontal="center", vertical="center",
                                                wrap_text=True)},
    "mm_label": {"font": {"bold": True}, "fill": _LABEL_FILL, "border": _BOX,
                 "alignment": Alignment(vertical="top", wrap_text=True)},
    "mm_text": {"border": _BOX, "alignment": Alignment(vertical="top", wrap_text=True)},
    "mm_input_text": {"border": _BOX, "fill": _INPUT_FILL,
                      "alignment": Alignment(vertical="top", wrap_text=True)},
    "mm_total_label": {"font": {"bold": True}, "fill": _LABEL_FILL, "border": _BOX},
}
for _kind, _fmt in NUMBER_FORMATS.items():
    STYLE_SPECS[f"mm_{_kind}"] = {"border": _BOX, "number_format": _fmt}
    STYLE_SPECS[f"mm_input_{_kind}"] = {"border": _BOX, "number_format": _fmt,
                                        "fill": _INPUT_FILL}
    STYLE_SPECS[f"mm_total_{_kind}"] = {"border": _BOX, "number_format": _fmt,
                                        "font": {"bold": True}, "fill": _LABEL_FILL}


def make_styles(*, font_name: str = FONT_NAME) -> list[NamedStyle]:
    """The named styles of the workbook, built from :data:`STYLE_SPECS`.

    Parameters
    ----------
    font_name : str, optional
        Font of every style, :data:`FONT_NAME` by default (:data:`FALLBACK_FONT_NAME` for
        PCs without 游ゴシック).
    """
    styles = []
    for name, spec in STYLE_SPECS.items():
        spec = dict(spec)
        font_kw = {"size": 10.5, **spec.pop("font", {})}
        styles.append(NamedStyle(name=name, font=Font(name=font_name, charset=FONT_CHARSET,
                                                     **font_kw), **spec))
    return styles


def register_styles(wb, *, font_name: str = FONT_NAME) -> None:
    """Register every named style on ``wb`` once and set the workbook's default font."""
    present = set(wb.named_styles)
    for style in make_styles(font_name=font_name):
        if style.name not in present:
            wb.add_named_style(style)
    # The "Normal" style is what empty cells and cells typed later in Excel use.
    for style in wb._named_styles:  # openpyxl keeps no public setter for the default
        if style.name == "Normal":
            style.font = Font(name=font_name, charset=FONT_CHARSET, size=10.5)
