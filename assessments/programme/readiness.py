"""Readiness self-assessment: maturity scores per condition and the next actions.

The question bank (``datasets/readiness_questions.csv``) asks 4–6 questions on each of the
seven common conditions of the JSSA report (日本防犯設備協会, 2024-03-31: 基本ビジョン …
投資回収の継続的計画) plus the data platform and residents' participation. Each answer is a maturity level 0–4 (what each level
means is part of the question). This module turns answers into scores; it is pure (rows in,
numbers and dicts out) and never imports streamlit or duckdb.

Scores
------
* condition score = mean of the answered levels of that condition's questions [0–4];
  a condition without any answer has no score (``nan``), so partial assessments are fine.
* overall score = mean of the condition scores that exist (every condition weighs the same,
  whatever its number of questions).
* band of a score: ``low`` (< 2), ``mid`` (2 ≤ s < 3), ``high`` (≥ 3); actions are chosen
  per condition and band (``datasets/readiness_actions.csv``).

References
----------
.. [1] 日本防犯設備協会 防犯システム委員会, 「スーパー・スマートシティに向けた新たな防犯ソリューション
   の調査、研究」2023年度事業活動報告, 2024-03-31, §3(2) (the seven common conditions and the
   つくば / 柏の葉 comparison table).
"""
from __future__ import annotations

import math
from assessments.programme.answers import clean_entries
from assessments.records import records
from collections.abc import Iterable, Mapping

#: Condition ids in display order (docs/architecture.md, "Shared identifiers").
CONDITIONS = ("vision", "issues", "target_state", "plan", "organisation",
              "funding_approach", "investment_recovery", "data_platform", "participation")
#: The seven common conditions of the JSSA report; the last two are our additions.
SEED_CONDITIONS = CONDITIONS[:7]
MIN_LEVEL, MAX_LEVEL = 0, 4
BANDS = ("low", "mid", "high")


def check_level(level) -> int:
    """Validate one maturity level.

    Parameters
    ----------
    level : int
        Maturity level [0–4].

    Returns
    -------
    int

    Raises
    ------
    ValueError
        When the level is not an integer 0, 1, 2, 3 or 4.
    """
    if isinstance(level, bool) or not isinstance(level, (int, float)) \
            or level != level or int(level) != level or not MIN_LEVEL <= level <= MAX_LEVEL:
        raise ValueError(f"level must be one of 0, 1, 2, 3, 4, got {level!r}")
    return int(level)


def clean_answers(answers: Mapping | None) -> tuple[dict, list[str]]:
    """Stored answers with a level that is not 0–4 treated as unanswered (the evidence
    kept), and the ids of those questions: a hand-edited or damaged plan file is shown, not
    refused."""
    return clean_entries(answers, "level", check_level)


def answer_level(answers: Mapping, question_id: str) -> int | None:
    """The answered level of one question, or ``None`` when it is unanswered."""
    entry = answers.get(question_id) if answers else None
    if not isinstance(entry, Mapping) or entry.get("level") is None:
        return None
    return check_level(entry["level"])


def condition_scores(questions, answers: Mapping) -> dict[str, dict]:
    """Score of every condition from the answers.

    Parameters
    ----------
    questions : DataFrame or iterable of mappings
        Rows of ``readiness_questions`` (at least ``id`` and ``condition_id``).
    answers : mapping
        ``plan["readiness"]["answers"]``: ``{question_id: {"level": 0–4, "evidence": str}}``.
        Answers to unknown question ids are ignored.

    Returns
    -------
    dict
        ``{condition_id: {"score": float [0–4] or nan, "answered": int, "total": int}}``
        for every condition in :data:`CONDITIONS` order (conditions without questions have
        ``total == 0``).

    Raises
    ------
    ValueError
        When a question has an unknown condition id, or an answer's level is not 0–4.
    """
    levels: dict[str, list[int]] = {c: [] for c in CONDITIONS}
    totals = dict.fromkeys(CONDITIONS, 0)
    for row in records(questions):
        cond = row["condition_id"]
        if cond not in totals:
            raise ValueError(f"condition_id must be one of {', '.join(CONDITIONS)}, "
                             f"got {cond!r} (question {row['id']!r})")
        totals[cond] += 1
        level = answer_level(answers or {}, row["id"])
        if level is not None:
            levels[cond].append(level)
    return {c: {"score": (sum(levels[c]) / len(levels[c])) if levels[c] else math.nan,
                "answered": len(levels[c]), "total": totals[c]} for c in CONDITIONS}


def overall_score(scores: Mapping[str, Mapping]) -> float:
    """Mean of the existing condition scores [0–4]; ``nan`` when nothing is answered."""
    values = [s["score"] for s in scores.values() if not math.isnan(s["score"])]
    return sum(values) / len(values) if values else math.nan


def progress(scores: Mapping[str, Mapping]) -> tuple[int, int]:
    """``(answered, total)`` question counts over all conditions (for the home page)."""
    return (sum(s["answered"] for s in scores.values()),
            sum(s["total"] for s in scores.values()))


def band(score: float) -> str:
    """Band of a condition score: ``low`` (< 2), ``mid`` (2 ≤ s < 3) or ``high`` (≥ 3).

    Raises
    ------
    ValueError
        When the score is nan or outside 0–4.
    """
    if score != score or not MIN_LEVEL <= score <= MAX_LEVEL:
        raise ValueError(f"score must be a number in 0–4, got {score!r}")
    return "low" if score < 2 else "mid" if score < 3 else "high"


def weakest_conditions(scores: Mapping[str, Mapping]) -> list[str]:
    """Answered conditions from the weakest to the strongest.

    Ties keep the :data:`CONDITIONS` order. Conditions without an answer are left out: a
    partial assessment ranks only what it measured (see :func:`unanswered_conditions`).
    """
    order = {c: i for i, c in enumerate(CONDITIONS)}
    answered = [c for c, s in scores.items() if not math.isnan(s["score"])]
    return sorted(answered, key=lambda c: (scores[c]["score"], order.get(c, len(order))))


def unanswered_conditions(scores: Mapping[str, Mapping]) -> list[str]:
    """Conditions that have questions but no answer yet, in display order."""
    return [c for c, s in scores.items() if s["total"] and math.isnan(s["score"])]


def next_actions(scores: Mapping[str, Mapping], actions, *, n_conditions: int = 3,
                 include_high: bool = False) -> list[dict]:
    """Concrete next actions for the weakest conditions, weakest first.

    Parameters
    ----------
    scores : mapping
        Output of :func:`condition_scores`.
    actions : DataFrame or iterable of mappings
        Rows of ``readiness_actions`` (``condition_id``, ``band``, ``sort_order``, texts).
    n_conditions : int, optional
        How many of the weakest conditions to return actions for.
    include_high : bool, optional
        Also return actions of conditions already in the ``high`` band (default: only
        conditions that still need work).

    Returns
    -------
    list of dict
        One dict per condition: ``{"condition_id", "score", "band", "actions": [rows]}``.
    """
    rows = records(actions)
    out = []
    for cond in weakest_conditions(scores):
        score = scores[cond]["score"]
        b = band(score)
        if b == "high" and not include_high:
            continue
        chosen = sorted((r for r in rows if r["condition_id"] == cond and r["band"] == b),
                        key=lambda r: int(r.get("sort_order") or 0))
        out.append({"condition_id": cond, "score": score, "band": b, "actions": chosen})
        if len(out) >= n_conditions:
            break
    return out


def reference_profiles(reference) -> dict[str, dict]:
    """Reference profiles (つくば, 柏の葉) as ``{profile_id: {"name_ja", "name_en",
    "scores": {condition_id: score}}}``, from rows of ``readiness_reference``.

    Raises
    ------
    ValueError
        When a reference score is outside 0–4.
    """
    out: dict[str, dict] = {}
    for row in records(reference):
        score = float(row["score"])
        if not MIN_LEVEL <= score <= MAX_LEVEL:
            raise ValueError(f"reference score must be in 0–4, got {score!r} "
                             f"({row['profile_id']}/{row['condition_id']})")
        prof = out.setdefault(row["profile_id"], {"name_ja": row.get("profile_name_ja"),
                                                  "name_en": row.get("profile_name_en"),
                                                  "scores": {}})
        prof["scores"][row["condition_id"]] = score
    return out


def radar_series(scores: Mapping[str, Mapping], profiles: Mapping[str, Mapping],
                 conditions: Iterable[str] = CONDITIONS) -> dict[str, list[float]]:
    """Values for a radar chart: ``{"plan": [...], <profile_id>: [...]}`` in ``conditions``
    order; unanswered conditions of the plan are ``nan`` (drawn as gaps)."""
    conditions = list(conditions)
    series = {"plan": [scores[c]["score"] if c in scores else math.nan for c in conditions]}
    for pid, prof in profiles.items():
        series[pid] = [prof["scores"].get(c, math.nan) for c in conditions]
    return series


def set_answer(plan: dict, question_id: str, *, level=None, evidence: str | None = None) -> None:
    """Store one answer into ``plan["readiness"]["answers"]`` (mutates ``plan``; pass it as
    the body of ``ui.state.update_plan``). ``level=None`` clears the level."""
    answers = plan.setdefault("readiness", {}).setdefault("answers", {})
    entry = dict(answers.get(question_id) or {})
    entry["level"] = None if level is None else check_level(level)
    if evidence is not None:
        entry["evidence"] = str(evidence)
    entry.setdefault("evidence", "")
    answers[question_id] = entry
