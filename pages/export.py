"""出力: the Excel plan (download), and importing it back after editing in Excel."""
import datetime as dt
import re
from collections import defaultdict

import duckdb
import pandas as pd
import streamlit as st

from assessments.plan import validate as planfile
from assessments.programme import readiness as R
from assessments.records import records
from datasets import queries
from reports import excel as X
from reports.excel_import import apply, diff, read_workbook
from ui import shell, state
from ui.i18n import t
from ui.sim_edits import issue_list, plan_issue_text, use_cases
from ui.sim_export import results_for_plan

shell.setup_page()
plan = state.current_plan()


def _table(sql: str) -> list[dict]:
    """Rows of a reference table; empty while the table does not exist (fixed SQL only)."""
    try:
        return records(state.ref_cursor().execute(sql).fetch_df())
    except duckdb.Error:
        return []


def _readiness_rows(plan: dict) -> list[dict] | None:
    # a level that is not 0–4 (a damaged plan file) counts as unanswered; the
    # 準備度 page names those questions
    answers, _ = R.clean_answers((plan.get("readiness") or {}).get("answers"))
    questions = _table("SELECT * FROM readiness_questions ORDER BY condition_id, sort_order")
    if not answers or not questions:
        return None
    scores = R.condition_scores(questions, answers)
    actions = _table("SELECT * FROM readiness_actions ORDER BY sort_order")
    rows = []
    for q in questions:
        a = answers.get(q["id"]) or {}
        cond = q["condition_id"]
        action = ""
        score = (scores.get(cond) or {}).get("score")
        if score is not None and score == score:  # NaN while a condition is unanswered
            b = R.band(score)
            action = next((r["action_ja"] for r in actions
                           if r["condition_id"] == cond and r["band"] == b), "")
        level = a.get("level")
        rows.append({"condition": READINESS_CONDITIONS.get(cond, cond),
                     "question": q["question_ja"], "level": level, "max_level": 4,
                     "gap": "" if level is not None and level >= 3 else (
                         "未回答" if level is None else f"レベル{level}（3以上が目安）"),
                     "action": action if (level is None or level < 3) else "",
                     "evidence": a.get("evidence", ""), "basis": q.get("basis_ja") or ""})
    order = list(READINESS_CONDITIONS.values())
    rows.sort(key=lambda r: order.index(r["condition"]) if r["condition"] in order else 99)
    return rows


# docs/architecture.md "Readiness conditions"
READINESS_CONDITIONS = {
    "vision": "基本ビジョン", "issues": "解決すべき課題", "target_state": "目指す姿",
    "plan": "実証・実装の具体的計画", "organisation": "組織的推進体制",
    "funding_approach": "国の補助金・交付金活用へのアプローチ",
    "investment_recovery": "投資回収の継続的計画", "data_platform": "データ連携基盤",
    "participation": "住民参画",
}


def _privacy_rows(plan: dict) -> list[dict] | None:
    answers = (plan.get("privacy") or {}).get("answers") or {}
    items = {r["id"]: r for r in _table("SELECT * FROM privacy_items ORDER BY sort_order")}
    if not answers or not items:
        return None
    rows = []
    for item_id, item in items.items():
        if item_id not in answers:
            continue
        a = answers[item_id] or {}
        status = a.get("status", "")
        rows.append({"item": f"{item_id} {item['title_ja']}", "status": status,
                     "gap": X.PRIVACY_STATUS_LABELS.get(status, "")
                     if status in ("todo", "partial") else "",
                     "action": item.get("action_ja") or "" if status != "done" else "",
                     "owner": a.get("owner", ""), "due": a.get("due", ""),
                     "evidence": a.get("evidence", ""), "basis": item.get("basis_ja") or ""})
    return rows


def _sources(plan: dict) -> list[dict]:
    out, seen = [], set()

    def add(title, source, verified):
        if source and source not in seen:
            seen.add(source)
            out.append({"title": title, "source": source, "verified": verified})

    for uc in _table("SELECT id, name_ja, verified, source FROM use_cases ORDER BY id"):
        if uc["id"] in (plan.get("use_cases") or []):
            add(f"活用事例: {uc['name_ja']}", uc["source"], uc["verified"])
    answered = (plan.get("readiness") or {}).get("answers") or {}
    if answered:
        for q in _table("SELECT id, question_ja, verified, source FROM readiness_questions"):
            if q["id"] in answered:
                add(f"準備度の設問の根拠 ({q['id']})", q["source"], q["verified"])
    answered = (plan.get("privacy") or {}).get("answers") or {}
    if answered:
        for p in _table("SELECT id, title_ja, verified, source FROM privacy_items"):
            if p["id"] in answered:
                add(f"プライバシー項目の根拠 ({p['id']})", p["source"], p["verified"])
    return out


def _message(m) -> str:
    params = defaultdict(str, m.params)
    params.update(sheet=m.sheet, row=m.row or "", column=m.column)
    params["where"] = t("export.where").format_map(params)
    return t(f"export.msg.{m.code}").format_map(params)


def _file_name(plan: dict, today: dt.date) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", plan.get("name") or "plan").strip() or "plan"
    return f"{name[:60]}_計画書_{today:%Y%m%d}.xlsx"


st.title(t("export.title"))
st.caption(t("export.intro"))

# ------------------------------------------------------------------------ contents
try:
    schemes = records(queries.run(state.ref_cursor(), "list_grant_schemes", level="",
                                  stage=""))
except duckdb.Error:  # table not there yet on this machine
    schemes = []
try:  # payer splits (都 / 市 / 団体) of the schemes that have one
    shares = records(queries.run(state.ref_cursor(), "list_grant_shares"))
except duckdb.Error:
    shares = []
scheme = X._scheme_for(plan, schemes)
scheme_shares = X.shares_for(shares, scheme.get("id"), renewal=bool(
    (plan.get("grant") or {}).get("renewal"))) if scheme else []
readiness_rows = _readiness_rows(plan)
privacy_rows = _privacy_rows(plan)
sources = X._sources_with_scheme(_sources(plan), scheme)
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
    data = X.build_workbook(plan, schemes=schemes, sources=sources,
                            results=sim_result, map_png=sim_png, today=today,
                            readiness_rows=readiness_rows, privacy_rows=privacy_rows,
                            shares=shares)
except ValueError as exc:  # a value the workbook cannot hold (e.g. a month not YYYY-MM)
    st.error(t("export.build_error", error=state.md_escape(exc)))
    data = None
if data is not None:
    name = _file_name(plan, today)
    st.download_button(t("export.download"), data=data, file_name=name, type="primary",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="export_download")
    st.caption(t("export.download_note", name=state.md_escape(name)))

# --------------------------------------------------------------------------- import
st.subheader(t("export.import"))
st.caption(t("export.import_help"))
if st.session_state.get("export_applied"):
    st.success(t("export.applied", n=st.session_state.pop("export_applied")))
upload = st.file_uploader(t("export.upload"), type=["xlsx"], key="export_upload")
if upload is not None:
    result = read_workbook(upload.getvalue())
    if result.errors:
        st.error(t("export.rejected") + "\n\n" + "\n".join(
            f"- {_message(m)}" for m in result.errors))
    if result.warnings:
        st.warning(t("export.warnings") + "\n\n" + "\n".join(
            f"- {_message(m)}" for m in result.warnings))
    if result.ok:
        if result.plan_id and result.plan_id != plan.get("id"):
            st.warning(t("export.other_plan"))
        changes = diff(plan, result)
        if not changes:
            st.info(t("export.no_changes"))
        else:
            st.markdown("**" + t("export.changes", n=len(changes)) + "**")
            st.dataframe(pd.DataFrame([{
                t("export.col.section"): t(f"export.section.{c.section}"),
                t("export.col.key"): c.key,
                t("export.col.kind"): t(f"export.kind.{c.kind}"),
                t("export.col.field"): c.field,
                t("export.col.old"): "" if c.old is None else str(c.old),
                t("export.col.new"): "" if c.new is None else str(c.new)} for c in changes]),
                hide_index=True, width="stretch")
            if st.button(t("export.apply"), type="primary", key="export_apply"):
                def _apply(p):
                    new = apply(p, result)  # on the freshly loaded plan, in one transaction
                    p.clear()
                    p.update(new)
                if state.update_plan(_apply) is not None:
                    # the project-plan page's editors start again from the new plan
                    for key in [k for k in st.session_state if str(k).startswith(
                            f"pp_{plan['id']}_")]:
                        del st.session_state[key]
                    st.session_state["export_applied"] = len(changes)
                    st.rerun()
