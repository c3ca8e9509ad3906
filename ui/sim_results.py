"""The figures of the シミュレーション page: the summary beside the map, the table per
district and the preview of a person at the inspected point."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from assessments.engine.dori import STANDARD_IF_ABSENT, dori_thresholds, level_for
from assessments.programme import costs as plan_costs_mod
from ui import simulation as S
from ui import state
from ui.i18n import t


def cost_figures(plan: dict, res: dict) -> tuple[dict, object]:
    """The plan's estimate rates ``{key: 円}`` and its costs
    (:func:`assessments.programme.costs.plan_costs`: the same lines and totals as
    事業計画・事業費 and the Excel; the recorder is sized by the same storage model)."""
    return plan_costs_mod.estimate_rates(plan), plan_costs_mod.plan_costs(plan)


def _f(v, d=1) -> str:
    return "–" if v is None else f"{v:.{d}f}"


def draw_summary(sim, req: dict | None, res: dict, cost: dict, *, key) -> None:
    """The summary column: area, coverage, requirement, DORI shares, lighting, storage,
    cost. ``key``: widget name → session key."""
    thr = sim.model.thresholds
    st.subheader(t("sim.summary"))
    m1, m2 = st.columns(2)
    m1.metric(t("sim.sum.area") + " [m²]", f"{res['area_m2']:,.0f}")
    m2.metric(t("sim.sum.covered"), f"{res['coverage_fraction'] * 100:.1f} %")
    if req:
        r_ = res["requirement"]
        m3, m4 = st.columns(2)
        if req["night"]:
            m3.metric(t("sim.sum.req_met"), f"{r_['met_fraction'] * 100:.1f} %")
        else:
            m3.metric(t("sim.sum.req_met_day"), f"{r_['met_fraction'] * 100:.1f} %")
        m4.metric(t("sim.sum.req_met_day"), f"{r_['day_fraction'] * 100:.1f} %")
    st.markdown("**" + t("sim.sum.dori_table") + "**")
    keys = [k for k, _ in sorted(thr.items(), key=lambda kv: kv[1])]
    # the level's name only (its px/m is in the legend beside): the table fits the panel
    day, night = t("sim.sum.day"), t("sim.sum.night")
    st.dataframe(pd.DataFrame({
        t("sim.sum.level"): [t("sim.dori." + k) for k in keys],
        day: [f"{res['dori_fraction'][k] * 100:.1f} %" for k in keys],
        night: [f"{res['night_dori_fraction'][k] * 100:.1f} %" for k in keys]}),
        hide_index=True, width="stretch", key=key("dori_table"), placeholder="",
        column_config={day: st.column_config.TextColumn(day, width=64),
                       night: st.column_config.TextColumn(night, width=64)})
    il = res["illuminance"]
    st.markdown("**" + t("sim.sum.lighting") + "**  \n" + t(
        "sim.sum.lux", mean=_f(il["mean_lx"]), min=_f(il["min_lx"]),
        u=_f(il["uniformity"], 2)) + "  \n" + t(
        "sim.sum.ses", verdict=t("sim.ses." + (il["ses_class"] or "none").lower())))
    st.caption(t("sim.sum.ses_note") + " " +
               t("sim.sum.lit_unseen", a=f"{res['lit_but_unseen_m2']:,.0f}") + " · " +
               t("sim.sum.seen_dark", a=f"{res['seen_but_dark_m2']:,.0f}"))
    little = res["cameras_adding_little"]
    st.markdown("**" + t("sim.sum.little") + "**  \n" +
                (state.md_escape(", ".join(little)) if little else t("sim.sum.little_none")))
    stor = res["storage"]
    st.markdown("**" + t("sim.sum.storage", days=f"{stor['retention_days']:g}") + "**  \n" +
                t("sim.sum.storage_value", tb=f"{stor['total_tb']:.2f}",
                  n=len(stor["cameras"])))
    st.caption(t("sim.sum.storage_model"))
    st.markdown("**" + t("export.plan.total_initial") + "**  \n" + (
        t("sim.sum.cost_value", total=f"{cost.initial_jpy:,.0f}") if cost.initial_jpy > 0
        else t("sim.sum.cost_zero")))


def _share(d: dict, areas: str, level: str) -> float:
    """Share of a district's area [%] where ``level`` is reached (``dori_m2`` or
    ``night_dori_m2``)."""
    return round(d[areas].get(level, 0.0) / d["area_m2"] * 100 if d["area_m2"] else 0.0, 1)


def draw_districts(res: dict, req: dict | None, *, key) -> None:
    """The figures per district (小学校区 …), or why the districts cannot be used."""
    if res.get("districts"):
        lvl = (req or {}).get("level") or level_for(
            "observe", dori_thresholds(res.get("standard") or STANDARD_IF_ABSENT))
        with st.expander(t("sim.dist.title", n=len(res["districts"])), expanded=True,
                         key=key("districts_open"), on_change="rerun"):
            st.dataframe(pd.DataFrame([{
                t("sim.dist.name"): d["name"],
                t("sim.dist.area"): round(d["area_m2"]),
                t("sim.dist.covered"): round(d["coverage_fraction"] * 100, 1),
                t("sim.dist.level_day", level=t("sim.dori." + lvl)): _share(d, "dori_m2", lvl),
                t("sim.dist.level_night", level=t("sim.dori." + lvl)): _share(
                    d, "night_dori_m2", lvl),
                t("sim.dist.lux"): ("–" if (d.get("illuminance") or {}).get("mean_lx") is None
                                    else f"{d['illuminance']['mean_lx']:.1f}"),
                t("sim.dist.ses"): (t("sim.ses." + d["illuminance"]["ses_class"].lower())
                                    if (d.get("illuminance") or {}).get("ses_class") else "–"),
                t("sim.dist.cameras"): len(d.get("cameras") or [])} for d in res["districts"]]),
                hide_index=True, width="stretch", key=key("dist_df"),
                column_config={t("sim.dist.area"): st.column_config.NumberColumn(
                    format="localized")}, placeholder="")
            st.caption(t("sim.dist.note"))
    elif res.get("district_issues"):
        st.warning(t("sim.dist.invalid") + "\n\n" + "\n".join(
            f"- {state.md_escape(m)}" for m in res["district_issues"][:8]))


def reach_rows(sim, level: str, point: tuple[float, float] | None) -> list[dict]:
    """Per camera: how far along its axis ``level`` reaches [m]
    (``CoverageModel.camera_summary``) and, with ``point`` ``(x, y)`` [m], the distance
    to it [m] (on the ground)."""
    rows = []
    for cid, v in sim.model.views.items():
        end = sim.model.camera_summary(cid)["dori_axis_end_m"].get(level)
        row = {"id": cid, "reach_m": None if end is None or not np.isfinite(end) or end <= 0
               else round(float(end), 1)}
        if point is not None:
            row["distance_m"] = round(float(np.hypot(point[0] - v.x_m, point[1] - v.y_m)), 1)
        rows.append(row)
    return rows


def draw_reach(sim, req: dict | None, point, *, key) -> None:
    """The table of the cameras' reach at the required DORI level (Observe without a
    requirement) and their distance to the inspected point."""
    level = (req or {}).get("level") or level_for("observe", dict(sim.model.thresholds))
    rows = reach_rows(sim, level, point)
    if not rows:
        return
    name = t("sim.dori." + level)
    cols = {"id": t("sim.reach.camera"), "reach_m": t("sim.reach.reach", level=name),
            "distance_m": t("sim.reach.distance")}
    df = pd.DataFrame(rows).rename(columns=cols)
    st.markdown("**" + t("sim.reach.title") + "**")
    st.dataframe(df, hide_index=True, width="stretch", key=key("reach_df"), placeholder="",
                 height=min(36 + 35 * len(rows), 260),
                 column_config={v: st.column_config.NumberColumn(v, format="%.0f")
                                for k, v in cols.items() if k != "id"})
    if point is not None:
        st.caption(t("sim.preview.where", x=point[0], y=point[1]))


def open_preview(sim, point) -> None:
    """The preview of the inspected point in a dialog over the page."""
    st.dialog(t("sim.preview"), width="large")(draw_preview)(sim, point, title=False)


def draw_preview(sim, point: tuple[float, float] | None, *, title: bool = True) -> None:
    """What each camera records of a person at the inspected point, day and night."""
    if title:
        st.subheader(t("sim.preview"))
    if point is None:
        st.caption(t("sim.preview.hint"))
        return
    rep = S.point_report(sim, point[0], point[1])
    st.caption(t("sim.preview.where", x=point[0], y=point[1]) + " · " + t("sim.preview.note"))
    if not rep["cameras"]:
        st.info(t("sim.preview.none"))
    for cr in rep["cameras"][:4]:
        cols = st.columns([1, 1, 1, 4])
        cols[0].image(cr["day"].reference, caption=t("sim.preview.reference"), clamp=True,
                      width=130)
        cols[1].image(cr["day"].display, clamp=True, width=130,
                      caption=t("sim.period.day"))
        if cr["night"] is not None:
            cols[2].image(cr["night"].display, clamp=True, width=130,
                          caption=t("sim.period.night"))
        with cols[3]:
            st.markdown("**" + t("sim.preview.camera", id=cr["id"], d=cr["distance_m"]) + "**")
            st.markdown(t("sim.preview.day", px=cr["day_px_m"],
                          level=t("sim.dori." + (cr["day_level"] or "none")),
                          ssim=cr["day"].ssim))
            if cr["night"] is not None:
                st.markdown(t("sim.preview.night",
                              mode=t(f"sim.preview.mode.{cr['night_mode']}"),
                              ev=cr["vertical_lx"], px=cr["night_px_m"],
                              level=t("sim.dori." + (cr["night_level"] or "none")),
                              ssim=cr["night"].ssim))
            else:
                st.markdown(t("sim.preview.night_dark", ev=cr["vertical_lx"]))
