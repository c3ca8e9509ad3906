"""Home: what the app does, and how far the current plan has got."""
import duckdb
import streamlit as st

from assessments.programme import privacy
from assessments.programme.progress import plan_progress
from datasets import queries
from ui import state
from ui.i18n import t

state.setup_page()
plan = state.current_plan()


def _count(table: str) -> int | None:
    """Row count of an optional reference table (None while it does not exist)."""
    try:  # table names are constants of this page, never user input
        return int(state.ref_cursor().execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    except duckdb.CatalogException:
        return None


def _privacy_item_ids(plan: dict) -> list[str] | None:
    """Ids of the privacy items the plan's use cases trigger."""
    try:
        items = queries.list_privacy_items(state.ref_cursor()).to_dict("records")
    except duckdb.CatalogException:
        return None
    return [item["id"] for item in privacy.triggered_items(items, plan.get("use_cases", []))]


progress = plan_progress(plan, readiness_total=_count("readiness_questions"),
                         privacy_item_ids=_privacy_item_ids(plan))

st.title(t("home.title"))
st.markdown("\n".join(f"- {t(k)}" for k in ("home.intro1", "home.intro2", "home.intro3")))
st.caption(t("home.saved_note"))

st.subheader(t("home.progress") + f" — {state.md_escape(plan['name'])}")
c1, c2, c3 = st.columns(3)
c1.metric(t("home.municipality"), progress["municipality"] or t("home.not_set"))
c2.metric(t("home.use_cases"), progress["use_cases"])
c3.metric(t("home.readiness"), t("home.count_of", done=progress["readiness_answered"],
                                 total=progress["readiness_total"] or "–"))
c4, c5, c6 = st.columns(3)
c4.metric(t("home.privacy"), t("home.count_of", done=progress["privacy_answered"],
                               total=progress["privacy_total"] or "–"))
c5.metric(t("home.cameras"), progress["cameras"])
c6.metric(t("home.lights"), progress["lights"])

st.subheader(t("home.export_ready"))
done = t("home.done")
todo = t("home.todo")
for item, ok in progress["export_checklist"].items():
    st.markdown(f"{':material/check_box:' if ok else ':material/check_box_outline_blank:'} "
                f"{t('home.export_item.' + item)} — {done if ok else todo}")
