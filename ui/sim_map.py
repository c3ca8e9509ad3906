"""The map of the シミュレーション page: what it shows (layer, time of day, overlays, base
map), what a click does (inspect a point, place a camera or a light with a preset), and the
chart with its click callback."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import streamlit as st

from ui import map_view, sim_geodata
from ui.i18n import t
from ui.sim_edits import Edits, preset_labels

RASTERS = ("dori", "requirement", "count", "illuminance", "night_usability", "none")
PERIODS = ("day", "night")
BASES = ("off", "pale", "std")
CLICKS = ("inspect", "camera", "light", "home", "area")


@dataclass(frozen=True)
class View:
    """The map choices of this run."""
    raster: str = "dori"
    period: str = "day"
    overlays: tuple = map_view.OVERLAYS
    base: str | None = None          # GSI tile kind, None: no base map


def _labels(prefix: str, ids) -> dict:
    return {k: t(prefix + k) for k in ids}


def draw_controls(edits: Edits) -> View:
    """The map and click controls; returns the map choices."""
    key = edits.key
    c = st.columns([1.5, 0.8, 2.1, 1.2])
    raster = c[0].selectbox(t("sim.layer"), list(RASTERS), key=key("raster"),
                            format_func=_labels("sim.layer.", RASTERS).get)
    period = c[1].segmented_control(t("sim.period"), list(PERIODS), default="day",
                                    key=key("period"),
                                    format_func=_labels("sim.period.", PERIODS).get) or "day"
    overlays = c[2].pills(t("sim.overlays"), list(map_view.OVERLAYS), selection_mode="multi",
                          default=list(map_view.OVERLAYS), key=key("overlays"),
                          format_func=_labels("sim.overlay.", map_view.OVERLAYS).get)
    base = c[3].selectbox(t("sim.base"), list(BASES), key=key("base"),
                          format_func=_labels("sim.base.", BASES).get, help=t("sim.base_note"))

    # the presets only matter for placing: the row shows what the chosen click needs
    c = st.columns([4.4, 2.6])
    mode = c[0].segmented_control(t("sim.click"), list(CLICKS), default="inspect",
                                  key=key("click"),
                                  format_func=_labels("sim.click.", CLICKS).get) or "inspect"
    if mode == "camera":
        sub = c[1].columns([1.7, 1])
        cam_label = preset_labels("camera_presets")
        sub[0].selectbox(t("sim.camera_preset"), list(cam_label), key=key("cam_preset"),
                         format_func=cam_label.get)
        sub[1].number_input(t("sim.new_azimuth"), min_value=0.0, max_value=359.0, value=0.0,
                            step=15.0, key=key("new_az"), help=t("sim.new_azimuth_help"))
    elif mode == "light":
        light_label = preset_labels("light_presets")
        c[1].selectbox(t("sim.light_preset"), list(light_label), key=key("light_preset"),
                       format_func=light_label.get)
    else:
        c[1].caption(t("sim.click.help." + mode))
    return View(raster=raster, period=period, overlays=tuple(overlays or ()),
                base=None if base == "off" else base)


def inspected_point(edits: Edits) -> tuple[float, float] | None:
    """The point the user inspects, ``(x, y)`` [m] east / north of the grid origin."""
    return st.session_state.get(edits.session_key("point"))


def _on_map_select(edits: Edits, grid, map_key: str, nonce: int) -> None:
    """A click on the map (a point of the click grid selected): inspect the point or place
    a camera / light there. A callback, so the run that follows already shows it (one
    run per click, not two)."""
    event = st.session_state.get(map_key) or {}   # a (read-only) dict
    pts = (event.get("selection") or {}).get("points") or []
    if not pts:
        return
    x, y = float(pts[0]["x"]), float(pts[0]["y"])
    sig = (nonce, round(x, 2), round(y, 2))
    if st.session_state.get(edits.session_key("last_sel")) == sig:
        return
    st.session_state[edits.session_key("last_sel")] = sig
    mode = st.session_state.get(edits.key("click")) or "inspect"
    if mode == "inspect":
        st.session_state[edits.session_key("point")] = (x, y)
    elif mode == "home":
        sim_geodata.toggle_home(edits, grid, x, y)
    elif mode == "area":
        sim_geodata.add_corner(edits, *grid.to_latlon(x, y))
    else:
        lat, lon = grid.to_latlon(x, y)
        edits.place(mode, lat, lon, x=x, y=y,
                    azimuth_deg=float(st.session_state.get(edits.key("new_az")) or 0.0))


def draw_map(edits: Edits, sim, plan: dict, view: View) -> None:
    """The map (clickable) and its captions."""
    nonce = edits.nonce
    map_key = edits.key(f"map_{nonce}")
    fig = map_view.figure(sim, plan, raster=view.raster, period=view.period,
                          overlays=view.overlays, base=view.base, point=inspected_point(edits),
                          sketch=sim_geodata.sketch_xy(edits, sim.grid))
    st.plotly_chart(fig, key=map_key,
                    on_select=partial(_on_map_select, edits, sim.grid, map_key, nonce),
                    selection_mode=("points",), width="stretch",
                    config={"scrollZoom": True, "displaylogo": False,
                            "modeBarButtonsToRemove": ["lasso2d", "select2d"],
                            # the legend sits on the map: let the user drag it
                            "edits": {"legendPosition": True}})
    if plan.get("sample"):
        st.caption(t("sim.plateau"))
    if view.base is not None:
        st.caption(map_view.GSI_ATTRIBUTION)
    if sim.changed and len(sim.changed) < len(sim.model.views):
        st.caption(t("sim.map.computed", ids=", ".join(sim.changed)))
