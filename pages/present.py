"""発表モード: the current plan as a sequence of full-screen steps for a presenter
(council committee, 町内会); the sidebar starts collapsed, ← / → or a clicker move on."""
from ui import present, shell, state

shell.setup_page(collapsed=True)
plan = state.current_plan()
present.inject_style()
step = present.draw_nav()
present.draw_step(plan, step)
