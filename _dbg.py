from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=60).run()
print(len(at.sidebar.children))
at.run()
print(len(at.sidebar.children))
at.session_state["lang"]="en"
at.run()
print(len(at.sidebar.children))
