"""Session state shared by all pages: language, current plan, database handles.

Call :func:`setup_page` first in every page; it initialises the session with ``setdefault``
so a page also works when opened on its own (AppTest ``from_file("pages/x.py")``).
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import streamlit as st

from datasets import refdb
from datasets.workspace import Workspace, WorkspaceError, default_path
from ui.i18n import lang, t  # noqa: F401  (re-exported for pages)

PLAN_KEY = "plan_id"


@st.cache_resource(show_spinner=False)
def _workspace(path: str) -> Workspace:
    return Workspace(path)


@st.cache_resource(show_spinner=False)
def _reference(directory: str):
    return refdb.connect(Path(directory))


def workspace() -> Workspace:
    """The workspace of this server (``MIMAMORI_WORKSPACE`` or the per-user default)."""
    return _workspace(str(default_path()))


def ref_cursor():
    """A new cursor on the read-only reference database (one per query: thread safety)."""
    return _reference(str(refdb.default_dir())).cursor()


def owner() -> str:
    """Owner of the plans this session sees: the logged-in user's id, or ``""`` (single PC)."""
    try:
        user = st.user
        if getattr(user, "is_logged_in", False):
            return str(user.get("email") or user.get("sub") or "")
    except Exception:  # st.user unavailable (no auth configured, bare mode)
        pass
    return ""


def setup_page(*, sidebar: bool = True) -> None:
    """Start a page: session defaults, a current plan, and the sidebar (language switch and
    plan selector).

    Every page calls this once, first. The sidebar is drawn by the page (not by ``app.py``)
    so that it is part of every page run, also when a page is opened on its own.
    """
    _leave_legacy_multipage_mode()
    ensure_plan()
    if sidebar:
        from ui.plan_selector import language_switch, plan_selector
        language_switch()
        plan_selector()


def _leave_legacy_multipage_mode() -> None:
    """Run ``app.py``'s navigation even when the first request after a server start is a
    deep link (``/readiness``): Streamlit then still runs a ``pages/`` file in its legacy
    multipage mode (file-name sidebar, no page config) until ``st.navigation`` is called
    once. Switch the process to ``st.navigation`` mode and rerun the same URL."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory and st.runtime.exists():
        PagesManager.uses_pages_directory = False
        st.rerun()


def ensure_plan() -> None:
    """Initialise session defaults and make sure a current plan exists."""
    st.session_state.setdefault("lang", "ja")
    ws = workspace()
    plans = ws.list_plans(owner=owner())
    ids = [p["id"] for p in plans]
    if st.session_state.get(PLAN_KEY) not in ids:
        if not ids:
            plan = ws.create_plan(t("common.first_plan_name"), owner=owner())
            ids = [plan["id"]]
        st.session_state[PLAN_KEY] = ids[0]


def current_plan_id() -> str:
    if PLAN_KEY not in st.session_state:
        ensure_plan()
    return st.session_state[PLAN_KEY]


def current_plan() -> dict:
    """A fresh copy of the current plan (mutating it saves nothing: use update_plan)."""
    try:
        return workspace().get_plan(current_plan_id(), owner=owner())
    except WorkspaceError:
        st.session_state.pop(PLAN_KEY, None)
        ensure_plan()
        return workspace().get_plan(current_plan_id(), owner=owner())


def update_plan(fn: Callable[[dict], None]) -> dict | None:
    """Apply ``fn`` to the current plan and save it at once (one transaction).

    On a save failure the user sees why (in their language) and the stored plan is
    unchanged; the widgets keep what the user typed, so nothing is lost on retry.
    """
    try:
        return workspace().update_plan(current_plan_id(), fn, owner=owner())
    except WorkspaceError as exc:
        st.error(t(f"common.save_error.{exc.code}") + f"\n\n{exc}")
        return None


def select_plan(plan_id: str) -> None:
    st.session_state[PLAN_KEY] = plan_id


def plan_copy(plan: dict) -> dict:
    return copy.deepcopy(plan)
