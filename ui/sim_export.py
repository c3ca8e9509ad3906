"""The simulation's part of the 出力 page: the RESULT figures and the map image of a plan."""
from __future__ import annotations

from ui import map_view
from ui import simulation as S


def results_for_plan(plan: dict, *, use_cases: list[dict] | None = None,
                     layer: str = "dori") -> tuple[dict | None, bytes | None]:
    """RESULT dict and a PNG of the map for a plan; ``(None, None)`` while the plan has no
    area.

    Raises
    ------
    assessments.plan.validate.PlanError
        When the plan cannot be simulated (its issues say why).
    """
    sim = S.simulate_plan(plan, use_cases=use_cases)
    if sim is None:
        return None, None
    png = map_view.render_png(sim, plan, layer=layer)
    return S.planfile_json_safe(sim.result), png
