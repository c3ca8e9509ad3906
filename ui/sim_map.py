"""The map of the シミュレーション page: what it shows (layer, time of day, overlays, base
map), what a click does (inspect a point, place a camera or a light with a preset), and the
chart with its click callback."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import streamlit as st

from assessments.engine.dori import (DEFAULT_STANDARD, DORI_STANDARDS, dori_thresholds,
                                     is_confirmed, plan_standard)
from ui import map_legend, map_view, sim_geodata, state
from ui.i18n import t
from ui.compare_common import unverified_note
from ui.sim_edits import Edits, preset_by_id, preset_labels

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


#: The page's layout around the map (constant CSS, ``ui.theme.inject_css``): narrower
#: side margins than Streamlit's 5 rem, so that at 1366 px the map gets the width.
PAGE_CSS = """
[data-testid="stMainBlockContainer"] { padding-left: 1.5rem; padding-right: 1.5rem;
  padding-top: 2.75rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0.25rem 0 0.5rem; }
"""

#: Heights of the map [px]: fits under the page's top rows at 1366 × 768; the large one
#: for a 1920 × 1080 screen or a projector.
MAP_HEIGHTS = {"normal": 540, "large": 800}


def draw_toolbar(edits: Edits) -> str:
    """What a click on the map does (one choice), and for placing, the preset (and the
    camera's direction) in a popover that names it; returns the mode."""
    key = edits.key
    bar = st.container(horizontal=True, vertical_alignment="center", gap="small")
    mode = bar.segmented_control(
        t("sim.click"), list(CLICKS), default="inspect", key=key("click"),
        format_func=_labels("sim.click.", CLICKS).get, label_visibility="collapsed",
        help=t("sim.click.help")) or "inspect"
    if mode == "camera":
        with _preset_popover(bar, edits, "camera_presets", "cam_preset", "sim.camera_preset",
                             ":material/videocam:"):
            st.number_input(t("sim.new_azimuth"), min_value=0.0, max_value=359.0, value=0.0,
                            step=15.0, key=key("new_az"), help=t("sim.new_azimuth_help"))
    elif mode == "light":
        _preset_popover(bar, edits, "light_presets", "light_preset", "sim.light_preset",
                        ":material/light:")
    return mode


def _preset_popover(bar, edits: Edits, table: str, widget: str, label: str, icon: str):
    """A popover on the toolbar named after the chosen preset of ``table``, holding its
    choice (widget ``widget``); returned for more inputs."""
    labels = preset_labels(table)
    chosen = st.session_state.get(edits.key(widget))
    box = bar.popover(_short(labels.get(chosen) or next(iter(labels.values()), "")
                             or t(label)), icon=icon, help=t(label))
    box.selectbox(t(label), list(labels), key=edits.key(widget), format_func=labels.get)
    note = unverified_note(preset_by_id(table, st.session_state.get(edits.key(widget))))
    if note:  # which figures of the preset are a judgement, next to the choice
        box.caption(note)
    return box


def _short(text: str, n: int = 12) -> str:
    """``text`` cut to ``n`` characters (a popover's label on the toolbar)."""
    return text if len(text) <= n else text[:n - 1] + "…"


def draw_view(edits: Edits) -> View:
    """The map's view choices (layer, time of day, base map, overlays, size); returns
    them."""
    key = edits.key
    raster = st.selectbox(t("sim.layer"), list(RASTERS), key=key("raster"),
                          format_func=_labels("sim.layer.", RASTERS).get)
    c = st.columns(2)
    period = c[0].segmented_control(t("sim.period"), list(PERIODS), default="day",
                                    key=key("period"),
                                    format_func=_labels("sim.period.", PERIODS).get) or "day"
    c[1].segmented_control(t("sim.map_size"), list(MAP_HEIGHTS), default="normal",
                           key=key("map_size"), required=True,
                           format_func=_labels("sim.map_size.", MAP_HEIGHTS).get)
    base = st.selectbox(t("sim.base"), list(BASES), key=key("base"),
                        format_func=_labels("sim.base.", BASES).get, help=t("sim.base_note"))
    overlays = st.pills(t("sim.overlays"), list(map_view.OVERLAYS), selection_mode="multi",
                        default=list(map_view.OVERLAYS), key=key("overlays"),
                        format_func=_labels("sim.overlay.", map_view.OVERLAYS).get)
    draw_standard(edits)
    return View(raster=raster, period=period, overlays=tuple(overlays or ()),
                base=None if base == "off" else base)


#: The DORI editions offered, the default (current) one first.
STANDARDS = (DEFAULT_STANDARD, *(s for s in DORI_STANDARDS if s != DEFAULT_STANDARD))


def draw_standard(edits: Edits) -> None:
    """The plan's DORI edition (``standard``): a selectbox saved through
    :meth:`Edits.set_standard` (undoable), and why the 2025 values are marked."""
    std = plan_standard(edits.plan)
    # keyed by the save count: after an undo the box starts again from the stored plan
    key = state.widget_key(f"sim.standard_{edits.nonce}",
                           std if std in STANDARDS else DEFAULT_STANDARD)
    st.selectbox(t("sim.standard.label"), STANDARDS, key=key,
                 format_func=_labels("sim.standard.", STANDARDS).get,
                 on_change=edits.set_standard, args=(key,), help=t("sim.standard.help"))
    if std in STANDARDS and not all(is_confirmed(k) for k in dori_thresholds(std)):
        st.caption(t("sim.standard.unconfirmed_note"))


def map_height(edits: Edits) -> int:
    """The map's height [px] (:data:`MAP_HEIGHTS`, the user's choice)."""
    return MAP_HEIGHTS.get(st.session_state.get(edits.key("map_size")) or "normal",
                           MAP_HEIGHTS["normal"])


def inspected_point(edits: Edits) -> tuple[float, float] | None:
    """The point the user inspects, ``(x, y)`` [m] east / north of the grid origin."""
    return st.session_state.get(edits.session_key("point"))


def point_just_clicked(edits: Edits) -> bool:
    """Whether this run follows a click that inspects a point (once: the preview opens)."""
    return bool(st.session_state.pop(edits.session_key("open_point"), False))


def draw_legend(edits: Edits, sim, plan: dict, view: View, bm, *,
                proposed: dict | None = None) -> None:
    """The legend of the map as drawn (``ui.map_legend``; ``bm`` the base map
    :func:`draw_map` returned, ``proposed`` the proposal's devices it drew), beside the
    map."""
    png = map_legend.legend_png(map_view.legend_sections(
        sim, plan, raster=view.raster, period=view.period, overlays=view.overlays,
        sketch=bool(sim_geodata.sketch_xy(edits, sim.grid)),
        point=inspected_point(edits) is not None, bm=bm, proposed=proposed))
    if png is not None:
        st.image(png, width="content")


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
        st.session_state[edits.session_key("open_point")] = True
    elif mode == "home":
        sim_geodata.toggle_home(edits, grid, x, y)
    elif mode == "area":
        sim_geodata.add_corner(edits, *grid.to_latlon(x, y))
    else:
        lat, lon = grid.to_latlon(x, y)
        edits.place(mode, lat, lon, x=x, y=y,
                    azimuth_deg=float(st.session_state.get(edits.key("new_az")) or 0.0))


def draw_map(edits: Edits, sim, plan: dict, view: View, *, height: int,
             proposed: dict | None = None):
    """The map (clickable, ``height`` [px]; ``proposed``: a proposal's devices drawn over
    the plan, ``ui.map_view.figure``) and its captions; returns the base map drawn
    (``ui.map_base.BaseMap``, for the legend)."""
    nonce = edits.nonce
    bm = map_view.base_map(plan, sim.grid)
    map_key = edits.key(f"map_{nonce}")
    fig = map_view.figure(sim, plan, raster=view.raster, period=view.period,
                          overlays=view.overlays, base=view.base, point=inspected_point(edits),
                          sketch=sim_geodata.sketch_xy(edits, sim.grid), height=height,
                          bm=bm, proposed=proposed)
    st.plotly_chart(fig, key=map_key,
                    on_select=partial(_on_map_select, edits, sim.grid, map_key, nonce),
                    selection_mode=("points",), width="stretch",
                    config={"scrollZoom": True, "displaylogo": False,
                            "modeBarButtonsToRemove": ["lasso2d", "select2d"]})
    mode = st.session_state.get(edits.key("click")) or "inspect"
    st.caption(t("sim.click.help." + mode) if mode in ("inspect", "home", "area") else
               t("sim.click.help.place"))
    if plan.get("sample"):
        st.caption(t("sim.plateau"))
    if view.base is not None:
        st.caption(map_view.GSI_ATTRIBUTION)
    if sim.changed and len(sim.changed) < len(sim.model.views):
        st.caption(t("sim.map.computed", ids=", ".join(sim.changed)))
    return bm
