"""A plan widget's change is saved only for the plan and language the last page run showed
(``ui.state.plan_widget``). A busy browser can send back the widgets of an older run with
a plan or language switch; Streamlit then calls their on_change with the values that run
left (its own state of them was cleaned up). In the browser test of plan switching
(``tests/test_browser_plan_switch.py``), this wrote 26 revisions into a plan on the
プライバシー page within a second, erasing an answer. Here the callback is called as
Streamlit would call it, before the page."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace


def _page():
    import streamlit as st

    from ui import shell, state
    fire = st.session_state.pop("fire", None)
    if fire:                            # Streamlit's callback phase, before the page
        key, callback = st.session_state["kept"][fire]
        st.session_state[key] = "古い値"
        callback()
    shell.setup_page(sidebar=False)
    name = state.current_plan()["name"]
    kw = state.plan_widget("name", name, lambda p, v: p.update(name=v))
    st.text_input("name", **kw)
    st.session_state.setdefault("kept", {})[state.lang()] = (kw["key"], kw["on_change"])


def _stale_then_shown(page, workspace_path, shown_lang: str) -> None:
    """Draw ``page`` in Japanese, then in English; fire the Japanese widget's callback (an
    older run's widget): nothing saved. Then fire the callback of the page in
    ``shown_lang``, shown by the last run: the user's edit, saved."""
    at = AppTest.from_function(page, default_timeout=60)
    at.session_state["lang"] = "ja"
    at.run()
    plan_id = at.session_state["plan_id"]
    before = Workspace(workspace_path).get_plan(plan_id)
    at.session_state["lang"] = "en"
    at.run()                            # the page now shows the plan in English
    at.session_state["fire"] = "ja"     # the Japanese widget comes back from the browser
    at.run()
    assert not at.exception
    after = Workspace(workspace_path).get_plan(plan_id)
    assert after["name"] == before["name"] and after["_revision"] == before["_revision"]
    at.session_state["lang"] = shown_lang
    at.run()
    at.session_state["fire"] = shown_lang
    at.run()
    saved = Workspace(workspace_path).get_plan(plan_id)
    assert saved["name"] == "古い値" and saved["_revision"] == before["_revision"] + 1


def test_a_widget_of_another_language_than_the_last_run_saves_nothing(workspace_path):
    # the same Japanese widget, once the page shows Japanese again, saves
    _stale_then_shown(_page, workspace_path, "ja")


def test_an_edit_sent_with_a_plan_switch_goes_to_its_own_plan(workspace_path):
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state["lang"] = "ja"
    at.run()
    first = at.session_state["plan_id"]
    ws = Workspace(workspace_path)
    other = ws.add_plan({"name": "別の計画"})["id"]
    # typed into the first plan's field, sent together with the switch to the other plan
    at.text_input[0].input("新しい名前")
    at.session_state["plan_id"] = other
    at.run()
    assert not at.exception
    assert ws.get_plan(first)["name"] == "新しい名前"
    assert ws.get_plan(other)["name"] == "別の計画"


def _sim_page():
    import streamlit as st

    from ui import shell, state
    from ui.sim_edits import Edits
    fire = st.session_state.pop("fire", None)
    if fire:                            # a シミュレーション widget's callback, before the page
        st.session_state["kept_edits"][fire].change(lambda p: p.update(name="古い値"), "name")
    shell.setup_page(sidebar=False)
    st.session_state.setdefault("kept_edits", {})[state.lang()] = Edits(state.current_plan())


def test_the_simulation_page_saves_no_older_runs_widget_either(workspace_path):
    _stale_then_shown(_sim_page, workspace_path, "en")
