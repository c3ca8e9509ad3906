"""The plan document: one municipality's project as a versioned JSON object.

Public face::

    from assessments.plan import new_plan, parse_plan_json, dump_plan_json, validate_plan
    from assessments.plan import building_id, is_home
    from assessments.plan import iotools      # files in and out

Modules: :mod:`.document` (new, parse, dump; size and nesting limits), :mod:`.validate`
(the simulation part: cameras, lights, area, districts; PLAN.json / RESULT.json / GRID.npz
files), :mod:`.frozen` (read-only shared values), :mod:`.buildings` (the one building-id
rule and the one is-home rule), :mod:`.iotools` (camera / light lists, buildings, areas and
districts from the files users have, one module per format; CSV / GeoJSON export).
"""
from .buildings import building_id, is_home
from .document import (MAX_PLAN_BYTES, PLAN_VERSION, PlanFormatError, dump_plan_json, new_plan,
                       parse_plan_json)
from .frozen import FrozenDict, FrozenList, content_hash, freeze, thaw

#: Names of :mod:`.validate`, imported on first use (PEP 562 module ``__getattr__``): the
#: validator uses the engine and the engine uses :mod:`.buildings`, so an eager import here
#: would break ``import assessments.engine`` (engine → plan.buildings → this file →
#: validate → the half-initialised engine).
_FROM_VALIDATE = ("PlanError", "PlanIssue", "validate_plan")

__all__ = ["FrozenDict", "FrozenList", "MAX_PLAN_BYTES", "PLAN_VERSION", "PlanError",
           "PlanFormatError", "PlanIssue", "building_id", "content_hash", "dump_plan_json",
           "freeze", "is_home", "new_plan", "parse_plan_json", "thaw", "validate_plan"]


def __getattr__(name):
    if name in _FROM_VALIDATE:
        from . import validate
        return getattr(validate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
