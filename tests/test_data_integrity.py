"""Integrity of the reference CSVs in datasets/ (sources, ids, ranges, cross-references)."""
import csv
import re
from fractions import Fraction
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from datasets.citations import UNCONFIRMED_PUBLISHER, UNCONFIRMED_TITLE, cite, citation_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets"
SEED = "日本防犯設備協会 防犯システム委員会『スーパー・スマートシティに向けた新たな防犯ソリューションの調査、研究』2024-03-31"
MINE = ["sources", "municipalities", "thresholds", "initiatives", "mlit_keywords", "mlit_projects",
        "mlit_project_rows", "initiative_conditions", "initiative_summary", "case_figures",
        "grant_schemes", "grant_shares", "grant_scheme_scope", "use_cases", "use_case_examples"]
KEYS = {"sources": ("key",), "municipalities": ("code",), "thresholds": ("id",), "initiatives": ("id",),
        "mlit_keywords": ("key",), "mlit_projects": ("id",), "mlit_project_rows": ("project_id", "row_no"),
        "initiative_conditions": ("initiative_id", "condition_id"),
        "initiative_summary": ("initiative_id", "dimension_id"), "case_figures": ("initiative_id", "figure_id"),
        "grant_schemes": ("id",), "grant_shares": ("scheme_id", "variant", "payer"),
        "use_cases": ("id",), "use_case_examples": ("use_case_id", "example_id")}


def rows(name):
    with open(DATA / f"{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", MINE)
def test_every_row_has_a_source(name):
    data = rows(name)
    assert data, name
    col = "url" if name == "sources" else "source"
    for r in data:
        src = r[col].strip()
        assert src, (name, r)
        # a URL or the seed report (document, with its section)
        assert "http" in src or src.startswith(SEED) or name == "sources", (name, src)


@pytest.mark.parametrize("name", list(KEYS))
def test_ids_unique(name):
    keys = [tuple(r[k] for k in KEYS[name]) for r in rows(name)]
    assert len(keys) == len(set(keys)), name


@pytest.mark.parametrize("name", [n for n in MINE if "verified" in rows(n)[0]])
def test_verified_is_boolean(name):
    assert {r["verified"] for r in rows(name)} <= {"true", "false"}


def test_municipalities():
    m = {r["code"]: r for r in rows("municipalities")}
    assert len(m) == 1916  # rows of code4fukui/localgovjp (all municipalities and wards)
    assert all(len(c) == 6 and c.isdigit() for c in m)
    kashiwa = m["122173"]
    assert (kashiwa["prefecture"], kashiwa["name"], kashiwa["kana"]) == ("千葉県", "柏市", "かしわし")
    assert_allclose([float(kashiwa["lat"]), float(kashiwa["lon"])], [35.8681, 139.9764], atol=1e-4)
    assert m["011002"]["name"] == "札幌市"          # leading zero kept
    assert m["132080"]["name"] == "調布市"
    assert m["282103"]["name"] == "加古川市"
    assert len({r["prefecture"] for r in m.values()}) == 47
    for r in m.values():
        assert 24 <= float(r["lat"]) <= 46 and 122 <= float(r["lon"]) <= 146, r["code"]
        assert r["prefecture_code"] == r["code"][:2]


def test_thresholds_values():
    t = {r["id"]: float(r["value"]) for r in rows("thresholds")}
    # IEC 62676-4:2014 DORI (cctv-check.de, sicherheitstechnik-tst.de: 12.5 … 1000 px/m)
    assert [t[f"dori_2014.{k}.pixel_density"] for k in
            ("monitor", "detect", "observe", "recognise", "identify", "inspect")] == \
        [12.5, 25, 62.5, 125, 250, 1000]
    assert [t[f"iec_2025.{k}.pixel_density"] for k in
            ("overview", "outline", "discern", "perceive", "characterize", "validate", "scrutinize")] == \
        [20, 40, 80, 125, 250, 500, 1500]
    # SES E1901-4: A 5/1 lx, B and B+ 3/0.5 lx
    assert (t["ses_e1901.A.horizontal_avg"], t["ses_e1901.A.vertical_min"]) == (5, 1)
    assert (t["ses_e1901.B.horizontal_avg"], t["ses_e1901.B.vertical_min"]) == (3, 0.5)
    assert (t["ses_e1901.B+.horizontal_avg"], t["ses_e1901.B+.vertical_min"]) == (3, 0.5)
    assert t["jis_z9111.heavy_commercial.horizontal_avg"] == 20
    assert t["npa.road.illuminance"] == 3
    for r in rows("thresholds"):
        assert float(r["value"]) > 0
        assert r["unit"] in ("px/m", "lx", "m", "day")
        if r["value_max"]:
            assert float(r["value_max"]) > float(r["value"])


def test_use_cases():
    uc = {r["id"]: r for r in rows("use_cases")}
    assert set(uc) == {"watch_elderly", "watch_children", "people_count", "people_attributes",
                       "abnormal_behavior", "intrusion_flood", "crime_info_sharing",
                       "face_identification", "dangerous_driving", "disaster_monitoring"}
    dori = {r["key"] for r in rows("thresholds") if r["kind"] in ("dori_2014", "iec_2025")}
    for r in uc.values():
        assert r["dori_level"] in dori, r["id"]
        assert r["dori_basis"].strip()
        assert r["personal_data"] in ("none", "images", "attributes", "face_features")
        assert r["night_operation"] in ("true", "false") and r["recording_needed"] in ("true", "false")
    # the issue's / scenarios' examples
    assert uc["abnormal_behavior"]["dori_level"] == "observe"
    assert uc["people_count"]["dori_level"] == "detect"
    assert uc["watch_children"]["dori_level"] == "recognise"
    assert uc["face_identification"]["dori_level"] == "identify"
    assert uc["face_identification"]["personal_data"] == "face_features"
    assert uc["abnormal_behavior"]["recording_needed"] == "true"  # 柏の葉 lesson
    assert "録画" in uc["abnormal_behavior"]["lessons_ja"]
    assert "2023" in uc["people_attributes"]["lessons_en"]         # 渋谷 backlash
    examples = rows("use_case_examples")
    assert {e["use_case_id"] for e in examples} == set(uc)
    inits = {r["id"] for r in rows("initiatives")}
    assert all(e["initiative_id"] in inits for e in examples if e["initiative_id"])


def test_initiatives_and_municipality_codes():
    m = {r["code"]: r for r in rows("municipalities")}
    ini = {r["id"]: r for r in rows("initiatives")}
    for want in ("tsukuba", "osaka", "health_zone_kaga", "health_zone_chino", "health_zone_kibichuo",
                 "kashiwanoha", "aizuwakamatsu", "kakogawa", "hamamatsu", "takamatsu", "toyama",
                 "utsunomiya", "maebashi", "daimaruyu", "shibuya"):
        assert want in ini
    for r in ini.values():
        assert r["type"] in ("super_city", "health_zone", "smart_city")
        assert r["municipality_code"] in m, r["id"]
        mu = m[r["municipality_code"]]
        assert mu["prefecture"] == r["prefecture"]
        # the coordinates are the municipal office of the same data set (rounded)
        assert abs(float(mu["lat"]) - float(r["lat"])) < 1e-3, r["id"]
        assert abs(float(mu["lon"]) - float(r["lon"])) < 1e-3, r["id"]
    assert ini["kashiwanoha"]["municipality_code"] == "122173"
    # confirmed in this round: 仙台 泉 lead body (三菱地所's release of 2019-10-01), 守谷 lead
    # and start (市 page: agreement 2017-11-28), 加賀 decision (諮問会議 第53回, 2022-03-10)
    assert "三菱地所" in ini["sendai_izumi"]["lead_ja"] and ini["sendai_izumi"]["verified"] == "true"
    assert ini["moriya"]["start_year"] == "2017" and "福山コンサルタント" in ini["moriya"]["lead_ja"]
    assert ini["health_zone_kaga"]["verified"] == "true"
    assert "(CSD53)" in ini["health_zone_kaga"]["source"]


def test_mlit_keyword_table_as_printed():
    kw = [r["key"] for r in sorted(rows("mlit_keywords"), key=lambda r: int(r["position"]))]
    assert len(kw) == 13
    p = {r["municipality_name"]: r for r in rows("mlit_projects")}
    assert list(p) == ["札幌市", "仙台市", "仙北市", "会津若松市", "つくば市", "守谷市", "宇都宮市", "前橋市"]
    on = lambda name: [k for k in kw if p[name][k] == "true"]
    # 札幌: ● in モビリティ, アプリ等, 移動・人流データ, 健康・医療, 賑わい・観光 (first row of the seed table)
    assert on("札幌市") == ["mobility", "app", "people_flow", "health", "tourism"]
    # 前橋: no keyword marked
    assert on("前橋市") == []
    # カメラ・センサー等 is marked for 仙北市, つくば市, 宇都宮市 only
    assert [n for n in p if p[n]["camera_sensor"] == "true"] == ["仙北市", "つくば市", "宇都宮市"]
    prow = rows("mlit_project_rows")
    assert len(prow) == sum(int(r["n_rows"]) for r in p.values()) == 26
    for r in p.values():  # project flags = OR over its document rows
        mine = [x for x in prow if x["project_id"] == r["id"]]
        for k in kw:
            assert (r[k] == "true") == any(x[k] == "true" for x in mine)
    assert all(r["municipality_code"] in {x["code"] for x in rows("municipalities")} for r in p.values())


def test_seven_conditions_and_summary():
    c = rows("initiative_conditions")
    ids = ["vision", "issues", "target_state", "plan", "organisation", "funding_approach",
           "investment_recovery"]
    for ini in ("tsukuba", "kashiwanoha"):
        mine = sorted((r for r in c if r["initiative_id"] == ini), key=lambda r: int(r["condition_no"]))
        assert [r["condition_id"] for r in mine] == ids
        assert all(r["text_ja"] and r["text_en"] for r in mine)
    ts = next(r for r in c if r["initiative_id"] == "tsukuba" and r["condition_id"] == "investment_recovery")
    assert "50%" in ts["text_ja"]
    s = rows("initiative_summary")
    dims = {r["dimension_id"] for r in s if r["section"] == "summary"}
    assert dims == {"type", "lead", "scale", "history", "residents", "problem", "roi"}
    kt = next(r for r in s if r["initiative_id"] == "kashiwanoha" and r["dimension_id"] == "type")
    assert kt["text_ja"] == "コンパクトシティ"


def test_grant_schemes_columns_and_rules():
    want = ("id, name_ja, name_en, level, body_ja, purpose_ja, purpose_en, stage, rate, rate_text_ja, "
            "cap_jpy, project_cost_cap_jpy, min_project_cost_jpy, per_camera_cap_jpy, fixed_amount_jpy, "
            "fixed_amount_next_jpy, max_sites, rounding_unit_jpy, covers_running, "
            "duration_years, requires_data_platform, kpi_years, operation_years, consortium_required, "
            "residents_consent_required, eligible_applicants_ja, requirements_ja, requirements_en, "
            "application_timing_ja, fiscal_year, successor_id, exclusive_with, verified, "
            "unverified_reason_ja, unverified_reason_en, source").split(", ")
    g = rows("grant_schemes")
    assert list(g[0]) == want  # docs/architecture.md "Grant schemes table"
    by = {r["id"]: r for r in g}
    for r in g:
        assert r["level"] in ("national", "prefecture", "municipality")
        assert r["stage"] in ("demonstration", "implementation", "both")
        if r["rate"]:
            assert 0 < float(r["rate"]) <= 1
        for col in ("cap_jpy", "project_cost_cap_jpy", "min_project_cost_jpy", "per_camera_cap_jpy",
                    "fixed_amount_jpy"):
            if r[col]:
                assert 0 < float(r[col]) < 1e10, (r["id"], col)
        if r["fiscal_year"]:
            assert 2010 <= int(r["fiscal_year"]) <= 2026
        if r["successor_id"]:
            assert r["successor_id"] in by
        for other in filter(None, r["exclusive_with"].split(";")):  # symmetric
            assert r["id"] in by[other]["exclusive_with"].split(";"), (r["id"], other)
    # TYPE A 1/2, cap 1億, 事業費 2億; MLIT 2,000万; 総務省 1/2, min 300万, 5 years (the schemes' pages)
    a = by["shinchiho_digital_a"]
    assert (float(a["rate"]), int(a["cap_jpy"]), int(a["project_cost_cap_jpy"])) == (0.5, 10**8, 2 * 10**8)
    assert int(by["mlit_smartcity"]["cap_jpy"]) == 20_000_000
    s = by["soumu_smartcity"]
    assert (s["rate"], s["min_project_cost_jpy"], s["operation_years"], s["requires_data_platform"]) == \
        ("0.5", "3000000", "5", "true")
    assert by["dtd_type1"]["verified"] == "false"  # ⚠️ from memory
    assert int(by["tokyo_mimamori_chofu"]["per_camera_cap_jpy"]) == 600_000


def test_grant_shares_sum_to_one():
    sh = rows("grant_shares")
    ids = {r["id"] for r in rows("grant_schemes")}
    groups = {}
    for r in sh:
        assert r["scheme_id"] in ids
        assert_allclose(float(r["share"]), float(Fraction(r["share_text"])), rtol=1e-9)
        groups.setdefault((r["scheme_id"], r["variant"]), []).append(Fraction(r["share_text"]))
    for key, fr in groups.items():
        assert sum(fr) == 1, key
    # 東京都 見守り: 7/12 + 1/3 + 1/12; 調布: 1/2, 1/3, 1/6 (調布市の補助制度のページ, CF)
    chofu = [r["share_text"] for r in sh if r["scheme_id"] == "tokyo_mimamori_chofu" and r["variant"] == "standard"]
    assert chofu == ["1/2", "1/3", "1/6"]


def test_scope_references():
    ids = {r["id"] for r in rows("grant_schemes")}
    codes = {r["code"] for r in rows("municipalities")}
    scope = rows("grant_scheme_scope")
    assert {r["scheme_id"] for r in scope} == ids  # every scheme has a scope row
    for r in scope:
        assert not r["municipality_code"] or r["municipality_code"] in codes
        assert r["cost_type"] in ("capex", "maintenance")


def test_case_figures_kakogawa():
    f = {(r["initiative_id"], r["figure_id"]): r for r in rows("case_figures")}
    assert float(f[("kakogawa", "cameras_total")]["value"]) == 1475
    c17, c20 = float(f[("kakogawa", "crimes_2017")]["value"]), float(f[("kakogawa", "crimes_2020")]["value"])
    assert (c17, c20) == (2926, 1684)
    # published year-on-year changes: 2019 −15.9 % (2025/2407 − 1 = −0.1587), 2020 −16.8 %
    # (1684/2025 − 1 = −0.1684). (2018 is published as −17.8 %; 2407/2926 − 1 = −0.1774.)
    c18, c19 = float(f[("kakogawa", "crimes_2018")]["value"]), float(f[("kakogawa", "crimes_2019")]["value"])
    assert_allclose([c19 / c18 - 1, c20 / c19 - 1], [-0.159, -0.168], atol=5e-4)


# ---- sources: no internal notes, every verified row cites a page, every other row says why ----
#: Names of the project's internal research notes: never a source of the app or its outputs.
INTERNAL_NOTES = ("facts.md", "シード報告", "shared/reference")


def _shipped_files() -> list[Path]:
    """Every dataset CSV and SQL file and every module of the app's packages."""
    files = sorted(DATA.rglob("*.csv")) + sorted(DATA.rglob("*.sql"))
    return files + sorted(p for d in ("ui", "datasets", "assessments", "reports", "pages")
                          for p in (ROOT / d).rglob("*.py"))


def test_no_internal_note_is_named_anywhere():
    hits = [f"{p.relative_to(ROOT)}: {word}" for p in _shipped_files()
            for word in INTERNAL_NOTES if word in p.read_text(encoding="utf-8")]
    assert hits == []


def _checked_tables() -> list[str]:
    return [p.stem for p in sorted(DATA.glob("*.csv"))
            if {"verified", "source"} <= set(rows(p.stem)[0] if rows(p.stem) else ())]


@pytest.mark.parametrize("name", _checked_tables())
def test_verified_rows_cite_a_page(name):
    for r in rows(name):
        if r["verified"] == "true":
            cites = cite(r["source"])
            assert any(c["url"].startswith("http") for c in cites), (name, r["source"])


@pytest.mark.parametrize("name", _checked_tables())
def test_unverified_rows_say_why(name):
    for r in rows(name):
        if r["verified"] != "true":
            assert (r.get("unverified_reason_ja") or "").strip(), (name, r.get("id"), r["source"])
            assert (r.get("unverified_reason_en") or "").strip(), (name, r.get("id"))


def test_sources_table_columns_and_dates():
    src = rows("sources")
    assert list(src[0]) == ["key", "url", "title", "publisher", "date_read", "note"]
    for r in src:
        assert r["url"].startswith("http"), r["key"]     # no local file as an address
        assert not r["date_read"] or re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date_read"]), r["key"]
        # a confirmed page has its title and the day it was read
        assert bool(r["title"]) <= bool(r["date_read"]) or r["key"] == "SEED", r["key"]
    # every key the rows of this part's tables cite is listed
    keys = {r["key"] for r in src}
    for name in ("readiness_actions", "readiness_questions", "readiness_reference", "camera_presets",
                 "light_presets", "initiatives", "thresholds", "use_cases", "use_case_examples",
                 "case_figures"):
        for r in rows(name):
            for group in re.findall(r"\(([A-Z][A-Z0-9, –-]*)\)", r["source"]):
                for key in re.split(r",\s*", group):
                    if "–" not in key:
                        assert key in keys, (name, key)


def test_citation_prints_title_publisher_url_and_date_read():
    # a page confirmed on 2026-12-07 (加古川市's camera page, key KG2)
    (c,) = cite("https://city.kakogawa.lg.jp/…/ICT/mimamori.html (KG2)")
    assert c["url"] == ("https://www.city.kakogawa.lg.jp/soshikikarasagasu/shiminbu/"
                        "shiminseikatsuanshinka/ICT/mimamori.html")  # the shortened address resolved
    assert citation_text(c) == "見守りカメラについて（2024年5月16日更新）、加古川市（閲覧日 2026-12-07）"
    # a key nobody confirmed: the citation says so instead of inventing a title
    (z,) = cite("https://japan.zdnet.com/article/35197519 (ZD)")
    assert z["title"] == UNCONFIRMED_TITLE and z["date_read"] == ""
    assert z["publisher"] == f"japan.zdnet.com（{UNCONFIRMED_PUBLISHER}）"
    # the 2024 report under any of its names: title, publisher and date of its title page
    (j,) = cite("日本防犯設備協会 防犯システム委員会『スーパー・スマートシティに向けた新たな防犯ソリューションの"
                "調査、研究』2024-03-31, §4(2)")
    assert (j["publisher"], j["date"], j["locator"]) == (
        "公益社団法人 日本防犯設備協会 防犯システム委員会", "2024年3月31日", "§4(2)")
    # a working note's file name is never printed as a source
    assert cite("notes.md §3a")[0]["title"] == "原典未記載（要確認）"


def test_presets_say_which_figure_is_a_judgement():
    cam = {r["id"]: r for r in rows("camera_presets")}
    # the product page confirms 2 MP, 0.02 lx / 0 lx with IR and about 60 m; the 90° is ours
    e = cam["outdoor_ir_2mp_example"]
    assert (e["verified"], e["ir_range_m"], e["min_illuminance_color_lx"]) == ("false", "60", "0.02")
    assert "水平画角" in e["unverified_reason_ja"] and "(PK)" in e["source"]
    for r in rows("light_presets"):
        assert r["verified"] == "false" and "光束" in r["unverified_reason_ja"]
    t = {r["id"]: r for r in rows("thresholds")}
    assert t["npa.parking_500m2.illuminance"]["verified"] == "false"
    assert "(WKP)" in t["npa.parking_500m2.illuminance"]["source"]
