"""映像DX活用事例: the use-case catalogue as cards and a comparison table; the chosen use cases
are stored in the current plan (``plan["use_cases"]``), which the simulation and privacy
pages read."""
import duckdb
import pandas as pd
import plotly.express as px
import streamlit as st

from datasets import queries
from ui import state
from ui.compare_common import FONT, link_markdown, missing, source_caption
from ui.i18n import col, t

state.setup_page()
plan = state.current_plan()
st.title(t("compare.uc.title"))
st.caption(t("compare.uc.intro"))


@st.cache_data(show_spinner=False)
def _data():
    cur = state.ref_cursor()
    return (queries.list_use_cases(cur), queries.list_use_case_examples(state.ref_cursor()))


@st.cache_data(show_spinner=False)
def _privacy(use_case_id: str) -> pd.DataFrame | None:
    try:
        return queries.list_use_case_privacy(state.ref_cursor(), use_case_id=use_case_id)
    except duckdb.CatalogException:  # privacy_items not loaded (assessment data absent)
        return None


cases, examples = _data()
ids = cases["id"].tolist()
chosen_before = [u for u in plan.get("use_cases", []) if u in ids]
yes, no = t("compare.yes"), t("compare.no")

st.subheader(t("compare.uc.cards"))
picked: list[str] = []
grid = st.columns(2)
for n, r in enumerate(cases.to_dict("records")):
    with grid[n % 2].container(border=True):
        st.markdown(f"### {col(r, 'name')}")
        st.write(col(r, "description"))
        st.markdown(
            f"**{t('compare.uc.dori')}**: {col(r, 'dori_name')} ({r['dori_px_per_m']:g} px/m) · "
            f"**{t('compare.uc.night')}**: {yes if r['night_operation'] else no} · "
            f"**{t('compare.uc.recording')}**: "
            f"{t('compare.uc.needed') if r['recording_needed'] else t('compare.uc.not_needed')}",
            help=f"{t('compare.uc.basis')}: {r['dori_basis']}")
        st.markdown(f"**{t('compare.uc.personal_data')}**: {t('compare.pd.' + r['personal_data'])}")
        st.markdown(f"**{t('compare.uc.lessons')}**: {col(r, 'lessons')}")
        mine = examples[examples["use_case_id"] == r["id"]]
        with st.expander(t("compare.uc.examples", n=len(mine))):
            for e in mine.to_dict("records"):
                year = "" if missing(e["year"]) else f" ({int(e['year'])})"
                st.markdown(f"- **{col(e, 'name')}**{year}: {col(e, 'detail')}  \n"
                            f"  {t('compare.source')} {link_markdown(e['source'])}")
        items = _privacy(r["id"])
        if items is not None:
            st.caption(t("compare.uc.privacy_items", n=len(items),
                         ids=", ".join(items["id"].tolist())))
        st.caption(t("compare.source") + " " + link_markdown(r["source"]))
        if st.checkbox(t("compare.uc.use_in_plan"), value=r["id"] in chosen_before,
                       key=f"uc_pick_{r['id']}"):
            picked.append(r["id"])

# keep the plan's order; append new choices in catalogue order
new_order = [u for u in chosen_before if u in picked] + [u for u in picked if u not in chosen_before]
if new_order != chosen_before:
    def _set(p: dict) -> None:
        others = [u for u in p.get("use_cases", []) if u not in ids]  # unknown ids are kept
        p["use_cases"] = new_order + others
    if state.update_plan(_set) is not None:
        chosen_before = new_order
st.session_state["uc_chosen"] = chosen_before
if chosen_before:
    st.success(t("compare.uc.chosen", names=", ".join(
        str(col(r, "name")) for r in cases.set_index("id").loc[chosen_before].reset_index().to_dict("records"))))
else:
    st.info(t("compare.uc.none_chosen"))

st.subheader(t("compare.uc.table"))
n_items = {}
for u in ids:
    items = _privacy(u)
    n_items[u] = None if items is None else len(items)
table = pd.DataFrame({
    t("compare.col.name"): [col(r, "name") for r in cases.to_dict("records")],
    t("compare.uc.dori"): [col(r, "dori_name") for r in cases.to_dict("records")],
    "px/m": cases["dori_px_per_m"],
    t("compare.uc.night"): cases["night_operation"],
    t("compare.uc.recording"): cases["recording_needed"],
    t("compare.uc.personal_data"): [t("compare.pd." + v) for v in cases["personal_data"]],
    t("compare.uc.privacy_count"): pd.array([n_items[u] for u in ids], dtype="Int64"),
    t("compare.uc.example_count"): [int((examples["use_case_id"] == u).sum()) for u in ids],
    t("compare.uc.in_plan"): [u in chosen_before for u in ids],
})
st.dataframe(table, hide_index=True, width="stretch", key="uc_table")

fig = px.bar(x=[col(r, "name") for r in cases.to_dict("records")], y=cases["dori_px_per_m"],
             text=[f"{v:g}" for v in cases["dori_px_per_m"]],
             labels={"x": "", "y": t("compare.uc.px_per_m")})
fig.update_traces(textposition="outside")
fig.update_layout(height=460, font=FONT, margin={"t": 30})
st.plotly_chart(fig, key="uc_chart")
st.caption(t("compare.uc.dori_note"))
source_caption(sorted(set(cases["dori_source"].dropna())))
