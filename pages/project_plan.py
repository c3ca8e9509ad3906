"""事業計画・事業費: project text, KPIs, schedule and costs for the grant application.

Every change is saved at once through ``ui.state.update_plan``. The camera and light lines of
the cost table come from the plan's devices (count and unit price per model); editing a
model's unit price here sets it on every device of that model — the same prices the
シミュレーション page edits and the Excel 事業費 sums (docs/architecture.md "Costs").
"""
import copy
import hashlib

import pandas as pd
import streamlit as st

from reports import excel as X
from ui import state
from ui.i18n import t

state.setup_page()
plan = state.current_plan()
if X.migrate_unit_prices(copy.deepcopy(plan)):  # old simulation-page prices → the devices
    plan = state.update_plan(X.migrate_unit_prices) or plan
pid = plan["id"]
K = f"pp_{pid}_"  # widget keys per plan, so switching plans never shows stale values


def _records(df: pd.DataFrame) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def _base(name: str, build):
    """The editor's input table, fixed per plan until the plan changes elsewhere.

    st.data_editor keeps the user's edits as deltas on its input; rebuilding the input from
    the saved plan would apply added rows twice, so the input stays the first snapshot.
    """
    key = K + "base_" + name
    if key not in st.session_state:
        st.session_state[key] = build()
    return st.session_state[key]


def _save_field(field: str, key: str) -> None:
    value = st.session_state[key]
    if field == "start_fy":
        value = None if value is None else int(value)
    state.update_plan(lambda p: p.setdefault("project", {}).__setitem__(field, value))


def load_schemes() -> list[dict]:
    """Rows of the reference table grant_schemes (empty while the table does not exist)."""
    from datasets import queries
    try:
        df = queries.run(state.ref_cursor(), "list_grant_schemes", level="", stage="")
    except Exception:  # query or table not there yet on this machine
        return []
    return _records(df)


def load_shares() -> list[dict]:
    """Rows of grant_shares (payer splits such as 都 1/2, 市 1/3, 団体 1/6)."""
    from datasets import queries
    try:
        return _records(queries.run(state.ref_cursor(), "list_grant_shares"))
    except Exception:  # query or table not there yet on this machine
        return []


def _price_editor(kind: str, groups: list[dict]) -> None:
    """Unit price per model of the cameras / lights; a change is saved on every device of
    the model, with the grant's total cost."""
    global plan
    unset = t("export.plan.model_unset")
    df = pd.DataFrame([{"model": g["model"] or unset, "quantity": g["quantity"],
                        "unit_price": g["amount_jpy"] / g["quantity"],
                        "amount": g["amount_jpy"]} for g in groups])
    prefix = "cam_prices_" if kind == "cameras" else "light_prices_"
    edited = st.data_editor(
        # a new key whenever the saved prices change, so the editor starts from them
        df, hide_index=True, key=K + prefix + hashlib.md5(
            repr(groups).encode()).hexdigest()[:12],
        disabled=["model", "quantity", "amount"], width="stretch",
        column_config={
            "model": st.column_config.TextColumn(t("export.plan.col.model")),
            "quantity": st.column_config.NumberColumn(t("export.plan.col.quantity")),
            "unit_price": st.column_config.NumberColumn(t("export.plan.col.unit_price"),
                                                        min_value=0, format="%d"),
            "amount": st.column_config.NumberColumn(t("export.plan.col.amount"), format="%d")})
    prices = {}
    for g, row in zip(groups, _records(edited)):
        if row["unit_price"] is not None and abs(row["unit_price"] - g["amount_jpy"]
                                                 / g["quantity"]) > 0.5:
            prices[g["model"]] = int(round(row["unit_price"]))
    if prices:
        def _set(p):
            p[kind] = X.set_camera_prices(p.get(kind), prices)
            p.setdefault("grant", {})["total_cost_jpy"] = X.cost_totals(p)["total"]
        plan = state.update_plan(_set) or plan
        st.rerun()


st.title(t("export.plan.title"))
st.caption(t("export.plan.intro"))

# ------------------------------------------------------------------------------ project
st.subheader(t("export.plan.project"))
project = plan.get("project") or {}
for field in ("title", "applicant"):
    st.text_input(t(f"export.plan.field.{field}"), value=project.get(field) or "",
                  key=K + field, on_change=_save_field, args=(field, K + field))
for field in ("purpose", "issues", "target_state"):
    st.text_area(t(f"export.plan.field.{field}"), value=project.get(field) or "",
                 key=K + field, on_change=_save_field, args=(field, K + field), height=90)
start_fy = project.get("start_fy")
st.number_input(t("export.plan.field.start_fy"), min_value=2019, max_value=2100, step=1,
                value=int(start_fy) if start_fy else None, key=K + "start_fy",
                on_change=_save_field, args=("start_fy", K + "start_fy"))
if project.get("start_fy"):
    st.caption(t("export.plan.start_fy_label", label=X.wareki_fy(int(project["start_fy"]))))

# --------------------------------------------------------------------------------- KPIs
st.subheader(t("export.plan.kpis"))
st.caption(t("export.plan.kpis_help"))
rows, n_years = X.kpi_rows(plan.get("kpis"))
base = _base("kpis", lambda: pd.DataFrame(
    rows, columns=["name", "unit", "baseline"] + [f"t{i + 1}" for i in range(n_years)]))
fy0 = project.get("start_fy")
kpi_cols = {"name": st.column_config.TextColumn(t("export.plan.col.kpi_name"), width="large"),
            "unit": st.column_config.TextColumn(t("export.plan.col.unit")),
            "baseline": st.column_config.NumberColumn(t("export.plan.col.baseline"))}
for i in range(len(base.columns) - 3):
    label = t("export.plan.col.target", n=i + 1)
    if fy0:
        label += f"（{X.wareki_fy(int(fy0) + i)}）"
    kpi_cols[f"t{i + 1}"] = st.column_config.NumberColumn(label)
edited = st.data_editor(base, num_rows="dynamic", column_config=kpi_cols, hide_index=True,
                        key=K + "kpis", width="stretch")
new_kpis = X.kpis_from_rows(_records(edited), plan.get("kpis"))
if new_kpis != (plan.get("kpis") or []):
    plan = state.update_plan(lambda p: p.__setitem__("kpis", new_kpis)) or plan
short = [k["name"] or "?" for k in plan.get("kpis") or []
         if len(k.get("targets") or []) < X.MIN_KPI_YEARS]
if short:
    st.warning(t("export.plan.kpis_short", names="、".join(short)))

# ----------------------------------------------------------------------------- schedule
st.subheader(t("export.plan.schedule"))
st.caption(t("export.plan.schedule_help"))
base = _base("schedule", lambda: pd.DataFrame(
    [{k: s.get(k) or "" for k in ("task", "start", "end")} for s in plan.get("schedule") or []],
    columns=["task", "start", "end"]))
edited = st.data_editor(
    base, num_rows="dynamic", hide_index=True, key=K + "schedule", width="stretch",
    column_config={"task": st.column_config.TextColumn(t("export.plan.col.task"), width="large"),
                   "start": st.column_config.TextColumn(t("export.plan.col.start")),
                   "end": st.column_config.TextColumn(t("export.plan.col.end"))})
schedule, bad = X.schedule_from_rows(_records(edited))
for row, value in bad:
    st.error(t("export.plan.bad_month", row=row, value=value))
if not bad and schedule != [{k: s.get(k, "") for k in ("task", "start", "end")}
                            for s in plan.get("schedule") or []]:
    plan = state.update_plan(lambda p: p.__setitem__("schedule", schedule)) or plan

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


def _cost_editor(name: str, cats: dict, fields: list[tuple[str, str]]) -> list[dict]:
    """A dynamic table of cost lines; returns the lines as plan records."""
    labels = {key: t(f"export.cat.{name}.{key}") for key in cats}
    by_label = {v: k for k, v in labels.items()}
    lines = costs.get("items" if name == "item" else "running") or []
    base = _base(name, lambda: pd.DataFrame(
        [{"category": labels.get(line.get("category"), labels["other"]),
          **{f: line.get(f) for f, _ in fields}} for line in lines],
        columns=["category"] + [f for f, _ in fields]))
    config = {"category": st.column_config.SelectboxColumn(
        t("export.plan.col.category"), options=list(labels.values()), required=True)}
    for f, label_key in fields:
        config[f] = (st.column_config.TextColumn(t(label_key), width="large") if f == "name"
                     else st.column_config.NumberColumn(t(label_key), min_value=0,
                                                        format="%d"))
    edited = st.data_editor(base, num_rows="dynamic", hide_index=True, key=K + name,
                            column_config=config, width="stretch")
    out = []
    for i, row in enumerate(_records(edited)):
        if all(row.get(f) in (None, "") for f, _ in fields):
            continue
        rec = dict(lines[i]) if i < len(lines) else {}
        rec["category"] = by_label.get(row.get("category"), "other")
        for f, _ in fields:
            value = row.get(f)
            rec[f] = (value or "") if f == "name" else (int(value) if value is not None
                                                        else 0)
        out.append(rec)
    return out


st.markdown("**" + t("export.plan.items") + "**")
items = _cost_editor("item", X.ITEM_CATEGORIES, [("name", "export.plan.col.name"),
                                                 ("unit_price_jpy", "export.plan.col.unit_price"),
                                                 ("quantity", "export.plan.col.quantity")])
st.markdown("**" + t("export.plan.running") + "**")
running = _cost_editor("running", X.RUNNING_CATEGORIES,
                       [("name", "export.plan.col.name"),
                        ("annual_jpy", "export.plan.col.annual")])
years = st.number_input(t("export.plan.years"), min_value=1, max_value=10, step=1,
                        value=int(costs.get("years") or 5), key=K + "years")
if (items != (costs.get("items") or []) or running != (costs.get("running") or [])
        or int(years) != int(costs.get("years") or 5)):
    def _set_costs(p):
        c = p.setdefault("costs", {})
        c.update(items=items, running=running, years=int(years))
        p.setdefault("grant", {})["total_cost_jpy"] = X.cost_totals(p)["total"]
    plan = state.update_plan(_set_costs) or plan

# ------------------------------------------------------------------------------- totals
st.subheader(t("export.plan.totals"))
schemes = load_schemes()
scheme = X._scheme_for(plan, schemes)
totals = X.cost_totals(plan, scheme=scheme, shares=load_shares())
yen = lambda v: "–" if v is None else t("export.yen", value=v)  # noqa: E731
c1, c2, c3 = st.columns(3)
c1.metric(t("export.plan.total_initial"), yen(totals["initial"]))
c2.metric(t("export.plan.total_running", years=int(years)), yen(totals["running_total"]))
c3.metric(t("export.plan.total"), yen(totals["total"]))
if scheme is None:
    st.info(t("export.plan.no_scheme"))
else:
    st.markdown(t("export.plan.scheme", name=scheme.get("name_ja") if state.lang() == "ja"
                  else scheme.get("name_en") or scheme.get("name_ja")))
    if str(scheme.get("verified")).lower() in ("false", "0"):
        st.warning(t("export.plan.scheme_unverified"))
    if totals["shares"]:  # payer split (東京都 見守り etc.): one amount per payer
        cols = st.columns(len(totals["shares"]))
        for c_, sh in zip(cols, totals["shares"]):
            c_.metric(t("export.plan.payer", payer=sh["payer_ja"], share=sh["share_text"]),
                      yen(sh["amount_jpy"]))
        st.caption(t("export.plan.payer_note", eligible=f"{totals['eligible']:,.0f}"))
    elif totals["national"] is None:
        st.info(t("export.plan.no_rate"))
    else:
        c4, c5 = st.columns(2)
        c4.metric(t("export.plan.national"), yen(totals["national"]))
        c5.metric(t("export.plan.local"), yen(totals["local"]))
