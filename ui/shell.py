"""The page shell: page config and the sidebar (navigation, language switch, plan selector).

Every page calls :func:`setup_page` first; ``app.py`` registers :data:`PAGES` with
``st.navigation(..., position="hidden")`` and the sidebar draws the navigation itself.

Why the app draws its own navigation: Streamlit (1.67) treats a ``pages/`` folder next to
the entry script as a legacy multipage app until ``st.navigation`` has run once in the
server process. The first page served after a start therefore gets Streamlit's own
navigation of raw file names (``home``, ``grants`` …) until ``app.py`` replaces it, and a
first request for a deep link (``/readiness``) runs the page file without ``app.py`` at all.
``client.showSidebarNavigation = false`` (``.streamlit/config.toml``) hides that file-name
list; it also hides ``st.navigation``'s sidebar, so the grouped, translated links are drawn
here with ``st.page_link``, by every page, in both modes: the sidebar is the same whichever
way the page was reached.

Dependency direction: ``ui.shell`` → ``ui.plan_selector`` → ``ui.state`` (never back).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ui import state, theme
from ui.i18n import t
from ui.plan_selector import language_switch, plan_selector

ROOT = Path(__file__).resolve().parents[1]

#: ``(group key, page file, title key, icon)``. A page is listed only when it does something
#: real; each page module is thin and calls :func:`setup_page` first.
PAGES = [
    ("nav.group.start", "pages/home.py", "nav.home", ":material/home:"),
    ("nav.group.compare", "pages/compare_cases.py", "nav.compare_cases", ":material/compare:"),
    ("nav.group.compare", "pages/grants.py", "nav.grants", ":material/payments:"),
    ("nav.group.compare", "pages/use_cases.py", "nav.use_cases", ":material/videocam:"),
    ("nav.group.assess", "pages/readiness.py", "nav.readiness", ":material/checklist:"),
    ("nav.group.assess", "pages/privacy.py", "nav.privacy", ":material/privacy_tip:"),
    ("nav.group.simulate", "pages/simulate.py", "nav.simulate", ":material/map:"),
    ("nav.group.export", "pages/project_plan.py", "nav.project_plan", ":material/edit_note:"),
    ("nav.group.export", "pages/export.py", "nav.export", ":material/download:"),
    ("nav.group.export", "pages/present.py", "nav.present", ":material/co_present:"),
]
HOME = "pages/home.py"


def _present() -> list[tuple[str, str, str, str]]:
    return [entry for entry in PAGES if (ROOT / entry[1]).is_file()]


def navigation_pages() -> dict[str, list]:
    """The app's pages for ``st.navigation``, grouped under translated headers; each page's
    URL is its file name (``/readiness``), so bookmarks survive."""
    sections: dict[str, list] = {}
    for group, path, title, icon in _present():
        sections.setdefault(t(group), []).append(
            st.Page(path, title=t(title), icon=icon, default=(path == HOME),
                    url_path=Path(path).stem))
    return sections


def navigation_links() -> None:
    """The grouped, translated page links at the top of the sidebar."""
    sidebar = st.sidebar.container()
    shown = None
    for group, path, title, icon in _present():
        if group != shown:
            sidebar.caption(t(group))
            shown = group
        try:
            sidebar.page_link(path, label=t(title), icon=icon)
        except StreamlitPageNotFoundError:
            # a page run on its own (AppTest from_file): no other page is registered
            return
    st.sidebar.divider()


def setup_page(*, sidebar: bool = True, collapsed: bool = False) -> None:
    """Start a page: page config, session defaults, a current plan, and the sidebar
    (navigation, language switch and plan selector).

    Every page calls this once, first. The sidebar is drawn by the page (not by ``app.py``)
    so that it is part of every page run, also when a page is opened on its own or reached
    by a deep link on a fresh server. ``collapsed``: the sidebar starts closed (発表モード).
    """
    st.set_page_config(page_title=t("common.app_title"), page_icon=":material/visibility:",
                       layout="wide", initial_sidebar_state="collapsed" if collapsed else "auto")
    state.ensure_plan()
    state.start_run()
    theme.inject_css()
    if sidebar:
        navigation_links()
        language_switch()
        plan_selector()
