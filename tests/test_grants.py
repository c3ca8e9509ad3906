"""Grant matcher on hand-worked cases (assessments.programme.grants); data from datasets/*.csv."""

import pytest
from numpy.testing import assert_allclose

from assessments.programme.costs import plan_costs
import datetime

from assessments.programme.grants import (Project, allowed_together, calendar, fiscal_year_of,
                                          grant_amounts, latest_scheme, match_scheme,
                                          match_schemes, plan_grant, shares_for, successor_chain)
from tests.grant_rows import BY_ID, CALLS, SCHEMES, SCOPES, SHARES

IDS = set(BY_ID)


def one(project, sid, ids=IDS):
    return match_scheme(project, BY_ID[sid], shares=SHARES, scopes=SCOPES, scheme_ids=ids)


def reasons(m):
    return {code for _, code, _ in m.reasons}


# ¥30M 実装 project of a municipality on an existing データ連携基盤, 3 years.
P30 = Project(stage="implementation", initial_cost_jpy=30_000_000, years=3, data_platform="has",
              applicant="municipality", domains=("crime_prevention", "people_flow"), camera_count=10,
              prefecture="千葉県", municipality_code="122173")


def test_30m_digital_type_a():
    m = one(P30, "shinchiho_digital_a")
    # rate 1/2: 0.5 × 30,000,000 = 15,000,000 ≤ cap 1億; project cost ≤ 2億; ≥ 100万 minimum
    assert m.eligible and m.offered
    assert_allclose([m.grant_jpy, m.national_share_jpy, m.applicant_share_jpy],
                    [15_000_000, 15_000_000, 15_000_000])
    assert "kpi_years" in reasons(m) and "consortium" in reasons(m)


def test_30m_mlit_fixed_cap():
    # the R4 row without its R8 successor loaded (with it, the R4 row is superseded)
    ids = IDS - {"mlit_smartcity_r8"}
    assert "superseded" in reasons(one(P30, "mlit_smartcity"))
    m = one(P30, "mlit_smartcity", ids)
    # 定額, national share below the consortium's: ≤ 1/2 × 30M = 15M, cap 2,000万 not binding
    assert m.eligible
    assert_allclose(m.grant_jpy, 15_000_000)
    # ¥50M: 1/2 × 50M = 25M > cap 20M → 20M national, 30M local
    m50 = one(Project(**{**P30.__dict__, "initial_cost_jpy": 50_000_000}), "mlit_smartcity", ids)
    assert_allclose([m50.grant_jpy, m50.applicant_share_jpy], [20_000_000, 30_000_000])
    assert "grant_capped" in reasons(m50)


def test_30m_soumu_no_cap_and_operation_years():
    # scheme set without its successor → not superseded: 1/2 × 30M = 15M, no cap
    ids = IDS - {"soumu_dx_package"}
    p5 = Project(**{**P30.__dict__, "years": 5})
    m = one(p5, "soumu_smartcity", ids)
    assert m.eligible
    assert_allclose(m.grant_jpy, 15_000_000)
    # needs 5 years of operation; a 3-year plan is blocked
    short = one(P30, "soumu_smartcity", ids)
    assert not short.eligible and "operation_years_short" in reasons(short)
    # with the successor loaded, the R6 scheme is superseded
    assert "superseded" in reasons(one(p5, "soumu_smartcity"))


def test_30m_type_v_and_s():
    # TYPE V: 2/3 × 30M = 20,000,000 (joint municipalities only)
    group = Project(**{**P30.__dict__, "applicant": "municipal_group"})
    assert_allclose(one(group, "shinchiho_digital_v").grant_jpy, 20_000_000)
    assert "applicant_not_eligible" in reasons(one(P30, "shinchiho_digital_v"))
    # TYPE S: 3/4 × 30M = 22,500,000, administrative-reform domain only
    gov = Project(**{**P30.__dict__, "domains": ("government",)})
    assert_allclose(one(gov, "shinchiho_digital_s").grant_jpy, 22_500_000)
    assert "domain_mismatch" in reasons(one(P30, "shinchiho_digital_s"))


def test_type_a_caps():
    # ¥500M: project cost capped at 2億 → 1/2 × 2億 = 1億 (= grant cap); local 4億
    big = Project(**{**P30.__dict__, "initial_cost_jpy": 500_000_000})
    m = one(big, "shinchiho_digital_a")
    assert_allclose([m.eligible_cost_jpy, m.grant_jpy, m.applicant_share_jpy],
                    [200_000_000, 100_000_000, 400_000_000])
    # below the 100万 minimum
    small = Project(**{**P30.__dict__, "initial_cost_jpy": 900_000})
    assert "below_min_cost" in reasons(one(small, "shinchiho_digital_a"))


def test_demonstration_not_offered_implementation_only():
    demo = Project(**{**P30.__dict__, "stage": "demonstration"})
    res = {m.scheme_id: m for m in match_schemes(demo, SCHEMES, shares=SHARES, scopes=SCOPES)}
    for sid, s in BY_ID.items():
        if s["stage"] == "implementation":
            assert not res[sid].offered, sid
            assert "stage_mismatch" in reasons(res[sid])
    assert res["mlit_smartcity_r8"].offered  # 実証→実装 scheme stays (the R8 one)
    assert "superseded" in reasons(res["mlit_smartcity"])


def test_data_platform_rules():
    none = Project(**{**P30.__dict__, "data_platform": "none"})
    ids = IDS - {"soumu_dx_package"}
    assert "needs_data_platform" in reasons(one(none, "soumu_smartcity", ids))
    plans = Project(**{**P30.__dict__, "data_platform": "plans", "years": 5})
    m = one(plans, "soumu_smartcity", ids)
    assert m.eligible and "data_platform_planned" in reasons(m)


def test_scenario_a_38m_over_5_years():
    # 柏市, ¥38M, 5 years, 12 cameras, has a データ連携基盤
    a = Project(stage="implementation", initial_cost_jpy=38_000_000, years=5, data_platform="has",
                applicant="municipality", domains=("crime_prevention", "people_flow"),
                camera_count=12, prefecture="千葉県", municipality_code="122173")
    res = match_schemes(a, SCHEMES, shares=SHARES, scopes=SCOPES)
    offered = {m.scheme_id: m for m in res if m.offered}
    # デジタル実装型 TYPE A: 1/2 × 38M = 19,000,000; local 19,000,000
    assert_allclose(offered["shinchiho_digital_a"].grant_jpy, 19_000_000)
    assert_allclose(offered["shinchiho_digital_a"].applicant_share_jpy, 19_000_000)
    # MLIT R8 都市サービス実装タイプ: min(1/2 × 38M, 3,500万) = 19,000,000; the 戦略的 type
    # (cap 5,000万) gives the same and is exclusive with it, so only one is offered
    assert_allclose(offered["mlit_smartcity_r8"].grant_jpy, 19_000_000)
    assert "mlit_smartcity_r8_strategic" not in offered
    # 総務省 地域社会DX R8: 1/2 × 38M = 19,000,000, no cap; verified, so ranked first
    assert_allclose(offered["soumu_dx_package_r8"].grant_jpy, 19_000_000)
    assert [m.scheme_id for m in res[:3]] == ["soumu_dx_package_r8", "mlit_smartcity_r8",
                                               "shinchiho_digital_a"]
    assert "mlit_smartcity" not in offered and "soumu_dx_package" not in offered  # superseded
    assert not any(s.startswith("tokyo") for s in offered)  # outside 東京都
    assert not any(s.startswith("dtd_") for s in offered)   # superseded by the 2025 grant
    # TYPE A and MLIT may be combined; TYPE A and TYPE V may not
    assert allowed_together("shinchiho_digital_a", "mlit_smartcity_r8", SCHEMES)
    assert not allowed_together("shinchiho_digital_a", "shinchiho_digital_v", SCHEMES)
    cal = calendar(res, CALLS, fiscal_years=(2026, 2027), today=datetime.date(2026, 12, 7))
    got = {(e["scheme_id"], e["fiscal_year"]): e for e in cal}
    # R8 総務省 call 2026-01-30 → 02-27 (総務省 報道資料 令和8年1月30日): over by 2026-12-07
    dx = got[("soumu_dx_package_r8", 2026)]
    assert (dx["status"], dx["start"], dx["end"]) == ("closed", "2026-01-30", "2026-02-27")
    # nothing announced for FY2027: 未発表, never the FY2026 dates again
    dx27 = got[("soumu_dx_package_r8", 2027)]
    assert (dx27["status"], dx27["start"], dx27["end"]) == ("not_announced", None, None)
    assert dx27["last"]["end_date"] == "2026-02-27"
    assert got[("shinchiho_digital_a", 2026)]["status"] == "not_announced"
    # one entry per offered scheme and year; FY2026 first, dated entries first within it
    assert len(cal) == 2 * len(offered)
    assert [e["fiscal_year"] for e in cal[:2]] == [2026, 2026] and cal[0]["start"] == "2026-01-26"


def test_scenario_b_chofu_split():
    # 町会 in 調布市, 3 cameras, ¥2,400,000 (80万/台 — an example price)
    b = Project(stage="implementation", initial_cost_jpy=2_400_000, years=5,
                applicant="neighbourhood_association", domains=("watching",), camera_count=3,
                prefecture="東京都", municipality_code="132080")
    res = match_schemes(b, SCHEMES, shares=SHARES, scopes=SCOPES)
    top = res[0]
    assert top.scheme_id == "tokyo_mimamori_chofu" and top.offered
    # eligible cost = min(2.4M, 3 × 60万) = 1,800,000
    # 都 1/2 = 900,000; 市 1/3 = 600,000; 町会 1/6 = 300,000 + 600,000 above the cap = 900,000
    amounts = {s["payer"]: s["amount_jpy"] for s in top.shares}
    assert_allclose([top.eligible_cost_jpy, amounts["prefecture"], amounts["municipality"],
                     amounts["applicant"]], [1_800_000, 900_000, 600_000, 900_000])
    assert {"residents_consent", "operation_years", "per_camera_capped"} <= reasons(top)
    generic = next(m for m in res if m.scheme_id == "tokyo_mimamori")
    assert not generic.offered and "exclusive_with" in reasons(generic)
    # only 2 years of activity planned: the 5-year rule blocks it
    short = match_scheme(Project(**{**b.__dict__, "years": 2}), BY_ID["tokyo_mimamori_chofu"],
                         shares=SHARES, scopes=SCOPES, scheme_ids=IDS)
    assert "operation_years_short" in reasons(short)


def test_tokyo_shares_renewal_and_shotengai_cap():
    # 世田谷区 (131121) 町会, first installation: 都 7/12, 区 1/3, 町会 1/12 of 1,200,000
    p = Project(stage="implementation", initial_cost_jpy=1_200_000, years=5,
                applicant="neighbourhood_association", domains=("crime_prevention",),
                camera_count=2, prefecture="東京都", municipality_code="131121")
    m = one(p, "tokyo_mimamori")
    amounts = [s["amount_jpy"] for s in m.shares]
    assert_allclose(amounts, [700_000, 400_000, 100_000])  # 7/12, 4/12, 1/12 of 1.2M
    r = one(Project(**{**p.__dict__, "renewal": True}), "tokyo_mimamori")
    assert_allclose([s["amount_jpy"] for s in r.shares], [600_000, 400_000, 200_000])
    # 商店街, 20 cameras, ¥12M: 都 1/3 = 4M capped at 300万; 区 1/3 = 4M; group 5M
    s = Project(**{**p.__dict__, "applicant": "shopping_street", "camera_count": 20,
                   "initial_cost_jpy": 12_000_000})
    m = one(s, "tokyo_shotengai")
    assert_allclose([x["amount_jpy"] for x in m.shares], [3_000_000, 4_000_000, 5_000_000])


def test_fixed_amount_per_site_and_area():
    p = Project(stage="implementation", initial_cost_jpy=500_000, years=5,
                applicant="neighbourhood_association", domains=("crime_prevention",),
                camera_count=2, sites=2, prefecture="兵庫県", municipality_code="282103")
    m = one(p, "kakogawa_camera")  # 12万 for the first site + 8万 for the second = 200,000
    assert_allclose([m.grant_jpy, m.applicant_share_jpy], [200_000, 300_000])
    assert "outside_area" in reasons(one(p, "kobe_camera"))
    assert "maintenance_only" in reasons(one(Project(**{**p.__dict__, "prefecture": "東京都",
                                                        "municipality_code": ""}),
                                             "tokyo_maintenance"))
    assert "no_cameras" in reasons(one(Project(**{**p.__dict__, "camera_count": 0, "sites": 1}),
                                       "hyogo_camera"))


def test_invalid_project():
    with pytest.raises(ValueError, match="stage must be one of"):
        match_schemes(Project(stage="pilot", initial_cost_jpy=1), SCHEMES)
    with pytest.raises(ValueError, match="applicant must be one of"):
        match_schemes(Project(stage="implementation", initial_cost_jpy=1, applicant="x"), SCHEMES)


# ------------------------------------------------------------------ scheme rules as data
# Figures from the schemes' own pages (datasets/sources.csv: titles and read dates).
def test_tama_rounds_down_to_1000_yen():
    # 多摩市 (TM): 補助率 24分の23以内 (1,000円未満の端数は切捨て); 498,000 × 23/24 = 477,250
    m = one(Project(stage="implementation", initial_cost_jpy=498_000, years=5,
                    applicant="neighbourhood_association", domains=("watching",),
                    camera_count=1, prefecture="東京都", municipality_code="132241"),
            "tokyo_mimamori_tama")
    assert m.offered
    assert_allclose([m.grant_jpy, m.applicant_share_jpy], [477_000, 21_000])
    assert "rounded_down" in reasons(m)
    # 補助限度額 450万円 (単独) is the limit of the grant: ¥6M on 10 cameras
    # → 23/24 × 6,000,000 = 5,750,000 > 4,500,000
    big = grant_amounts(BY_ID["tokyo_mimamori_tama"], shares_for(SHARES, "tokyo_mimamori_tama"),
                        initial_jpy=6_000_000, cameras=10)
    assert_allclose(big.grant_jpy, 4_500_000)


def test_chuo_rounds_down_to_1000_yen_and_splits():
    # 中央区 (CU2): 都 12分の6、区 12分の4、団体 12分の2; 千円未満切捨て; 1台60万円まで.
    # ¥1,001,000 on 2 cameras: grant = 10/12 × 1,001,000 = 834,166.67 → 834,000;
    # 都 6/12 = 500,500 → 500,000; 区 the rest 334,000; 団体 1,001,000 − 834,000 = 167,000
    g = grant_amounts(BY_ID["tokyo_mimamori_chuo"], shares_for(SHARES, "tokyo_mimamori_chuo"),
                      initial_jpy=1_001_000, cameras=2)
    assert_allclose([s["amount_jpy"] for s in g.shares], [500_000, 334_000, 167_000])
    assert_allclose(g.grant_jpy, 834_000)
    # 補助限度額 500万円: ¥8M on 20 cameras → 10/12 × 8M = 6,666,666 → 5,000,000, of which
    # 都 min(6/12 × 8M, 300万) = 3,000,000 (TK1) and 区 2,000,000
    big = grant_amounts(BY_ID["tokyo_mimamori_chuo"], shares_for(SHARES, "tokyo_mimamori_chuo"),
                        initial_jpy=8_000_000, cameras=20)
    assert_allclose([s["amount_jpy"] for s in big.shares], [3_000_000, 2_000_000, 3_000_000])


def test_kakogawa_first_and_further_sites():
    # 加古川市 (KG4): 1か所目 12万円、2か所目以降 8万円 (既存構造物). 11 cameras on 8 sites,
    # ¥3M: 120,000 + 7 × 80,000 = 680,000 — not 12万 × 11 cameras = 1,320,000
    p = Project(stage="implementation", initial_cost_jpy=3_000_000, years=5,
                applicant="neighbourhood_association", domains=("crime_prevention",),
                camera_count=11, sites=8, prefecture="兵庫県", municipality_code="282103")
    m = one(p, "kakogawa_camera")
    assert_allclose(m.grant_jpy, 680_000)
    assert m.sites_counted == 8 and "fixed_first_next" in reasons(m)
    # each camera on its own site: 120,000 + 10 × 80,000 = 920,000
    assert_allclose(one(Project(**{**p.__dict__, "sites": 11}), "kakogawa_camera").grant_jpy,
                    920_000)
    # never above the eligible cost (補助対象経費の金額のうち): ¥100,000 for one site → 100,000
    assert_allclose(grant_amounts(BY_ID["kakogawa_camera"], initial_jpy=100_000, cameras=1,
                                  sites=1).grant_jpy, 100_000)


def test_hyogo_one_site_per_group():
    # 兵庫県 (YY): 定額 6万円、補助対象は原則1団体1か所 → 3 sites still give 60,000, with the
    # rule shown as a condition
    p = Project(stage="implementation", initial_cost_jpy=900_000, years=5,
                applicant="neighbourhood_association", domains=("crime_prevention",),
                camera_count=3, sites=3, prefecture="兵庫県", municipality_code="282103")
    m = one(p, "hyogo_camera")
    assert_allclose(m.grant_jpy, 60_000)
    assert ("condition", "max_sites", {"max": 1, "sites": 3}) in m.reasons


def test_sites_from_the_plan():
    # C1 and C2 share pole P1, C3 has no site (its own), 2 typed cameras not yet placed:
    # sites = 1 + 1 + 2 = 4; cameras = 3 + 2 = 5
    plan = {"cameras": [{"id": "C1", "site": "P1"}, {"id": "C2", "site": " P1 "},
                        {"id": "C3"}],
            "costs": {"items": [{"category": "camera", "unit_price_jpy": 1, "quantity": 2}]}}
    pc = plan_costs(plan)
    assert (pc.cameras, pc.sites) == (5, 4)
    assert Project.from_plan(plan).sites == 4


def test_matcher_uses_initial_cost_unless_running_is_covered():
    # initial 8,598,000, running 780,000/年 × 5 = 3,900,000. A rate-1/2 national scheme funds
    # the initial cost: 4,299,000 — not 1/2 × 12,498,000 = 6,249,000 (the old 補助金 page)
    plan = {"cameras": [{"id": "C1", "unit_price_jpy": 8_598_000}],
            "costs": {"years": 5, "running": [{"category": "maintenance",
                                                "annual_jpy": 780_000}]},
            "grant": {"scheme_id": "shinchiho_digital_a", "total_cost_jpy": 12_498_000},
            "municipality": {"prefecture": "千葉県", "code": "122173"}}
    p = Project.from_plan(plan, data_platform="has", domains=("crime_prevention",))
    assert (p.initial_cost_jpy, p.running_cost_jpy) == (8_598_000, 3_900_000)
    m = one(p, "shinchiho_digital_a")
    assert_allclose([m.basis_jpy, m.grant_jpy, m.applicant_share_jpy],
                    [8_598_000, 4_299_000, 4_299_000])
    pg = plan_grant(plan, schemes=SCHEMES, shares=SHARES)
    assert pg.amounts.grant_jpy == m.grant_jpy and pg.self_pay_total_jpy == 12_498_000 - 4_299_000
    # a scheme that covers running costs counts them: 1/2 × 12,498,000 = 6,249,000
    covering = dict(BY_ID["shinchiho_digital_a"], covers_running="true")
    assert_allclose(grant_amounts(covering, initial_jpy=8_598_000, running_total_jpy=3_900_000)
                    .grant_jpy, 6_249_000)


def test_calendar_open_window_and_dates_in_the_data():
    # 多摩市: FY2026 pre-consultation by 2025-08-31 (多摩市のページ); on 2025-06-01 it is open
    m = one(Project(stage="implementation", initial_cost_jpy=498_000, applicant="neighbourhood_association",
                    domains=("watching",), camera_count=1, prefecture="東京都",
                    municipality_code="132241"), "tokyo_mimamori_tama")
    assert m.offered
    cal = calendar([m], CALLS, fiscal_years=(2026,), today=datetime.date(2025, 6, 1))
    assert [(e["status"], e["end"]) for e in cal] == [("announced", "2025-08-31")]
    cal = calendar([m], CALLS, fiscal_years=(2026,), today=datetime.date(2025, 9, 1))
    assert cal[0]["status"] == "closed"
    # fiscal years run April–March
    assert [fiscal_year_of(datetime.date(y, mo, 1)) for y, mo in ((2027, 3), (2027, 4))] == [2026, 2027]


def test_successors_lead_to_the_fy2026_schemes():
    assert successor_chain("shinchiho_2nd_gen", SCHEMES) == ["chiiki_mirai"]
    assert successor_chain("dtd_promotion", SCHEMES) == ["shinchiho_2nd_gen", "chiiki_mirai"]
    assert latest_scheme("soumu_smartcity", SCHEMES) == "soumu_dx_package_r8"
    assert latest_scheme("mlit_smartcity", SCHEMES) == "mlit_smartcity_r8"
    assert latest_scheme("kobe_camera", SCHEMES) == "kobe_camera_r6"
    assert latest_scheme("soumu_dx_package_r8", SCHEMES) is None
    # a loop in the data stops instead of running forever
    loop = [{"id": "a", "successor_id": "b"}, {"id": "b", "successor_id": "a"}]
    assert successor_chain("a", loop) == ["b"]


def test_every_unverified_row_says_why_and_no_memory_notes():
    for s in SCHEMES:
        assert "記憶" not in s["rate_text_ja"], s["id"]
        assert "facts.md" not in s["source"] and "シード報告" not in s["source"], s["id"]
        if s["verified"] == "false":
            assert s["unverified_reason_ja"] and s["unverified_reason_en"], s["id"]
        else:
            assert not s["unverified_reason_ja"], s["id"]
    # the R7補正 TYPE A/V/S figures come from a private commentary only: unverified
    assert BY_ID["shinchiho_digital_a"]["verified"] == "false"
    assert BY_ID["soumu_dx_package_r8"]["verified"] == "true"  # 総務省 報道資料


def test_himeji_official_fy2020_amount_rounded_to_1000_yen():
    # 姫路市 R2: 1か所 上限8万円, 千円未満切捨て. 2 sites costing 50,500 + 90,000:
    # fixed 2 × 80,000 = 160,000 > eligible 140,500 → 140,500 → 140,000 (千円未満切捨て)
    a = grant_amounts(BY_ID["himeji_camera"], initial_jpy=140_500, cameras=2, sites=2)
    assert a.grant_jpy == 140_000 and a.applicant_jpy == 500
