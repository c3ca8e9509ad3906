"""プライバシー・運用ルール: privacy-rule gap checklist, UK Code view and draft rules.

Thin page: the items come from the reference DB, ``assessments.programme.privacy`` decides which are
asked and ranks the gaps, ``reports.rules_draft`` writes the draft; every answer and setting
is saved at once (``ui.state.update_plan``).
"""
import math
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from assessments.programme import privacy as pv
from datasets import queries
from reports import rules_draft
from ui import shell, state
from ui.compare_common import link_markdown
from ui.i18n import col, lang, t

shell.setup_page()
plan = state.current_plan()
ROOT = Path(__file__).resolve().parents[1]
SIMULATE_PAGE = "pages/simulate.py"
STATUS_ICON = {"done": "✅", "partial": "🟡", "todo": "❌", "na": "➖", None: "⬜"}


def _items():
    return queries.list_privacy_items(state.ref_cursor())


def _dori_levels() -> dict:
    """Required DORI level name per use case, from the use-case table (when present)."""
    try:
        df = queries.list_use_cases(state.ref_cursor())
    except duckdb.CatalogException:  # table not built yet: the link still works without the level
        return {}
    return {r["id"]: (col(r, "dori_name"), r.get("dori_px_per_m")) for r in df.to_dict("records")}


items_df = _items()
privacy_part = plan.get("privacy") or {}
# values this app cannot use (a hand-edited or damaged plan file) are left out and named;
# the stored data stays as it is until the user chooses again
answers, bad_answers = pv.clean_answers(privacy_part.get("answers"))
settings, bad_settings = pv.clean_settings(privacy_part.get("settings"))
use_cases, unknown_use_cases = pv.split_use_cases(plan.get("use_cases") or [])
state.warn_unknown("use_cases", unknown_use_cases)
state.warn_unknown("privacy_answers", bad_answers)
state.warn_unknown("privacy_settings", [t(f"assess.privacy.set.{f}") for f in bad_settings])
mode = pv.counting_mode(use_cases, settings)
asked = pv.triggered_items(items_df, use_cases)


# ---- saving (in the widgets' on_change callbacks: ui.state.plan_widget) --------------
def _setting(field: str, value) -> dict:
    """Widget arguments of one setting, saved into ``privacy.settings[field]``."""
    def save(p, new):
        if field == "no_live":  # the box says "no live viewing": live_viewing False / unset
            p.setdefault("privacy", {}).setdefault("settings", {})["live_viewing"] = \
                False if new else None
        else:
            p.setdefault("privacy", {}).setdefault("settings", {})[field] = new
    return state.plan_widget("pv_set_" + field, value, save)


def _answer(item_id: str, field: str, value) -> dict:
    """Widget arguments of one answer field (status, evidence, owner, due) of an item."""
    return state.plan_widget(f"pv_{field}_{item_id}", value,
                             lambda p, new: pv.set_answer(p, item_id, **{field: new}))


def _simulate_link(label: str) -> None:
    if (ROOT / SIMULATE_PAGE).is_file():
        try:
            st.page_link(SIMULATE_PAGE, label=label, icon=":material/map:")
            return
        except StreamlitPageNotFoundError:  # page opened on its own (AppTest from_file)
            pass
    st.caption(label)


def _unverified(item: dict) -> None:
    """The reason an item's basis is unverified, next to it (nothing for a verified item)."""
    if str(item.get("verified")).lower() in ("true", "1"):
        return
    reason = pv.unverified_reason(item, lang())
    st.caption(t("assess.privacy.unverified_reason", reason=reason) if reason
               else t("assess.privacy.unverified"))


def _link(item: dict) -> None:
    link = pv.cross_link(item, settings)
    if not link:
        return
    if link["target"] == "storage":
        days = link["retention_days"]
        _simulate_link(t("assess.privacy.link.storage",
                         days=days if days is not None else t("assess.privacy.link.unset")))
    else:
        levels = _dori_levels()
        need = [f"{t('assess.uc.' + u)}: {levels[u][0]}" for u in use_cases
                if u in levels and levels[u][0]]
        label = t("assess.privacy.link.dori")
        _simulate_link(label + (f" ({' / '.join(need)})" if need else ""))


# ---- page ----------------------------------------------------------------------------
st.title(t("assess.privacy.title"))
st.caption(t("assess.privacy.intro"))
if use_cases:
    st.markdown(t("assess.privacy.use_cases",
                  names="、".join(t(f"assess.uc.{u}") for u in use_cases)))
else:
    st.info(t("assess.privacy.no_use_cases"))
st.caption(t("assess.privacy.asked", n=len(asked), all=len(items_df)))
if mode != "none":
    st.caption(t(f"assess.privacy.mode.{mode}"))

result = pv.score(asked, answers)
gaps = pv.gaps(asked, answers, mode=mode, lang=lang())
c1, c2, c3 = st.columns(3)
c1.metric(t("assess.privacy.score"),
          "–" if math.isnan(result["score"]) else f"{result['score']:.0%}")
c2.metric(t("assess.privacy.answered"), f"{result['answered']} / {result['total']}")
c3.metric(t("assess.privacy.gap_count"), str(len(gaps)),
          t("assess.privacy.gaps_law") + f" {sum(g['basis_kind'] == 'law' for g in gaps)}",
          delta_color="off")

tabs = st.tabs([t("assess.privacy.tab_settings"), t("assess.privacy.tab_checklist"),
                t("assess.privacy.tab_gaps"), t("assess.privacy.tab_uk"),
                t("assess.privacy.tab_draft")])

with tabs[0]:
    st.caption(t("assess.privacy.settings_intro"))
    purpose_default = settings["purpose"] or (plan.get("project") or {}).get("purpose") or ""
    st.text_area(t("assess.privacy.set.purpose"), height=80, **_setting("purpose", purpose_default))
    for field in ("locations", "coverage", "manager", "operators"):
        st.text_input(t(f"assess.privacy.set.{field}"), **_setting(field, settings[field]))
    st.number_input(t("assess.privacy.set.retention_days"), min_value=0,
                    max_value=pv.MAX_RETENTION_DAYS, step=1,
                    help=t("assess.privacy.set.retention_help"),
                    **_setting("retention_days", settings["retention_days"]))
    st.caption(t("assess.privacy.set.retention_help"))
    for field in ("sign_text", "contact"):
        st.text_input(t(f"assess.privacy.set.{field}"), **_setting(field, settings[field]))
    form_labels = {f: t(f"assess.privacy.form.{f}") for f in pv.LEGAL_FORMS}
    st.selectbox(t("assess.privacy.set.legal_form"), options=list(pv.LEGAL_FORMS),
                 format_func=form_labels.__getitem__,
                 **_setting("legal_form", settings["legal_form"]))
    st.checkbox(t("assess.privacy.set.audio"), **_setting("audio", bool(settings.get("audio"))))
    st.checkbox(t("assess.privacy.set.no_live"),
                **_setting("no_live", settings.get("live_viewing") is False))
    if "people_count" in use_cases:
        st.checkbox(t("assess.privacy.set.statistics_only"),
                    **_setting("statistics_only", settings.get("statistics_only") is not False))

status_labels = {s: t(f"assess.privacy.status.{s}") for s in pv.STATUSES}
kind_labels = {k: t(f"assess.privacy.kind.{k}") for k in pv.BASIS_KINDS}

with tabs[1]:
    for item in asked:
        iid = item["id"]
        status = pv.status_of(answers, iid)
        title = pv.item_text(item, "title", lang(), mode)
        # stable key: the status icon in the label changes with the answer, and a changed
        # label would otherwise make a new expander that closes after every answer
        with st.expander(f"{STATUS_ICON[status]} {iid} {title} — {kind_labels[item['basis_kind']]}",
                         key=state.widget_key("pv_exp_" + iid)):
            st.markdown(t("assess.privacy.action", action=pv.item_text(item, "action", lang(), mode)))
            st.caption(t("assess.privacy.basis", kind=kind_labels[item["basis_kind"]],
                         basis=col(item, "basis")))
            if col(item, "example"):
                st.caption(t("assess.privacy.example", example=col(item, "example")))
            st.caption(t("assess.privacy.uk_ref", nums=", ".join(map(str, pv.principles_of(item)))))
            _unverified(item)
            _link(item)
            st.radio(t("assess.privacy.status"), options=list(pv.STATUSES), horizontal=True,
                     format_func=status_labels.__getitem__, **_answer(iid, "status", status))
            entry = answers.get(iid) or {}
            e1, e2, e3 = st.columns([3, 1, 1])
            e1.text_input(t("assess.privacy.evidence"),
                          **_answer(iid, "evidence", entry.get("evidence", "")))
            e2.text_input(t("assess.privacy.owner"), **_answer(iid, "owner", entry.get("owner", "")))
            e3.text_input(t("assess.privacy.due"), **_answer(iid, "due", entry.get("due", "")))
            st.caption(t("assess.privacy.source", source=link_markdown(item.get("source") or "")))

with tabs[2]:
    missing = pv.missing_settings(settings, mode=mode)
    if missing:
        st.warning(t("assess.privacy.missing_settings",
                     names="、".join(t(f"assess.privacy.set.{m}") for m in missing)))
    if not gaps:
        st.success(t("assess.privacy.no_gaps"))
    else:
        st.caption(t("assess.privacy.gaps_intro"))
    for g in gaps:
        st.markdown(f"**{g['id']} {g['title']}** — {kind_labels[g['basis_kind']]} · "
                    f"{status_labels.get(g['status']) or t('assess.privacy.status.unanswered')}")
        st.markdown(t("assess.privacy.action", action=g["action"]))
        st.caption(t("assess.privacy.basis", kind=kind_labels[g["basis_kind"]], basis=g["basis"]))
        if g["example"]:
            st.caption(t("assess.privacy.example", example=g["example"]))
        _unverified(g["item"])
        _link(g["item"])

with tabs[3]:
    st.caption(t("assess.privacy.uk_intro"))
    # the 12 principles stay as a reference; the UK certification schemes have closed
    st.warning(t("assess.privacy.uk.closed"))
    rows = []
    for v in pv.uk_view(asked, answers):
        n = v["principle"]
        rows.append({t("assess.privacy.uk.col.principle"): f"{n}. {t(f'assess.privacy.uk.p{n}')}",
                     t("assess.privacy.uk.col.items"): ", ".join(v["item_ids"]) or "–",
                     t("assess.privacy.uk.col.score"):
                         "–" if math.isnan(v["score"]) else f"{v['score']:.0%}",
                     t("assess.privacy.uk.col.gaps"): ", ".join(v["gaps"]) or "–"})
    st.dataframe(rows, hide_index=True, width="stretch", placeholder="")
    st.caption(t("assess.privacy.uk.source"))

with tabs[4]:
    st.info(t("assess.privacy.draft_intro"))
    draft_lang = st.radio(t("assess.privacy.draft_lang"), options=["ja", "en"], horizontal=True,
                          format_func={"ja": "日本語", "en": "English"}.__getitem__,
                          key=state.widget_key("pv_draft_lang", "ja"))
    # the draft leaves out (and lists) the values the app cannot use, as this page does
    d1, d2 = st.columns(2)
    d1.download_button(t("assess.privacy.download_docx"),
                       data=rules_draft.build_docx(plan, asked, lang=draft_lang),
                       file_name=rules_draft.file_name(plan, "docx"),
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       key=state.widget_key("pv_dl_docx"))
    md = rules_draft.build_markdown(plan, asked, lang=draft_lang)
    d2.download_button(t("assess.privacy.download_md"), data=md.encode("utf-8"),
                       file_name=rules_draft.file_name(plan, "md"), mime="text/markdown",
                       key=state.widget_key("pv_dl_md"))
    with st.expander(t("assess.privacy.preview"), expanded=True):
        st.markdown(md)
