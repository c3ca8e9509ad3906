"""補助金・交付金: the scheme table with filters, and the matcher (eligible schemes ranked with
reasons, national / local shares, application calendar of the fiscal years the plan starts
in). Every figure shows its fiscal year and source; an unverified one says why, next to it; a
replaced scheme names its successor."""
import datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from assessments.records import records
from assessments.programme.costs import plan_costs
from assessments.programme.grants import (APPLICANTS, DOMAINS, Project, calendar, fiscal_year_of,
                                          latest_scheme, match_schemes)
from datasets import queries
from ui import shell, state
from ui.compare_common import (FONT, labels, link_markdown, missing, source_caption, yen,
                               yen_compact, yen_ticks)
from ui.i18n import col, lang, lang_key, t

shell.setup_page()
plan = state.current_plan()
st.title(t("compare.grants.title"))
st.caption(t("compare.grants.intro"))


@st.cache_data(show_spinner=False)
def _schemes(level: str, stage: str) -> pd.DataFrame:
    return queries.list_grant_schemes(state.ref_cursor(), level=level, stage=stage)


@st.cache_data(show_spinner=False)
def _side_tables():
    cur = state.ref_cursor()
    return (queries.list_grant_shares(cur).to_dict("records"),
            queries.list_grant_scope(cur).to_dict("records"),
            queries.list_grant_calls(cur).to_dict("records"))


def _fy(value) -> str:
    return t("compare.grants.fy_unknown") if missing(value) else t("compare.grants.fy", fy=int(value))


all_schemes = _schemes("", "")
names = {r["id"]: str(col(r, "name")) for r in all_schemes.to_dict("records")}
all_rows = records(all_schemes)


def _why_unverified(r) -> str:
    """The row's stated reason when a figure is unverified (shown next to the figure)."""
    why = col(r, "unverified_reason")
    return "" if r["verified"] or missing(why) else str(why)


def _successor(scheme_id) -> str:
    newest = latest_scheme(scheme_id, all_rows)
    return names.get(newest, newest) if newest else ""

# --- scheme table ---------------------------------------------------------------------------
st.subheader(t("compare.grants.table"))
c1, c2 = st.columns(2)
LEVELS = ["", "national", "prefecture", "municipality"]
STAGES = ["", "demonstration", "implementation"]
# ids as values, labels by format_func; keys per language (and per plan for plan values)
level = c1.selectbox(t("compare.grants.level"), LEVELS,
                     key=lang_key("gr_level"), format_func=labels(LEVELS, lambda v: t(f"compare.level.{v}") if v else t("compare.all")))
stage = c2.selectbox(t("compare.grants.stage"), STAGES,
                     key=lang_key("gr_stage"), format_func=labels(STAGES, lambda v: t(f"compare.stage.{v}") if v else t("compare.all")))
shown = _schemes(level, stage)
st.metric(t("compare.grants.count"), len(shown))
table = pd.DataFrame({
    t("compare.col.name"): [names[i] for i in shown["id"]],
    t("compare.grants.level"): [t(f"compare.level.{v}") for v in shown["level"]],
    t("compare.grants.stage"): [t(f"compare.stage.{v}") for v in shown["stage"]],
    t("compare.grants.rate"): shown["rate_text_ja"],
    t("compare.grants.unverified_reason"): [_why_unverified(r) for r in records(shown)],
    t("compare.grants.cap"): [yen(v) for v in shown["cap_jpy"]],
    t("compare.grants.per_camera"): [yen(v) for v in shown["per_camera_cap_jpy"]],
    t("compare.grants.fixed"): [yen(v) for v in shown["fixed_amount_jpy"]],
    t("compare.grants.data_platform"): shown["requires_data_platform"],
    t("compare.grants.fiscal_year"): [_fy(v) for v in shown["fiscal_year"]],
    t("compare.col.verified"): shown["verified"],
    t("compare.grants.successor"): [_successor(i) for i in shown["id"]],
    t("compare.col.source"): [str(s).split(" ")[0] for s in shown["source"]],
})
st.dataframe(table, hide_index=True, width="stretch", key="gr_table",
             column_config={t("compare.col.source"): st.column_config.LinkColumn(),
                            t("compare.col.verified"): st.column_config.CheckboxColumn(),
                            t("compare.grants.data_platform"): st.column_config.CheckboxColumn()}, placeholder="")
with st.expander(t("compare.grants.details")):
    pick = st.selectbox(t("compare.col.name"), list(shown["id"]), key=lang_key("gr_detail"),
                        format_func=labels(list(names), names.get))
    if pick:
        r = shown.set_index("id").loc[pick].to_dict()
        st.markdown(f"**{names[pick]}** — {r['body_ja']} · {_fy(r['fiscal_year'])}")
        why = _why_unverified(r)
        rate_line = r["rate_text_ja"] + (f"（{t('compare.grants.unverified_reason')}: {why}）"
                                         if why else "")
        st.markdown(f"- {t('compare.grants.purpose')}: {col(r, 'purpose')}\n"
                    f"- {t('compare.grants.rate')}: {rate_line}\n"
                    f"- {t('compare.grants.applicants')}: {r['eligible_applicants_ja']}\n"
                    f"- {t('compare.grants.requirements')}: {col(r, 'requirements')}\n"
                    f"- {t('compare.grants.timing')}: {r['application_timing_ja']}")
        if not r["verified"]:
            st.warning(t("compare.unverified"))
        if _successor(pick):
            st.info(t("compare.grants.successor_note", name=_successor(pick)))
        st.caption(t("compare.source") + " " + link_markdown(r["source"]))

# --- matcher --------------------------------------------------------------------------------
st.subheader(t("compare.grants.matcher"))
st.caption(t("compare.grants.matcher_intro"))
grant = plan.get("grant") or {}
muni = plan.get("municipality") or {}
USE_CASE_DOMAIN = {"watch_elderly": "watching", "watch_children": "watching",
                   "people_count": "people_flow", "people_attributes": "people_flow",
                   "abnormal_behavior": "crime_prevention", "intrusion_flood": "disaster",
                   "crime_info_sharing": "crime_prevention", "face_identification": "crime_prevention",
                   "dangerous_driving": "crime_prevention", "disaster_monitoring": "disaster"}
default_domains = list(dict.fromkeys(USE_CASE_DOMAIN[u] for u in plan.get("use_cases", [])
                                     if u in USE_CASE_DOMAIN)) or ["crime_prevention"]
pc = plan_costs(plan)
m1, m2, m3 = st.columns(3)
stage_in = m1.radio(t("compare.grants.stage"), ["implementation", "demonstration"], key=state.widget_key("gm_stage"),
                    index=0 if grant.get("stage", "implementation") == "implementation" else 1,
                    format_func=labels(["implementation", "demonstration"], lambda v: t(f"compare.stage.{v}")), horizontal=True)
platform = m2.radio(t("compare.grants.platform"), ["has", "plans", "none"], key=state.widget_key("gm_platform"),
                    format_func=labels(["has", "plans", "none"], lambda v: t(f"compare.platform.{v}")))
applicant = m2.selectbox(t("compare.grants.applicant"), list(APPLICANTS), key=state.widget_key("gm_applicant"),
                         format_func=labels(APPLICANTS, lambda v: t(f"compare.applicant.{v}")))
domains = m3.multiselect(t("compare.grants.domains"), list(DOMAINS), default=default_domains,
                         key=state.widget_key("gm_domains"), placeholder=t("common.choose"),
                         select_all=False, format_func=labels(DOMAINS, lambda v: t(f"compare.domain.{v}")))
renewal = m3.checkbox(t("compare.grants.renewal"), key=state.widget_key("gm_renewal"),
                      value=bool(grant.get("renewal")))
# the money and the counts are the plan's (entered once, on 事業計画・事業費 and the
# simulation), never a second input here
with m1.container(border=True):
    st.caption(t("compare.grants.plan_costs"))
    st.metric(t("compare.grants.initial_cost"), yen(pc.initial_jpy))
    st.caption(t("compare.grants.running_cost", years=pc.years) + f": {yen(pc.running_total_jpy)}")
    st.caption(f"{t('compare.grants.cameras')}: {pc.cameras} · "
               f"{t('compare.grants.sites_from_plan')}: {pc.sites} · "
               f"{t('compare.grants.years')}: {pc.years}")
if pc.initial_jpy <= 0:
    st.info(t("compare.grants.no_costs"))
st.caption(t("compare.grants.area", area=(
    state.md_escape(f"{muni.get('prefecture', '')} {muni.get('name', '')}".strip())
    or t("compare.grants.area_unknown"))))

project = Project.from_plan(plan, costs=pc, stage=stage_in, data_platform=platform,
                            applicant=applicant, domains=tuple(domains), renewal=bool(renewal))
shares, scopes, calls = _side_tables()
scheme_rows = all_rows
results = match_schemes(project, scheme_rows, shares=shares, scopes=scopes)
by_id = {r["id"]: r for r in scheme_rows}


def _fmt(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if k == "rate":
            out[k] = f"{v * 100:.4g} %"
        elif k in ("successor", "other"):
            out[k] = names.get(v, v)
        elif k == "applicant":
            out[k] = t(f"compare.applicant.{v}")
        elif k in ("allowed", "domains", "areas"):
            # the reasons list codes: shown as their labels (an area code as its name)
            out[k] = "、".join(_code_label(k, c) for c in str(v).split(", ") if c)
        elif isinstance(v, float):
            out[k] = f"{v:,.0f}"
        else:
            out[k] = v
    return out


@st.cache_data(show_spinner=False)
def _municipality_name(code: str) -> str:
    rows = queries.get_municipality(state.ref_cursor(), code=code).to_dict("records")
    return f"{rows[0]['prefecture']}{rows[0]['name']}" if rows else code


def _code_label(kind: str, code: str) -> str:
    if kind == "allowed":
        return t(f"compare.applicant.{code}")
    if kind == "domains":
        return t(f"compare.domain.{code}")
    return _municipality_name(code)


def _reasons(m, kinds=("block", "condition", "info")) -> str:
    return " / ".join(t(f"compare.reason.{code}", **_fmt(params))
                      for kind, code, params in m.reasons if kind in kinds)


offered = [m for m in results if m.offered]
st.metric(t("compare.grants.offered"), len(offered))
if offered:
    rows = []
    for rank, m in enumerate(offered, 1):
        rows.append({
            t("compare.grants.rank"): rank,
            t("compare.col.name"): names[m.scheme_id],
            t("compare.grants.basis"): yen(m.basis_jpy),
            t("compare.grants.grant"): yen(m.grant_jpy) if m.grant_jpy is not None
            else t("compare.grants.unknown") if missing(m.grant_upper_bound_jpy)
            else t("compare.grants.unknown_amount", cap=yen(m.grant_upper_bound_jpy)),
            t("compare.grants.national"): yen(m.national_share_jpy),
            t("compare.grants.local"): yen(m.applicant_share_jpy),
            t("compare.grants.fiscal_year"): _fy(m.fiscal_year),
            t("compare.grants.conditions"): _reasons(m, ("condition", "info")),
            t("compare.col.source"): str(by_id[m.scheme_id]["source"]).split(" ")[0],
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="gm_result",
                 column_config={t("compare.col.source"): st.column_config.LinkColumn()}, placeholder="")
    # a chart of zero amounts (no costs entered yet) would only show a bare axis
    known = [m for m in offered if m.grant_jpy]
    if known:
        fig = go.Figure()
        payers = {}
        for m in known:
            for s in m.shares:
                label = s["payer_ja"] if lang() == "ja" else s["payer_en"]
                payers.setdefault(label, {})[names[m.scheme_id]] = s["amount_jpy"]
        for label, values in payers.items():
            fig.add_trace(go.Bar(name=label, y=list(values), x=list(values.values()),
                                 orientation="h", text=[yen_compact(v) for v in values.values()],
                                 textposition="inside"))
        ticks, tick_text = yen_ticks(max(sum(s["amount_jpy"] for s in m.shares) for m in known))
        fig.update_layout(barmode="stack", height=120 + 70 * len(known), font=FONT,
                          margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          yaxis={"autorange": "reversed"}, legend={"orientation": "h"},
                          xaxis={"title": t("compare.grants.yen"), "tickvals": ticks,
                                 "ticktext": tick_text})
        st.plotly_chart(fig, key="gm_chart")
    source_caption(sorted({by_id[m.scheme_id]["source"] for m in offered}))
    fys = sorted({_fy(m.fiscal_year) for m in offered})
    st.caption(t("compare.grants.fy_note", fys=", ".join(fys)))
else:
    st.info(t("compare.grants.none_offered"))

with st.expander(t("compare.grants.not_offered", n=len(results) - len(offered))):
    st.dataframe(pd.DataFrame([{t("compare.col.name"): names[m.scheme_id],
                                t("compare.grants.why_not"): _reasons(m, ("block",))}
                               for m in results if not m.offered]),
                 hide_index=True, width="stretch", key="gm_rejected", placeholder="")

st.subheader(t("compare.grants.calendar"))
# the fiscal year the plan starts in and the next; without one, the current fiscal year
today = datetime.date.today()
start_fy = (plan.get("project") or {}).get("start_fy")
first_fy = int(start_fy) if isinstance(start_fy, (int, float)) and not missing(start_fy) \
    else fiscal_year_of(today)
cal_years = (first_fy, first_fy + 1)
st.caption(t("compare.grants.calendar_years", fys=", ".join(_fy(y) for y in cal_years)))
cal = calendar(results, calls, fiscal_years=cal_years, today=today)


def _last_call(e) -> str:
    last = e["last"]
    if not last:
        return ""
    return t("compare.grants.last_call_value", fy=_fy(last["fiscal_year"]),
             start=last.get("start_date") or "", end=last.get("end_date") or "")


if cal:
    st.dataframe(pd.DataFrame([{t("compare.grants.fiscal_year"): _fy(e["fiscal_year"]),
                                t("compare.col.name"): names[e["scheme_id"]],
                                t("compare.grants.status"): t(f"compare.grants.status.{e['status']}"),
                                t("compare.grants.start"): e["start"] or "",
                                t("compare.grants.end"): e["end"] or "",
                                t("compare.grants.note"): e["note_ja"] if lang() == "ja" else e["note_en"],
                                t("compare.grants.last_call"): _last_call(e)}
                               for e in cal]), hide_index=True, width="stretch", key="gm_cal", placeholder="",
                 # dates whole (「2026-01-30」), the name takes what is left
                 column_config={t(k): st.column_config.TextColumn(t(k), width=96)
                                for k in ("compare.grants.start", "compare.grants.end")}
                 | {t("compare.grants.note"): st.column_config.TextColumn(
                     t("compare.grants.note"), width="medium")})
    st.caption(t("compare.grants.calendar_note"))
    source_caption(sorted({e["source"] for e in cal if e["source"]}))

# --- store the choice in the plan -----------------------------------------------------------
if offered:
    choice = st.selectbox(t("compare.grants.choose"), [m.scheme_id for m in offered],
                          key=state.widget_key("gm_choose"), format_func=labels(list(names), names.get))
    if st.button(t("compare.grants.save"), key=state.widget_key("gm_save")):
        def _set(p: dict) -> None:
            p.setdefault("grant", {})
            p["grant"].update({"scheme_id": choice, "stage": stage_in, "renewal": bool(renewal)})
        if state.update_plan(_set) is not None:
            st.success(t("compare.grants.saved", name=names[choice]))
current = (state.current_plan().get("grant") or {}).get("scheme_id")
if current:
    st.caption(t("compare.grants.current", name=names.get(current, current)))
    if _successor(current):
        st.info(t("compare.grants.current_superseded", name=names.get(current, current),
                  successor=_successor(current)))
