"""The cameras and lights tabs of the シミュレーション page: one editable table per kind
(edits saved through :meth:`ui.sim_edits.Edits.on_table`) and the lens calculator."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from assessments.engine import camera as cam_mod
from assessments.engine.devices import DISTRIBUTIONS
from ui import simulation as S
from ui.i18n import t
from ui.sim_edits import Edits, show_messages


def column_config(fields) -> dict:
    """Column labels and formats of a device table."""
    cfg = {}
    for f in fields:
        label = t("sim.col." + f)
        if f == "distribution":
            cfg[f] = st.column_config.SelectboxColumn(
                label, options=list(DISTRIBUTIONS),
                format_func=lambda d: t("sim.light_dist." + d))
        elif f == "existing":
            cfg[f] = st.column_config.CheckboxColumn(label, help=t("sim.col.existing_help"),
                                                     default=False)
        elif f in ("id", "model"):
            cfg[f] = st.column_config.TextColumn(label)
        elif f in ("lat", "lon"):
            cfg[f] = st.column_config.NumberColumn(label, format="%.6f")
        elif f in ("width_px", "height_px", "unit_price_jpy"):
            cfg[f] = st.column_config.NumberColumn(label, format="%d")
        else:
            cfg[f] = st.column_config.NumberColumn(label)
    return cfg


def device_table(edits: Edits, kind: str, devices: list, fields) -> None:
    """The editable table of cameras or lights, keyed by the save counter."""
    key = edits.key(f"{'cams' if kind == 'cameras' else 'lights'}_{edits.nonce}")
    df = pd.DataFrame([{f: (d.get(f) is True) if f == "existing" else d.get(f)
                        for f in fields} for d in devices], columns=list(fields))
    st.data_editor(df, key=key, num_rows="dynamic", hide_index=True, width="stretch",
                   column_config=column_config(fields), on_change=edits.on_table,
                   args=(kind, key), placeholder="")


def draw_cameras(edits: Edits, plan: dict) -> None:
    """The cameras tab: the table and the lens → field-of-view calculator."""
    key = edits.key
    st.caption(t("sim.table_help"))
    show_messages("cameras")
    cams = plan.get("cameras") or []
    device_table(edits, "cameras", cams, S.CAMERA_EDIT_FIELDS)
    # keyed and stateful: it stays open while the user types into it
    with st.expander(t("sim.lens"), key=key("lens_open"), on_change="rerun"):
        lc = st.columns(4)
        focal = lc[0].number_input(t("sim.lens.focal"), 1.0, 100.0, 4.0, 0.5, key=key("focal"))
        sensor = lc[1].number_input(t("sim.lens.sensor"), 1.0, 40.0, 5.6, 0.1,
                                    key=key("sensor"))
        fov = float(cam_mod.fov_from_lens(focal, sensor))
        lc[2].metric(t("sim.col.hfov_deg"), f"{fov:.1f}°")
        ids = [str(c["id"]) for c in cams]
        if ids:
            target = lc[3].selectbox(t("sim.lens.camera"), ids, key=key("lens_cam"))
            # callbacks (here and in the other tabs): the change is saved before the run
            # the click starts, which then shows it (one run, not two)
            lc[3].button(t("sim.lens.apply"), key=key("lens_apply"), on_click=edits.apply_delta,
                         args=("cameras", {"edited_rows": {ids.index(target): {
                             "hfov_deg": round(fov, 2)}}}))


def draw_lights(edits: Edits, plan: dict) -> None:
    """The lights tab: the table."""
    st.caption(t("sim.table_help"))
    show_messages("lights")
    device_table(edits, "lights", plan.get("lights") or [], S.LIGHT_EDIT_FIELDS)
