"""The night pass cuts a crowded block until its (camera, seen cell) pairs fit the cap."""
import numpy as np
from numpy.testing import assert_allclose

import assessments.engine.night as night
from assessments.engine.coverage import simulate_night
from assessments.simulate import simulate
from benchmarks.scenes import district


def test_capped_pairs_give_the_same_night(monkeypatch):
    # 150 m square at 0.5 m (301² cells: one 512² block), 30 cameras, 12 lights
    plan = district(seed=3, size_m=150.0, n_buildings=20, n_cameras=30, n_lights=12)
    model = simulate(plan, night_grids=False).model
    ref = simulate_night(model, plan["lights"], threads=1)
    seen = []                                   # pairs built by each night_pairs call
    original = night.night_pairs

    def counting(*a, **kw):
        p = original(*a, **kw)
        seen.append(p.cell.size)
        return p
    monkeypatch.setattr(night, "night_pairs", counting)
    cap = 3_000
    capped = simulate_night(model, plan["lights"], threads=1, max_pairs=cap)
    # one block held them all; the cap cuts it into many parts, none above the cap
    total = int(sum(np.count_nonzero(v.pixel_density > 0) for v in model.views.values()))
    assert total > 10 * cap
    assert len(seen) > 10 and max(seen) <= cap and sum(seen) == total
    e0, c0, a0 = ref
    e1, c1, a1 = capped
    for k in ("night_dori_m2", "lit_but_unseen_m2", "seen_but_dark_m2", "night_basis"):
        assert e1[k] == e0[k], k
    for k, v in e0["illuminance"].items():       # means summed in another order
        if isinstance(v, float):
            assert_allclose(e1["illuminance"][k], v, rtol=1e-12)
        else:
            assert e1["illuminance"][k] == v, k
    assert e0["illuminance"]["mean_lx"] > 0      # the lights do reach the area
    assert c1 == c0
    assert np.array_equal(a1["illuminance_lx"], a0["illuminance_lx"])
    assert np.array_equal(a1["vertical_illuminance_lx"], a0["vertical_illuminance_lx"],
                          equal_nan=True)


def test_budget_night_term_is_bounded_by_the_cap():
    from assessments.engine import budget
    from assessments.engine.coverage import NIGHT_MAX_PAIRS
    from assessments.plan.validate import validate_plan
    from tests.test_memory_budget import _plan
    # 2,000 cameras crowded in a 500 m square at 0.25 m (2,001² cells, 16 blocks of 512²)
    plan = validate_plan(_plan(500.0, 0.25, n_cameras=2000))
    grid = budget.Grid.from_area(plan["area"], 0.25)
    # the busiest blocks would hold more than the cap (the estimate's own spread of pairs)
    win, rects = budget._windows(grid, plan["cameras"], min_density_px_m=12.5, flat=True)
    per_block = budget._block_pairs(grid.shape, rects, win * 0.5, 512)
    assert np.sort(per_block.ravel())[-2] > NIGHT_MAX_PAIRS
    est = budget.plan_estimate(plan, threads=2)
    # two threads, each at most the cap (140 B a pair) and a 512² block (16 B a cell)
    assert est.parts["night_blocks"] == 2 * (NIGHT_MAX_PAIRS * 140 + 512 * 512 * 16)


def test_light_stats_by_hand():
    from assessments.engine.coverage import light_stats
    eh = np.array([[0.0, 2.5, 3.0],
                   [7.5, 1.0, 4.0]])
    mask = np.array([[True, False, True],
                     [True, True, False]])
    # inside: 0, 3, 7.5, 1 → n 4, sum 11.5, min 0, max 7.5, 2 cells ≥ 3 lx (3.0 and 7.5)
    assert light_stats(eh, mask, 3.0) == (4, 11.5, 0.0, 7.5, 2)
    # a strided view (a block of the area mask) gives the same
    big = np.zeros((4, 6), bool)
    big[::2, ::2] = mask
    assert light_stats(eh, big[::2, ::2], 3.0) == (4, 11.5, 0.0, 7.5, 2)
    n, total, lo, hi, lit = light_stats(eh, np.zeros_like(mask), 3.0)
    assert (n, total, lit) == (0, 0.0, 0) and lo == np.inf and hi == -np.inf
