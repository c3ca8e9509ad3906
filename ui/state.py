"""Session state shared by all pages: language, current plan, database handles, and the
keys of the widgets that edit the plan (:func:`widget_key`, :func:`plan_widget`).

Pages start with :func:`ui.shell.setup_page` (page config and sidebar), which calls
:func:`ensure_plan`: it initialises the session with ``setdefault`` so a page also works
when opened on its own (AppTest ``from_file("pages/x.py")``).
"""
from __future__ import annotations

import copy
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

import streamlit as st
from streamlit.errors import StreamlitAuthError

from assessments.plan.merge import three_way
from datasets import refdb
from datasets.workspace import Workspace, WorkspaceError, default_path
from ui.i18n import lang, t  # noqa: F401  (re-exported for pages)

_LOG = logging.getLogger(__name__)

PLAN_KEY = "plan_id"
#: Session key of changes whose save failed: ``[(plan_id, owner, fn)]``, retried in order on
#: the next page run (and by the retry button) so a transient fault (disk full, a locked or
#: read-only file) loses nothing the user entered.
PENDING_KEY = "_pending_saves"
#: Session key of the last successful save: ``{"plan_id", "revision", "time"}``; the sidebar
#: shows it ("保存しました").
SAVED_KEY = "_last_saved"
#: Session key of the plan and language the last page run showed (:func:`start_run`).
RUN_VIEW_KEY = "_run_view"
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


def owner_id(claims) -> str:
    """The owner key of a logged-in account: its OpenID Connect issuer and subject,
    ``"<iss>|<sub>"`` (OIDC Core 1.0 §2: ``sub`` is unique and never reassigned within an
    issuer); ``""`` without a subject.

    Never the e-mail address: another account (another ``sub``) can carry the same address
    unverified, or have a ``sub`` that reads like it, and would see that user's plans.
    """
    sub = str(claims.get("sub") or "").strip()
    if not sub:
        return ""
    return f"{str(claims.get('iss') or '').strip()}|{sub}"


def verified_email(claims) -> str:
    """The account's e-mail address when the issuer says it is verified
    (``email_verified`` true), else ``""``."""
    verified = claims.get("email_verified")
    if verified is True or str(verified).strip().lower() == "true":
        return str(claims.get("email") or "").strip()
    return ""


#: Session key: the legacy owner (an e-mail address) already moved for this session.
_CLAIMED = "_owner_claimed"


def owner() -> str:
    """Owner of the plans this session sees: the logged-in account's issuer + subject
    (:func:`owner_id`), or ``""`` (single PC).

    Plans saved before under the account's e-mail address (the old owner key) are moved to
    it once, only when the issuer has verified that address (:func:`verified_email`)."""
    user = st.user  # an empty mapping without auth or outside a script run
    if not getattr(user, "is_logged_in", False):
        return ""
    oid = owner_id(user)
    email = verified_email(user)
    if oid and email and st.session_state.get(_CLAIMED) != email:
        try:
            workspace().reassign_owner(email, oid)
        except WorkspaceError:  # read-only or full: the old plans stay until a later login
            pass
        else:
            st.session_state[_CLAIMED] = email
    return oid


def user_label() -> str:
    """How the sidebar names the logged-in user: name, else e-mail, else the subject."""
    user = st.user
    return str(user.get("name") or user.get("email") or user.get("sub") or "")


def auth_configured() -> bool:
    """True when users must log in: ``[auth]`` in ``.streamlit/secrets.toml`` (Streamlit's
    OIDC login) or ``MIMAMORI_REQUIRE_LOGIN=1``. Without either, the app is a single-PC app
    and every session sees the plans of owner ``""``."""
    if os.environ.get(REQUIRE_LOGIN_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    try:
        from streamlit.auth_util import get_secrets_auth_section
    except ImportError:  # a Streamlit without OIDC login
        return False
    # no or unreadable secrets file: an empty section (Streamlit logs the parse error)
    return bool(get_secrets_auth_section())


def logged_in() -> bool:
    return bool(getattr(st.user, "is_logged_in", False)) and bool(owner())


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
        except StreamlitAuthError as exc:  # [auth] incomplete, no provider, no Authlib
            st.error(t("common.login_failed") + f"\n\n{type(exc).__name__}")
    st.stop()


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
        show_save_error(exc)
        st.stop()
    if ws.read_only:
        st.warning(t("fault.read_only_banner"))
    retry_pending(quiet=True)
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
                show_save_error(exc)
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


_NO_VALUE = object()


def widget_key(name: str, value=_NO_VALUE) -> str:
    """Session key of a widget that shows or edits the current plan.

    Unique per plan and language: switching the plan or the language gives every such widget
    a new key, so it starts from the stored plan instead of the state another plan (or the
    other language's labels) left behind. Widgets keep ids as their values and show labels
    with ``format_func``; a widget's stale state is never written into another plan.

    Parameters
    ----------
    name : str
        The widget's name on its page (unique on the page).
    value : optional
        The widget's value from the stored plan: set as the widget's state when the key is
        new (pass it here instead of the widget's ``value``/``index``/``default``).
    """
    key = f"{name}@{current_plan_id()}.{lang()}"
    if value is not _NO_VALUE and key not in st.session_state:
        st.session_state[key] = value
    return key


def plan_widget(name: str, value, save: Callable[[dict, object], None]) -> dict:
    """Keyword arguments of a widget that edits one field of the current plan.

    The widget is keyed by :func:`widget_key` (starting from ``value``) and saves in its
    ``on_change`` callback: ``save(plan, new_value)`` is applied through
    :func:`update_plan` to the plan the widget was drawn for, so a page run without a user
    edit never saves, and an edit arriving together with a plan switch still goes to its
    own plan. Use as ``st.text_input(label, **plan_widget("title", title, fn))``.
    """
    plan_id = current_plan_id()
    key = widget_key(name, value)
    view = current_view()

    def changed() -> None:
        if not on_screen(view, key):
            return
        new = st.session_state[key]
        update_plan(lambda p: save(p, new), plan_id=plan_id)

    return {"key": key, "on_change": changed}


def current_view() -> tuple[str, str]:
    """The plan id and language this run shows (captured by a widget when it is drawn)."""
    return current_plan_id(), lang()


def on_screen(view: tuple[str, str], what: str = "") -> bool:
    """Whether a widget drawn for ``view`` (:func:`current_view`) belongs to the plan and
    language the last page run showed, so its change (a callback, run before the page)
    can be the user's.

    A widget of another plan or language was not on the user's screen: its value is what
    a busy browser kept of an older run and sent back with a plan or language switch
    (Streamlit calls on_change for a widget whose state it had cleaned up), and saving it
    would overwrite the plan with that old run's values (every field of a page at once,
    answers erased). Such a change is logged and not saved.
    """
    if st.session_state.get(RUN_VIEW_KEY, view) == view:
        return True
    _LOG.info("ignored a change of %s: not on the last run's plan and language", what or view)
    return False


def start_run() -> None:
    """Note the plan and language this page run shows (:func:`ui.shell.setup_page`, after
    the callbacks of the run's request): a plan widget's change is saved only when the
    widget belongs to them (:func:`plan_widget`)."""
    st.session_state[RUN_VIEW_KEY] = current_view()


def current_plan() -> dict:
    """A fresh copy of the current plan (mutating it saves nothing: use update_plan)."""
    try:
        return workspace().get_plan(current_plan_id(), owner=owner())
    except WorkspaceError:
        st.session_state.pop(PLAN_KEY, None)
        ensure_plan()
        start_run()         # the plan deleted meanwhile: this run shows another one
        return workspace().get_plan(current_plan_id(), owner=owner())


class PlanConflict(Exception):
    """Raised by an ``fn`` given to :func:`update_plan` to refuse its change: another tab or
    user changed the same part of the plan since this one was drawn. ``fn`` raises it
    before changing the plan it was given; nothing is saved or kept pending.

    Parameters
    ----------
    paths : list of tuple
        The conflicting JSON paths (``assessments.plan.merge.three_way``); the first key of
        each names the part shown to the user (:func:`conflict_parts`).
    """

    def __init__(self, paths):
        super().__init__(paths)
        self.paths = list(paths)


def conflict_parts(paths) -> str:
    """The plan parts of conflicting ``paths`` in the user's language, once each
    (「KPI（成果指標）、スケジュール」)."""
    names = []
    for path in paths:
        key = f"common.field.{path[0]}" if path else ""
        name = t(key) if key else key
        if name == key:  # a part without a name of its own (t shows an unknown key as is)
            name = t("common.field.other")
        if name not in names:
            names.append(name)
    return "、".join(names)


def _refusing(fn: Callable[[dict], None], refused: list) -> Callable[[dict], None]:
    """``fn`` that, when it raises :class:`PlanConflict`, leaves the plan as it is (so the
    save writes nothing), tells the user once and records the refusal in ``refused``."""
    def run(plan: dict) -> None:
        try:
            fn(plan)
        except PlanConflict as exc:
            refused.append(exc)
            st.error(t("common.conflict", parts=conflict_parts(exc.paths)))
    return run


def update_plan(fn: Callable[[dict], None], *, plan_id: str | None = None) -> dict | None:
    """Apply ``fn`` to the current plan (or plan ``plan_id``) and save it at once (one
    transaction).

    ``fn`` is applied to the latest stored plan, so an operation (set a title, add a light)
    never undoes what another tab saved meanwhile. ``fn`` may refuse its change by raising
    :class:`PlanConflict` (before changing the plan): the user is told which part another
    tab changed, nothing is saved and None is returned.

    On a save failure the user sees why (in their language) and the stored plan is
    unchanged; the change is kept in the session (:data:`PENDING_KEY`) and retried on the
    next run, so nothing the user entered is lost. Returns the saved plan, or None.
    """
    plan_id, who = plan_id or current_plan_id(), owner()
    refused: list = []
    fn = _refusing(fn, refused)
    pending = st.session_state.setdefault(PENDING_KEY, [])
    if pending:  # keep the order of the user's changes: earlier failed ones go first
        pending.append((plan_id, who, fn))
        retry_pending()
        return None if st.session_state.get(PENDING_KEY) or refused else \
            workspace().get_plan(plan_id, owner=who)
    try:
        saved = workspace().update_plan(plan_id, fn, owner=who)
    except WorkspaceError as exc:
        if exc.code != "not_found" and not refused:
            pending.append((plan_id, who, fn))
        _save_failed(exc)
        return None
    if refused:
        return None
    if not saved.pop("_unchanged", False):    # a widget's own value sent back saves nothing
        _mark_saved(saved)
    return saved


def _mark_saved(plan: dict) -> None:
    st.session_state[SAVED_KEY] = {"plan_id": plan["id"], "revision": plan.get("_revision"),
                                   "time": time.strftime("%H:%M:%S")}


def show_save_error(exc: WorkspaceError) -> None:
    """The translated reason a save failed (read-only, disk full …); the exception's own
    text (an English database message, a server path) goes to the server log only."""
    _LOG.warning("save failed (%s): %s", exc.code, exc)
    st.error(t(f"common.save_error.{exc.code}"))


#: Session key: the code of the last save failure shown, while changes are pending.
_SHOWN_KEY = "_save_error_shown"


def _save_failed(exc: WorkspaceError, *, quiet: bool = False) -> None:
    """Say that a save failed, once: the number of changes kept is shown by the sidebar
    with its retry button (``ui.plan_selector``). ``quiet`` (the retry every page run
    makes): a failure of the kind already shown is only logged."""
    if quiet and st.session_state.get(_SHOWN_KEY) == exc.code:
        _LOG.warning("save failed again (%s): %s", exc.code, exc)
        return
    st.session_state[_SHOWN_KEY] = exc.code
    show_save_error(exc)


def pending_count() -> int:
    """Number of changes of this session not yet saved."""
    return len(st.session_state.get(PENDING_KEY, []))


def retry_pending(*, quiet: bool = False) -> int:
    """Save the changes kept after a failed save, in order; stops at the first failure.

    ``quiet``: a failure already shown is not shown again (the retry at the start of every
    page run, :func:`ensure_plan`, which runs twice in a run and after the widget callbacks
    that showed it). Returns the number of changes still pending.
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
            _save_failed(exc, quiet=quiet)
            return len(pending)
        pending.pop(0)
        done += 1
        saved.pop("_unchanged", None)          # the kept change is stored either way
        _mark_saved(saved)
    st.session_state[PENDING_KEY] = []
    st.session_state.pop(_SHOWN_KEY, None)
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


def editor_rows(base, delta) -> list[dict]:
    """The rows of an ``st.data_editor`` after the user's edits: ``delta`` is the editor's
    session state (``edited_rows`` {position: {column: value}}, ``added_rows``,
    ``deleted_rows`` positions of ``base`` rows), applied to ``base`` (a DataFrame) as
    Streamlit applies it: cell edits, then added rows, then deletions."""
    columns = list(base.columns)
    rows = [dict(r) for r in base.astype(object).where(base.notna(), None).to_dict("records")]
    for position, changes in ((delta or {}).get("edited_rows") or {}).items():
        rows[int(position)].update(changes)
    rows += [{**dict.fromkeys(columns), **added} for added in (delta or {}).get("added_rows") or []]
    deleted = {int(i) for i in (delta or {}).get("deleted_rows") or []}
    return [r for i, r in enumerate(rows) if i not in deleted]


def plan_table(name: str, base, save: Callable[[dict, list[dict]], None], *, plan: dict,
               **editor) -> list[dict]:
    """An ``st.data_editor`` of ``base`` (built from ``plan``, the current plan as this run
    drew it) that saves ``save(plan, rows)`` in its ``on_change`` callback, with the edited
    rows; returns the rows shown (for messages).

    The table's rows are a stale copy as soon as another tab saves, so the whole table is
    never written back: ``save`` is applied to a copy of the plan as drawn, and only what
    that changed is merged onto the latest stored plan
    (``assessments.plan.merge.three_way``). When another tab changed the same part, nothing
    is saved, the user is told, and the editor starts again from the latest plan.

    Keyed by :func:`widget_key`: after a save the page builds ``base`` from the saved plan
    again, which gives the editor a new identity without stale edits.
    """
    plan_id = current_plan_id()
    fresh_key = f"_table_nonce.{name}@{plan_id}"
    nonce = st.session_state.get(fresh_key, 0)
    key = widget_key(name if not nonce else f"{name}~{nonce}")
    drawn = copy.deepcopy(plan)  # the caller may change its plan after this run

    def changed() -> None:
        rows = editor_rows(base, st.session_state[key])
        ours = copy.deepcopy(drawn)
        save(ours, rows)
        refused = []

        def fn(p: dict) -> None:
            merged, conflicts = three_way(drawn, ours, p)
            if conflicts:
                refused.append(conflicts)
                raise PlanConflict(conflicts)
            p.clear()
            p.update(merged)

        if update_plan(fn, plan_id=plan_id) is None and refused:
            # the editor shows the latest plan under a new key, without the refused edit
            st.session_state[fresh_key] = nonce + 1

    st.data_editor(base, key=key, on_change=changed, **editor, placeholder="")
    return editor_rows(base, st.session_state.get(key))


def warn_unknown(field: str, values) -> None:
    """Name the values of a plan field this app cannot use (``field``: ``use_cases``,
    ``readiness``, ``privacy_answers``, ``privacy_settings``), in the user's language; the
    page shows the rest. Nothing is shown when ``values`` is empty."""
    if values:
        st.warning(t("common.unknown_values", field=t(f"common.field.{field}"),
                     values="、".join(f"「{md_escape(v)}」" for v in values)))


def select_plan(plan_id: str) -> None:
    st.session_state[PLAN_KEY] = plan_id


def plan_copy(plan: dict) -> dict:
    return copy.deepcopy(plan)
