"""Session state shared by all pages: language, current plan, database handles.

Call :func:`setup_page` first in every page; it initialises the session with ``setdefault``
so a page also works when opened on its own (AppTest ``from_file("pages/x.py")``).
"""
from __future__ import annotations

import copy
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

import streamlit as st

from datasets import refdb
from datasets.workspace import Workspace, WorkspaceError, default_path
from ui.i18n import lang, t  # noqa: F401  (re-exported for pages)

PLAN_KEY = "plan_id"
#: Session key of changes whose save failed: ``[(plan_id, owner, fn)]``, retried in order on
#: the next page run (and by the retry button) so a transient fault (disk full, a locked or
#: read-only file) loses nothing the user entered.
PENDING_KEY = "_pending_saves"
#: Session key of the last successful save: ``{"plan_id", "revision", "time"}``; the sidebar
#: shows it ("保存しました").
SAVED_KEY = "_last_saved"
#: Environment variable that makes login mandatory even without an ``[auth]`` section
#: (e.g. a reverse proxy that must never fall back to the shared single-PC plans).
REQUIRE_LOGIN_ENV = "MIMAMORI_REQUIRE_LOGIN"


@st.cache_resource(show_spinner=False)
def _workspace(path: str) -> Workspace:
    return Workspace(path)


@st.cache_resource(show_spinner=False)
def _reference(directory: str):
    try:
        return refdb.connect(Path(directory))
    except (OSError, refdb.duckdb.Error):
        # the cache folder is not writable or its database is locked/corrupt beyond repair:
        # build the reference database from the CSVs in a private temporary folder instead
        return refdb.connect(Path(tempfile.mkdtemp(prefix="mimamori-ref-")))


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


def auth_configured() -> bool:
    """True when users must log in: ``[auth]`` in ``.streamlit/secrets.toml`` (Streamlit's
    OIDC login) or ``MIMAMORI_REQUIRE_LOGIN=1``. Without either, the app is a single-PC app
    and every session sees the plans of owner ``""``."""
    if os.environ.get(REQUIRE_LOGIN_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    try:
        from streamlit.auth_util import get_secrets_auth_section
        return bool(get_secrets_auth_section())
    except Exception:  # no secrets file, unreadable secrets, older Streamlit
        return False


def logged_in() -> bool:
    try:
        return bool(getattr(st.user, "is_logged_in", False)) and bool(owner())
    except Exception:
        return False


def require_login() -> None:
    """When login is configured and this session is not logged in, show the login screen
    and stop the run: an anonymous visitor never sees (or creates) anyone's plans."""
    if not auth_configured() or logged_in():
        return
    st.session_state.setdefault("lang", "ja")
    st.title(t("common.app_title"))
    st.info(t("common.login_required"))
    if st.button(t("common.login"), key="_login_btn", type="primary"):
        try:
            st.login()
        except Exception as exc:  # [auth] incomplete or no provider: say so, no traceback
            st.error(t("common.login_failed") + f"\n\n{type(exc).__name__}")
    st.stop()


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
    deep link (``/readiness``): Streamlit then runs the ``pages/`` file in its legacy
    multipage mode (file-name sidebar, no page config) because ``app.py`` never ran. On the
    first run of such a session, switch the process to ``st.navigation`` mode and rerun the
    same URL through ``app.py``. (Only on a session's first run: a rerun later would drop
    the widget event that triggered it.)"""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory and len(st.session_state) == 0:
        PagesManager.uses_pages_directory = False
        st.rerun()


def ensure_plan() -> None:
    """Initialise session defaults and make sure a current plan exists.

    Stops the run with a translated message (never a traceback) when the workspace cannot be
    opened, and shows the login screen when login is configured (:func:`require_login`).
    Changes whose save failed earlier are retried first (:func:`retry_pending`).
    """
    st.session_state.setdefault("lang", "ja")
    require_login()
    try:
        ws = workspace()
    except WorkspaceError as exc:
        st.error(t(f"common.save_error.{exc.code}") + f"\n\n{exc}")
        st.stop()
    if ws.read_only:
        st.warning(t("fault.read_only_banner"))
    retry_pending()
    current = st.session_state.get(PLAN_KEY)
    # every page run passes here (app.py and the page): the cheap check first, the list
    # (which reads every plan's municipality) only when the current plan is gone
    if current is None or not ws.has_plan(current, owner=owner()):
        ids = [p["id"] for p in ws.list_plans(owner=owner())]
        if not ids:
            try:
                _create_sample_plan(ws)
                plan = ws.create_plan(t("common.first_plan_name"), owner=owner())
            except WorkspaceError as exc:
                st.error(t(f"common.save_error.{exc.code}") + f"\n\n{exc}")
                st.stop()
            ids = [plan["id"]]
        st.session_state[PLAN_KEY] = ids[0]


def _create_sample_plan(ws: Workspace) -> None:
    """On a new workspace, add the bundled sample (PLATEAU 新座市 district with cameras and
    lights) as a plan to explore, next to the user's own empty first plan."""
    from assessments.plan.document import new_plan
    from ui.simulation import sample_district
    plan = new_plan(t("common.sample_plan_name"))
    plan.update(sample_district())
    ws.add_plan(plan, owner=owner())


def current_plan_id() -> str:
    if PLAN_KEY not in st.session_state:
        ensure_plan()
    return st.session_state[PLAN_KEY]


def widget_key(name: str) -> str:
    """Session key of a widget that shows or edits the current plan.

    Unique per plan and language: switching the plan or the language gives every such widget
    a new key, so it starts from the stored plan instead of the state another plan (or the
    other language's labels) left behind. Widgets keep ids as their values and show labels
    with ``format_func``; a widget's stale state is never written into another plan.
    """
    return f"{name}@{current_plan_id()}.{lang()}"


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
    unchanged; the change is kept in the session (:data:`PENDING_KEY`) and retried on the
    next run, so nothing the user entered is lost. Returns the saved plan, or None.
    """
    plan_id, who = current_plan_id(), owner()
    pending = st.session_state.setdefault(PENDING_KEY, [])
    if pending:  # keep the order of the user's changes: earlier failed ones go first
        pending.append((plan_id, who, fn))
        retry_pending()
        return None if st.session_state.get(PENDING_KEY) else \
            workspace().get_plan(plan_id, owner=who)
    try:
        saved = workspace().update_plan(plan_id, fn, owner=who)
    except WorkspaceError as exc:
        if exc.code != "not_found":
            pending.append((plan_id, who, fn))
        _save_failed(exc)
        return None
    _mark_saved(saved)
    return saved


def _mark_saved(plan: dict) -> None:
    st.session_state[SAVED_KEY] = {"plan_id": plan["id"], "revision": plan.get("_revision"),
                                   "time": time.strftime("%H:%M:%S")}


def _save_failed(exc: WorkspaceError) -> None:
    st.error(t(f"common.save_error.{exc.code}") + f"\n\n{exc}")
    n = len(st.session_state.get(PENDING_KEY, []))
    if n:  # the retry button is in the sidebar (ui.plan_selector), not in a callback
        st.warning(t("fault.pending", n=n))


def pending_count() -> int:
    """Number of changes of this session not yet saved."""
    return len(st.session_state.get(PENDING_KEY, []))


def retry_pending() -> int:
    """Save the changes kept after a failed save, in order; stops at the first failure.

    Returns the number of changes still pending.
    """
    pending = st.session_state.get(PENDING_KEY) or []
    if not pending:
        return 0
    ws = workspace()
    done = 0
    for plan_id, who, fn in list(pending):
        try:
            saved = ws.update_plan(plan_id, fn, owner=who)
        except WorkspaceError as exc:
            if exc.code == "not_found":  # the plan was deleted meanwhile: nothing to save to
                pending.pop(0)
                continue
            st.session_state[PENDING_KEY] = pending
            _save_failed(exc)
            return len(pending)
        pending.pop(0)
        done += 1
        _mark_saved(saved)
    st.session_state[PENDING_KEY] = []
    if done:
        st.toast(t("fault.pending_saved", n=done))
    return 0


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=&\"'")


def md_escape(text) -> str:
    """User text made literal inside ``st.markdown``/``st.success``/… bodies: every ASCII
    punctuation that Markdown, Streamlit directives (``:red[…]``, ``:material/…:``), LaTeX
    (``$``) or HTML could interpret is backslash-escaped (CommonMark §2.4), and line breaks
    become spaces, so a plan name like ``[x](https://evil)`` shows as typed."""
    out = []
    for ch in "" if text is None else str(text):
        if ch in "\r\n":
            out.append(" ")
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def select_plan(plan_id: str) -> None:
    st.session_state[PLAN_KEY] = plan_id


def plan_copy(plan: dict) -> dict:
    return copy.deepcopy(plan)
