"""準備度: readiness self-assessment on the JSSA report's seven conditions (+2).

Thin page: reads the question bank and reference profiles from the reference DB, asks, saves
every answer at once (``ui.state.update_plan``) and draws the scores from
``assessments.programme.readiness``.
"""
import math

import plotly.graph_objects as go
import streamlit as st

from assessments.programme import readiness as rd
from datasets import queries
from ui import shell, state
from ui.compare_common import link_markdown
from ui.i18n import col, lang, t

shell.setup_page()
plan = state.current_plan()


questions = queries.list_readiness_questions(state.ref_cursor())
reference = queries.list_readiness_reference(state.ref_cursor())
actions = queries.list_readiness_actions(state.ref_cursor())
# a level this app cannot read (hand-edited file) is shown as unanswered and named
answers, bad_levels = rd.clean_answers((plan.get("readiness") or {}).get("answers"))
state.warn_unknown("readiness", bad_levels)


def _save_level(p: dict, qid: str, level) -> None:
    rd.set_answer(p, qid, level=level)


def _save_evidence(p: dict, qid: str, text: str) -> None:
    # the stored level stays as it is (also one this app cannot read)
    answers = p.setdefault("readiness", {}).setdefault("answers", {})
    entry = dict(answers.get(qid) or {})
    entry.setdefault("level", None)
    entry["evidence"] = str(text)
    answers[qid] = entry


def _fmt_score(score: float) -> str:
    return t("assess.readiness.no_score") if math.isnan(score) else \
        t("assess.readiness.score_fmt", score=score)


scores = rd.condition_scores(questions, answers)

st.title(t("assess.readiness.title"))
st.caption(t("assess.readiness.intro"))
tab_q, tab_r, tab_ref = st.tabs([t("assess.readiness.tab_questions"),
                                 t("assess.readiness.tab_results"),
                                 t("assess.readiness.tab_reference")])

with tab_q:
    for cond in rd.CONDITIONS:
        s = scores[cond]
        rows = questions[questions["condition_id"] == cond]
        with st.expander(t("assess.readiness.cond_header", name=t(f"assess.cond.{cond}"),
                           score=_fmt_score(s["score"]), answered=s["answered"],
                           total=s["total"]), key=state.widget_key("rd_exp_" + cond)):
            # a stable key: the label shows the score, and a changed label would otherwise
            # make a new expander that closes after every answer
            for row in rows.to_dict("records"):
                qid = row["id"]
                st.markdown(f"**{col(row, 'question')}**")
                # labels computed now: format_func may run outside this script run
                labels = {i: f"{i}: {col(row, f'level{i}')}" for i in range(5)}
                st.radio(t("assess.readiness.level"), options=list(range(5)),
                         format_func=labels.__getitem__, label_visibility="collapsed",
                         **state.plan_widget("rd_lv_" + qid, rd.answer_level(answers, qid),
                                             lambda p, v, q=qid: _save_level(p, q, v)))
                st.text_input(t("assess.readiness.evidence"),
                              **state.plan_widget("rd_ev_" + qid,
                                                  (answers.get(qid) or {}).get("evidence", ""),
                                                  lambda p, v, q=qid: _save_evidence(p, q, v)))
                st.caption(t("assess.readiness.basis", basis=link_markdown(col(row, "basis"))))

with tab_r:
    overall = rd.overall_score(scores)
    done, total = rd.progress(scores)
    weakest = rd.weakest_conditions(scores)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("assess.readiness.overall"), _fmt_score(overall))
    c2.metric(t("assess.readiness.answered"), f"{done} / {total}")
    c3.metric(t("assess.readiness.weakest"),
              t(f"assess.cond_short.{weakest[0]}") if weakest else "–")
    if not weakest:
        st.info(t("assess.readiness.no_answers"))
    profiles = rd.reference_profiles(reference)
    series = rd.radar_series(scores, profiles)
    labels = [t(f"assess.cond_short.{c}") for c in rd.CONDITIONS]
    fig = go.Figure()
    for pid_, prof in profiles.items():
        vals = series[pid_]
        fig.add_trace(go.Scatterpolar(r=vals + vals[:1], theta=labels + labels[:1],
                                      name=prof["name_en"] if lang() == "en" else prof["name_ja"],
                                      line={"dash": "dot"}, opacity=0.7))
    plan_vals = [None if math.isnan(v) else v for v in series["plan"]]
    fig.add_trace(go.Scatterpolar(r=plan_vals + plan_vals[:1], theta=labels + labels[:1],
                                  name=t("assess.readiness.radar_plan"), fill="toself",
                                  connectgaps=False, line={"width": 3}))
    fig.update_layout(title=t("assess.readiness.radar_title"), height=460,
                      polar={"radialaxis": {"range": [0, 4], "dtick": 1}},
                      margin={"l": 40, "r": 40, "t": 60, "b": 30})
    st.plotly_chart(fig, width="stretch")

    st.subheader(t("assess.readiness.actions_title"))
    todo = rd.next_actions(scores, actions, n_conditions=3)
    if weakest and not todo:
        st.success(t("assess.readiness.all_high"))
    for rank, block in enumerate(todo, 1):
        st.markdown("#### " + t("assess.readiness.action_header", rank=rank,
                                 name=t(f"assess.cond.{block['condition_id']}"),
                                 score=_fmt_score(block["score"]))
                    + f" — {t('assess.readiness.band.' + block['band'])}")
        for a in block["actions"]:
            st.markdown(f"- **{col(a, 'action')}**  \n  "
                        + t("assess.readiness.example", example=col(a, "example")))
            st.caption(t("assess.readiness.source", source=link_markdown(a["source"])))
    missing = rd.unanswered_conditions(scores)
    if missing and weakest:
        st.caption(t("assess.readiness.unanswered_conditions",
                     names="、".join(t(f"assess.cond.{c}") for c in missing)))

with tab_ref:
    st.caption(t("assess.readiness.reference_intro"))
    rows = []
    for r in reference.to_dict("records"):
        rows.append({t("assess.readiness.col.profile"): col(r, "profile_name"),
                     t("assess.readiness.col.condition"): t(f"assess.cond.{r['condition_id']}"),
                     t("assess.readiness.col.score"): r["score"],
                     t("assess.readiness.col.derivation"): col(r, "derivation"),
                     t("assess.readiness.col.quote"): r["seed_quote"],
                     t("assess.readiness.col.basis"):
                         t(f"assess.readiness.ref_basis.{r['basis']}") + f" — {r['seed_section']}"})
    st.dataframe(rows, hide_index=True, width="stretch", placeholder="")
    st.caption(t("assess.readiness.source", source=link_markdown(reference["source"].iloc[0])))
