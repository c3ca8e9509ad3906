"""Running one page under AppTest, the same way in every page test."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def run_page(page: str, *, lang: str = "ja", plan_id: str | None = None,
             timeout: float = 60, check: bool = True) -> AppTest:
    """Run ``pages/<page>.py`` (or a path) once in ``lang``, on plan ``plan_id`` if given.

    With ``check`` the run must not raise (``at.exception`` empty).
    """
    path = Path(page) if page.endswith(".py") else ROOT / "pages" / f"{page}.py"
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    at.session_state["lang"] = lang
    if plan_id:
        at.session_state["plan_id"] = plan_id
    at.run()
    if check:
        assert not at.exception, at.exception
    return at


def wkey(at: AppTest, name: str) -> str:
    """The session key of a plan widget ``name`` on the AppTest's current plan and language
    (``ui.state.widget_key``)."""
    return f"{name}@{at.session_state['plan_id']}.{at.session_state['lang']}"


def metric(at: AppTest, label: str):
    """The value of the metric labelled ``label``."""
    return next(m.value for m in at.metric if m.label == label)


def run_page_on_plan(page: str, workspace_path, plan: dict, *, lang: str = "ja",
                     timeout: float = 60):
    """Store ``plan`` in the test's workspace and run ``page`` on it: ``(AppTest, stored)``."""
    from datasets.workspace import Workspace
    ws = Workspace(workspace_path)
    stored = ws.add_plan(plan)
    ws.close()
    return run_page(page, lang=lang, plan_id=stored["id"], timeout=timeout), stored
