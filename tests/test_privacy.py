"""Privacy-rule gap assessment (assessments/programme/privacy.py) and datasets/privacy_items.csv."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from assessments.programme import privacy as pv

DATA = Path(__file__).resolve().parents[1] / "datasets"
SCENARIO_A = ["abnormal_behavior", "people_count"]


@pytest.fixture(scope="module")
def items():
    return pd.read_csv(DATA / "privacy_items.csv", dtype=str, keep_default_na=False)


def _ids(rows):
    return [r["id"] for r in rows]


# --- data -------------------------------------------------------------------------------

def test_items_keep_their_numbering(items):
    ids = items["id"].tolist()
    assert ids[:25] == [f"P{i:02d}" for i in range(1, 26)]  # the 25 items of every plan
    assert all(i.startswith("P") for i in ids[25:])
    assert set(items["basis_kind"]) <= set(pv.BASIS_KINDS)
    assert (items["source"].str.strip() != "").all()
    verified = dict(zip(items["id"], items["verified"]))
    # P14 (watch-list wording of the PPC document) is still unconfirmed; P20 (contractors)
    # now rests on 法66条 and a town's contracting standard
    assert verified["P14"] == "false" and verified["P20"] == "true"
    assert verified["P01"] == "true"
    # each item maps to UK principles 1–12 and every principle has at least one item
    covered = {n for row in items.to_dict("records") for n in pv.principles_of(row)}
    assert covered == set(range(1, 13))
    # every applies_to names known use cases (applies_to raises otherwise)
    for row in items.to_dict("records"):
        pv.applies_to(row)


def test_items_load_into_the_reference_db(ref_cursor):
    row = ref_cursor.execute(
        "SELECT basis_kind, link, verified FROM privacy_items WHERE id = 'P10'").fetchone()
    assert row == ("guideline", "storage", True)
    reason = ref_cursor.execute(
        "SELECT unverified_reason_ja FROM privacy_items WHERE id = 'P14'").fetchone()[0]
    assert reason.startswith("個人情報保護委員会の文書本体")


def test_every_unverified_item_says_why_and_every_source_is_citable(items):
    for row in items.to_dict("records"):
        verified = row["verified"] == "true"
        assert row["verified"] in ("true", "false"), row["id"]
        # a reason in both languages exactly where the basis is unverified
        assert bool(row["unverified_reason_ja"]) == bool(row["unverified_reason_en"]) \
            == (not verified), row["id"]
        # no internal note named as a source
        for text in (row["source"], row["basis_ja"], row["basis_en"]):
            assert "facts.md" not in text and "シード報告" not in text, row["id"]
        assert pv.unverified_reason(row, "en") == row["unverified_reason_en"]


def test_face_identification_items_cite_the_ppc_qa_read_on_a_date(items):
    from datasets.citations import cite
    rows = items.set_index("id")
    for item_id in ("P06", "P26"):
        cited = {c["url"]: c for c in cite(rows.loc[item_id, "source"])}
        qa = cited["https://www.ppc.go.jp/all_faq_index/faq1-q1-14_/"]
        assert qa["publisher"] == "個人情報保護委員会" and qa["date_read"] == "2026-12-07"
        assert "Q1-14" in qa["title"]
    assert "2023年3月30日" in rows.loc["P14", "basis_ja"]  # the PPC document, dated


def test_the_amendment_is_a_bill_not_law(items):
    row = items.set_index("id").loc["P29"]
    # never presented as law: good practice, the text says bill / not enacted / not law
    assert row["basis_kind"] == "good_practice" and row["verified"] == "false"
    assert row["basis_ja"].startswith("改正案（2026年12月時点、成立を公式資料で確認できず）")
    assert "現行法ではない" in row["basis_ja"] and "Not current law" in row["basis_en"]
    assert "改正案" in row["title_ja"] and "bill" in row["title_en"]
    assert set(pv.applies_to(row.to_dict())) == {"face_identification", "people_attributes",
                                                  "watch_children"}


# --- triggering -------------------------------------------------------------------------

def test_scenario_a_asks_only_triggered_items(items):
    asked = _ids(pv.triggered_items(items, SCENARIO_A))
    # face-ID only items and shared use are not asked; people-flow (P16) and audio (P22) are
    for absent in ("P06", "P14", "P15", "P26", "P27", "P28"):
        assert absent not in asked
    for present in ("P01", "P05", "P10", "P12", "P16", "P22", "P25"):
        assert present in asked
    n_all = (items["applies_to"] == "all").sum()
    assert len(asked) == n_all + 2  # + P16 (people_count) + P22 (abnormal_behavior)


def test_face_identification_adds_its_items(items):
    base = set(_ids(pv.triggered_items(items, ["watch_children"])))
    face = set(_ids(pv.triggered_items(items, ["watch_children", "face_identification"])))
    assert face - base == {"P06", "P14", "P15", "P26", "P27", "P28"}
    assert "P29" in base  # children's data: the amendment bill is already asked
    assert base <= face


def test_no_use_cases_asks_only_common_items(items):
    asked = pv.triggered_items(items, [])
    assert all(r["applies_to"] == "all" for r in asked)


def test_unknown_use_case_is_rejected(items):
    with pytest.raises(ValueError, match="use case must be one of watch_elderly"):
        pv.triggered_items(items, ["drones"])


def test_counting_mode():
    assert pv.counting_mode(["people_count"]) == "statistics_only"
    assert pv.counting_mode(SCENARIO_A) == "mixed"
    assert pv.counting_mode(["abnormal_behavior"]) == "none"
    assert pv.counting_mode(["people_count"], {"statistics_only": False}) == "none"


def test_statistics_only_variant_replaces_the_action(items):
    row = items.set_index("id").loc["P10"].to_dict() | {"id": "P10"}
    assert pv.item_text(row, "action", "ja", "statistics_only") == row["stats_only_ja"]
    mixed = pv.item_text(row, "action", "en", "mixed")
    assert mixed.startswith(row["action_en"]) and row["stats_only_en"] in mixed
    assert pv.item_text(row, "action", "ja", "none") == row["action_ja"]


# --- score and gaps ---------------------------------------------------------------------

def test_score_excludes_na_items():
    asked = [{"id": i} for i in ("A", "B", "C", "D", "E")]
    answers = {"A": {"status": "done"}, "B": {"status": "partial"}, "C": {"status": "todo"},
               "D": {"status": "na"}}  # E unanswered
    s = pv.score(asked, answers)
    # applicable = A, B, C, E (D is 対象外) → (1 + 0.5 + 0 + 0) / 4 = 0.375
    assert_allclose(s["score"], 0.375)
    assert (s["applicable"], s["total"], s["answered"], s["na"], s["unanswered"]) == (4, 5, 4, 1, 1)
    # marking C 対象外 removes it from numerator and denominator: 1.5 / 3 = 0.5
    answers["C"] = {"status": "na"}
    assert_allclose(pv.score(asked, answers)["score"], 0.5)
    all_na = {i["id"]: {"status": "na"} for i in asked}
    assert math.isnan(pv.score(asked, all_na)["score"])


def test_scenario_a_gaps_rank_law_first_and_show_retention_sign_police(items):
    asked = pv.triggered_items(items, SCENARIO_A)
    answers = {"P01": {"status": "done"}, "P08": {"status": "done"},
               "P03": {"status": "partial"}, "P04": {"status": "na"}}
    gaps = pv.gaps(asked, answers, mode=pv.counting_mode(SCENARIO_A))
    ids = [g["id"] for g in gaps]
    # the three gaps of scenario A step 5: 表示 (law), 保存期間 and 警察への提供 (guideline)
    assert {"P05", "P10", "P12"} <= set(ids)
    assert "P01" not in ids and "P04" not in ids
    sev = [g["severity"] for g in gaps]
    assert sev == sorted(sev, reverse=True)
    assert gaps[0]["basis_kind"] == "law" and ids[0] == "P05"  # first law item not done
    # within guidelines: todo/unanswered (P10, P12 …) before partial (P03)
    guideline = [g["id"] for g in gaps if g["basis_kind"] == "guideline"]
    assert guideline[-1] == "P03" and guideline.index("P10") < guideline.index("P12")
    p10 = gaps[ids.index("P10")]
    assert p10["link"] == "storage" and "人数計測カメラ" in p10["action"]  # mixed-mode note
    assert pv.cross_link(p10, {"retention_days": 14}) == {"target": "storage",
                                                          "retention_days": 14}
    p25 = gaps[ids.index("P25")]
    assert pv.cross_link(p25) == {"target": "dori"}
    # done after answering: the gap disappears
    answers["P05"] = {"status": "done"}
    assert "P05" not in [g["id"] for g in pv.gaps(asked, answers)]


def test_gaps_carry_the_reason_an_item_is_unverified(items):
    asked = pv.triggered_items(items, ["face_identification"])
    by_id = {g["id"]: g for g in pv.gaps(asked, {}, lang="en")}
    assert by_id["P14"]["unverified_reason"].startswith("The PPC document itself")
    assert by_id["P06"]["unverified_reason"] == ""  # verified
    # an English reason missing → the Japanese one; a verified row never has one
    assert pv.unverified_reason({"verified": "false", "unverified_reason_ja": "理由"}, "en") == "理由"
    assert pv.unverified_reason({"verified": True, "unverified_reason_ja": "理由"}) == ""


def test_invalid_status_is_rejected():
    with pytest.raises(ValueError, match="status must be one of done, partial, todo, na"):
        pv.score([{"id": "A"}], {"A": {"status": "yes"}})


def test_uk_view_maps_the_same_answers(items):
    asked = pv.triggered_items(items, SCENARIO_A)
    answers = {r["id"]: {"status": "done"} for r in asked}
    answers["P10"] = {"status": "todo"}  # P10 → principle 6 only
    view = pv.uk_view(asked, answers)
    assert [v["principle"] for v in view] == list(range(1, 13))
    p6 = view[5]
    assert p6["gaps"] == ["P10"]
    # principle 6 items asked in scenario A: P03, P10, P11, P16 → 3 done of 4 = 0.75
    assert p6["item_ids"] == ["P03", "P10", "P11", "P16"]
    assert_allclose(p6["score"], 0.75)
    assert view[0]["score"] == 1.0 and view[0]["verified"] and not view[7]["verified"]
    # principle 12 (reference databases) has no item unless face identification is used
    assert view[11]["item_ids"] == [] and math.isnan(view[11]["score"])


def test_settings_validation():
    s = pv.check_settings({"retention_days": 14.0, "manager": "  安全安心課長 "})
    assert s["retention_days"] == 14 and s["manager"] == "安全安心課長"
    assert s["legal_form"] == "guideline"
    assert pv.missing_settings(s) == ["purpose", "locations", "sign_text", "contact"]
    assert "retention_days" in pv.missing_settings({})
    assert "retention_days" not in pv.missing_settings({}, mode="statistics_only")
    for bad in (-1, 3651, 1.5, "14"):
        with pytest.raises(ValueError, match="retention_days must be a whole number"):
            pv.check_settings({"retention_days": bad})
    with pytest.raises(ValueError, match="legal_form must be one of ordinance"):
        pv.check_settings({"legal_form": "law"})


def test_set_answer_keeps_other_fields():
    plan = {}
    pv.set_answer(plan, "P10", status="partial", owner="安全安心課")
    pv.set_answer(plan, "P10", status="done", evidence="要綱第9条")
    assert plan["privacy"]["answers"]["P10"] == {"status": "done", "evidence": "要綱第9条",
                                                 "owner": "安全安心課", "due": ""}
