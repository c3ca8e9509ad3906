"""Sidebar: language switch and the plan selector (create, rename, duplicate, delete,
switch, share as JSON)."""
from __future__ import annotations

import logging

import streamlit as st

from assessments.plan.document import (MAX_NAME_CHARS, MAX_PLAN_BYTES, PlanFormatError,
                                       dump_plan_json, parse_plan_json)
from datasets import queries
from datasets.workspace import WorkspaceError
from ui import state
from ui.issues import plan_issue_text, plan_path_text
from ui.i18n import lang, t

_LOG = logging.getLogger(__name__)


def language_switch() -> None:
    """日本語 / English; stored in ``st.session_state["lang"]``."""
    st.session_state.setdefault("lang", "ja")
    labels = {"ja": "日本語", "en": "English"}

    def _changed():
        st.session_state["lang"] = st.session_state["_lang_widget"]

    st.session_state["_lang_widget"] = lang()
    st.sidebar.radio(t("common.language"), options=list(labels), format_func=labels.get,
                     key="_lang_widget", on_change=_changed, horizontal=True)


def _municipality_picker(prefix: str) -> dict | None:
    cur = state.ref_cursor()
    prefectures = queries.list_prefectures(cur)["prefecture"].tolist()
    none = t("plan.no_municipality")
    pref = st.selectbox(t("plan.prefecture"), [none] + prefectures, key=f"{prefix}_pref")
    if pref == none:
        return None
    rows = queries.list_municipalities(state.ref_cursor(), prefecture=pref)
    records = rows.to_dict("records")
    choice = st.selectbox(t("plan.municipality"), range(len(records)),
                          format_func=lambda i: records[i]["name"], key=f"{prefix}_muni")
    if choice is None:
        return None
    row = records[choice]
    return {"code": row["code"], "prefecture": row["prefecture"], "name": row["name"],
            "lat": float(row["lat"]), "lon": float(row["lon"])}


def plan_selector() -> None:
    """The current-plan selectbox and the plan management expander."""
    ws = state.workspace()
    owner = state.owner()
    state.ensure_plan()
    plans = ws.list_plans(owner=owner)
    ids = [p["id"] for p in plans]
    names = {p["id"]: p["name"] for p in plans}
    current = state.current_plan_id()
    sidebar = st.sidebar
    st.session_state["_plan_widget"] = current  # follow switches made by code
    shown = _unique_labels(ids, names)
    sidebar.selectbox(t("plan.current"), ids, format_func=shown.__getitem__, key="_plan_widget",
                      on_change=lambda: state.select_plan(st.session_state["_plan_widget"]))
    for message in st.session_state.pop("_plan_flash", []):
        sidebar.success(message)
    _save_status(sidebar, current)

    with sidebar.expander(t("plan.manage")):
        tab_new, tab_rename, tab_dup, tab_del, tab_share = st.tabs(
            [t("plan.new"), t("plan.rename"), t("plan.duplicate"), t("plan.delete"),
             t("plan.share")])
        with tab_new:
            # no st.form: the municipality list must follow the chosen prefecture
            name = st.text_input(t("plan.name"), key="plan_new_name", max_chars=MAX_NAME_CHARS)
            municipality = _municipality_picker("plan_new")
            if st.button(t("plan.create"), key="plan_new_btn", type="primary"):
                if not name.strip():
                    st.warning(t("plan.name_required"))
                else:
                    try:
                        plan = ws.create_plan(name, municipality=municipality, owner=owner)
                    except WorkspaceError as exc:
                        state.show_save_error(exc)
                        return
                    for key in ("plan_new_name", "plan_new_pref", "plan_new_muni"):
                        st.session_state.pop(key, None)
                    _switch(plan["id"], t("plan.created", name=state.md_escape(plan["name"])))
        with tab_rename:
            new_name = st.text_input(t("plan.name"), value=names[current],
                                     key=f"plan_rename_{current}", max_chars=MAX_NAME_CHARS)
            if st.button(t("plan.rename"), key="plan_rename_btn"):
                if not new_name.strip():
                    st.warning(t("plan.name_required"))
                else:
                    if state.update_plan(lambda p: p.update(name=new_name.strip())):
                        _switch(current, t("plan.renamed"))
        with tab_dup:
            if st.button(t("plan.duplicate"), key="plan_dup_btn"):
                try:
                    copy = ws.duplicate_plan(current, names[current] + t("plan.copy_suffix"),
                                             owner=owner)
                except WorkspaceError as exc:
                    state.show_save_error(exc)
                    return
                _switch(copy["id"], t("plan.duplicated", name=state.md_escape(copy["name"])))
        with tab_del:
            if len(ids) <= 1:
                st.info(t("plan.cannot_delete_last"))
            else:
                st.warning(t("plan.delete_confirm", name=state.md_escape(names[current])))
                sure = st.checkbox(t("plan.delete_confirm_box"), key=f"plan_del_ok_{current}")
                if st.button(t("plan.delete"), key="plan_del_btn", disabled=not sure):
                    try:
                        ws.delete_plan(current, owner=owner)
                    except WorkspaceError as exc:
                        state.show_save_error(exc)
                        return
                    rest = [i for i in ids if i != current]
                    _switch(rest[0], t("plan.deleted", name=state.md_escape(names[current])))
        with tab_share:
            # built only when clicked: a district plan is ~1 MB of JSON
            st.download_button(t("plan.download_json"), data=_plan_json(ws, current, owner),
                               file_name=f"{names[current]}.json", mime="application/json",
                               key="plan_download", on_click="ignore")
            upload = st.file_uploader(t("plan.upload_json"), type=["json"],
                                      help=t("plan.upload_help"), key="plan_upload")
            if upload is not None and st.session_state.get("_plan_upload_done") != upload.file_id:
                st.session_state["_plan_upload_done"] = upload.file_id
                _import(upload.getvalue(), owner)


def _unique_labels(ids: list[str], names: dict[str, str]) -> dict[str, str]:
    """Plan names as selector labels, made unique (「計画 (2)」): Streamlit sends a choice back
    as its label, so two plans of the same name would both select the first."""
    labels: dict[str, str] = {}
    taken: set[str] = set()
    for plan_id in ids:
        label, n = names.get(plan_id) or plan_id, 1
        while label in taken:
            n += 1
            label = f"{names.get(plan_id) or plan_id} ({n})"
        taken.add(label)
        labels[plan_id] = label
    return labels


def _plan_json(ws, plan_id: str, owner: str):
    """A callable giving the stored plan as JSON bytes (run by Streamlit on click, outside
    the script run: it takes everything it needs as arguments)."""
    def build() -> bytes:
        plan = ws.get_plan(plan_id, owner=owner)
        plan.pop("_revision", None)
        return dump_plan_json(plan)
    return build


def _save_status(sidebar, current: str) -> None:
    """Under the plan selector: the last save of this session, changes waiting to be saved
    (with a retry button), and the login state of a shared deployment."""
    pending = state.pending_count()
    if pending:
        sidebar.warning(t("fault.pending", n=pending))
        sidebar.button(t("fault.retry"), key="_retry_saves", on_click=state.retry_pending)
    else:
        saved = st.session_state.get(state.SAVED_KEY)
        if saved and saved.get("plan_id") == current:
            sidebar.caption(t("common.saved_at", time=saved["time"],
                              revision=saved["revision"]))
    if state.logged_in():
        sidebar.caption(t("common.logged_in_as", user=state.md_escape(state.user_label())))
        if sidebar.button(t("common.logout"), key="_logout_btn"):
            st.logout()


def _import(data: bytes, owner: str) -> None:
    notes: list = []
    try:
        plan = parse_plan_json(data, notes)
        problems = _validate(plan)
    except PlanFormatError as exc:
        key = f"plan.import_error.{exc.code}"
        st.error(t(key, field=state.md_escape(plan_path_text(exc.field)),
                   value=state.md_escape(exc.value),
                   limit=MAX_PLAN_BYTES // (1024 * 1024)) + " " + t("plan.unchanged"))
        return
    if problems:
        st.error(t("plan.import_error.invalid") + "\n" +
                 "\n".join(f"- {state.md_escape(p)}" for p in problems[:20]) + "\n\n" + t("plan.unchanged"))
        return
    try:
        stored = state.workspace().add_plan(plan, owner=owner)
    except WorkspaceError as exc:
        state.show_save_error(exc)
        return
    except (TypeError, ValueError) as exc:  # e.g. a number too large for JSON
        _LOG.warning("plan upload not stored: %s", exc)
        st.error(t("plan.import_error.invalid") + "\n\n" + t("plan.unchanged"))
        return
    note = "".join(" " + t(f"plan.{code}", n=n) for code, n in notes)   # never in silence
    _switch(stored["id"], t("plan.imported", name=state.md_escape(stored["name"])) + note)


def _validate(plan: dict) -> list[str]:
    """Problems of the plan's simulation part (cameras, lights, area), in the user's
    language (``ui.issues.plan_issue_text``). A plan without an area yet (what a new plan
    downloaded from this sidebar is) is a whole plan: its missing area is no problem."""
    try:
        from assessments.plan.validate import PlanError, validate_plan
    except ImportError:
        return []
    try:
        validate_plan(plan)
    except PlanError as exc:
        no_area = not plan.get("area")
        return [plan_issue_text(i) for i in exc.issues
                if not (no_area and i.field == "area" and i.code == "missing")]
    return []


def _switch(plan_id: str, message: str) -> None:
    state.select_plan(plan_id)
    st.session_state["_plan_flash"] = [message]
    st.rerun()
