"""Home: what the app does, and how far the current plan has got."""
import duckdb
import streamlit as st

from assessments.programme import privacy
from assessments.programme.grants import plan_grant
from assessments.programme.progress import plan_progress
from assessments.records import records
from datasets import queries
from ui import shell, state
from ui.i18n import t

shell.setup_page()
plan = state.current_plan()


def _count(table: str) -> int | None:
    """Row count of an optional reference table (None while it does not exist)."""
    try:  # table names are constants of this page, never user input
        return int(state.ref_cursor().execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    except duckdb.CatalogException:
        return None


def _privacy_item_ids(use_cases: list[str]) -> list[str] | None:
    """Ids of the privacy items the plan's (known) use cases trigger."""
    try:
        items = queries.list_privacy_items(state.ref_cursor()).to_dict("records")
    except duckdb.CatalogException:
        return None
    return [item["id"] for item in privacy.triggered_items(items, use_cases)]


# a use case this app cannot use (hand-edited file) is named, not a failure
use_cases, unknown_use_cases = privacy.split_use_cases(plan.get("use_cases") or [])


progress = plan_progress({**plan, "use_cases": use_cases}, readiness_total=_count("readiness_questions"),
                         privacy_item_ids=_privacy_item_ids(use_cases))

st.title(t("home.title"))
st.markdown("\n".join(f"- {t(k)}" for k in ("home.intro1", "home.intro2", "home.intro3")))
st.caption(t("home.saved_note"))

st.subheader(t("home.progress") + f" — {state.md_escape(plan['name'])}")
state.warn_unknown("use_cases", unknown_use_cases)
c1, c2, c3 = st.columns(3)
c1.metric(t("home.municipality"), state.md_escape(progress["municipality"])
          or t("home.not_set"))
c2.metric(t("home.use_cases"), progress["use_cases"])
c3.metric(t("home.readiness"), t("home.count_of", done=progress["readiness_answered"],
                                 total=progress["readiness_total"] or "–"))
c4, c5, c6 = st.columns(3)
c4.metric(t("home.privacy"), t("home.count_of", done=progress["privacy_answered"],
                               total=progress["privacy_total"] or "–"))
c5.metric(t("home.cameras"), progress["cameras"])
c6.metric(t("home.lights"), progress["lights"])

# money: the same derived figures as 事業計画・事業費, 補助金 and the Excel 事業費
st.subheader(t("export.plan.costs"))
try:
    _cur = state.ref_cursor()
    _pg = plan_grant(plan, schemes=records(queries.list_grant_schemes(_cur, level="", stage="")),
                     shares=records(queries.list_grant_shares(_cur)))
except duckdb.CatalogException:  # reference tables not built yet: costs without a grant
    _pg = plan_grant(plan)
yen = lambda v: "—" if v is None else t("export.yen", value=v)  # noqa: E731
m1, m2, m3 = st.columns(3)
m1.metric(t("export.plan.total_initial"), yen(_pg.costs.initial_jpy))
m2.metric(t("export.plan.total", years=_pg.costs.years), yen(_pg.costs.total_jpy))
if _pg.scheme is not None:
    m3.metric(t("export.plan.national"), yen(_pg.amounts.grant_jpy),
              help=str(_pg.scheme.get("name_ja") if state.lang() == "ja"
                       else _pg.scheme.get("name_en") or _pg.scheme.get("name_ja")))
st.caption(t("export.cost.tax"))

st.subheader(t("home.export_ready"))
done = t("home.done")
todo = t("home.todo")
for item, ok in progress["export_checklist"].items():
    st.markdown(f"{':material/check_box:' if ok else ':material/check_box_outline_blank:'} "
                f"{t('home.export_item.' + item)} — {done if ok else todo}")
