"""事業計画・事業費: project text, KPIs, schedule and costs for the grant application.

Every change is saved at once through ``ui.state.update_plan``. The camera and light lines of
the cost table come from the plan's devices (count and unit price per model); editing a
model's unit price here sets it on every device of that model — the same prices the
シミュレーション page edits and the Excel 事業費 sums (docs/architecture.md "Costs").
"""
import hashlib

import duckdb
import pandas as pd
import streamlit as st

from assessments.records import records
from assessments.programme import costs as C
from assessments.programme.grants import plan_grant
from reports import excel as X
from ui import shell, state
from ui import compare_common as _cc
from ui.i18n import t

shell.setup_page()
plan = state.current_plan()
# Every widget that edits the plan is keyed per plan and language and saves in its
# on_change callback (ui.state.plan_widget / plan_table): a page run without an edit, a
# language switch or a plan switch never saves.


def _field(field: str, value) -> dict:
    """Widget arguments of one ``project`` field."""
    def save(p, new):
        if field == "start_fy":
            new = None if new is None else int(new)
        p.setdefault("project", {})[field] = new
    return state.plan_widget("pp_" + field, value, save)


def load_schemes() -> list[dict]:
    """Rows of the reference table grant_schemes (empty while the table does not exist)."""
    from datasets import queries
    try:
        df = queries.run(state.ref_cursor(), "list_grant_schemes", level="", stage="")
    except duckdb.Error:  # table not there yet on this machine
        return []
    return records(df)


def load_shares() -> list[dict]:
    """Rows of grant_shares (payer splits such as 都 1/2, 市 1/3, 団体 1/6)."""
    from datasets import queries
    try:
        return records(queries.run(state.ref_cursor(), "list_grant_shares"))
    except duckdb.Error:  # table not there yet on this machine
        return []


def _price_editor(kind: str, groups: list[dict]) -> None:
    """Unit price per model of the cameras / lights; a change is saved on every device of
    the model (the totals are derived from them)."""
    unset = t("export.plan.model_unset")
    df = pd.DataFrame([{"model": g["model"] or unset, "quantity": g["quantity"],
                        "unit_price": g["amount_jpy"] / g["quantity"],
                        "amount": g["amount_jpy"]} for g in groups])
    prefix = "pp_cam_prices_" if kind == "cameras" else "pp_light_prices_"

    def save(p, rows):
        prices = {}
        for g, row in zip(groups, rows):
            if row["unit_price"] is not None and abs(row["unit_price"] - g["amount_jpy"]
                                                     / g["quantity"]) > 0.5:
                prices[g["model"]] = int(round(row["unit_price"]))
        if prices:
            p[kind] = C.set_model_prices(p.get(kind), prices)

    state.plan_table(
        # a new key whenever the saved prices change, so the editor starts from them
        prefix + hashlib.md5(repr(groups).encode()).hexdigest()[:12], df, save, plan=plan,
        hide_index=True, disabled=["model", "quantity", "amount"], width="stretch",
        column_config={
            "model": st.column_config.TextColumn(t("export.plan.col.model")),
            "quantity": st.column_config.NumberColumn(t("export.plan.col.quantity")),
            "unit_price": st.column_config.NumberColumn(t("export.plan.col.unit_price"),
                                                        min_value=0, format="%d"),
            "amount": st.column_config.NumberColumn(t("export.plan.col.amount"), format="%d")})


st.title(t("export.plan.title"))
st.caption(t("export.plan.intro"))

# ------------------------------------------------------------------------------ project
st.subheader(t("export.plan.project"))
project = plan.get("project") or {}
for field in ("title", "applicant"):
    st.text_input(t(f"export.plan.field.{field}"), **_field(field, project.get(field) or ""))
for field in ("purpose", "issues", "target_state"):
    st.text_area(t(f"export.plan.field.{field}"), height=90,
                 **_field(field, project.get(field) or ""))
start_fy = project.get("start_fy")
st.number_input(t("export.plan.field.start_fy"), min_value=2019, max_value=2100, step=1,
                **_field("start_fy", int(start_fy) if start_fy else None))
if project.get("start_fy"):
    st.caption(t("export.plan.start_fy_label", label=X.wareki_fy(int(project["start_fy"]))))

# --------------------------------------------------------------------------------- KPIs
st.subheader(t("export.plan.kpis"))
st.caption(t("export.plan.kpis_help"))
rows, n_years = X.kpi_rows(plan.get("kpis"))
base = pd.DataFrame(rows, columns=["name", "unit", "baseline"]
                    + [f"t{i + 1}" for i in range(n_years)])
fy0 = project.get("start_fy")
kpi_cols = {"name": st.column_config.TextColumn(t("export.plan.col.kpi_name"), width="large"),
            "unit": st.column_config.TextColumn(t("export.plan.col.unit")),
            "baseline": st.column_config.NumberColumn(t("export.plan.col.baseline"))}
for i in range(len(base.columns) - 3):
    label = t("export.plan.col.target", n=i + 1)
    if fy0:
        label += f"（{X.wareki_fy(int(fy0) + i)}）"
    kpi_cols[f"t{i + 1}"] = st.column_config.NumberColumn(label)
state.plan_table("pp_kpis", base,
                 lambda p, rows: p.__setitem__("kpis", X.kpis_from_rows(rows, p.get("kpis"))),
                 plan=plan, num_rows="dynamic", column_config=kpi_cols, hide_index=True,
                 width="stretch")
short = [k["name"] or "?" for k in plan.get("kpis") or []
         if len(k.get("targets") or []) < X.MIN_KPI_YEARS]
if short:
    st.warning(t("export.plan.kpis_short", names="、".join(short)))

# ----------------------------------------------------------------------------- schedule
st.subheader(t("export.plan.schedule"))
st.caption(t("export.plan.schedule_help"))
base = pd.DataFrame(
    [{k: s.get(k) or "" for k in ("task", "start", "end")} for s in plan.get("schedule") or []],
    columns=["task", "start", "end"])


def _save_schedule(p: dict, rows: list[dict]) -> None:
    schedule, bad = X.schedule_from_rows(rows)
    if not bad:  # a month that cannot be read is shown below the table and not saved
        p["schedule"] = schedule


shown = state.plan_table(
    "pp_schedule", base, _save_schedule, plan=plan, num_rows="dynamic", hide_index=True,
    width="stretch",
    column_config={"task": st.column_config.TextColumn(t("export.plan.col.task"), width="large"),
                   "start": st.column_config.TextColumn(t("export.plan.col.start")),
                   "end": st.column_config.TextColumn(t("export.plan.col.end"))})
for row, value in X.schedule_from_rows(shown)[1]:
    st.error(t("export.plan.bad_month", row=row, value=value))

# -------------------------------------------------------------------------------- costs
st.subheader(t("export.plan.costs"))
costs = plan.get("costs") or {}
st.markdown("**" + t("export.plan.cameras_from_plan") + "**")
groups = X.camera_cost_groups(plan.get("cameras"))
if groups:
    _price_editor("cameras", groups)
else:
    st.caption(t("export.plan.no_cameras"))
light_groups = X.light_cost_groups(plan.get("lights"))
if light_groups:
    st.markdown("**" + t("export.plan.lights_from_plan") + "**")
    _price_editor("lights", light_groups)


def _cost_editor(name: str, cats: dict, fields: list[tuple[str, str]]) -> None:
    """A dynamic table of cost lines (``costs.items`` or ``costs.running``), saved when
    edited; the category column holds ids and shows their labels."""
    labels = {key: t(f"export.cat.{name}.{key}") for key in cats}
    part = "items" if name == "item" else "running"
    lines = costs.get(part) or []
    base = pd.DataFrame(
        [{"category": line.get("category") if line.get("category") in labels else "other",
          **{f: line.get(f) for f, _ in fields}} for line in lines],
        columns=["category"] + [f for f, _ in fields])
    config = {"category": st.column_config.SelectboxColumn(
        t("export.plan.col.category"), options=list(labels), format_func=labels.get,
        required=True)}
    for f, label_key in fields:
        config[f] = (st.column_config.TextColumn(t(label_key), width="large") if f == "name"
                     else st.column_config.NumberColumn(t(label_key), min_value=0,
                                                        format="%d"))

    def save(p: dict, rows: list[dict]) -> None:
        stored = (p.get("costs") or {}).get(part) or []
        out = []
        for i, row in enumerate(rows):
            if all(row.get(f) in (None, "") for f, _ in fields):
                continue
            rec = dict(stored[i]) if i < len(stored) else {}
            rec["category"] = row.get("category") if row.get("category") in labels else "other"
            for f, _ in fields:
                value = row.get(f)
                rec[f] = (value or "") if f == "name" else (int(value) if value is not None
                                                            else 0)
            out.append(rec)
        p.setdefault("costs", {})[part] = out

    state.plan_table("pp_" + name, base, save, plan=plan, num_rows="dynamic", hide_index=True,
                     column_config=config, width="stretch")


def _rate_widget(key: str, value: float) -> dict:
    """Widget arguments of an estimate rate [円]: the same field the シミュレーション 費用 tab
    edits."""
    return state.plan_widget("pp_rate_" + key, value, lambda p, new: p.setdefault(
        "simulation", {}).setdefault("unit_prices_jpy", {}).__setitem__(key, float(new or 0)))


st.markdown("**" + t("export.cost.estimate_title") + "**")
_rates = C.estimate_rates(plan)
_rc = st.columns(len(_rates))
for _i, (_key, _rate) in enumerate(_rates.items()):
    _rc[_i].number_input(t(f"export.cost.estimate.{_key}") + " [円]", min_value=0,
                         step=10_000, help=t("export.cost.source.estimate"),
                         **_rate_widget(_key, int(_rate)))
for _note in _cc.superseded_notes(C.plan_costs(plan)):
    st.info(_note)

def _save_years(p: dict, new) -> None:
    p.setdefault("costs", {})["years"] = int(new)


st.markdown("**" + t("export.plan.items") + "**")
_cost_editor("item", X.ITEM_CATEGORIES, [("name", "export.plan.col.name"),
                                         ("unit_price_jpy", "export.plan.col.unit_price"),
                                         ("quantity", "export.plan.col.quantity")])
st.markdown("**" + t("export.plan.running") + "**")
_cost_editor("running", X.RUNNING_CATEGORIES,
             [("name", "export.plan.col.name"), ("annual_jpy", "export.plan.col.annual")])
st.number_input(t("export.plan.years"), min_value=1, max_value=10, step=1,
                **state.plan_widget("pp_years", int(costs.get("years") or 5), _save_years))

# ------------------------------------------------------------------------------- totals
st.subheader(t("export.plan.totals"))
schemes = load_schemes()
pg = plan_grant(plan, schemes=schemes, shares=load_shares())
pc, scheme, amounts = pg.costs, pg.scheme, pg.amounts
yen = lambda v: "–" if v is None else t("export.yen", value=v)  # noqa: E731
c1, c2, c3 = st.columns(3)
c1.metric(t("export.plan.total_initial"), yen(pc.initial_jpy))
c2.metric(t("export.plan.total_running", years=pc.years), yen(pc.running_total_jpy))
c3.metric(t("export.plan.total", years=pc.years), yen(pc.total_jpy))
st.caption(t("export.cost.tax"))
if pc.lines or pc.running:
    st.dataframe(_cc.cost_lines_frame(pc), hide_index=True, width="stretch",
                 key=state.widget_key("pp_cost_lines"), placeholder="")
if scheme is None:
    st.info(t("export.plan.no_scheme"))
else:
    st.markdown(t("export.plan.scheme", name=scheme.get("name_ja") if state.lang() == "ja"
                  else scheme.get("name_en") or scheme.get("name_ja")))
    if str(scheme.get("verified")).lower() in ("false", "0"):
        st.warning(t("export.plan.scheme_unverified"))
    # a plan saved under a scheme that has since been replaced is told what replaced it
    if note := _cc.superseded_note(scheme, schemes):
        st.info(note)
    if amounts.grant_jpy is None:
        st.info(t("export.plan.no_rate"))
    elif pg.share_rows:  # payer split (東京都 見守り etc.): one amount per payer
        cols = st.columns(len(amounts.shares))
        for c_, sh in zip(cols, amounts.shares):
            c_.metric(t("export.plan.payer", payer=sh["payer_ja"], share=sh["share_text"]),
                      yen(sh["amount_jpy"]))
        st.caption(t("export.plan.payer_note", eligible=f"{amounts.eligible_jpy:,.0f}"))
    else:
        c4, c5, c6 = st.columns(3)
        c4.metric(t("export.plan.national"), yen(amounts.grant_jpy))
        c5.metric(t("export.plan.local"), yen(amounts.applicant_jpy))
        c6.metric(t("export.plan.self_total", years=pc.years), yen(pg.self_pay_total_jpy))
    if amounts.grant_jpy is not None:
        st.caption(t("export.plan.basis", basis=f"{amounts.basis_jpy:,.0f}",
                     eligible=f"{amounts.eligible_jpy:,.0f}"))
