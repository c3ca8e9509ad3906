"""出力: the Excel plan (download), and importing it back after editing in Excel."""
import datetime as dt
import re
from collections import defaultdict

import pandas as pd
import streamlit as st

from assessments.plan import validate as planfile
from reports import excel as X
from reports.excel_import import (UPLOAD_TYPES, apply, apply_messages, device_issues, diff,
                                   read_workbook)
from reports import layout_map as LM
from reports.inputs import workbook_inputs
from reports.planbook import plan_book_pdf
from ui import shell, state
from ui.i18n import t
from ui.issues import field_label, plan_issue_text
from ui.sim_edits import issue_list, presets, use_cases
from ui.sim_export import results_for_plan

shell.setup_page()
plan = state.current_plan()


def _message(m) -> str:
    # sheet names, cell values and headers come from the uploaded file: shown as typed
    params = defaultdict(str, {k: state.md_escape(v) if isinstance(v, str) else v
                               for k, v in m.params.items()})
    params.update(sheet=state.md_escape(m.sheet or ""), row=m.row or "",
                  column=state.md_escape(m.column or ""))
    params["where"] = t("export.where").format_map(params)
    return t(f"export.msg.{m.code}").format_map(params)


def _file_name(plan: dict, today: dt.date) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", plan.get("name") or "plan").strip() or "plan"
    return f"{name[:60]}_計画書_{today:%Y%m%d}.xlsx"


st.title(t("export.title"))
st.caption(t("export.intro"))

# ------------------------------------------------------------------------ contents
inputs = workbook_inputs(plan, state.ref_cursor())
scheme, scheme_shares = inputs.scheme, inputs.scheme_shares
sources, readiness_rows, privacy_rows = (inputs.sources, inputs.readiness_rows,
                                         inputs.privacy_rows)
keys = X.sheets_for(plan, sources=sources, readiness_rows=readiness_rows,
                    privacy_rows=privacy_rows)
st.subheader(t("export.contents"))
for key in X.SHEETS:
    if key in keys:
        st.markdown(f":material/check_box: **{t('export.sheet.' + key)}** — {t('export.included')}")
    else:
        st.markdown(f":material/check_box_outline_blank: {t('export.sheet.' + key)} — "
                    f"{t('export.missing.' + key)}")
if scheme is None:
    st.info(t("export.plan.no_scheme"))
else:
    st.markdown(t("export.plan.scheme", name=scheme.get("name_ja")))
    if scheme_shares:
        st.caption(t("export.shares", shares=" / ".join(
            f"{r.get('payer_ja')} {r.get('share_text')}" for r in scheme_shares)))

today = dt.date.today()
try:  # the simulation of this plan (cached by inputs; None while the plan has no area)
    sim_result, sim_png = results_for_plan(plan, use_cases=use_cases())
except planfile.PlanError as exc:
    # the workbook is still useful without the simulation's figures: say what is missing
    sim_result, sim_png = None, None
    st.warning(issue_list(t("export.sim_missing"), map(plan_issue_text, exc.issues[:8])))
try:
    data = X.build_workbook(plan, results=sim_result, map_png=sim_png, today=today,
                            **inputs.kwargs())
except ValueError as exc:  # a value the workbook cannot hold (e.g. a month not YYYY-MM)
    st.error(t("export.build_error", error=state.md_escape(exc)))
    data = None
if data is not None:
    name = _file_name(plan, today)
    st.download_button(t("export.download"), data=data, file_name=name, type="primary",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="export_download")
    st.caption(t("export.download_note", name=state.md_escape(name)))

# ------------------------------------------------------------------------ documents
# the PDFs are made when their button is clicked (a callable): font subsetting takes
# seconds that every run of the page would otherwise pay
st.subheader(t("export.docs"))
if sim_result is None:
    st.info(t("export.docs.no_sim"))
else:
    base = re.sub(r"\.xlsx$", "", _file_name(plan, today)).replace("_計画書_", "_")
    dc = st.columns([1, 1, 1.2])
    paper = dc[0].segmented_control(t("export.docs.paper"), list(LM.PAPERS), default="A4",
                                    key="export_paper") or "A4"
    labels = {k: t("export.docs.orientation." + k) for k in ("landscape", "portrait")}
    orient = dc[1].segmented_control(t("export.docs.orientation"), list(labels),
                                     default="landscape", format_func=labels.get,
                                     key="export_orientation") or "landscape"
    kinds = {"standard": t("export.docs.preset.standard"),
             "notice": t("export.docs.preset.notice")}
    preset = dc[2].segmented_control(t("export.docs.preset"), list(kinds),
                                     default="standard", format_func=kinds.get,
                                     key="export_preset") or "standard"
    opts = dict(paper=paper, orientation=orient,
                preset=None if preset == "standard" else preset, today=today)
    bc = st.columns(3)
    bc[0].download_button(t("export.docs.map_pdf"), lambda: LM.layout_map_pdf(plan, **opts),
                          file_name=f"{base}_配置図_{paper}.pdf", mime="application/pdf",
                          icon=":material/map:", key="export_map_pdf")
    bc[1].download_button(t("export.docs.map_png"), lambda: LM.layout_map_png(plan, **opts),
                          file_name=f"{base}_配置図.png", mime="image/png",
                          icon=":material/image:", key="export_map_png")
    bc[2].download_button(t("export.docs.book"), lambda: plan_book_pdf(
                              plan, today=today, **inputs.kwargs()),
                          file_name=f"{base}_計画書.pdf", mime="application/pdf",
                          icon=":material/menu_book:", key="export_book")
    st.caption(t("export.docs.note"))

# --------------------------------------------------------------------------- import
st.subheader(t("export.import"))
st.caption(t("export.import_help"))
if st.session_state.get("export_applied"):
    st.success(t("export.applied", n=st.session_state.pop("export_applied")))
upload = st.file_uploader(t("export.upload"), type=list(UPLOAD_TYPES), key="export_upload")
if upload is not None:
    result = read_workbook(upload.getvalue())
    if result.errors:
        st.error(t("export.rejected") + "\n\n" + "\n".join(
            f"- {_message(m)}" for m in result.errors))
    if result.warnings:
        st.warning(t("export.warnings") + "\n\n" + "\n".join(
            f"- {_message(m)}" for m in result.warnings))
    cam_presets = presets("camera_presets")
    blocked = device_issues(plan, result, camera_presets=cam_presets) if result.ok else []
    if blocked:     # the simulation would refuse these: the plan is not changed
        st.error(t("export.rejected") + "\n\n" + "\n".join(
            f"- {state.md_escape(plan_issue_text(issue, rows))}"
            for _, issue, rows in blocked[:20]))
    if result.ok and not blocked:
        if result.plan_id and result.plan_id != plan.get("id"):
            st.warning(t("export.other_plan"))
        changes = diff(plan, result, camera_presets=cam_presets)
        notes = apply_messages(plan, result, camera_presets=cam_presets)
        if notes:
            st.info("\n".join(f"- {_message(m)}" for m in notes))
        if not changes:
            st.info(t("export.no_changes"))
        else:
            st.markdown("**" + t("export.changes", n=len(changes)) + "**")
            st.dataframe(pd.DataFrame([{
                t("export.col.section"): t(f"export.section.{c.section}"),
                t("export.col.key"): c.key,
                t("export.col.kind"): t(f"export.kind.{c.kind}"),
                t("export.col.field"): field_label(c.field) if c.field else "",
                t("export.col.old"): "" if c.old is None else str(c.old),
                t("export.col.new"): "" if c.new is None else str(c.new)} for c in changes]),
                hide_index=True, width="stretch", placeholder="")
            if st.button(t("export.apply"), type="primary", key="export_apply"):
                def _apply(p):
                    # on the freshly loaded plan, in one transaction
                    new = apply(p, result, camera_presets=cam_presets)
                    p.clear()
                    p.update(new)
                if state.update_plan(_apply) is not None:
                    # the project-plan page's editors start again from the new plan
                    for key in [k for k in st.session_state if str(k).startswith(
                            f"pp_{plan['id']}_")]:
                        del st.session_state[key]
                    st.session_state["export_applied"] = len(changes)
                    st.rerun()
