"""Readiness scoring (assessments/programme/readiness.py) and its data (datasets/readiness_*.csv)."""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from assessments.programme import readiness as rd

DATA = Path(__file__).resolve().parents[1] / "datasets"
SEED = Path("/work/shared/reference/seed/000_09f1d402d2539902.txt")


def _csv(name):
    return pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def questions():
    return _csv("readiness_questions")


@pytest.fixture(scope="module")
def actions():
    return _csv("readiness_actions")


@pytest.fixture(scope="module")
def reference():
    return _csv("readiness_reference")


def _all(questions, level):
    return {qid: {"level": level, "evidence": ""} for qid in questions["id"]}


# --- data -------------------------------------------------------------------------------

def test_question_bank_covers_every_condition_with_4_to_6_questions(questions):
    counts = questions.groupby("condition_id").size()
    assert set(counts.index) == set(rd.CONDITIONS)
    assert counts.between(4, 6).all(), counts.to_dict()
    assert questions["id"].is_unique
    for col in [f"level{i}_{lang}" for i in range(5) for lang in ("ja", "en")] + \
            ["question_ja", "question_en", "basis_ja", "source"]:
        assert (questions[col].str.strip() != "").all(), col


def test_actions_exist_for_every_condition_and_band(actions):
    have = set(zip(actions["condition_id"], actions["band"]))
    assert have == {(c, b) for c in rd.CONDITIONS for b in rd.BANDS}
    assert (actions["example_ja"].str.strip() != "").all()
    assert (actions["source"].str.strip() != "").all()


def test_reference_profiles_cover_all_conditions_and_the_seed_quotes_are_verbatim(reference):
    profiles = rd.reference_profiles(reference)
    assert set(profiles) == {"tsukuba", "kashiwanoha"}
    for prof in profiles.values():
        assert set(prof["scores"]) == set(rd.CONDITIONS)
    # the seven seed conditions come from the comparison table, the two extra from notes
    table = reference[reference["basis"] == "comparison_table"]
    assert set(table["condition_id"]) == set(rd.SEED_CONDITIONS)
    # seed §3(2) / §5(1): つくば 投資回収 "補助金が主" vs 柏の葉 "民間の事業推進による回収"
    assert profiles["tsukuba"]["scores"]["investment_recovery"] == 2
    assert profiles["kashiwanoha"]["scores"]["investment_recovery"] == 3
    # つくば uses several schemes ("事業に合わせて、上記を使い分け"), 柏の葉 one (MLIT)
    assert profiles["tsukuba"]["scores"]["funding_approach"] == 4
    assert profiles["kashiwanoha"]["scores"]["funding_approach"] == 3
    if not SEED.is_file():
        pytest.skip("seed report not available")
    norm = lambda s: re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))  # noqa: E731
    seed = norm(SEED.read_text(encoding="utf-8"))
    for row in reference.itertuples():
        for seg in row.seed_quote.split("／"):
            for piece in re.split(r"…|➡", seg):
                piece = re.sub(r"^\s*\d\)[^:]*:\s*", "", piece.strip()).strip(" ・")
                if piece:
                    assert norm(piece) in seed, (row.profile_id, row.condition_id, piece)


def test_tables_load_into_the_reference_db(ref_cursor):
    n = ref_cursor.execute("SELECT count(*) FROM readiness_questions").fetchone()[0]
    assert n == len(_csv("readiness_questions"))
    kinds = ref_cursor.execute(
        "SELECT typeof(score), typeof(verified) FROM readiness_reference LIMIT 1").fetchone()
    assert kinds == ("DOUBLE", "BOOLEAN")


# --- scoring ----------------------------------------------------------------------------

def test_all_zero_answers(questions, actions):
    scores = rd.condition_scores(questions, _all(questions, 0))
    assert all(s["score"] == 0 and s["answered"] == s["total"] for s in scores.values())
    assert rd.overall_score(scores) == 0
    assert rd.progress(scores) == (len(questions), len(questions))
    # all tied at 0 → display order; every condition gets its "low" actions
    assert rd.weakest_conditions(scores) == list(rd.CONDITIONS)
    first = rd.next_actions(scores, actions, n_conditions=9)
    assert [a["condition_id"] for a in first] == list(rd.CONDITIONS)
    assert all(a["band"] == "low" and a["actions"] for a in first)


def test_all_max_answers(questions, actions):
    scores = rd.condition_scores(questions, _all(questions, 4))
    assert all(s["score"] == 4 for s in scores.values())
    assert rd.overall_score(scores) == 4
    assert rd.next_actions(scores, actions) == []  # nothing left to fix
    kept = rd.next_actions(scores, actions, include_high=True, n_conditions=2)
    assert [a["band"] for a in kept] == ["high", "high"]


def test_one_weak_condition_comes_first_with_its_actions(questions, actions):
    answers = _all(questions, 3)
    inv = questions[questions["condition_id"] == "investment_recovery"]["id"].tolist()
    # investment_recovery: levels 0, 1, 1, 2, 1 → mean 5/5 = 1.0
    for qid, level in zip(inv, [0, 1, 1, 2, 1]):
        answers[qid] = {"level": level, "evidence": "x"}
    scores = rd.condition_scores(questions, answers)
    assert_allclose(scores["investment_recovery"]["score"], 1.0)
    # overall = (8 conditions × 3 + 1.0) / 9 = 25 / 9
    assert_allclose(rd.overall_score(scores), 25 / 9)
    assert rd.weakest_conditions(scores)[0] == "investment_recovery"
    nxt = rd.next_actions(scores, actions)
    assert len(nxt) == 1 and nxt[0]["condition_id"] == "investment_recovery"
    assert nxt[0]["band"] == "low"
    assert nxt[0]["actions"][0]["action_ja"] == "運用費の負担者と期間を決める"
    assert "エリアマネジメント" in nxt[0]["actions"][0]["example_ja"]


def test_partial_assessment_ranks_only_answered_conditions(questions):
    # vision: 2 and 3 → 2.5; organisation: 1 → 1.0; everything else unanswered
    answers = {"vision_1": {"level": 2}, "vision_2": {"level": 3},
               "organisation_3": {"level": 1, "evidence": ""}, "unknown_q": {"level": 4}}
    scores = rd.condition_scores(questions, answers)
    assert_allclose(scores["vision"]["score"], 2.5)
    assert scores["vision"]["answered"] == 2
    assert math.isnan(scores["plan"]["score"])
    assert rd.weakest_conditions(scores) == ["organisation", "vision"]
    assert_allclose(rd.overall_score(scores), (2.5 + 1.0) / 2)
    assert "plan" in rd.unanswered_conditions(scores)
    assert rd.progress(scores) == (3, len(questions))
    assert math.isnan(rd.overall_score(rd.condition_scores(questions, {})))


@pytest.mark.parametrize("score, expected", [(0, "low"), (1.99, "low"), (2, "mid"),
                                             (2.99, "mid"), (3, "high"), (4, "high")])
def test_band_edges(score, expected):
    assert rd.band(score) == expected


@pytest.mark.parametrize("bad", [5, -1, 2.5, "3", True, float("nan")])
def test_invalid_level_is_rejected(questions, bad):
    with pytest.raises(ValueError, match="level must be one of 0, 1, 2, 3, 4"):
        rd.condition_scores(questions, {"vision_1": {"level": bad}})


def test_unknown_condition_in_questions_is_rejected():
    with pytest.raises(ValueError, match="condition_id must be one of vision"):
        rd.condition_scores([{"id": "x", "condition_id": "money"}], {})


def test_radar_series_and_set_answer(questions, reference):
    plan = {"readiness": {"answers": {}}}
    rd.set_answer(plan, "vision_1", level=4, evidence="総合計画に記載")
    rd.set_answer(plan, "vision_1", level=3)  # evidence kept when not given
    assert plan["readiness"]["answers"]["vision_1"] == {"level": 3, "evidence": "総合計画に記載"}
    scores = rd.condition_scores(questions, plan["readiness"]["answers"])
    series = rd.radar_series(scores, rd.reference_profiles(reference))
    assert series["plan"][0] == 3 and math.isnan(series["plan"][1])
    assert series["tsukuba"][rd.CONDITIONS.index("investment_recovery")] == 2
    with pytest.raises(ValueError):
        rd.set_answer(plan, "vision_1", level=7)
