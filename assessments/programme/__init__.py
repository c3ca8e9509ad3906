"""The programme side of a plan: grants and costs, readiness, privacy rules, progress.

Pure functions over plain dicts (plan parts and reference-data rows); of the numeric core
only the recording-storage formula (``engine.storage``, for the recorder estimate).
Modules: :mod:`.costs` (the plan's cost lines and totals, derived), :mod:`.grants` (which
schemes fit; the one grant arithmetic: eligible cost, caps, payer shares, rounding),
:mod:`.readiness` (maturity scores and next actions), :mod:`.privacy` (checklist items the use cases trigger, gaps),
:mod:`.progress` (how far a plan has got).
"""
