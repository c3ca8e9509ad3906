"""Mimamori Planner (見守りプランナー): entry point.

``streamlit run app.py`` opens the app with the embedded reference data; plans are saved in
the workspace file (``MIMAMORI_WORKSPACE``, default per user). See README.md.
"""
from pathlib import Path

import streamlit as st

from ui.i18n import t
from ui import state

HERE = Path(__file__).resolve().parent

# (group key, page file, title key, icon). A page is listed only when it does something
# real; each page module is thin and calls ui.state.setup_page() first.
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
]

st.set_page_config(page_title=t("common.app_title"), page_icon=":material/visibility:",
                   layout="wide")
state.ensure_plan()  # the sidebar is drawn by each page (ui.state.setup_page)

sections: dict[str, list] = {}
for group, path, title, icon in PAGES:
    if (HERE / path).is_file():
        sections.setdefault(t(group), []).append(
            st.Page(path, title=t(title), icon=icon, default=(path == "pages/home.py"),
                    url_path=Path(path).stem))
st.navigation(sections).run()
