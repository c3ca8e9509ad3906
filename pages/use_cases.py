"""映像DX活用事例: the use-case catalogue as cards and a comparison table; the chosen use cases
are stored in the current plan (``plan["use_cases"]``), which the simulation and privacy
pages read."""
import duckdb
import pandas as pd
import plotly.express as px
import streamlit as st

from assessments.engine.dori import dori_label, plan_standard
from assessments.programme.privacy import split_use_cases
from datasets import queries
from ui import shell, state
from ui.compare_common import FONT, link_markdown, missing, source_caption
from ui.i18n import col, lang, t

shell.setup_page()
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


def _choose(p: dict, use_case: str, on: bool) -> None:
    """Add (at the end) or remove one use case; the other stored values are kept as they
    are, unknown ones too."""
    stored = list(p.get("use_cases") or [])
    if on and use_case not in stored:
        stored.append(use_case)
    elif not on:
        stored = [u for u in stored if u != use_case]
    p["use_cases"] = stored


cases, examples = _data()
ids = cases["id"].tolist()
known, unknown = split_use_cases(plan.get("use_cases") or [])
state.warn_unknown("use_cases", unknown)
chosen = [u for u in known if u in ids]
# a use case cites a level of the 2014 edition: under the plan's edition both names show
# (「Perceive（2014年版の Recognise（認識））」)
std = plan_standard(plan)


def level_name(r) -> str:
    return dori_label(r["dori_level"], lang(), standard=std,
                      unconfirmed=t("sim.standard.unconfirmed"))


yes, no = t("compare.yes"), t("compare.no")

st.subheader(t("compare.uc.cards"))
grid = st.columns(2)
for n, r in enumerate(cases.to_dict("records")):
    with grid[n % 2].container(border=True):
        st.markdown(f"### {col(r, 'name')}")
        st.write(col(r, "description"))
        st.markdown(
            f"**{t('compare.uc.dori')}**: {level_name(r)} ({r['dori_px_per_m']:g} px/m) · "
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
        # saved when ticked (on_change), so a page run without a click never saves
        st.checkbox(t("compare.uc.use_in_plan"), **state.plan_widget(
            f"uc_pick_{r['id']}", r["id"] in chosen,
            lambda p, on, uc=r["id"]: _choose(p, uc, bool(on))))

if chosen:
    by_id = {r["id"]: r for r in cases.to_dict("records")}
    st.success(t("compare.uc.chosen", names=", ".join(str(col(by_id[u], "name")) for u in chosen)))
else:
    st.info(t("compare.uc.none_chosen"))

st.subheader(t("compare.uc.table"))
n_items = {}
for u in ids:
    items = _privacy(u)
    n_items[u] = None if items is None else len(items)
table = pd.DataFrame({
    t("compare.col.name"): [col(r, "name") for r in cases.to_dict("records")],
    t("compare.uc.dori"): [level_name(r) for r in cases.to_dict("records")],
    "px/m": cases["dori_px_per_m"],
    t("compare.uc.night"): cases["night_operation"],
    t("compare.uc.recording"): cases["recording_needed"],
    t("compare.uc.personal_data"): [t("compare.pd." + v) for v in cases["personal_data"]],
    t("compare.uc.privacy_count"): pd.array([n_items[u] for u in ids], dtype="Int64"),
    t("compare.uc.example_count"): [int((examples["use_case_id"] == u).sum()) for u in ids],
    t("compare.uc.in_plan"): [u in chosen for u in ids],
})
st.dataframe(table, hide_index=True, width="stretch", key="uc_table", placeholder="")

fig = px.bar(x=[col(r, "name") for r in cases.to_dict("records")], y=cases["dori_px_per_m"],
             text=[f"{v:g}" for v in cases["dori_px_per_m"]],
             labels={"x": "", "y": t("compare.uc.px_per_m")})
fig.update_traces(textposition="outside")
fig.update_layout(height=460, font=FONT, margin={"t": 30})
st.plotly_chart(fig, key="uc_chart")
st.caption(t("compare.uc.dori_note"))
source_caption(sorted(set(cases["dori_source"].dropna())))
