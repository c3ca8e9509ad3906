"""Propose a placement: candidates → coverage sets → set cover → a plan that meets the target.

:func:`propose` is the one call for the command line and the 「配置を提案」 page: it builds the
candidates (:mod:`.candidates`), their coverage sets with the engine (:mod:`.coverage_sets`),
solves the set cover (:mod:`.solve`) — and the greedy baseline, for comparison — and
returns the plan with the proposed devices added (each ``"proposed": true``), its cost from
:func:`assessments.programme.costs.plan_costs`, the bound and the gap, and the marginal cost
of the last few percent. :func:`evaluate` re-simulates a plan
(:func:`assessments.simulate.simulate`) and reads the requirement from it; ``propose``
checks its answer with it.

Progress is reported as ``progress(fraction, stage)``, ``stage`` one of :data:`STAGES`
(the page translates the stage names).
"""
from __future__ import annotations

import copy
import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..engine.night import night_result_for_model
from ..engine.sim_summary import requirement_map, requirement_summary
from ..programme.costs import plan_costs
from .candidates import build_candidates
from .coverage_sets import coverage_sets, scene_model
from .solve import MAX_MILP_BINARY, MAX_MILP_NNZ, build_problem, greedy, solve

__all__ = ["Proposal", "ProposalInfeasible", "propose", "evaluate", "area_shares", "STAGES"]

#: Stages reported to ``progress`` (in order).
STAGES = ("candidates", "coverage", "solve", "verify")
#: Share of the progress bar each stage ends at.
_STAGE_END = {"candidates": 0.05, "coverage": 0.8, "solve": 0.95, "verify": 1.0}


class ProposalInfeasible(ValueError):
    """The requirement cannot be met with these candidates.

    Attributes
    ----------
    code : str
        ``"unreachable"`` (no candidate serves enough cells), ``"privacy"`` (enough cells
        only with the options the privacy rule excludes), ``"budget"`` or
        ``"max_per_site"`` (enough cells only with more devices on a site than allowed) or
        ``"no_candidates"`` (no site inside the area).
    best_fraction : list of float
        Per target, the best share reachable (for ``budget`` and ``max_per_site``: the
        greedy's within the limit) [-].
    fraction : list of float
        Per target, the share asked for [-].
    privacy_cells : list of int
        Per target, cells only options excluded by the privacy rule would serve.
    """

    def __init__(self, code, *, best_fraction, fraction, privacy_cells, targets):
        self.code = code
        self.best_fraction = [float(v) for v in best_fraction]
        self.fraction = [float(v) for v in fraction]
        self.privacy_cells = [int(v) for v in privacy_cells]
        self.targets = targets
        parts = []
        for t, best, want, priv in zip(targets, self.best_fraction, self.fraction,
                                       self.privacy_cells):
            zone = "the area" if t.zone is None else f"district {t.zone}"
            text = (f"{zone}: at most {best:.1%} can reach {t.level or ''} "
                    f"{t.px_per_m:g} px/m{' day and night' if t.night else ''} "
                    f"(asked {want:.1%})")
            if priv:
                text += f"; {priv} cells only cameras looking into homes would serve"
            parts.append(text)
        why = {"unreachable": "no candidate reaches enough cells",
               "privacy": "the privacy rule (no home in view) excludes the cameras needed",
               "budget": "the budget is too small",
               "max_per_site": "more devices per site would be needed than allowed",
               "no_candidates": "no candidate site lies inside the area (streets, walls, "
                                "poles or the plan's devices)"}[code]
        super().__init__(f"target cannot be met: {why}; " + "; ".join(parts))


@dataclass
class Proposal:
    """A proposal (:func:`propose`).

    Attributes
    ----------
    plan : dict
        The original plan plus the proposed cameras and lights (``"proposed": true``).
    cameras, lights : list of dict
        The proposed devices (as in ``plan``).
    cost_jpy : float
        Initial cost they add: ``plan_costs(plan).initial_jpy`` − the original's [円].
    count : int
        Options chosen (a camera, or a camera with its light).
    bound_jpy, gap : float or None
        Lower bound on the objective (cost + 1 円 a device) and the relative gap
        (:class:`assessments.propose.solve.Solution`).
    method, status : str
        How it was solved (``milp`` / ``greedy`` / ``none``) and ``optimal`` /
        ``time_limit`` / ``heuristic``.
    greedy_cost_jpy, greedy_count : float, int
        The greedy baseline's cost [円] and count.
    fractions : list of float
        Per target, the share met by the model (re-simulated in ``verified``) [-].
    verified : list of float or None
        Per target, the share :func:`evaluate` finds for ``plan`` (None when not checked).
    marginal : list of dict
        ``{"fraction", "cost_jpy"}``: the cost of meeting lower shares (the target − 2 %,
        − 5 %) by the same method (the MILP when it proved its answer optimal, else the
        greedy; None when it found none): what the last few percent cost.
    stats : dict
        Sites per kind, options, admissible options, groups, variables, incidence
        non-zeros, where the bound comes from (``bound_kind``), seconds per stage.
    """

    plan: dict
    cameras: list
    lights: list
    cost_jpy: float
    count: int
    bound_jpy: float | None
    gap: float | None
    method: str
    status: str
    greedy_cost_jpy: float
    greedy_count: int
    fractions: list
    verified: list | None = None
    marginal: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def _reporter(progress):
    def report(stage, frac=1.0):
        if progress is None:
            return
        i = STAGES.index(stage)
        start = 0.0 if i == 0 else _STAGE_END[STAGES[i - 1]]
        progress(start + (_STAGE_END[stage] - start) * float(frac), stage)
    return report


def _unique_id(prefix, taken):
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    taken.add(f"{prefix}{n}")
    return f"{prefix}{n}"


def _proposed_plan(plan, candidates, sets, chosen):
    out = dict(plan)
    cams = [dict(c) for c in plan.get("cameras") or ()]
    lights = [dict(c) for c in plan.get("lights") or ()]
    taken = {str(c.get("id")) for c in cams + lights}
    new_c, new_l = [], []
    for i in sorted(int(k) for k in chosen):
        o = candidates.options[i]
        site = candidates.sites[o.site]
        cam = dict(copy.deepcopy(o.camera), id=_unique_id("P", taken), site=site.id,
                   proposed=True)
        if sets.masks[i]:
            cam["privacy_masks_deg"] = sets.masks[i]
        new_c.append(cam)
        if o.light is not None:
            new_l.append(dict(copy.deepcopy(o.light), id=_unique_id("PL", taken),
                              site=site.id, proposed=True))
    out["cameras"] = cams + new_c
    out["lights"] = lights + new_l
    return out, new_c, new_l


def _simulated(plan: dict, night: bool, *, terrain=None, base_dir=None):
    """The plan's coverage model (:func:`assessments.simulate.simulate`) and, when
    ``night``, its night pixel density [px/m] with its own lights
    (:func:`assessments.engine.night.night_result_for_model`), else None."""
    from ..simulate import simulate
    model = simulate(plan, terrain=terrain, base_dir=base_dir, night_grids=False).model
    if not night:
        return model, None
    return model, night_result_for_model(model, list(plan.get("lights") or ()),
                                         lighting_verdict=False, failing_cells=False
                                         ).night_pixel_density_px_m


def evaluate(plan: dict, requirement, *, terrain=None, base_dir=None) -> list[float]:
    """Per target, the share of its zone that meets it when the plan is simulated.

    The plan is run by :func:`assessments.simulate.simulate`; the night density is that
    of :func:`assessments.engine.night.night_result_for_model` on its model and lights, and
    each zone is read with :func:`assessments.engine.sim_summary.requirement_map` /
    :func:`~assessments.engine.sim_summary.requirement_summary` (``met_fraction``).
    """
    model, night = _simulated(plan, requirement.night, terrain=terrain, base_dir=base_dir)
    tgt = requirement.cell_targets(model.grid, plan, model.inside)
    out = []
    for k, t in enumerate(requirement.targets):
        zone = tgt == k
        rm = requirement_map(model.pixel_density, night, required_px_m=t.px_per_m,
                             night_needed=t.night, mask=zone)
        out.append(requirement_summary(rm, cell_area_m2=model.grid.cell_area_m2)
                   ["met_fraction"])
    return out


def area_shares(plan: dict, px_per_m: float, *, terrain=None, base_dir=None) -> dict:
    """The whole area's shares at ``px_per_m`` [px/m], simulated as :func:`evaluate` does:
    :func:`~assessments.engine.sim_summary.requirement_summary` with the night needed
    (``day_fraction``: by day; ``met_fraction``: by day and at night) — the before/after
    figures of a proposal."""
    model, night = _simulated(plan, True, terrain=terrain, base_dir=base_dir)
    rm = requirement_map(model.pixel_density, night, required_px_m=px_per_m,
                         night_needed=True, mask=model.inside)
    return requirement_summary(rm, cell_area_m2=model.grid.cell_area_m2)


def propose(plan: dict, requirement, *, camera_presets, light_presets=(), poles=(),
            candidate_options: dict | None = None, method: str = "auto",
            time_limit_s: float = 20.0, max_milp_vars: int = MAX_MILP_BINARY,
            max_milp_nnz: int = MAX_MILP_NNZ,
            marginal_steps=(0.02, 0.05), verify: bool = True, seed: int = 0,
            terrain=None, base_dir=None, progress=None) -> Proposal:
    """The fewest, cheapest cameras (and lights) that meet ``requirement`` (module docstring).

    Parameters
    ----------
    plan : dict
        The plan; its cameras and lights are kept and count as already there.
    requirement : Requirement
        Targets, budget and devices per site
        (:func:`assessments.propose.requirement.plan_requirement`).
    camera_presets, light_presets : iterable of dict
        ``camera_presets`` / ``light_presets`` rows to try (lights only when a target needs
        the night).
    poles : iterable of dict
        Imported candidate poles (rows of :func:`assessments.plan.iotools.read_point_table`).
    candidate_options : dict, optional
        More keywords of :func:`~assessments.propose.candidates.build_candidates`
        (``spacing_m``, ``heights_m``, ``azimuths``, ``tilts_deg``, ``unit_prices_jpy``,
        ``max_sites``, ``walls`` …).
    method : {"auto", "milp", "greedy"}
    time_limit_s : float
        HiGHS time limit per solve [s].
    max_milp_vars, max_milp_nnz : int
        Above this many integer variables or incidence non-zeros ``"auto"`` uses the
        greedy (:func:`assessments.propose.solve.solve`).
    marginal_steps : sequence of float
        Lower shares to price (target − step) [-].
    verify : bool
        Re-simulate the proposed plan (:func:`evaluate`) into ``Proposal.verified``.
    seed : int
        Seed of the candidate draw (``max_sites``); the same seed, the same proposal.
    progress : callable, optional
        ``progress(fraction, stage)``: fraction 0–1 of the whole run, ``stage`` in
        :data:`STAGES`.

    Raises
    ------
    ProposalInfeasible
        With the best reachable share and what limits it.
    PlanError
        The plan is not valid.
    """
    report = _reporter(progress)
    times = {}
    t0 = time.perf_counter()
    checked, model = scene_model(plan, terrain=terrain, base_dir=base_dir)
    cand = build_candidates(plan, camera_presets=camera_presets, light_presets=light_presets,
                            night=requirement.night, poles=poles, seed=seed, grid=model.grid,
                            **(candidate_options or {}))
    times["candidates_s"] = time.perf_counter() - t0
    if not cand.options:
        raise ProposalInfeasible("no_candidates", best_fraction=[0.0] * len(requirement.targets),
                                 fraction=[t.fraction for t in requirement.targets],
                                 privacy_cells=[0] * len(requirement.targets),
                                 targets=requirement.targets)
    report("candidates")
    t0 = time.perf_counter()
    sets = coverage_sets(plan, cand, requirement, model=model, checked=checked,
                         progress=lambda f, _s: report("coverage", f))
    times["coverage_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    prob = build_problem(sets, cand.option_costs(), cand.option_sites(), cand.site_cost_jpy,
                         requirement)
    targets = requirement.targets
    fraction = [t.fraction for t in targets]
    if not prob.feasible_reach:
        reach_priv = prob.reach + prob.unreachable_privacy
        code = "privacy" if np.all(reach_priv >= prob.required) else "unreachable"
        raise ProposalInfeasible(code, best_fraction=prob.reach / np.maximum(prob.zone_cells, 1),
                                 fraction=fraction, privacy_cells=prob.unreachable_privacy,
                                 targets=targets)
    base = greedy(prob)
    sol = solve(prob, method=method, time_limit_s=time_limit_s, max_milp_vars=max_milp_vars,
                max_milp_nnz=max_milp_nnz)
    if sol.status == "time_limit" and not len(sol.chosen) and base.status != "infeasible":
        sol = base                                  # HiGHS found nothing in time
    if sol.status == "infeasible" or (sol.method == "milp" and sol.status == "time_limit"
                                      and not np.all(sol.met_cells >= prob.required)):
        if base.status == "infeasible":
            # the budget, or else the devices allowed per site (the reach counts every
            # option of a site together)
            code = "budget"
            if prob.budget_jpy is None or greedy(
                    dataclasses.replace(prob, budget_jpy=None)).status == "infeasible":
                code = "max_per_site"
            raise ProposalInfeasible(
                code, best_fraction=base.met_cells / np.maximum(prob.zone_cells, 1),
                fraction=fraction, privacy_cells=prob.unreachable_privacy, targets=targets)
        sol = base
    if sol.method == "milp" and base.status != "infeasible" and \
            base.objective_jpy < sol.objective_jpy:
        # a time-limited MILP may stop above the greedy: keep the better answer
        bound, kind = sol.bound_jpy, sol.bound_kind
        sol = base
        sol.bound_jpy, sol.bound_kind = bound, kind
        sol.gap = None if bound is None else max(0.0, (sol.objective_jpy - bound) /
                                                 max(sol.objective_jpy, 1e-9))
    report("solve", 0.5)
    marginal = []
    for step in marginal_steps:
        lower = [max(0.0, f - step) for f in fraction]
        need = np.maximum(np.ceil(np.array(lower) * prob.zone_cells - 1e-9).astype(np.int64)
                          - prob.met_before, 0)
        if sol.method == "milp" and sol.status == "optimal":
            m = solve(prob, method="milp", time_limit_s=time_limit_s, demand=need)
            cost = m.cost_jpy if m.status == "optimal" else None
        else:
            m = greedy(prob, demand=need)
            cost = None if m.status == "infeasible" else m.cost_jpy
        marginal.append({"fraction": lower, "cost_jpy": cost})
    times["solve_s"] = time.perf_counter() - t0
    report("solve")
    out, new_c, new_l = _proposed_plan(plan, cand, sets, sol.chosen)
    cost = plan_costs(out).initial_jpy - plan_costs(plan).initial_jpy
    verified = None
    if verify:
        t0 = time.perf_counter()
        verified = evaluate(out, requirement, terrain=terrain, base_dir=base_dir)
        times["verify_s"] = time.perf_counter() - t0
    report("verify")
    stats = {"sites": dict(cand.counts), "options": len(cand.options),
             "bound_kind": sol.bound_kind, "nnz": prob.nnz,
             "admissible": int(sets.admissible.sum()), "useful_options": len(prob.options),
             "groups": len(prob.weight), "variables": prob.n_vars,
             "cells": int(sets.cells.size), **times}
    return Proposal(plan=out, cameras=new_c, lights=new_l, cost_jpy=float(cost),
                    count=sol.count, bound_jpy=sol.bound_jpy, gap=sol.gap, method=sol.method,
                    status=sol.status, greedy_cost_jpy=base.cost_jpy
                    if base.status != "infeasible" else math.nan,
                    greedy_count=base.count,
                    fractions=list(sol.met_cells / np.maximum(prob.zone_cells, 1)),
                    verified=verified, marginal=marginal, stats=stats)
