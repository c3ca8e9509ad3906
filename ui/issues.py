"""Plan validation issues in the user's language: the one translation of an
``assessments.engine.devices.PlanIssue`` (its kind, id, field, code, value and detail) that
the シミュレーション page, the plan upload in the sidebar, the 出力 page and the imports use.

Light on purpose (only :mod:`ui.i18n`): the sidebar of every page imports it.
"""
from __future__ import annotations

from ui.i18n import t


def field_label(fld: str) -> str:
    """A plan field as the page names it: the table's column label (``sim.col.<field>``),
    else ``sim.field.<field>``, else the field itself."""
    for key in (f"sim.col.{fld}", f"sim.field.{fld}"):
        text = t(key)
        if text != key:
            return text
    return fld


def detail_text(detail) -> str:
    """An issue's detail (``{"range": "≥ 0"}``, ``{"reason": …}`` or a text) as shown:
    the allowed range, or the reason."""
    if isinstance(detail, dict):
        if "range" in detail:
            text = str(detail["range"])
            for fld in ("lat", "lon"):   # "lat 20…46": the field's own label
                if text.startswith(fld + " "):
                    text = field_label(fld) + text[len(fld):]
            return text
        return str(detail.get("reason") or "")
    return "" if detail is None else str(detail)


def issue_text(item, fld, code, value=None, detail="") -> str:
    """A validation issue in the user's language (``sim.issue.<code>``), the field named
    by its label (:func:`field_label`)."""
    return t(f"sim.issue.{code}", item=item, field=field_label(fld) if fld else "",
             value="" if value is None else value, detail=detail_text(detail))


def plan_issue_text(issue, rows: list | None = None) -> str:
    """An ``assessments.engine.devices.PlanIssue`` (cameras, lights, area, buildings,
    districts) in the user's language: the item's kind translated, then its id, and with
    ``rows`` (the table's devices) the row it is on."""
    item = t(f"sim.issue.kind.{issue.kind}") + (f" {issue.id}" if issue.id else "")
    if rows is not None:
        row = _row_of(issue.id, rows)
        if row is not None:
            item += t("sim.issue.row", n=row)
    return issue_text(item, issue.field, issue.code, issue.value, issue.detail)


def _row_of(iid: str, rows: list) -> int | None:
    """The table row (from 1) of the device ``iid`` (``"#3"``: the third)."""
    if iid.startswith("#") and iid[1:].isdigit():
        return int(iid[1:])
    for i, r in enumerate(rows):
        if isinstance(r, dict) and str(r.get("id")) == iid:
            return i + 1
    return None


#: The plan's device lists and the kind of item each holds (``sim.issue.kind.<kind>``).
_LIST_KINDS = {"cameras": "camera", "lights": "light"}


def plan_path_text(path: str) -> str:
    """A field of a plan file given by its path (``cameras.0.lat``, list positions from 0,
    as ``assessments.plan.document.PlanFormatError`` names it) as the pages name it:
    「カメラ（表の 1 行目）・緯度」; other paths by the labels of their first and last
    named parts (「対象エリア」 for ``area.coordinates.0.3.1``)."""
    parts = [p for p in str(path or "").split(".") if p]
    if not parts:
        return ""
    names = [p for p in parts if not p.isdigit()]
    if parts[0] in _LIST_KINDS and len(parts) > 1 and parts[1].isdigit():
        item = t(f"sim.issue.kind.{_LIST_KINDS[parts[0]]}") + t("sim.issue.row",
                                                                  n=int(parts[1]) + 1)
        return t("plan.field_path", item=item, field=field_label(names[-1])) \
            if len(names) > 1 else item
    first, last = field_label(names[0]), field_label(names[-1])
    return first if len(names) == 1 or first == last else t("plan.field_path", item=first,
                                                           field=last)
