"""発表モード: the plan as a sequence of full-screen steps for a council committee or a 町内会.

Every figure comes from the function the plan's own page uses (readiness scores, peer
cases from the reference tables, :func:`ui.simulation.simulate_plan` and the map of
:func:`ui.map_view.figure`, the privacy checklist, :func:`assessments.programme.grants.plan_grant`);
nothing is computed a second way here. Body text is drawn as level-4 headings (24 px),
figures as label and value headings, so the page is readable from 5 m without any CSS;
a constant style sheet (:data:`CSS`) only enlarges Streamlit's own parts where the app
offers a way to add one.

The presenter moves with the buttons or the keyboard: ← / → and PageUp / PageDown (what
a presentation clicker sends) are the buttons' shortcuts.
"""
from __future__ import annotations

import math

import duckdb
import streamlit as st
from geopy.distance import geodesic

from assessments.engine.dori import level_for
from assessments.plan import validate as planfile
from assessments.programme import privacy as pv
from assessments.programme import readiness as rd
from assessments.programme.costs import is_existing
from assessments.programme.grants import plan_grant
from assessments.records import is_missing, records
from datasets import queries
from ui import map_legend, map_view, state, theme
from ui.compare_common import superseded_note
from ui import simulation as S
from ui.i18n import col, lang, t
from ui.sim_edits import use_cases as use_case_rows

#: The steps in presenting order.
STEPS = ("issues", "peers", "map", "before_after", "day_night", "privacy", "costs")
STEP_KEY = "present.step"
LANGS = {"ja": "日本語", "en": "English"}
#: Peers shown on the comparison step, and gaps / measures listed on a step.
MAX_PEERS = 3
MAX_LINES = 5
#: Map heights [px]: one map, and two side by side (fit a 1080 px projector below the
#: step's heading).
MAP_HEIGHT_PX = 600
PAIR_HEIGHT_PX = 440
#: The DORI level compared when the plan's use cases set no requirement (the level the
#: シミュレーション page's district table shows then).
DEFAULT_LEVEL = "observe"

#: Constant style sheet (no user text): large labels, tables and buttons for a projector.
#: Streamlit marks a keyed widget's box with the class ``st-key-<key>``.
CSS = """
[data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
[data-testid="stMetricValue"] { font-size: 3rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {
  font-size: 1.5rem; line-height: 1.5; }
[data-testid="stCaptionContainer"] { font-size: 1.25rem !important; }
.st-key-present-prev button, .st-key-present-next button { font-size: 1.5rem; }
.st-key-present-pgup, .st-key-present-pgdn { position: absolute; width: 1px; height: 1px;
  overflow: hidden; opacity: 0; }
"""


# ---------------------------------------------------------------------------------------
# navigation
# ---------------------------------------------------------------------------------------
def current_step() -> int:
    """Index of the step shown, kept in the session (0 when unset or out of range)."""
    step = st.session_state.get(STEP_KEY, 0)
    return step if isinstance(step, int) and 0 <= step < len(STEPS) else 0


def _move(delta: int) -> None:
    st.session_state[STEP_KEY] = min(max(current_step() + delta, 0), len(STEPS) - 1)


def _picked(key: str) -> None:
    if st.session_state.get(key) is not None:
        st.session_state[STEP_KEY] = int(st.session_state[key])


def _lang_changed() -> None:
    if st.session_state.get("_present_lang") in LANGS:
        st.session_state["lang"] = st.session_state["_present_lang"]


def inject_style() -> None:
    """Add :data:`CSS` (:func:`ui.theme.inject_css`, the app's one way to add a constant
    style sheet); the page is readable without it."""
    theme.inject_css(CSS)


def draw_nav() -> int:
    """Back / step / next buttons and the language switch; returns the step to show."""
    step = current_step()
    c = st.columns([1.2, 3, 1.2, 1.6], vertical_alignment="bottom")
    c[0].button(t("present.prev"), key="present-prev",
                on_click=_move, args=(-1,), disabled=step == 0, shortcut="Left",
                help=t("present.prev_help"), width="stretch")
    pick_key = f"present.pick.{lang()}"
    st.session_state[pick_key] = step      # follow the buttons and the keyboard
    titles = {i: f"{i + 1} / {len(STEPS)}　{t('present.step.' + s)}"
              for i, s in enumerate(STEPS)}
    c[1].selectbox(t("present.step_pick"), list(titles), key=pick_key,
                   format_func=lambda i: titles.get(i, i), on_change=_picked, args=(pick_key,))
    c[2].button(t("present.next"), key="present-next", on_click=_move, args=(1,),
                disabled=step == len(STEPS) - 1, shortcut="Right", help=t("present.next_help"),
                type="primary", width="stretch")
    st.session_state["_present_lang"] = lang()
    c[3].segmented_control(t("present.lang"), list(LANGS), format_func=LANGS.get,
                           key="_present_lang", on_change=_lang_changed)
    # what a presentation clicker sends: the same moves, one shortcut per button
    k = st.columns(2)
    k[0].button(t("present.prev"), key="present-pgup", on_click=_move, args=(-1,),
                shortcut="PageUp", type="tertiary")
    k[1].button(t("present.next"), key="present-pgdn", on_click=_move, args=(1,),
                shortcut="PageDown", type="tertiary")
    return current_step()


# ---------------------------------------------------------------------------------------
# drawing helpers: body text and figures as headings (readable from 5 m)
# ---------------------------------------------------------------------------------------
def say(text: str) -> None:
    """One sentence of body text (a level-4 heading, 24 px). ``text`` is app text or
    user text already escaped with :func:`ui.state.md_escape`."""
    st.markdown("#### " + text)


def say_list(lines) -> None:
    for line in lines:
        say("・" + line)


def figure(where, label: str, value: str) -> None:
    """A large figure: its label (24 px) above its value (36 px)."""
    box = where.container(border=True)
    box.markdown("#### " + label)
    box.markdown("## " + value)


def yen(value) -> str:
    return "—" if value is None else t("export.yen", value=value)


def _cursor():
    return state.ref_cursor()


# ---------------------------------------------------------------------------------------
# 1. the city's issues
# ---------------------------------------------------------------------------------------
def draw_issues(plan: dict) -> None:
    muni = plan.get("municipality") or {}
    place = f"{muni.get('prefecture') or ''} {muni.get('name') or ''}".strip()
    st.subheader(state.md_escape(place) if place else t("present.issues.no_municipality"),
                 anchor=False)
    project = plan.get("project") or {}
    if (project.get("title") or "").strip():
        say(t("present.issues.project", title=state.md_escape(project["title"])))
    use_cases, _ = pv.split_use_cases(plan.get("use_cases") or [])
    say(t("present.issues.use_cases", names="、".join(t(f"assess.uc.{u}") for u in use_cases))
        if use_cases else t("present.issues.no_use_cases"))
    left, right = st.columns([3, 2])
    with left:
        texts = [(k, (project.get(k) or "").strip()) for k in ("issues", "target_state")]
        if not any(v for _, v in texts):
            say(t("present.issues.no_issues"))
        for k, v in texts:
            if v:
                st.markdown("### " + t(f"present.issues.{k}"))
                say(state.md_escape(v))
    with right:
        _draw_readiness(plan)


def _draw_readiness(plan: dict) -> None:
    """The readiness score and its weakest conditions (the 準備度 page's functions)."""
    try:
        questions = queries.list_readiness_questions(_cursor())
    except duckdb.CatalogException:     # reference tables not built: nothing to score
        questions = None
    answers, _ = rd.clean_answers((plan.get("readiness") or {}).get("answers"))
    if questions is None or not answers:
        say(t("present.issues.no_readiness"))
        return
    scores = rd.condition_scores(questions, answers)
    overall = rd.overall_score(scores)
    if math.isnan(overall):
        say(t("present.issues.no_readiness"))
        return
    done, total = rd.progress(scores)
    a, b = st.columns(2)
    figure(a, t("present.issues.readiness"), t("present.issues.score", score=overall))
    figure(b, t("present.issues.answered"), f"{done} / {total}")
    st.markdown("### " + t("present.issues.gaps"))
    say_list(t("present.issues.gap_line", name=t(f"assess.cond.{c}"), score=scores[c]["score"])
             for c in rd.weakest_conditions(scores)[:3])


# ---------------------------------------------------------------------------------------
# 2. peers
# ---------------------------------------------------------------------------------------
def peer_cases(plan: dict, initiatives: list[dict]) -> list[tuple[dict, float | None]]:
    """The initiatives that have cameras, nearest to the plan's municipality first
    (geodesic distance [km]; in table order when the plan has no position)."""
    muni = plan.get("municipality") or {}
    here = (muni.get("lat"), muni.get("lon"))
    known = not any(is_missing(v) for v in here)
    out = []
    for row in initiatives:
        if str(row.get("has_cameras")).lower() not in ("true", "1"):
            continue
        km = (geodesic(here, (row["lat"], row["lon"])).km
              if known and not is_missing(row.get("lat")) else None)
        out.append((row, km))
    if known:
        out.sort(key=lambda rk: math.inf if rk[1] is None else rk[1])
    return out


def draw_peers(plan: dict) -> None:
    from assessments.programme.costs import plan_costs
    try:
        initiatives = records(queries.list_initiatives(_cursor(), prefecture="", type="",
                                                       text="", mlit_keyword=""))
        figures = records(queries.list_case_figures(_cursor(), initiative_id=""))
    except duckdb.CatalogException:
        say(t("present.peers.none"))
        return
    peers = peer_cases(plan, initiatives)[:MAX_PEERS]
    if not peers:
        say(t("present.peers.none"))
        return
    pc = plan_costs(plan)
    a, b = st.columns(2)
    figure(a, t("present.peers.plan_cameras"), t("present.peers.cameras_value", n=pc.cameras))
    figure(b, t("present.peers.plan_sites"), t("present.peers.sites_value", n=pc.sites))
    muni = plan.get("municipality") or {}
    st.markdown("### " + (t("present.peers.intro", place=state.md_escape(muni["name"]))
                          if muni.get("name") and peers[0][1] is not None
                          else t("present.peers.intro_any")))
    for row, km in peers:
        name = f"{col(row, 'name')}（{row['municipality_name']}）"
        if km is not None:
            name += "　" + t("present.peers.distance", km=km)
        st.markdown("### " + state.md_escape(name))
        say(state.md_escape(str(col(row, "cameras") or "")))
        crimes = sorted((f for f in figures if f["initiative_id"] == row["id"]
                         and str(f["figure_id"]).startswith("crimes_")
                         and f["unit"] == "件" and not is_missing(f["year"])),
                        key=lambda f: f["year"])
        if len(crimes) >= 2:
            first, last = crimes[0], crimes[-1]
            say(t("present.peers.crimes", name=row["municipality_name"],
                  metric=col(first, "metric"), y0=int(first["year"]), v0=first["value"],
                  y1=int(last["year"]), v1=last["value"]))


# ---------------------------------------------------------------------------------------
# 3–5. the map: the plan, before / after, day / night
# ---------------------------------------------------------------------------------------
def simulate(plan: dict):
    """:func:`ui.simulation.simulate_plan` of the plan (the シミュレーション page's
    computation); None with a sentence said when there is nothing to draw."""
    if not plan.get("area"):
        say(t("present.map.no_area"))
        return None
    try:
        return S.simulate_plan(plan, use_cases=use_case_rows())
    except planfile.PlanError:
        say(t("present.map.error"))
        return None


#: What the presentation's maps show over the DORI layer.
OVERLAYS = ("footprints", "buildings", "labels")
#: The legend image's scale (its text about 24 px on the page); beside two maps a little
#: smaller, so it is no taller than they are.
LEGEND_SCALE = 1.7
PAIR_LEGEND_SCALE = 1.35


def _legend(sim, plan: dict, *, period: str = "day", scale: float = LEGEND_SCALE) -> None:
    """The map's legend beside it (the シミュレーション page's legend, larger)."""
    png = map_legend.legend_png(map_view.legend_sections(sim, plan, raster="dori",
                                                         period=period, overlays=OVERLAYS),
                                scale=scale)
    if png is not None:
        st.image(png, width="content")


def _map(sim, plan: dict, *, key: str, height: int, period: str = "day") -> None:
    fig = map_view.figure(sim, plan, raster="dori", period=period, overlays=OVERLAYS,
                          height=height)
    st.plotly_chart(fig, key=key, width="stretch", config={"displaylogo": False,
                                                           "displayModeBar": False})


def _level(sim) -> str:
    # (the default is a 2014 level: its stand-in under the plan's edition)
    return ((sim.requirement or {}).get("level")
            or level_for(DEFAULT_LEVEL, dict(sim.model.thresholds)))


def draw_map(plan: dict) -> None:
    sim = simulate(plan)
    if sim is None:
        return
    res = sim.result
    if not plan.get("cameras"):
        say(t("present.map.no_cameras"))
    left, right, side = st.columns([3, 1.1, 1])
    with left:
        _map(sim, plan, key="present_map", height=MAP_HEIGHT_PX)
    with side:
        _legend(sim, plan)
    level = _level(sim)
    figure(right, t("present.map.cameras"), t("present.map.count", n=len(sim.model.views)))
    figure(right, t("present.map.lights"), t("present.map.count", n=len(sim.lights)))
    figure(right, t("present.map.covered"),
           t("present.map.percent", value=res["coverage_fraction"] * 100))
    figure(right, t("present.map.requirement", level=t("sim.dori." + level)),
           t("present.map.percent", value=res["dori_fraction"][level] * 100))


def existing_cameras(plan: dict) -> list[dict]:
    """The plan's cameras marked as already installed (``cameras[].existing`` true)."""
    return [c for c in plan.get("cameras") or [] if is_existing(c)]


def draw_before_after(plan: dict) -> None:
    after = simulate(plan)
    if after is None:
        return
    cameras = plan.get("cameras") or []
    existing = existing_cameras(plan)
    # a plan of its own id: the before scene is cached beside the plan's, so stepping
    # back and forth recomputes neither
    before_plan = {**plan, "id": f"{plan.get('id', '')}#before", "cameras": existing}
    before = S.simulate_plan(before_plan, use_cases=use_case_rows())
    level = _level(after)
    # one row each for the headings, the maps and the figures, so the two maps line up
    # whatever the length of the sentences above them
    views = ((before, before_plan, "present.before.title",
              t("present.before.existing", n=len(existing)) if existing
              else t("present.before.none", n=len(cameras)), "present_before"),
             (after, plan, "present.after.title", t("present.after.all", n=len(cameras)),
              "present_after"))
    heads, maps, figs = (st.columns([2, 2, 0.9]) for _ in range(3))
    for n, (sim, p, title, line, key) in enumerate(views):
        with heads[n]:
            st.markdown("### " + t(title))
            say(line)
        with maps[n]:
            _map(sim, p, key=key, height=PAIR_HEIGHT_PX)
        a, b = figs[n].columns(2)
        figure(a, t("present.map.covered"),
               t("present.map.percent", value=sim.result["coverage_fraction"] * 100))
        figure(b, t("present.map.requirement", level=t("sim.dori." + level)),
               t("present.map.percent", value=sim.result["dori_fraction"][level] * 100))
    with maps[2]:
        _legend(after, plan, scale=PAIR_LEGEND_SCALE)


def draw_day_night(plan: dict) -> None:
    sim = simulate(plan)
    if sim is None:
        return
    res = sim.result
    level = _level(sim)
    if not sim.lights:
        say(t("present.night.no_lights"))
    cols = st.columns([2, 2, 0.9])
    with cols[2]:       # the same colours day and night: one legend
        _legend(sim, plan, scale=PAIR_LEGEND_SCALE)
    for c, period, fractions in ((cols[0], "day", res["dori_fraction"]),
                                 (cols[1], "night", res["night_dori_fraction"])):
        with c:
            st.markdown("### " + t(f"present.{period}.title"))
            _map(sim, plan, key=f"present_{period}", height=PAIR_HEIGHT_PX, period=period)
            figure(st, t("present.map.requirement", level=t("sim.dori." + level)),
                   t("present.map.percent", value=fractions[level] * 100))


# ---------------------------------------------------------------------------------------
# 6. privacy
# ---------------------------------------------------------------------------------------
def draw_privacy(plan: dict) -> None:
    """The privacy checklist's score, the measures in place and those still to take (the
    プライバシー page's functions), the settings residents ask about, and the cameras
    that see homes (the simulation's privacy check)."""
    use_cases, _ = pv.split_use_cases(plan.get("use_cases") or [])
    part = plan.get("privacy") or {}
    answers, _ = pv.clean_answers(part.get("answers"))
    settings, _ = pv.clean_settings(part.get("settings"))
    if not use_cases:
        say(t("present.privacy.no_use_cases"))
    else:
        try:
            items = queries.list_privacy_items(_cursor())
        except duckdb.CatalogException:
            items = None
        if items is not None:
            mode = pv.counting_mode(use_cases, settings)
            asked = pv.triggered_items(items, use_cases)
            result = pv.score(asked, answers)
            gaps = pv.gaps(asked, answers, mode=mode, lang=lang())
            a, b = st.columns(2)
            figure(a, t("present.privacy.score"),
                   "–" if math.isnan(result["score"]) else f"{result['score']:.0%}")
            figure(b, t("present.privacy.answered"), f"{result['answered']} / {result['total']}")
            left, right = st.columns(2)
            with left:
                st.markdown("### " + t("present.privacy.done"))
                done = [pv.item_text(i, "title", lang(), mode) for i in asked
                        if pv.status_of(answers, i["id"]) == "done"]
                _listed(done, t("present.privacy.none_done"))
            with right:
                st.markdown("### " + t("present.privacy.todo"))
                _listed([g["title"] for g in gaps], t("present.privacy.no_gaps"))
    if settings.get("retention_days") is not None:
        say(t("present.privacy.retention", days=f"{settings['retention_days']:g}"))
    if (settings.get("manager") or "").strip():
        say(t("present.privacy.manager", name=state.md_escape(settings["manager"])))
    if plan.get("area") and plan.get("cameras"):
        sim = simulate(plan)
        hits = [] if sim is None else [p["camera_id"] for p in sim.privacy]
        if hits:
            say(t("present.privacy.homes", ids=state.md_escape("、".join(hits))))


def _listed(lines: list[str], empty: str) -> None:
    if not lines:
        say(empty)
        return
    say_list(state.md_escape(x) for x in lines[:MAX_LINES])
    if len(lines) > MAX_LINES:
        say(t("present.privacy.more", n=len(lines) - MAX_LINES))


# ---------------------------------------------------------------------------------------
# 7. costs and shares
# ---------------------------------------------------------------------------------------
def grant_of(plan: dict):
    """:func:`assessments.programme.grants.plan_grant` with the reference tables (the
    ホーム, 事業計画・事業費 and Excel figures), and the ``grant_schemes`` rows."""
    try:
        cur = _cursor()
        schemes = records(queries.list_grant_schemes(cur, level="", stage=""))
        return plan_grant(plan, schemes=schemes,
                          shares=records(queries.list_grant_shares(cur))), schemes
    except duckdb.CatalogException:     # reference tables not built: costs without a grant
        return plan_grant(plan), []


def draw_costs(plan: dict) -> None:
    pg, schemes = grant_of(plan)
    pc = pg.costs
    scheme, amounts = pg.scheme, pg.amounts
    if pc.total_jpy <= 0:       # the sentences alone (never three 0 円)
        say(t("present.costs.none"))
        if scheme is None:
            say(t("present.costs.no_scheme"))
        return
    cols = st.columns(3)
    figure(cols[0], t("export.plan.total_initial"), yen(pc.initial_jpy))
    figure(cols[1], t("export.plan.total_running", years=pc.years), yen(pc.running_total_jpy))
    figure(cols[2], t("export.plan.total", years=pc.years), yen(pc.total_jpy))
    if scheme is None:
        say(t("present.costs.no_scheme"))
        return
    name = scheme.get("name_ja") if lang() == "ja" else scheme.get("name_en") or scheme.get(
        "name_ja")
    st.markdown("### " + t("present.costs.scheme", name=state.md_escape(name)))
    # a plan made under a scheme since replaced: say what replaced it (as 事業計画 does)
    note = superseded_note(scheme, schemes)
    if note:
        say(note)
    if amounts.grant_jpy is None:
        say(t("present.costs.no_rate"))
    elif pg.share_rows:     # payer split (東京都 見守り …): one amount per payer
        cols = st.columns(len(amounts.shares))
        for c, sh in zip(cols, amounts.shares):
            figure(c, t("export.plan.payer", payer=sh["payer_ja"] if lang() == "ja"
                        else sh.get("payer_en") or sh["payer_ja"], share=sh["share_text"]),
                   yen(sh["amount_jpy"]))
    else:
        cols = st.columns(3)
        figure(cols[0], t("export.plan.national"), yen(amounts.grant_jpy))
        figure(cols[1], t("export.plan.local"), yen(amounts.applicant_jpy))
        figure(cols[2], t("export.plan.self_total", years=pc.years), yen(pg.self_pay_total_jpy))
    st.caption(t("export.cost.tax"))


DRAW = {"issues": draw_issues, "peers": draw_peers, "map": draw_map,
        "before_after": draw_before_after, "day_night": draw_day_night,
        "privacy": draw_privacy, "costs": draw_costs}


def draw_step(plan: dict, step: int) -> None:
    """The heading of step ``step`` and its view of ``plan``."""
    name = STEPS[step]
    st.title(t(f"present.step.{name}"), anchor=False)
    DRAW[name](plan)
