"""The cameras and lights tabs of the シミュレーション page: one editable table per kind
(edits saved through :meth:`ui.sim_edits.Edits.on_table`) and the lens calculator."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from assessments.engine import camera as cam_mod
from assessments.engine.devices import DEFAULT_MAINTENANCE_FACTOR, DISTRIBUTIONS
from ui import simulation as S
from ui.i18n import t
from ui.sim_edits import Edits, show_messages


def column_config(fields, kind: str = "cameras") -> dict:
    """Column labels and formats of a device table (``kind`` ``"cameras"`` or ``"lights"``)."""
    cfg = {}
    for f in fields:
        label = t("sim.col." + f)
        if kind == "lights" and f == "azimuth_deg":
            # a light's azimuth is the bearing of its table's C0 half-plane, the street side
            cfg[f] = st.column_config.NumberColumn(t("sim.light.azimuth"),
                                                   help=t("sim.light.azimuth_help"))
        elif f == "distribution":
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
                   column_config=column_config(fields, kind), on_change=edits.on_table,
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
    """The lights tab: the table and the maintenance factor."""
    st.caption(t("sim.table_help"))
    show_messages("lights")
    device_table(edits, "lights", plan.get("lights") or [], S.LIGHT_EDIT_FIELDS)
    maintenance_input(edits, plan.get("lights") or [])


def maintenance_input(edits: Edits, lights: list) -> None:
    """The lights' maintenance factor (保守率, ``lights[].maintenance_factor``): one value
    for every light, saved undoably; the engine checks and applies it
    (:mod:`assessments.engine.devices`)."""
    values = sorted({_factor(lt) for lt in lights if isinstance(lt, dict)})
    shown = values[0] if len(values) == 1 else DEFAULT_MAINTENANCE_FACTOR
    key = edits.key(f"maint_{edits.nonce}")
    st.number_input(t("sim.col.maintenance_factor"), min_value=0.01, max_value=1.0,
                    value=shown, step=0.05, format="%.2f", key=key,
                    help=t("sim.light.maintenance_help"), disabled=not lights,
                    on_change=_set_maintenance, args=(edits, key))
    if len(values) > 1:
        st.caption(t("sim.light.maintenance_mixed", values="、".join(f"{v:g}" for v in values)))


def _factor(light: dict) -> float:
    """A stored light's maintenance factor, the default when absent or not a number."""
    v = light.get("maintenance_factor")
    ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    return float(v) if ok else DEFAULT_MAINTENANCE_FACTOR


def _set_maintenance(edits: Edits, key: str) -> None:
    """Callback: every light gets the entered maintenance factor."""
    m = float(st.session_state[key])

    def fn(p):
        p["lights"] = [dict(lt, maintenance_factor=m) if isinstance(lt, dict) else lt
                       for lt in p.get("lights") or []]
    edits.change(fn, t("sim.light.maintenance_changed"))
