"""The plan document: one municipality's project as a versioned JSON object.

Public face::

    from assessments.plan import new_plan, parse_plan_json, dump_plan_json, validate_plan

Modules: :mod:`.document` (new, parse, dump; size and nesting limits), :mod:`.validate`
(the simulation part: cameras, lights, area, districts; PLAN.json / RESULT.json / GRID.npz
files), :mod:`.frozen` (read-only shared values), :mod:`.importers` (camera / light lists,
buildings and areas from the files users have).
"""
from .document import (MAX_PLAN_BYTES, PLAN_VERSION, PlanFormatError, dump_plan_json, new_plan,
                       parse_plan_json)
from .frozen import FrozenDict, FrozenList, content_hash, freeze, thaw
from .validate import PlanError, PlanIssue, validate_plan

__all__ = ["FrozenDict", "FrozenList", "MAX_PLAN_BYTES", "PLAN_VERSION", "PlanError",
           "PlanFormatError", "PlanIssue", "content_hash", "dump_plan_json", "freeze",
           "new_plan", "parse_plan_json", "thaw", "validate_plan"]
