"""Shared Streamlit glue: language, strings, current plan, database handles."""
