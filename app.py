"""Mimamori Planner (見守りプランナー): entry point.

``streamlit run app.py`` opens the app with the embedded reference data; plans are saved in
the workspace file (``MIMAMORI_WORKSPACE``, default per user). See README.md.

The pages are registered here; every page draws the page config and the sidebar itself
(``ui.shell.setup_page``), so a deep link served before this script ever ran looks the same.
"""
import streamlit as st

from ui import shell, state

state.ensure_plan()
st.navigation(shell.navigation_pages(), position="hidden").run()
