"""シミュレーション: cameras and street lights on the map, coverage day and night.

Thin page: state → core → draw. ``ui.sim_edits.Edits`` holds the plan and saves every change
at once (undoable; widgets call it back); ``ui.simulation`` computes (cached, one camera at a
time); the ``ui.sim_*`` modules draw: the top row (``sim_controls``), the map with its
click toolbar and the panel beside it (view, legend, reach, summary: ``sim_map``,
``sim_results``), and the tabs below (``sim_devices``, ``sim_privacy``, ``sim_costs``,
``sim_geodata``, ``sim_import``, ``sim_propose``: 配置を提案).

The map is the largest thing on the screen: at 1366 × 768 it starts above the fold and
takes about 70 % of the content width; the legend is beside it, never on it. The tabs
below and the panel's expanders are stateful (keyed, ``on_change="rerun"``), so an action
in them never sends the user back to the first tab.
"""
import streamlit as st

from assessments.plan import validate as planfile
from ui import sim_controls, sim_costs, sim_devices, sim_geodata, sim_import, sim_map
from ui import sim_privacy, sim_propose
from ui import shell, sim_results, state, theme
from ui import simulation as S
from ui.i18n import t
from ui.issues import plan_issue_text
from ui.sim_edits import Edits, issue_list, show_messages, use_cases

shell.setup_page()
theme.inject_css(sim_map.PAGE_CSS)
edits = Edits(state.current_plan())
plan = edits.run_queued(sim_import.import_file)
if sim_propose.run_queued(edits):
    plan = edits.plan = edits.stored_plan()

TABS = ("cameras", "lights", "propose", "privacy", "costs", "geo", "io")
labels = {name: t("sim.tab." + name) for name in TABS}
tab_key = edits.key("tabs")
open_tab = next((n for n in TABS if labels[n] == st.session_state.get(tab_key)), TABS[0])

st.title(t("sim.title"), help=t("sim.intro"))
# a message about a table or a form shows there; the others (and those of closed tabs) here
show_messages("page", also=[n for n in TABS if n != open_tab])
if not plan.get("area"):
    st.info(t("sim.start.none"))
    sim_controls.draw_start(edits)

ucs = use_cases()
top = st.columns([3, 1.6, 0.8], vertical_alignment="center")
with top[0]:
    sim_controls.draw_use_cases(edits, ucs)
with top[2]:
    sim_controls.draw_undo(edits)
if not plan.get("area"):
    st.stop()

try:
    sim = S.simulate_plan(plan, use_cases=ucs)
except planfile.PlanError as exc:
    st.error(issue_list(t("sim.plan_error"), map(plan_issue_text, exc.issues)))
    sim_geodata.draw_loaded(edits, plan)     # a damaged terrain or background can go
    st.stop()
with top[1]:
    sim_controls.draw_requirement(sim.requirement)

height = sim_map.map_height(edits)
proposed = sim_propose.shown(edits, plan)   # drawn over the plan's own devices
left, right = st.columns([2.6, 1.1])
with right:
    # the panel beside the map scrolls on its own, as tall as the map and its toolbar
    panel = st.container(height=height + 56, border=False)
    with panel:
        view = sim_map.draw_view(edits)
        legend_box = st.container()
        reach_box = st.container()
        summary_box = st.container()
with left:
    sim_map.draw_toolbar(edits)
    bm = sim_map.draw_map(edits, sim, plan, view, height=height, proposed=proposed)
point = sim_map.inspected_point(edits)
with legend_box:
    sim_map.draw_legend(edits, sim, plan, view, bm, proposed=proposed)
with reach_box:
    sim_results.draw_reach(sim, sim.requirement, point, key=edits.key)
    if point is not None:
        st.button(t("sim.preview.open"), key=edits.key("preview_btn"),
                  icon=":material/person_search:", width="stretch",
                  on_click=st.session_state.__setitem__,
                  args=(edits.session_key("open_point"), True))
if point is not None and sim_map.point_just_clicked(edits):
    sim_results.open_preview(sim, point)
with summary_box:
    res = sim.result   # computed here, after the map has been sent (SimResult.result)
    prices, cost = sim_results.cost_figures(plan, res)
    sim_results.draw_summary(sim, sim.requirement, res, cost, key=edits.key)
with st.container():
    sim_results.draw_districts(res, sim.requirement, key=edits.key)

# every tab is drawn (their widgets keep their state); the open one survives every rerun
tabs = dict(zip(TABS, st.tabs(list(labels.values()), key=tab_key, on_change="rerun")))
with tabs["cameras"]:
    sim_devices.draw_cameras(edits, plan)
with tabs["lights"]:
    sim_devices.draw_lights(edits, plan)
with tabs["propose"]:
    sim_propose.draw_tab(edits, plan, sim, ucs)
with tabs["privacy"]:
    sim_privacy.draw_privacy(edits, plan, sim)
with tabs["costs"]:
    sim_costs.draw_costs(plan, prices, cost, key=edits.key, nonce=edits.nonce,
                         change=edits.change, set_model_prices=edits.set_model_prices)
with tabs["geo"]:
    sim_geodata.draw_tab(edits, plan)
with tabs["io"]:
    sim_import.draw_io(edits, plan, sim, res, raster=view.raster, period=view.period)
    st.divider()
    with st.expander(t("sim.start.again"), key=edits.key("start_again"), on_change="rerun"):
        sim_controls.draw_start(edits, files=False)
