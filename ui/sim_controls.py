"""The top of the シミュレーション page: how to start (sample district, municipal office),
the use cases, the requirement they set and the undo button."""
from __future__ import annotations

import streamlit as st

from assessments.engine.dori import dori_label
from ui import sim_geodata, state
from ui.i18n import col, t
from ui.sim_edits import Edits


def draw_start(edits: Edits, *, files: bool = True) -> None:
    """The ways to start a scene: the sample district, an area around the office, or (with
    ``files``; the 読み込み・書き出し tab has its own uploader) the town's own map data."""
    key = edits.key
    c1, c2, c3 = st.columns(3)
    with c1:
        st.button(t("sim.start.sample"), key=key("sample"), type="primary",
                  icon=":material/location_city:", on_click=edits.load_sample,
                  help=t("sim.start.sample_help"))
    with c2:
        mun = edits.plan.get("municipality") or {}
        if mun.get("lat") is not None and mun.get("lon") is not None:
            size = st.number_input(t("sim.start.size"), min_value=100, max_value=5000,
                                   value=400, step=100, key=key("size"))
            st.button(t("sim.start.municipality", name=mun.get("name", "")), key=key("mun"),
                      icon=":material/account_balance:", on_click=edits.start_municipality,
                      args=(float(size),))
        else:
            st.caption(t("sim.start.municipality_none"))
    if files:
        with c3:
            sim_geodata.draw_start(edits)


def draw_use_cases(edits: Edits, use_cases: list[dict]) -> None:
    """The use-case multiselect: holds ids, shows labels in the user's language.

    A stored use case that is not in the reference table (an id from elsewhere, or a label
    an older version saved) is named in a warning (``ui.state.warn_unknown``); the
    simulation ignores it, and choosing the use cases again saves only known ids.
    """
    ids = [u["id"] for u in use_cases]
    labels = {u["id"]: col(u, "name") for u in use_cases}
    stored = [u for u in edits.plan.get("use_cases") or [] if isinstance(u, str)]
    key = edits.key(f"uc_{edits.nonce}")
    shown: list = []  # filled below: the ids shown, for the callback of the next change
    shown += st.multiselect(t("sim.use_cases"), ids, placeholder=t("common.choose"),
                            select_all=False, default=[u for u in stored if u in labels],
                            format_func=lambda u: labels.get(u, u), key=key,
                            on_change=edits.set_use_cases, args=(key, use_cases, shown),
                            help=t("sim.use_cases_help"))
    if ids:   # (without the reference table every id would look unknown)
        state.warn_unknown("use_cases", [u for u in edits.plan.get("use_cases") or []
                                         if not (isinstance(u, str) and u in labels)])


def draw_undo(edits: Edits) -> None:
    """The undo button, naming the change it undoes."""
    stack = edits.undo_stack
    st.write("")
    st.button(t("sim.undo"), key=edits.key("undo_btn"), icon=":material/undo:",
              on_click=edits.undo, disabled=not stack,
              help=t("sim.undo_what", what=stack[-1][0]) if stack else t("sim.undo"))


def draw_requirement(req: dict | None) -> None:
    """The requirement the chosen use cases set (DORI level, night, recording).

    The level is named in the plan's edition (``req["standard"]``) with the name the use
    case cites where they differ: 「Perceive（2014年版の Recognise（認識））」 (125 px/m).
    """
    st.write("")
    if req:
        level = dori_label(req.get("cited_level") or req["level"], state.lang(),
                           standard=req.get("standard"),
                           unconfirmed=t("sim.standard.unconfirmed"))
        st.markdown(t("sim.req", level=level, px=req["px_per_m"],
                      night=t("sim.yes") if req["night"] else t("sim.no"),
                      rec=t("sim.yes") if req["recording"] else t("sim.no")))
    else:
        st.caption(t("sim.req_none"))
