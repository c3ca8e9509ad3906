"""The set-cover problem of a proposal: the cheapest options that meet every zone's share.

Model (a partial set cover with site costs), over the options ``o`` that privacy allows,
the sites ``s`` and the *cell groups* ``g`` (cells of one zone that the same options serve,
day and night, merged with their count ``w_g``; cells the plan already meets are left out):

    minimise   Σ_o c_o x_o + Σ_s C z_s + ε Σ_o x_o
    subject to u_g ≤ Σ_{o serves g by day} x_o                (where the day is still needed)
               u_g ≤ Σ_{o serves g at night} x_o              (where the night is needed)
               Σ_{g in zone k} w_g u_g ≥ ⌈f_k n_k⌉ − m_k      (each target: share f_k of the
                                                               zone's n_k cells, m_k met already)
               Σ_{o at s} x_o ≤ M z_s                          (at most M devices per site)
               Σ_o c_o x_o + Σ_s C z_s ≤ B                     (optional budget)
               x, z, u ∈ {0, 1}

``c_o`` is an option's device cost and ``C`` the cost of a site
(:func:`assessments.programme.costs.plan_costs`); ``ε`` (1 円 a device) makes the fewest
devices win among equally cheap answers, so with no prices at all the count is minimised.
It is solved exactly by HiGHS (:func:`scipy.optimize.milp`) within a time limit; its best
bound and the LP relaxation bound the optimum from below (the reported ``bound``, and the
``gap`` = (cost − bound) / cost). Above ``max_milp_vars`` variables the lazy greedy
(:func:`greedy`) answers alone, with the LP bound when the LP is small enough.

The greedy adds the option with the most new coverage per yen (new day and night
components of still-needed cells, capped by each zone's remaining need; a site's cost counts
on its first option), re-evaluating the top of a heap only (lazy evaluation: a gain can only
shrink as others are chosen), then drops chosen options, dearest first, that are no longer
needed.

References
----------
.. [1] Huangfu, Q. and Hall, J. A. J. (2018), "Parallelizing the dual revised simplex
   method", Math. Prog. Comp. 10, 119–142 (HiGHS).
.. [2] Minoux, M. (1978), "Accelerated greedy algorithms for maximizing submodular set
   functions", Optimization Techniques, LNCS 7, 234–243 (lazy greedy).
"""
from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Problem", "Solution", "build_problem", "solve", "greedy", "lp_bound",
           "count_bound", "TIE_BREAK_JPY", "MAX_MILP_BINARY", "MAX_MILP_NNZ", "LP_BOUND_NNZ"]

#: Added to every device's cost in the objective [円]: among equally cheap answers the one
#: with fewer devices wins (the whole objective when no price is known).
TIE_BREAK_JPY = 1.0
#: ``"auto"`` solves the MILP up to this many integer variables (options + sites) and this
#: many incidence non-zeros; above, the greedy answers. On the sample district (1 m grid,
#: partial cover at 50 %), HiGHS found no answer within 60 s for 512 options / 112 k
#: non-zeros, while the 100 m corridor (98 options, 1 k non-zeros) is solved in 0.02 s;
#: the greedy takes under a second for both.
MAX_MILP_BINARY = 1_500
MAX_MILP_NNZ = 60_000
#: The LP relaxation is solved for the bound up to this many non-zeros (about 25 s at
#: 630 k); above, :func:`count_bound`.
LP_BOUND_NNZ = 400_000


@dataclass
class Problem:
    """The reduced set-cover instance (module docstring).

    ``options`` are indices into the candidates' options; ``D``, ``N`` (options × groups,
    CSR bool) the day and night incidence on the groups where that part is still needed
    (``need_day``, ``need_night`` per group); ``weight`` the cells per group; ``zone`` the
    target of each group; ``demand`` the cells each target still needs; ``reach`` the
    cells each target can reach at best (met already + coverable).
    """

    options: np.ndarray
    cost: np.ndarray
    site: np.ndarray
    site_cost: float
    D: sparse.csr_matrix
    N: sparse.csr_matrix
    need_day: np.ndarray
    need_night: np.ndarray
    weight: np.ndarray
    zone: np.ndarray
    demand: np.ndarray
    required: np.ndarray
    met_before: np.ndarray
    zone_cells: np.ndarray
    reach: np.ndarray
    unreachable_privacy: np.ndarray
    max_per_site: int = 1
    budget_jpy: float | None = None

    @property
    def n_vars(self) -> int:
        """Variables of the MILP: options, sites and groups."""
        return len(self.options) + len(np.unique(self.site)) + len(self.weight)

    @property
    def n_binary(self) -> int:
        """Integer variables of the MILP: options and sites."""
        return len(self.options) + len(np.unique(self.site))

    @property
    def nnz(self) -> int:
        """Non-zeros of the incidence (day + night)."""
        return int(self.D.nnz + self.N.nnz)

    def milp_size_ok(self, max_binary: int, max_nnz: int) -> bool:
        """Whether the MILP is small enough to try (``"auto"``)."""
        return self.n_binary <= max_binary and self.nnz <= max_nnz

    @property
    def feasible_reach(self) -> bool:
        return bool(np.all(self.reach >= self.required))


@dataclass
class Solution:
    """A chosen set of options.

    Attributes
    ----------
    chosen : ndarray of int
        Indices into the candidates' options.
    cost_jpy : float
        Σ device costs + site costs [円] (without the tie-break).
    bound_jpy : float or None
        Lower bound on the objective of any answer meeting the requirement (cost + 1 円 a
        device, :data:`TIE_BREAK_JPY`) [円].
    gap : float or None
        (objective − bound) / objective (0 when proven optimal; None without a bound).
    method : str
        ``"milp"`` (HiGHS, optimal or best within its time limit), ``"greedy"`` or
        ``"none"`` (nothing to add).
    status : str
        ``"optimal"``, ``"time_limit"``, ``"heuristic"`` or ``"infeasible"``.
    met_cells : ndarray
        Cells of each target met with the chosen options (plan's included).
    seconds : float
    curve : list of (float, int)
        The greedy's (cost [円], cells met) after each pick (empty for the MILP).
    bound_kind : str or None
        Where the bound comes from: ``"milp"`` (HiGHS's best bound), ``"lp"`` (the LP
        relaxation) or ``"count"`` (:func:`count_bound`).
    """

    chosen: np.ndarray
    cost_jpy: float
    bound_jpy: float | None
    gap: float | None
    method: str
    status: str
    met_cells: np.ndarray
    seconds: float = 0.0
    curve: list = field(default_factory=list)
    bound_kind: str | None = None

    @property
    def count(self) -> int:
        """Devices (options) chosen."""
        return int(len(self.chosen))

    @property
    def objective_jpy(self) -> float:
        """The minimised objective: cost + :data:`TIE_BREAK_JPY` a device [円]."""
        return float(self.cost_jpy + TIE_BREAK_JPY * self.count)


def build_problem(sets, costs, sites, site_cost_jpy, requirement) -> Problem:
    """The reduced instance of :class:`~assessments.propose.coverage_sets.CoverageSets`.

    Parameters
    ----------
    sets : CoverageSets
    costs : ndarray
        Device cost of each candidate option [円].
    sites : ndarray of int
        Site of each candidate option.
    site_cost_jpy : float
        Cost of one site [円].
    requirement : Requirement
    """
    targets = requirement.targets
    n_t = len(targets)
    fr = np.array([t.fraction for t in targets])
    required = np.ceil(fr * sets.zone_cells - 1e-9).astype(np.int64)
    met0 = sets.base_met
    met_before = np.bincount(sets.target[met0], minlength=n_t).astype(np.int64)
    open_cells = ~met0
    need_day = open_cells & ~sets.base_day
    need_night = open_cells & sets.need_night & ~sets.base_night
    adm = np.flatnonzero(sets.admissible)
    D = sets.day[adm][:, open_cells].tocsc()
    N = sets.night[adm][:, open_cells].tocsc()
    nd, nn = need_day[open_cells], need_night[open_cells]
    zone = sets.target[open_cells]
    n_open = int(open_cells.sum())
    # a cell is coverable when every needed part has some option
    day_any = np.diff(D.indptr) > 0
    night_any = np.diff(N.indptr) > 0
    coverable = (~nd | day_any) & (~nn | night_any)
    reach = met_before + np.bincount(zone[coverable], minlength=n_t)
    priv = sets.privacy_cells[open_cells] & ~coverable
    unreachable_privacy = np.bincount(zone[priv], minlength=n_t)
    # merge identical cells: same zone, same day options (if needed), same night options
    keys = {}
    group = np.full(n_open, -1, np.int64)
    for c in np.flatnonzero(coverable):
        d = D.indices[D.indptr[c]:D.indptr[c + 1]].tobytes() if nd[c] else b"-"
        n = N.indices[N.indptr[c]:N.indptr[c + 1]].tobytes() if nn[c] else b"-"
        group[c] = keys.setdefault((int(zone[c]), d, n), len(keys))
    n_g = len(keys)
    first = np.full(n_g, -1, np.int64)
    idx = np.flatnonzero(group >= 0)
    first[group[idx][::-1]] = idx[::-1]
    weight = np.bincount(group[idx], minlength=n_g).astype(np.int64)
    Dg = D[:, first].tocsr() if n_g else sparse.csr_matrix((len(adm), 0), dtype=bool)
    Ng = N[:, first].tocsr() if n_g else sparse.csr_matrix((len(adm), 0), dtype=bool)
    need_d, need_n = nd[first], nn[first]
    # options that serve no needed part of any group are useless
    Dg = Dg.multiply(need_d[None, :]).tocsr() if n_g else Dg
    Ng = Ng.multiply(need_n[None, :]).tocsr() if n_g else Ng
    useful = (np.diff(Dg.indptr) > 0) | (np.diff(Ng.indptr) > 0)
    useful &= ~_dominated(Dg, Ng, np.asarray(costs, float)[adm], np.asarray(sites)[adm])
    keep = np.flatnonzero(useful)
    demand = np.maximum(required - met_before, 0)
    return Problem(options=adm[keep], cost=np.asarray(costs, float)[adm[keep]],
                   site=np.asarray(sites)[adm[keep]], site_cost=float(site_cost_jpy),
                   D=Dg[keep].astype(bool), N=Ng[keep].astype(bool), need_day=need_d,
                   need_night=need_n, weight=weight, zone=zone[first] if n_g else
                   np.zeros(0, np.int64), demand=demand, required=required,
                   met_before=met_before, zone_cells=sets.zone_cells, reach=reach,
                   unreachable_privacy=unreachable_privacy,
                   max_per_site=int(requirement.max_per_site),
                   budget_jpy=requirement.budget_jpy)


def _dominated(D, N, cost, site) -> np.ndarray:
    """Options another option of the same site makes useless: it serves a superset of
    their groups, day and night, at no higher cost (ties: the first is kept). Swapping one
    for the other keeps every answer feasible and no dearer, so the optimum is unchanged."""
    out = np.zeros(D.shape[0], bool)
    order = np.argsort(site, kind="stable")
    bounds = np.flatnonzero(np.diff(site[order])) + 1
    Df, Nf = D.astype(np.int32).tocsr(), N.astype(np.int32).tocsr()
    nd, nn = np.diff(Df.indptr), np.diff(Nf.indptr)
    for idx in np.split(order, bounds):
        if idx.size < 2:
            continue
        Di, Ni = Df[idx], Nf[idx]
        inter = (Di @ Di.T).toarray() + (Ni @ Ni.T).toarray()
        size = nd[idx] + nn[idx]
        # sub[i, j]: i's groups ⊆ j's groups
        sub = inter == size[:, None]
        c = cost[idx]
        for a in range(idx.size):
            for b in range(idx.size):
                if a == b or out[idx[b]] or not sub[a, b]:
                    continue
                same = sub[b, a] and c[a] == c[b]
                if c[b] <= c[a] and (not same or b < a):
                    out[idx[a]] = True
                    break
    return out


def _met(p: Problem, chosen_local) -> np.ndarray:
    """Cells met per target with the chosen options (local indices) and the plan's."""
    x = np.zeros(len(p.options), bool)
    x[np.asarray(chosen_local, int)] = True
    day = np.asarray(p.D[x].sum(axis=0)).ravel() > 0 if x.any() else np.zeros(len(p.weight),
                                                                              bool)
    night = np.asarray(p.N[x].sum(axis=0)).ravel() > 0 if x.any() else np.zeros(len(p.weight),
                                                                                bool)
    ok = (day | ~p.need_day) & (night | ~p.need_night)
    return p.met_before + np.bincount(p.zone[ok], weights=p.weight[ok],
                                      minlength=len(p.demand)).astype(np.int64)


def _cost(p: Problem, chosen_local) -> float:
    chosen_local = np.asarray(chosen_local, int)
    return float(p.cost[chosen_local].sum() + p.site_cost * len(np.unique(p.site[chosen_local])))


def _matrices(p: Problem, demand):
    """Variables [x | z | u] and the constraint rows of the MILP (module docstring)."""
    n_x, n_g = len(p.options), len(p.weight)
    site_ids, site_of = np.unique(p.site, return_inverse=True)
    n_z = len(site_ids)
    blocks, lo, hi = [], [], []
    # u_g − Σ D x ≤ 0 (day), u_g − Σ N x ≤ 0 (night)
    for M, need in ((p.D, p.need_day), (p.N, p.need_night)):
        rows = np.flatnonzero(need)
        if rows.size:
            A = sparse.hstack([-M.T.tocsr().astype(float)[rows], sparse.csr_matrix((rows.size, n_z)),
                               sparse.csr_matrix((np.ones(rows.size), (np.arange(rows.size),
                                                                       rows)),
                                                 shape=(rows.size, n_g))])
            blocks.append(A)
            lo.append(np.full(rows.size, -np.inf))
            hi.append(np.zeros(rows.size))
    # Σ_k w u ≥ demand_k
    zk = np.flatnonzero(demand > 0)
    if zk.size:
        W = sparse.csr_matrix((p.weight.astype(float), (p.zone, np.arange(n_g))),
                              shape=(len(demand), n_g))[zk]
        blocks.append(sparse.hstack([sparse.csr_matrix((zk.size, n_x + n_z)), W]))
        lo.append(demand[zk].astype(float))
        hi.append(np.full(zk.size, np.inf))
    # Σ_{o at s} x − M z ≤ 0
    S = sparse.csr_matrix((np.ones(n_x), (site_of, np.arange(n_x))), shape=(n_z, n_x))
    blocks.append(sparse.hstack([S, -p.max_per_site * sparse.identity(n_z),
                                 sparse.csr_matrix((n_z, n_g))]))
    lo.append(np.full(n_z, -np.inf))
    hi.append(np.zeros(n_z))
    if p.budget_jpy is not None:
        blocks.append(sparse.csr_matrix(np.concatenate([p.cost, np.full(n_z, p.site_cost),
                                                        np.zeros(n_g)])[None, :]))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(p.budget_jpy)]))
    A = sparse.vstack(blocks).tocsr()
    c = np.concatenate([p.cost + TIE_BREAK_JPY, np.full(n_z, p.site_cost), np.zeros(n_g)])
    return c, A, np.concatenate(lo), np.concatenate(hi), n_x


def lp_bound(p: Problem, *, demand=None, time_limit_s: float = 60.0) -> float | None:
    """The LP relaxation's optimum of the objective [円] (a lower bound on
    :attr:`Solution.objective_jpy`), or None when it fails or is infeasible."""
    demand = p.demand if demand is None else demand
    if not np.any(demand > 0):
        return 0.0
    c, A, lo, hi, n_x = _matrices(p, demand)
    res = milp(c, constraints=LinearConstraint(A, lo, hi), bounds=Bounds(0, 1),
               integrality=np.zeros(c.size), options={"time_limit": time_limit_s})
    if res.x is None or res.status != 0:
        return None
    return max(0.0, float(res.fun))


def count_bound(p: Problem, *, demand=None) -> float:
    """A cheap lower bound on the objective [円]: all the missing cells at the best
    cells-per-yen of any option (the LP of the knapsack Σ_o n_o x_o ≥ Σ_k demand_k, where
    ``n_o`` counts the groups' cells ``o`` serves by day plus those at night, and a site's
    cost is shared by at most ``max_per_site`` options)."""
    demand = p.demand if demand is None else np.asarray(demand)
    need = float(np.sum(demand[demand > 0]))
    if need <= 0:
        return 0.0
    w = p.weight.astype(float)
    cells = np.asarray(p.D.astype(float) @ w).ravel() + np.asarray(p.N.astype(float) @ w).ravel()
    per = p.cost + p.site_cost / max(1, p.max_per_site) + TIE_BREAK_JPY
    ok = cells > 0
    return need * float(np.min(per[ok] / cells[ok])) if ok.any() else 0.0


def solve(p: Problem, *, method: str = "auto", time_limit_s: float = 20.0,
          max_milp_vars: int = MAX_MILP_BINARY, max_milp_nnz: int = MAX_MILP_NNZ,
          demand=None) -> Solution:
    """Solve a :class:`Problem` (module docstring).

    Parameters
    ----------
    method : {"auto", "milp", "greedy"}
        ``"auto"``: the MILP up to ``max_milp_vars`` integer variables and
        ``max_milp_nnz`` incidence non-zeros, else the greedy.
    time_limit_s : float
        HiGHS time limit [s]; the best answer found and its bound are returned at the limit.
    demand : ndarray, optional
        Cells per target to add (default ``p.demand``; the marginal-cost runs lower it).
    """
    if method not in ("auto", "milp", "greedy"):
        raise ValueError(f"method must be 'auto', 'milp' or 'greedy', got {method!r}")
    demand = p.demand if demand is None else np.asarray(demand)
    t0 = time.perf_counter()
    if not np.any(demand > 0):
        return Solution(np.zeros(0, int), 0.0, 0.0, 0.0, "none", "optimal",
                        _met(p, []), time.perf_counter() - t0)
    if method == "greedy" or (method == "auto"
                              and not p.milp_size_ok(max_milp_vars, max_milp_nnz)):
        sol = greedy(p, demand=demand)
        if sol.status != "infeasible" and p.nnz <= LP_BOUND_NNZ:
            b = lp_bound(p, demand=demand, time_limit_s=time_limit_s)
            sol.bound_kind = "lp"
        else:
            b = None
        if sol.status != "infeasible":
            if b is None:
                b, sol.bound_kind = count_bound(p, demand=demand), "count"
            if b is not None:
                sol.bound_jpy = min(b, sol.objective_jpy)
                sol.gap = _gap(sol.objective_jpy, sol.bound_jpy)
        sol.seconds = time.perf_counter() - t0
        return sol
    c, A, lo, hi, n_x = _matrices(p, demand)
    # u binary too: with u continuous (the same optimum) HiGHS's presolve took 15 s instead
    # of 0.02 s on the 100 m corridor
    res = milp(c, constraints=LinearConstraint(A, lo, hi), bounds=Bounds(0, 1),
               integrality=np.ones(c.size),
               options={"time_limit": time_limit_s, "mip_rel_gap": 1e-6})
    if res.x is None:
        status = "infeasible" if res.status == 2 else "time_limit"
        return Solution(np.zeros(0, int), math.nan, None, None, "milp", status,
                        _met(p, []), time.perf_counter() - t0)
    local = np.flatnonzero(res.x[:n_x] > 0.5)
    cost = _cost(p, local)
    objective = cost + TIE_BREAK_JPY * len(local)
    bound = getattr(res, "mip_dual_bound", None)
    bound = None if bound is None or not np.isfinite(bound) else max(0.0, float(bound))
    kind = "milp"
    if bound is None:
        bound, kind = lp_bound(p, demand=demand, time_limit_s=time_limit_s), "lp"
    if bound is not None:
        bound = min(bound, objective)
    status = "optimal" if res.status == 0 else "time_limit"
    return Solution(p.options[local], cost, bound, _gap(objective, bound), "milp", status,
                    _met(p, local), time.perf_counter() - t0,
                    bound_kind=None if bound is None else kind)


def _gap(cost, bound):
    if bound is None or not np.isfinite(cost):
        return None
    return 0.0 if cost <= 0 else max(0.0, (cost - bound) / cost)


def greedy(p: Problem, *, demand=None) -> Solution:
    """Lazy greedy (module docstring); honours the per-site limit and the budget."""
    t0 = time.perf_counter()
    demand = p.demand if demand is None else np.asarray(demand)
    n_x, n_g = len(p.options), len(p.weight)
    Dc, Nc = p.D.tocsr(), p.N.tocsr()
    day_cnt = np.zeros(n_g, np.int64)
    night_cnt = np.zeros(n_g, np.int64)
    residual = demand.astype(float).copy()
    # each cell has two parts when it needs day and night (half a cell each), else one
    part = np.where(p.need_day & p.need_night, 0.5, 1.0) * p.weight
    site_used = {}
    budget = math.inf if p.budget_jpy is None else float(p.budget_jpy)
    spent = 0.0

    def gain(o):
        d = Dc.indices[Dc.indptr[o]:Dc.indptr[o + 1]]
        n = Nc.indices[Nc.indptr[o]:Nc.indptr[o + 1]]
        d = d[day_cnt[d] == 0]
        n = n[night_cnt[n] == 0]
        g = np.bincount(p.zone[d], weights=part[d], minlength=len(residual)) + \
            np.bincount(p.zone[n], weights=part[n], minlength=len(residual))
        return float(np.minimum(g, residual).sum())

    def price(o):
        s = p.site[o]
        return p.cost[o] + (0.0 if s in site_used else p.site_cost) + TIE_BREAK_JPY

    heap = [(-gain(o) / price(o), o) for o in range(n_x)]
    heapq.heapify(heap)
    chosen, curve = [], []
    while np.any(residual > 1e-9) and heap:
        neg, o = heapq.heappop(heap)
        if site_used.get(p.site[o], 0) >= p.max_per_site:
            continue
        g = gain(o)
        if g <= 1e-12:
            continue
        ratio = g / price(o)
        if heap and ratio < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-ratio, o))
            continue
        extra = price(o) - TIE_BREAK_JPY
        if spent + extra > budget:
            continue
        d = Dc.indices[Dc.indptr[o]:Dc.indptr[o + 1]]
        n = Nc.indices[Nc.indptr[o]:Nc.indptr[o + 1]]
        before = (day_cnt > 0) | ~p.need_day
        before &= (night_cnt > 0) | ~p.need_night
        day_cnt[d] += 1
        night_cnt[n] += 1
        after = ((day_cnt > 0) | ~p.need_day) & ((night_cnt > 0) | ~p.need_night)
        newly = after & ~before
        residual -= np.bincount(p.zone[newly], weights=p.weight[newly],
                                minlength=len(residual))
        # the half parts counted as progress are re-counted exactly through ``after``
        site_used[p.site[o]] = site_used.get(p.site[o], 0) + 1
        spent += extra
        chosen.append(o)
        curve.append((spent, int(np.bincount(p.zone[after], weights=p.weight[after],
                                             minlength=len(residual)).sum())))
    met = _met(p, chosen)
    if np.any(met - p.met_before < demand):
        return Solution(p.options[np.array(chosen, int)], _cost(p, chosen), None, None,
                        "greedy", "infeasible", met, time.perf_counter() - t0, curve)
    # drop what is no longer needed, dearest first
    for o in sorted(chosen, key=lambda k: (-p.cost[k], k)):
        trial = [k for k in chosen if k != o]
        if np.all(_met(p, trial) - p.met_before >= demand):
            chosen = trial
    return Solution(p.options[np.array(sorted(chosen), int)], _cost(p, chosen), None, None,
                    "greedy", "heuristic", _met(p, chosen), time.perf_counter() - t0, curve)
