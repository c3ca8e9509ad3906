"""The programme side of a plan: grants and costs, readiness, privacy rules, progress.

Pure functions over plain dicts (plan parts and reference-data rows); no numeric core.
Modules: :mod:`.grants` (which schemes fit, shares), :mod:`.readiness` (maturity scores and
next actions), :mod:`.privacy` (checklist items the use cases trigger, gaps),
:mod:`.progress` (how far a plan has got).
"""
