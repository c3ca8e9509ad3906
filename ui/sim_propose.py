"""「配置を提案」: the fewest, cheapest cameras and lights that meet a target, as a tab of the
シミュレーション page.

The user sets the target (the use cases' level or a DORI level, the share of the area, day
or day and night), an optional budget [円], the candidate spacing and the models to try;
「提案する」 runs :func:`assessments.propose.propose` with a progress bar. The proposal is
kept in the session per plan and plan revision (a later save makes it stale: it is shown,
marked, and can no longer be added), drawn on the map over the current plan
(:func:`shown`, ``ui.map_view``'s proposed-device marks) and compared with the plan:
devices, initial cost (:func:`assessments.programme.costs.plan_costs`, the one cost
arithmetic), the share at the level by day and by day and night, the bound and the gap,
and what the last percent costs. The ticked devices are added through
:meth:`ui.sim_edits.Edits.change` (one undoable step).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from assessments.engine import budget
from assessments.engine.dori import dori_label, dori_thresholds, level_for, plan_standard
from assessments.plan import validate as planfile
from assessments.programme.costs import plan_costs
from assessments.propose import (STAGES, ProposalInfeasible, area_shares, plan_requirement,
                                  propose)
from ui import simulation as S
from ui import state
from ui.compare_common import yen
from ui.i18n import t
from ui.issues import plan_issue_text
from ui.sim_edits import Edits, issue_list, message, preset_labels, presets, show_messages

#: The level choice that follows the plan's use cases (``plan_requirement`` without a target).
USE_CASES = "use_cases"
#: Day only, or day and night.
PERIODS = ("day", "day_night")
#: Session key of the tests' queued acceptance: ``[proposed device id, …]``.
ACCEPT_QUEUE = "sim.propose.accept_queue"
#: Where the tab's messages are drawn (``ui.sim_edits.message``).
WHERE = "propose"


@dataclass(frozen=True)
class Figures:
    """One plan's figures for the comparison.

    Attributes
    ----------
    cameras, lights : int
        Devices in the plan.
    initial_jpy : float
        Initial cost, ``plan_costs(plan).initial_jpy`` [円].
    day_fraction : float
        Share of the assessed area at the level by day [-].
    met_fraction : float
        Share at the level by day and at night (from any camera each time) [-].
    """

    cameras: int
    lights: int
    initial_jpy: float
    day_fraction: float
    met_fraction: float


def plan_figures(plan: dict, px_per_m: float) -> Figures:
    """:class:`Figures` of ``plan`` at ``px_per_m`` [px/m] over its whole area.

    The shares are :func:`assessments.propose.area_shares`: by day (``day_fraction``) and
    by day and night (``met_fraction``).
    """
    s = area_shares(plan, px_per_m)
    return Figures(cameras=len(plan.get("cameras") or ()), lights=len(plan.get("lights") or ()),
                   initial_jpy=float(plan_costs(plan).initial_jpy),
                   day_fraction=float(s["day_fraction"]), met_fraction=float(s["met_fraction"]))


# ---------------------------------------------------------------------------------------
# the stored proposal
# ---------------------------------------------------------------------------------------
def _entry_key(edits: Edits) -> str:
    return edits.session_key("proposal")


def entry(edits: Edits) -> dict | None:
    """The proposal kept for this plan: ``{"revision", "proposal", "error", "before",
    "after", "px_per_m", "night", "run"}`` (``proposal`` None when ``error`` holds a
    :class:`ProposalInfeasible`), or None."""
    return st.session_state.get(_entry_key(edits))


def is_stale(edits: Edits, plan: dict, kept: dict) -> bool:
    """Whether the plan was saved since the proposal was made."""
    return kept.get("revision") != plan.get("_revision")


def shown(edits: Edits, plan: dict) -> dict | None:
    """The proposed devices to draw on the map, ``{"cameras": [...], "lights": [...]}``, or
    None (no proposal, an infeasible one, or one made for an earlier revision)."""
    kept = entry(edits)
    if not kept or kept.get("proposal") is None or is_stale(edits, plan, kept):
        return None
    pr = kept["proposal"]
    return {"cameras": list(pr.cameras), "lights": list(pr.lights)}


# ---------------------------------------------------------------------------------------
# inputs and the run
# ---------------------------------------------------------------------------------------
def _level_choices(plan: dict, sim) -> tuple[list[str], str]:
    """The level choices (the use cases' requirement first, when there is one) and the
    default."""
    levels = list(dori_thresholds(plan_standard(plan)))
    if sim.requirement:
        return [USE_CASES, *levels], USE_CASES
    return levels, level_for("observe", dori_thresholds(plan_standard(plan))) or levels[0]


def _level_labels(plan: dict, sim, choices) -> dict[str, str]:
    """``{choice: label}`` (built here, in the run's language: a ``format_func`` may be
    called outside the run)."""
    std = plan_standard(plan)
    unconfirmed = t("sim.standard.unconfirmed")

    def label(key: str) -> str:
        if key == USE_CASES:
            req = sim.requirement
            name = dori_label(req.get("cited_level") or req["level"], state.lang(),
                              standard=std, unconfirmed=unconfirmed)
            return t("sim.propose.level.use_cases", level=name, px=f"{req['px_per_m']:g}")
        return t("sim.propose.level.dori", level=dori_label(key, state.lang(), standard=std,
                                                            unconfirmed=unconfirmed),
                 px=f"{dori_thresholds(std)[key]:g}")
    return {k: label(k) for k in choices}


def _default_presets(table: str, devices) -> list[str]:
    """The presets of the plan's devices of ``table``, else the first preset."""
    ids = [p["id"] for p in presets(table)]
    used = [i for i in ids if any(d.get("preset") == i for d in devices or ())]
    return used or ids[:1]


def _inputs(edits: Edits, plan: dict, sim) -> dict:
    """Draw the inputs; returns them."""
    key = edits.key
    choices, default = _level_choices(plan, sim)
    night_default = bool(sim.requirement and sim.requirement["night"])
    c = st.columns([2.2, 1, 1.4])
    # keyed by whether the use-case choice is offered: a stored choice is always an option
    level = c[0].selectbox(t("sim.propose.level"), choices, key=state.widget_key(
        f"sim.propose.level_{int(choices[0] == USE_CASES)}", default),
        format_func=_level_labels(plan, sim, choices).get,
        help=t("sim.propose.level_help"))
    pct = c[1].number_input(t("sim.propose.fraction"), min_value=1.0, max_value=100.0,
                            step=5.0, format="%.0f", key=state.widget_key(
                                "sim.propose.fraction", 80.0),
                            help=t("sim.propose.fraction_help"))
    period = c[2].segmented_control(
        t("sim.propose.period"), list(PERIODS), key=state.widget_key(
            "sim.propose.period", "day_night" if night_default else "day"),
        format_func={p: t("sim.propose.period." + p) for p in PERIODS}.get,
        required=True) or "day"
    c = st.columns([1.2, 1, 2])
    budget_jpy = c[0].number_input(t("sim.propose.budget"), min_value=0, value=None,
                                   step=1_000_000, key=key("propose.budget"),
                                   placeholder=t("sim.propose.budget_none"),
                                   help=t("sim.propose.budget_help"))
    spacing = c[1].number_input(t("sim.propose.spacing"), min_value=2.0, max_value=200.0,
                                step=5.0, format="%.0f", key=state.widget_key(
                                    "sim.propose.spacing", 10.0),
                                help=t("sim.propose.spacing_help"))
    cam_labels = preset_labels("camera_presets")
    cams = c[2].multiselect(t("sim.propose.cameras"), list(cam_labels),
                            key=state.widget_key("sim.propose.cameras", _default_presets(
                                "camera_presets", plan.get("cameras"))),
                            format_func=cam_labels.get, placeholder=t("common.choose"),
                            select_all=False, help=t("sim.propose.cameras_help"))
    lights = []
    if period == "day_night":
        light_labels = preset_labels("light_presets")
        lights = st.multiselect(t("sim.propose.lights"), list(light_labels),
                                key=state.widget_key("sim.propose.lights", _default_presets(
                                    "light_presets", plan.get("lights"))),
                                format_func=light_labels.get, placeholder=t("common.choose"),
                                select_all=False, help=t("sim.propose.lights_help"))
    return {"level": level, "fraction": float(pct) / 100.0, "night": period == "day_night",
            "budget_jpy": None if budget_jpy is None else float(budget_jpy),
            "spacing_m": float(spacing), "cameras": list(cams), "lights": list(lights)}


def run(edits: Edits, plan: dict, inputs: dict, use_cases: list[dict], *,
        progress=None) -> None:
    """Propose for ``plan`` with ``inputs`` (:func:`_inputs`) and keep the answer (or the
    reason there is none) in the session; a plan or memory problem is shown instead."""
    target = None if inputs["level"] == USE_CASES else f"{inputs['level']}:{inputs['fraction']}"
    req = plan_requirement(plan, use_cases=use_cases, target=target,
                           fraction=inputs["fraction"], night=inputs["night"],
                           budget_jpy=inputs["budget_jpy"])
    by_id = {table: {p["id"]: p for p in presets(table)}
             for table in ("camera_presets", "light_presets")}
    cams = [by_id["camera_presets"][i] for i in inputs["cameras"]
            if i in by_id["camera_presets"]]
    lights = [by_id["light_presets"][i] for i in inputs["lights"]
              if i in by_id["light_presets"]]
    px = req.targets[0].px_per_m
    kept = {"revision": plan.get("_revision"), "proposal": None, "error": None,
            "px_per_m": px, "night": req.night, "level": req.targets[0].level,
            "run": (st.session_state.get(_entry_key(edits)) or {}).get("run", 0) + 1}
    try:
        pr = propose(plan, req, camera_presets=cams, light_presets=lights,
                     candidate_options={"spacing_m": inputs["spacing_m"]}, progress=progress)
    except ProposalInfeasible as exc:
        kept["error"] = exc
    else:
        kept.update(proposal=pr, before=plan_figures(plan, px), after=plan_figures(pr.plan, px))
    st.session_state[_entry_key(edits)] = kept


def _run_with_progress(edits: Edits, plan: dict, inputs: dict, use_cases: list[dict]) -> bool:
    """:func:`run` with a progress bar naming the stage; False when it could not run (the
    reason shown)."""
    bar = st.progress(0.0, text=t("sim.propose.stage." + STAGES[0]))

    def progress(fraction: float, stage: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=t("sim.propose.stage." + stage))
    try:
        run(edits, plan, inputs, use_cases, progress=progress)
    except planfile.PlanError as exc:
        st.error(issue_list(t("sim.plan_error"), map(plan_issue_text, exc.issues)))
        return False
    except budget.MemoryBudgetError as exc:
        st.error(S.memory_text(exc))
        return False
    finally:
        bar.empty()
    return True


# ---------------------------------------------------------------------------------------
# accepting
# ---------------------------------------------------------------------------------------
def accept(edits: Edits, ids) -> bool:
    """Add the proposed devices ``ids`` to the plan (one undoable change) and forget the
    proposal. An added device is an ordinary device of the plan: its ``"proposed"`` mark
    is dropped; an id another tab has taken since is renumbered."""
    kept = entry(edits)
    if not kept or kept.get("proposal") is None:
        return False
    ids = {str(i) for i in ids}
    pr = kept["proposal"]
    chosen = {"cameras": [c for c in pr.cameras if str(c["id"]) in ids],
              "lights": [lt for lt in pr.lights if str(lt["id"]) in ids]}
    n = len(chosen["cameras"]) + len(chosen["lights"])
    if not n:
        message("info", t("sim.propose.none_ticked"), WHERE)
        return False

    def fn(q):
        taken = {str(d.get("id")) for k in chosen for d in q.get(k) or ()}
        for kind, prefix in (("cameras", "P"), ("lights", "PL")):
            out = list(q.get(kind) or ())
            for dev in chosen[kind]:
                dev = {k: v for k, v in dev.items() if k != "proposed"}
                if str(dev["id"]) in taken:
                    dev["id"] = S.next_id(taken, prefix)
                taken.add(str(dev["id"]))
                out.append(dev)
            q[kind] = out
    if not edits.change(fn, t("sim.propose.what", n=n)):
        return False
    st.session_state.pop(_entry_key(edits), None)
    message("success", t("sim.propose.added", cameras=len(chosen["cameras"]),
                         lights=len(chosen["lights"])), WHERE)
    return True


def _on_accept(edits: Edits, editor_key: str, ids: list[str]) -> None:
    """Callback of 「選んだ機器を計画に追加」: the rows left ticked in the table."""
    edited = (st.session_state.get(editor_key) or {}).get("edited_rows") or {}
    col = t("sim.propose.col.add")
    ticked = [i for k, i in enumerate(ids)
              if (edited.get(k) or edited.get(str(k)) or {}).get(col, True)]
    accept(edits, ticked)


def run_queued(edits: Edits) -> bool:
    """Apply a queued acceptance (tests: ``sim.propose.accept_queue``, as the button
    does); whether the plan was saved."""
    ids = st.session_state.pop(ACCEPT_QUEUE, None)
    return ids is not None and accept(edits, ids)


# ---------------------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------------------
def _pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f} %"


def _comparison(before: Figures, after: Figures, night: bool) -> pd.DataFrame:
    rows = [(t("sim.propose.row.cameras"), f"{before.cameras}", f"{after.cameras}",
             f"+{after.cameras - before.cameras}"),
            (t("sim.propose.row.lights"), f"{before.lights}", f"{after.lights}",
             f"+{after.lights - before.lights}"),
            (t("sim.propose.row.cost"), yen(before.initial_jpy), yen(after.initial_jpy),
             "+" + yen(after.initial_jpy - before.initial_jpy)),
            (t("sim.propose.row.day"), _pct(before.day_fraction), _pct(after.day_fraction),
             f"{(after.day_fraction - before.day_fraction) * 100:+.1f}"),
            (t("sim.propose.row.day_night"), _pct(before.met_fraction),
             _pct(after.met_fraction),
             f"{(after.met_fraction - before.met_fraction) * 100:+.1f}")]
    return pd.DataFrame(rows, columns=[t("sim.propose.col.figure"), t("sim.propose.col.before"),
                                       t("sim.propose.col.after"), t("sim.propose.col.change")])


def _solver_text(pr) -> str:
    gap = "—" if pr.gap is None else f"{pr.gap * 100:.1f} %"
    text = t("sim.propose.method." + pr.method if pr.method in ("milp", "greedy")
             else "sim.propose.method.other") + " · " + t(
        "sim.propose.bound", bound=yen(pr.bound_jpy), gap=gap)
    if not math.isnan(pr.greedy_cost_jpy):        # NaN: the greedy found no answer
        text += " · " + t("sim.propose.greedy", cost=yen(pr.greedy_cost_jpy),
                          n=pr.greedy_count)
    return text


def _marginal_text(pr) -> str:
    parts = []
    for m in pr.marginal:
        share = f"{m['fraction'][0] * 100:.0f} %"
        if m["cost_jpy"] is None:
            parts.append(t("sim.propose.marginal_none", share=share))
        else:
            parts.append(t("sim.propose.marginal", share=share, cost=yen(m["cost_jpy"]),
                           saving=yen(pr.cost_jpy - m["cost_jpy"])))
    return " · ".join(parts)


def _infeasible(exc: ProposalInfeasible, night: bool) -> None:
    want, best = exc.fraction[0], exc.best_fraction[0]
    text = t("sim.propose.infeasible." + exc.code) + "  \n" + t(
        "sim.propose.best", best=_pct(best), want=_pct(want),
        period=t("sim.propose.period." + ("day_night" if night else "day")))
    if exc.privacy_cells and exc.privacy_cells[0]:
        text += "  \n" + t("sim.propose.privacy_cells", n=f"{exc.privacy_cells[0]:,}")
    st.error(text)


def _device_table(edits: Edits, pr, kept: dict, *, stale: bool) -> None:
    cams, lights = pr.cameras, pr.lights
    ids = [str(d["id"]) for d in (*cams, *lights)]
    if not ids:
        st.info(t("sim.propose.nothing_needed"))
        return
    col_add = t("sim.propose.col.add")
    frame = pd.DataFrame({
        col_add: [True] * len(ids),
        t("sim.propose.col.id"): ids,
        t("sim.propose.col.kind"): [t("sim.propose.kind.camera")] * len(cams)
        + [t("sim.propose.kind.light")] * len(lights),
        t("sim.propose.col.model"): [str(d.get("model") or d.get("preset") or "")
                                     for d in (*cams, *lights)],
        t("sim.propose.col.height"): [d.get("mount_height_m") for d in (*cams, *lights)],
        t("sim.propose.col.azimuth"): [d.get("azimuth_deg") for d in cams]
        + [None] * len(lights),
        t("sim.propose.col.price"): [d.get("unit_price_jpy") for d in (*cams, *lights)]})
    editor_key = edits.key(f"propose.table_{kept['run']}")
    st.data_editor(frame, key=editor_key, hide_index=True, width="stretch",
                   height=min(36 + 35 * len(ids), 320),
                   disabled=[c for c in frame.columns if c != col_add] if not stale else True,
                   column_config={col_add: st.column_config.CheckboxColumn(col_add, width=56),
                                  t("sim.propose.col.price"): st.column_config.NumberColumn(
                                      format="%d")})
    st.button(t("sim.propose.accept"), key=edits.key("propose.accept"), type="primary",
              icon=":material/add_location_alt:", disabled=stale,
              on_click=_on_accept, args=(edits, editor_key, ids))


def _draw_result(edits: Edits, plan: dict, kept: dict) -> None:
    stale = is_stale(edits, plan, kept)
    if stale:
        st.warning(t("sim.propose.stale"))
    if kept.get("error") is not None:
        _infeasible(kept["error"], kept["night"])
        return
    pr = kept["proposal"]
    st.markdown("**" + t("sim.propose.result", cameras=len(pr.cameras), lights=len(pr.lights),
                         cost=yen(pr.cost_jpy)) + "**")
    left, right = st.columns([1.4, 1])
    with left:
        st.dataframe(_comparison(kept["before"], kept["after"], kept["night"]),
                     hide_index=True, width="stretch", key=edits.key("propose.figures"))
        st.caption(t("sim.propose.figures_note", px=f"{kept['px_per_m']:g}"))
        b, a = kept["before"], kept["after"]
        if a.initial_jpy == b.initial_jpy and (a.cameras, a.lights) != (b.cameras, b.lights):
            # no unit price known for the models tried: the count was minimised, not ¥
            st.caption(t("sim.propose.no_prices"))
    with right:
        if pr.verified is not None:
            st.markdown(t("sim.propose.verified", share=", ".join(_pct(v) for v in pr.verified),
                          period=t("sim.propose.period." + ("day_night" if kept["night"]
                                                            else "day"))))
        st.caption(_solver_text(pr))
        if pr.marginal:
            st.caption(t("sim.propose.last_percent") + " " + _marginal_text(pr))
        st.caption(t("sim.propose.map_note"))
    _device_table(edits, pr, kept, stale=stale)


def draw_tab(edits: Edits, plan: dict, sim, use_cases: list[dict]) -> None:
    """The 「配置を提案」 tab: inputs, 「提案する」 with its progress, the kept proposal."""
    show_messages(WHERE)
    st.caption(t("sim.propose.intro"))
    inputs = _inputs(edits, plan, sim)
    c = st.columns([1, 3], vertical_alignment="center")
    clicked = c[0].button(t("sim.propose.run"), key=edits.key("propose.run"), type="primary",
                          icon=":material/auto_awesome:",
                          disabled=not inputs["cameras"] or (inputs["night"]
                                                             and not inputs["lights"]))
    if not inputs["cameras"]:
        c[1].caption(t("sim.propose.choose_camera"))
    elif inputs["night"] and not inputs["lights"]:
        c[1].caption(t("sim.propose.choose_light"))
    else:
        c[1].caption(t("sim.propose.run_note"))
    if clicked and _run_with_progress(edits, plan, inputs, use_cases):
        st.rerun()          # the map above draws the proposal
    kept = entry(edits)
    if kept:
        _draw_result(edits, plan, kept)
