"""Propose a placement: the fewest, cheapest cameras and lights that meet the requirement.

Public face (import from here; the modules are the implementation)::

    from assessments.propose import plan_requirement, propose

    req = plan_requirement(plan, use_cases=rows, target="observe:0.8", budget_jpy=38e6)
    proposal = propose(plan, req, camera_presets=cams, light_presets=lights,
                       progress=lambda fraction, stage: ...)
    proposal.plan        # the plan plus the proposed devices ("proposed": true)

Modules, one concept each: :mod:`.requirement` (targets per zone, day and night, budget),
:mod:`.candidates` (sites and device options with their costs), :mod:`.coverage_sets`
(the options × cells incidence from the engine, privacy masks), :mod:`.solve` (the set
cover: MILP with HiGHS, lazy greedy, LP bound), :mod:`.proposal` (the whole run, the
proposed plan and its re-simulation).
"""
from .candidates import Candidates, Option, Site, build_candidates
from .coverage_sets import CoverageSets, coverage_sets
from .proposal import STAGES, Proposal, ProposalInfeasible, area_shares, evaluate, propose
from .requirement import Requirement, Target, parse_target, plan_requirement
from .solve import Problem, Solution, build_problem, greedy, solve

__all__ = ["Candidates", "CoverageSets", "Option", "Problem", "Proposal", "ProposalInfeasible",
           "Requirement", "STAGES", "Site", "Solution", "Target", "area_shares", "build_candidates",
           "build_problem", "coverage_sets", "evaluate", "greedy", "parse_target",
           "plan_requirement", "propose", "solve"]
