"""Writers of the documents a plan is handed on as (Excel plan for grant applications).

Pure: every writer takes plain data and returns bytes; nothing here imports streamlit.
"""
