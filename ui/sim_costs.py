"""The 費用 (costs) tab of the シミュレーション page: one unit price per device model, the
estimate rates that are not device prices, and the plan's cost lines — the same lines and
totals as 事業計画・事業費 and the Excel 事業費 (:func:`assessments.programme.costs.plan_costs`,
docs/architecture.md "Costs")."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from assessments.programme.costs import ESTIMATE_RATES, PlanCosts, device_groups
from ui.compare_common import cost_lines_frame, superseded_notes
from ui.i18n import t


def draw_costs(plan: dict, prices: dict, cost: PlanCosts, *, key: Callable[[str], str],
               nonce: int, change: Callable[[Callable[[dict], None], str], bool],
               set_model_prices: Callable[[str, dict], bool]) -> None:
    """Draw the costs tab.

    Parameters
    ----------
    plan : dict
        The current plan (read only).
    prices : dict
        The plan's estimate rates ``{key: 円}``
        (:func:`assessments.programme.costs.estimate_rates`).
    cost : PlanCosts
        The plan's costs [円].
    key : callable
        Widget name → session key (per plan and language).
    nonce : int
        The page's save counter: tables start again from the saved plan after a save.
    change : callable
        ``change(fn, what) -> bool`` saves ``fn`` applied to the plan, undoably.
    set_model_prices : callable
        ``set_model_prices(kind, {model: 円}) -> bool`` sets the price of every device of
        a model.
    """
    st.caption(t("sim.cost.intro"))
    # one unit price per model: written onto every camera / light of the model, which
    # the 事業計画 page and the Excel 事業費 read too (docs/architecture.md "Costs")
    groups = [("cameras", g) for g in device_groups(plan.get("cameras"))] + \
        [("lights", g) for g in device_groups(plan.get("lights"))]
    if groups:
        price_df = pd.DataFrame([{
            "kind": t("sim.cost.kind." + kind_),
            "model": g["model"] or t("sim.cost.model_unset"),
            "quantity": g["quantity"],
            "unit_price_jpy": round(g["amount_jpy"] / g["quantity"])} for kind_, g in groups])
        price_key = key(f"model_prices_{nonce}")

        def _on_prices():
            edits = (st.session_state.get(price_key) or {}).get("edited_rows") or {}
            by_kind: dict = {}
            for idx, change_ in edits.items():
                v = (change_ or {}).get("unit_price_jpy")
                if v is None or not 0 <= int(idx) < len(groups):
                    continue
                kind_, g = groups[int(idx)]
                by_kind.setdefault(kind_, {})[g["model"]] = max(0, int(round(float(v))))
            for kind_, pr in by_kind.items():
                set_model_prices(kind_, pr)
        st.data_editor(price_df, key=price_key, hide_index=True, width="stretch",
                       disabled=["kind", "model", "quantity"], on_change=_on_prices,
                       column_config={
                           "kind": st.column_config.TextColumn(t("sim.cost.col.kind")),
                           "model": st.column_config.TextColumn(t("sim.cost.col.model")),
                           "quantity": st.column_config.NumberColumn(t("sim.cost.col.qty")),
                           "unit_price_jpy": st.column_config.NumberColumn(
                               t("sim.cost.col.unit"), min_value=0, step=1000,
                               format="%d")}, placeholder="")
        st.caption(t("sim.cost.device_note"))
    pc = st.columns(len(ESTIMATE_RATES))

    def _save_price(k_):
        v = st.session_state[key(f"price_{k_}")]
        change(lambda p: p.setdefault("simulation", {}).setdefault(
            "unit_prices_jpy", {}).update({k_: float(v or 0)}), t("sim.what.prices"))
    for i, k_ in enumerate(ESTIMATE_RATES):
        pc[i].number_input(t(f"export.cost.estimate.{k_}") + " [円]", min_value=0,
                           step=10_000, value=int(prices.get(k_) or 0),
                           key=key(f"price_{k_}"), on_change=_save_price, args=(k_,))
    for note in superseded_notes(cost):
        st.info(note)
    if cost.lines or cost.running:
        st.dataframe(cost_lines_frame(cost), hide_index=True, width="stretch",
                     key=key("cost_df"), placeholder="")
    st.markdown("**" + t("export.plan.total_initial") + ": "
                + t("export.yen", value=cost.initial_jpy) + "**  \n"
                + t("export.plan.total", years=cost.years) + ": "
                + t("export.yen", value=cost.total_jpy))
    st.caption(t("export.cost.tax"))
