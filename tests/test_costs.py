"""The one cost and grant arithmetic (assessments.programme.costs / .grants): the plan's
cost lines with their sources, and every figure the app shows for a plan agreeing — the
matcher, the 事業計画 / ホーム figures (plan_grant), the Excel expected values (cost_totals)
and the Excel formulas recalculated by LibreOffice."""
from __future__ import annotations

import shutil

import pytest
from numpy.testing import assert_allclose

from assessments.programme import costs as C
from assessments.programme.grants import Project, match_scheme, plan_grant
from reports import excel as X
from tests.grant_rows import BY_ID, SCHEMES, SCOPES, SHARES



def _cam(i, price, site=None, model="AX"):
    cam = {"id": f"C{i}", "lat": 35.0 + i * 1e-4, "lon": 139.0, "model": model,
           "unit_price_jpy": price, "width_px": 1920, "height_px": 1080}
    if site:
        cam["site"] = site
    return cam


# ------------------------------------------------------------------------- cost lines
def test_lines_sources_and_totals_by_hand():
    plan = {"cameras": [_cam(1, 300_000, "P1"), _cam(2, 300_000, "P1")],
            "lights": [{"id": "L1", "model": "LED", "unit_price_jpy": 40_000}],
            "simulation": {"unit_prices_jpy": {"pole": 150_000, "installation": 20_000,
                                               "camera": 1}},
            "costs": {"years": 4,
                      "items": [{"category": "network", "name": "回線工事",
                                 "unit_price_jpy": 100_000, "quantity": 1}],
                      "running": [{"category": "communication", "annual_jpy": 60_000}]}}
    pc = C.plan_costs(plan)
    # cameras 600,000 (model AX, 2) + light 40,000 + pole 150,000 × 1 site (both cameras on
    # P1) + installation 20,000 × 3 devices + network 100,000 = 950,000
    assert [(line.source, line.category, line.quantity, line.amount_jpy) for line in pc.lines] == [
        ("cameras", "camera", 2, 600_000), ("lights", "light", 1, 40_000),
        ("estimate", "pole", 1, 150_000), ("estimate", "installation", 3, 60_000),
        ("items", "network", 1, 100_000)]
    assert pc.initial_jpy == 950_000
    # running 60,000 × 4 years = 240,000; total 1,190,000
    assert (pc.running_total_jpy, pc.total_jpy, pc.years) == (240_000, 1_190_000, 4)
    assert (pc.cameras, pc.sites, pc.superseded) == (2, 1, ())
    # the old device key of the simulation rates is not an estimate line
    assert {line.key for line in pc.by_source("estimate")} == {"pole", "installation"}


def test_recorder_estimate_uses_the_storage_model():
    # Kush gauge, H.265, 10 fps, low motion: 1920·1080·10·1·0.07·0.5 = 725,760 bit/s;
    # 14 days: 725,760 × 86,400 × 14 / 8 = 109,734,912,000 B per camera; 2 cameras
    # 219,469,824,000 B = 0.219469824 TB × 20,000 円/TB = 4,389.39648 円
    plan = {"cameras": [_cam(1, 0), _cam(2, 0)],
            "privacy": {"settings": {"retention_days": 14}},
            "simulation": {"unit_prices_jpy": {"recorder_per_tb": 20_000}}}
    line = C.plan_costs(plan).by_source("estimate")[0]
    assert line.key == "recorder_per_tb"
    assert_allclose([line.quantity, line.amount_jpy], [0.219469824, 4_389.39648], rtol=1e-12)
    # no retention set → the simulation's default, 14 days: the same figure
    del plan["privacy"]
    assert_allclose(C.plan_costs(plan).storage_tb, 0.219469824, rtol=1e-12)


def test_typed_line_replaces_the_estimate_not_both():
    plan = {"cameras": [_cam(1, 100_000)],
            "simulation": {"unit_prices_jpy": {"pole": 150_000}},
            "costs": {"items": [{"category": "pole", "unit_price_jpy": 90_000, "quantity": 1}]}}
    pc = C.plan_costs(plan)
    assert pc.superseded == ("pole",) and pc.initial_jpy == 190_000  # not 340,000


def test_bad_values_count_zero_and_old_plans_open():
    plan = {"cameras": [{"id": "C1", "unit_price_jpy": "abc"}, {"id": "C2", "unit_price_jpy": -5},
                        {"id": "C3", "unit_price_jpy": float("nan"), "width_px": "x"}],
            "costs": {"years": "0", "items": [{"category": "??", "unit_price_jpy": "1,200",
                                               "quantity": 2}]},
            "grant": {"total_cost_jpy": 123}}  # an old stored copy: never read
    pc = C.plan_costs(plan)
    assert pc.initial_jpy == 2_400 and pc.years == C.DEFAULT_YEARS
    assert pc.lines[-1].category == "other"


def test_migrate_and_set_prices():
    plan = {"cameras": [{"id": "C1", "model": "A"}, {"id": "C2", "model": "A",
                                                     "unit_price_jpy": 5}],
            "simulation": {"unit_prices_jpy": {"camera": 100, "pole": 7}},
            "grant": {"scheme_id": "x", "total_cost_jpy": 9}}
    assert C.migrate_unit_prices(plan)
    assert [c["unit_price_jpy"] for c in plan["cameras"]] == [100, 5]
    assert plan["simulation"]["unit_prices_jpy"] == {"pole": 7}
    C.drop_stored_total(plan)
    assert plan["grant"] == {"scheme_id": "x"}
    out = C.set_model_prices(plan["cameras"], {"A": "1,000"})
    assert [c["unit_price_jpy"] for c in out] == [1000, 1000]


# -------------------------------------------------------- every figure agrees, per scheme
def _plan(municipality, cameras, *, scheme_id, items=(), running=(), renewal=False):
    return {"id": "p", "name": "計画", "project": {}, "municipality": municipality,
            "grant": {"scheme_id": scheme_id, "stage": "implementation", "renewal": renewal},
            "cameras": cameras, "lights": [],
            "costs": {"years": 5, "items": list(items), "running": list(running)}}


KASHIWA = {"code": "122173", "prefecture": "千葉県", "name": "柏市"}
SETAGAYA = {"code": "131121", "prefecture": "東京都", "name": "世田谷区"}
CHUO = {"code": "131024", "prefecture": "東京都", "name": "中央区"}
KAKOGAWA = {"code": "282103", "prefecture": "兵庫県", "name": "加古川市"}

CASES = {
    # rate 1/2 with caps: initial 250,000,000 → eligible capped at 2億 (事業費上限) → 1億 (=
    # the grant cap); running 1M × 5 not covered
    "rate_with_cap": (_plan(KASHIWA, [_cam(1, 250_000_000)], scheme_id="shinchiho_digital_a",
                            running=[{"category": "maintenance", "annual_jpy": 1_000_000}]),
                      "municipality", ("crime_prevention",), 100_000_000),
    # 東京都 見守り (世田谷区), 2 cameras 600,000: 都 7/12 700,000, 区 1/3 400,000
    "split_tokyo": (_plan(SETAGAYA, [_cam(1, 600_000), _cam(2, 600_000)],
                          scheme_id="tokyo_mimamori"),
                    "neighbourhood_association", ("watching",), 1_100_000),
    # 中央区: 2 cameras 500,500 each: 10/12 × 1,001,000 = 834,166 → 834,000 (千円未満切捨て)
    "split_chuo_rounded": (_plan(CHUO, [_cam(1, 500_500), _cam(2, 500_500)],
                                 scheme_id="tokyo_mimamori_chuo"),
                           "neighbourhood_association", ("watching",), 834_000),
    # 加古川市: 11 cameras on 8 sites (poles P1–P3 hold 2 each): 12万 + 7 × 8万 = 680,000
    "fixed_per_site": (_plan(KAKOGAWA, [_cam(i, 250_000, site=f"P{(i + 1) // 2}" if i <= 6
                                             else None) for i in range(1, 12)],
                             scheme_id="kakogawa_camera"),
                       "neighbourhood_association", ("crime_prevention",), 680_000),
    # no rate known (地域未来交付金, the FY2026 successor of the 第2世代交付金): no amount anywhere
    "no_rate": (_plan(KASHIWA, [_cam(1, 5_000_000)], scheme_id="chiiki_mirai"),
                "municipality", ("crime_prevention",), None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_figure_agrees(case):
    plan, applicant, domains, grant = CASES[case]
    scheme = BY_ID[plan["grant"]["scheme_id"]]
    pg = plan_grant(plan, schemes=SCHEMES, shares=SHARES)           # 事業計画, ホーム
    totals = X.cost_totals(plan, scheme=scheme, shares=SHARES)       # Excel expected values
    m = match_scheme(Project.from_plan(plan, applicant=applicant, domains=domains,   # 補助金
                                       data_platform="has"),
                     scheme, shares=SHARES, scopes=SCOPES)
    assert pg.amounts.grant_jpy == totals["national"] == m.grant_jpy == grant
    assert pg.amounts.eligible_jpy == totals["eligible"] == m.eligible_cost_jpy
    if grant is not None:
        assert pg.amounts.applicant_jpy == totals["applicant"] == m.applicant_share_jpy
        assert [s["amount_jpy"] for s in pg.amounts.shares] == [s["amount_jpy"] for s in m.shares]
    assert C.plan_costs(plan).initial_jpy == totals["initial"] == m.basis_jpy


def _find(ws, text, col=1):
    for row in ws.iter_rows(min_col=col, max_col=col):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not in column {col} of {ws.title}")


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) not installed: apt-get install -y "
                           "libreoffice-calc to recalculate the formulas")
def test_excel_formulas_give_the_same_figures(tmp_path):
    """The 事業費 sheet's live formulas, recalculated, give the Python figures (one
    LibreOffice run per case)."""
    from test_excel import _soffice_recalc
    for case, (plan, _, _, grant) in CASES.items():
        data = X.build_workbook(plan, schemes=SCHEMES, shares=SHARES)
        ws = _soffice_recalc(data, tmp_path, case)["事業費"]
        get = lambda label: ws.cell(_find(ws, label), 3).value  # noqa: E731
        totals = X.cost_totals(plan, scheme=BY_ID[plan["grant"]["scheme_id"]], shares=SHARES)
        assert get("初期費用（設備・設置工事）") == totals["initial"], case
        assert get("事業費合計（運用費5年分を含む）") == totals["total"], case
        assert get("設置か所数（定額の計算に使用。未配置のカメラは1台1か所）") == totals["sites"], case
        assert get("補助対象経費") == totals["eligible"], case
        label = "補助金 計（公費負担の合計）" if totals["shares"] else "補助金（国・上位団体の負担）"
        if grant is None:
            assert get(label) in (None, ""), case  # no rate, no fixed amount: no figure
        else:
            assert get(label) == grant, case
        for sh in totals["shares"][:-1]:
            assert get(f"{sh['payer_ja']} 負担（{sh['share_text']}）") == sh["amount_jpy"], case
