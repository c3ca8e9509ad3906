"""シミュレーション: cameras and street lights on the map, coverage day and night.

Thin page: state → core → draw. ``ui.sim_edits.Edits`` holds the plan and saves every change
at once (undoable; widgets call it back); ``ui.simulation`` computes (cached, one camera at a
time); the ``ui.sim_*`` modules draw: the top bar (``sim_controls``), the map
(``sim_map``), the figures (``sim_results``) and the tabs (``sim_devices``, ``sim_privacy``,
``sim_costs``, ``sim_import``).
"""
import streamlit as st

from assessments.plan import validate as planfile
from ui import sim_controls, sim_costs, sim_devices, sim_geodata, sim_import, sim_map
from ui import sim_privacy
from ui import shell, sim_results, state
from ui import simulation as S
from ui.i18n import t
from ui.sim_edits import Edits, issue_list, plan_issue_text, show_messages, use_cases

shell.setup_page()
edits = Edits(state.current_plan())
plan = edits.run_queued(sim_import.import_file)

st.title(t("sim.title"))
st.caption(t("sim.intro"))
show_messages()
if not plan.get("area"):
    st.info(t("sim.start.none"))
    sim_controls.draw_start(edits)

ucs = use_cases()
top = st.columns([3, 1.2, 0.8])
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

view = sim_map.draw_controls(edits)
left, right = st.columns([2.7, 1])
with left:
    sim_map.draw_map(edits, sim, plan, view)
with right:
    res = sim.result   # computed here, after the map has been sent (SimResult.result)
    prices, cost = sim_results.cost_figures(plan, res)
    sim_results.draw_summary(sim, sim.requirement, res, cost, key=edits.key)
# sections whose number of elements varies sit in containers of their own: the tabs below
# keep their place in the page, so the browser keeps the open tab after a message, a
# district table or a preview came or went
with st.container():
    sim_results.draw_districts(res, sim.requirement, key=edits.key)
with st.container():
    sim_results.draw_preview(sim, sim_map.inspected_point(edits))

tabs = st.tabs([t("sim.tab.cameras"), t("sim.tab.lights"), t("sim.tab.privacy"),
                t("sim.tab.costs"), t("sim.tab.geo"), t("sim.tab.io")])
with tabs[0]:
    sim_devices.draw_cameras(edits, plan)
with tabs[1]:
    sim_devices.draw_lights(edits, plan)
with tabs[2]:
    sim_privacy.draw_privacy(edits, plan, sim)
with tabs[3]:
    sim_costs.draw_costs(plan, prices, cost, key=edits.key, nonce=edits.nonce,
                         change=edits.change, set_model_prices=edits.set_model_prices)
with tabs[4]:
    sim_geodata.draw_tab(edits, plan)
with tabs[5]:
    sim_import.draw_io(edits, plan, sim, res, raster=view.raster, period=view.period)
    st.divider()
    with st.expander(t("sim.start.again")):
        sim_controls.draw_start(edits, files=False)
