"""Coverage sets: for every candidate option, the cells it serves at the required level.

Each option's camera is computed by the coverage engine
(:meth:`assessments.engine.coverage.CoverageModel.compute_view`, the cameras in parallel
threads) on the plan's own scene (area, buildings, terrain, target height and working
range), so a cell an option serves here is a cell the same camera serves in
:func:`assessments.simulate.simulate`.

Formulation
-----------
Cells of interest are the assessed cells of the requirement's zones
(:meth:`Requirement.cell_targets`), each with its target's density ``P`` [px/m].

Day: option *o* serves cell *c* when its day pixel density there is ≥ ``P`` (seen, in
range, not blocked, not masked): ``D[o, c]``.

Night: option *o* serves *c* at night when its night pixel density is ≥ ``P`` —
the day density reduced by motion blur where the camera can see at night: the vertical
illuminance toward the camera reaches its ``min_illuminance_lx`` or the cell is within its
``ir_range_m`` (:func:`assessments.engine.night.night_pairs`, the rule of the simulation).
The illuminance counted is that of the plan's own lights plus the option's own light (a
camera + light option: both on the same pole, chosen together): ``N[o, c]``. Light only
adds illuminance, so the night the simulation finds for a chosen set — with every chosen
light lighting every camera's cells — is at least the union of the options' ``N``: the
sets are a safe (never optimistic) model of the night.

A cell meets the requirement when some chosen option (or a plan camera) serves it by day
and some (possibly another) at night, as
:func:`assessments.engine.sim_summary.requirement_map` reads the simulation.

Privacy: an option whose camera sees a cell of a home's façade band
(:func:`assessments.engine.privacy_geometry.home_facade_cells`) at any density within its
working range gets a privacy mask over the bearing sector of those cells
(:func:`~assessments.engine.privacy_geometry.suggest_fix`,
:func:`~assessments.engine.privacy_geometry.fix_change`) and is computed again with it, so
masked cells count as not covered. When the mask would leave less than
``min_kept_fraction`` of its other cells (``review_placement``) the option is inadmissible.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..engine.coverage import CoverageModel
from ..engine.devices import as_light
from ..engine.grid import Grid
from ..engine.lighting import DEFAULT_CUTOFF_LX, reach_radius_m
from ..engine.night import (FACE_HEIGHT_M, night_pairs, night_result_for_model, night_view,
                            plan_luminaires)
from ..engine.privacy_geometry import fix_change, home_facade_cells, suggest_fix
from ..plan import validate as planfile

__all__ = ["CoverageSets", "coverage_sets", "scene_model"]


@dataclass
class CoverageSets:
    """The options × cells incidence of one plan, requirement and candidate set.

    Attributes
    ----------
    cells : ndarray of int64
        Flat grid index of each cell of interest (sorted).
    target : ndarray of int16
        Target index of each cell (into ``requirement.targets``).
    need_night : ndarray of bool
        Whether each cell's target counts the night.
    day, night : scipy.sparse.csr_matrix of bool, shape (options, cells)
        ``D`` and ``N`` (module docstring); ``night`` has no entries where no target needs
        the night.
    base_day, base_night : ndarray of bool
        Cells the plan's own cameras already serve, day / night.
    admissible : ndarray of bool
        Options allowed by the privacy rule.
    masks : list
        Per option, the ``privacy_masks_deg`` its camera gets (None: none needed).
    privacy_cells : ndarray of bool
        Cells some inadmissible option would serve by day (what the privacy rule costs).
    zone_cells : ndarray of int64
        Assessed cells of each target's zone.
    cell_area_m2 : float
    """

    cells: np.ndarray
    target: np.ndarray
    need_night: np.ndarray
    day: sparse.csr_matrix
    night: sparse.csr_matrix
    base_day: np.ndarray
    base_night: np.ndarray
    admissible: np.ndarray
    masks: list
    privacy_cells: np.ndarray
    zone_cells: np.ndarray
    cell_area_m2: float

    @property
    def base_met(self) -> np.ndarray:
        """Cells the plan's own devices already meet (day and, where needed, night)."""
        return self.base_day & (self.base_night | ~self.need_night)


def scene_model(plan: dict, *, terrain=None, base_dir=None) -> tuple[dict, CoverageModel]:
    """The validated plan and a :class:`CoverageModel` of its scene, as
    :func:`assessments.simulate.simulate` builds it (raises ``PlanError``)."""
    checked = planfile.validate_plan(plan)
    grid = Grid.from_area(checked["area"], checked["resolution_m"])
    if terrain is None and checked.get("terrain"):
        terrain = planfile.load_terrain(checked["terrain"], base_dir=base_dir)
    model = CoverageModel(grid, checked.get("_footprints"), area=checked["area"],
                          target_height_m=checked["target_height_m"], terrain=terrain,
                          standard=checked["standard"],
                          min_density_px_m=checked.get("min_density_px_m"))
    return checked, model


def _light_reach(lum) -> float:
    return max(reach_radius_m(lum, height_m=0.0, plane="horizontal"),
               reach_radius_m(lum, height_m=FACE_HEIGHT_M, plane="vertical"))


def coverage_sets(plan: dict, candidates, requirement, *, model: CoverageModel | None = None,
                  checked: dict | None = None, min_kept_fraction: float = 0.1,
                  threads: int | None = None, progress=None) -> CoverageSets:
    """The coverage sets of ``candidates`` for ``requirement`` (module docstring).

    Parameters
    ----------
    plan : dict
        The plan (its cameras and lights are kept and count as already there).
    candidates : Candidates
        From :func:`assessments.propose.candidates.build_candidates`.
    requirement : Requirement
    model, checked : optional
        :func:`scene_model` of the plan, when already built. The model is used as a
        scratch pad: its cameras are replaced (none are left set), so never pass a model
        another part of the app keeps.
    min_kept_fraction : float
        Smallest share of its other cells a privacy mask must leave a camera [-]
        (:func:`~assessments.engine.privacy_geometry.suggest_fix`).
    threads : int, optional
        Threads for the cameras (default the model's).
    progress : callable, optional
        ``progress(fraction, "coverage")`` as the options are computed.
    """
    if model is None:
        checked, model = scene_model(plan)
    grid = model.grid
    shape = grid.shape
    n_cols = shape[1]
    targets = requirement.targets
    tgt = requirement.cell_targets(grid, plan, model.inside)
    req_px = np.zeros(shape, np.float32)
    night_need = np.zeros(shape, bool)
    for k, t in enumerate(targets):
        req_px[tgt == k] = t.px_per_m
        night_need[tgt == k] = t.night
    any_night = bool(night_need.any())
    cells = np.flatnonzero(tgt.ravel() >= 0)
    zone_cells = np.bincount(tgt.ravel()[cells], minlength=len(targets)).astype(np.int64)

    # the plan's own devices
    model.set_cameras(checked["cameras"])
    base_day = (model.pixel_density >= req_px) & (req_px > 0)
    base_night = np.zeros(shape, bool)
    if any_night and model.views:
        res = night_result_for_model(model, checked["lights"], lighting_verdict=False,
                                     failing_cells=False)
        base_night = (res.night_pixel_density_px_m >= req_px) & (req_px > 0)
    model.set_cameras([])

    lums = plan_luminaires(grid, checked["lights"])
    lum_xy = np.array([[m.x_m, m.y_m] for m in lums]).reshape(-1, 2)
    lum_reach = np.array([_light_reach(m) for m in lums])
    facade = home_facade_cells(grid, plan.get("buildings"), inside=model.inside)[0]
    has_homes = bool(facade.any())
    x_axis, y_axis = grid.x_axis_m, grid.y_axis_m

    # options sharing a camera (same site and configuration) share its view
    groups: dict = {}
    for i, o in enumerate(candidates.options):
        key = (o.site, o.camera.get("preset"), o.camera["mount_height_m"],
               o.camera["azimuth_deg"], o.camera["tilt_deg"])
        groups.setdefault(key, []).append(i)
    group_list = list(groups.values())

    def one(members):
        first = candidates.options[members[0]]
        cam = dict(first.camera, id=f"o{members[0]}")
        view = model.compute_view(cam)
        mask = None
        if has_homes and not view.empty:
            hit = view.seen & facade[view.rows, view.cols]
            if hit.any():
                rr, cc = np.nonzero(hit)
                dx, dy = view.x_axis_m[cc] - view.x_m, view.y_axis_m[rr] - view.y_m
                sr, sc = np.nonzero(view.seen)
                sdx, sdy = view.x_axis_m[sc] - view.x_m, view.y_axis_m[sr] - view.y_m
                c = view.camera
                fix = suggest_fix(np.degrees(np.arctan2(dx, dy)) % 360.0, np.hypot(dx, dy),
                                  azimuth_deg=c.bearing_deg, hfov_deg=c.hfov_deg,
                                  tilt_deg=c.tilt_deg, vfov_deg=c.vfov_deg,
                                  mount_height_m=c.mount_height_m,
                                  target_height_m=model.target_height_m,
                                  far_distance_m=float(np.hypot(sdx, sdy).max()),
                                  seen_bearing_deg=np.degrees(np.arctan2(sdx, sdy)),
                                  min_kept_fraction=min_kept_fraction)
                blocked_day = _cells_at(view, req_px, n_cols)
                if fix["kept_fraction"] < min_kept_fraction:
                    return members, None, None, False, blocked_day
                mask = fix_change(dict(fix, code="privacy_mask_sector"))["privacy_masks_deg"]
                view = model.compute_view(dict(cam, privacy_masks_deg=mask))
                if (view.seen & facade[view.rows, view.cols]).any():
                    return members, None, None, False, blocked_day
        day = _cells_at(view, req_px, n_cols)
        nights = []
        if any_night and day.size:
            r0, c0 = view.rows.start, view.cols.start
            win_req = req_px[view.rows, view.cols]
            pd = np.where((view.pixel_density >= win_req) & night_need[view.rows, view.cols],
                          view.pixel_density, 0).astype(np.float32)
            nv = night_view(view, view.camera, pixel_density=pd)
            h, w = pd.shape
            box = (x_axis[c0], x_axis[c0 + w - 1], y_axis[r0 + h - 1], y_axis[r0])
            near = [lums[k] for k in np.flatnonzero(
                (np.abs(lum_xy[:, 0] - np.clip(lum_xy[:, 0], box[0], box[1])) <= lum_reach)
                & (np.abs(lum_xy[:, 1] - np.clip(lum_xy[:, 1], box[2], box[3])) <= lum_reach))]
            for i in members:
                own = candidates.options[i].light
                extra = [] if own is None else [as_light(dict(own, id="own")).luminaire(
                    view.x_m, view.y_m)]
                pairs = night_pairs(x_axis, y_axis, near + extra, [nv],
                                    cutoff_lx=DEFAULT_CUTOFF_LX)
                ok = pairs.night_px_m >= req_px.ravel()[pairs.cell]
                nights.append(np.sort(pairs.cell[ok]))
        else:
            nights = [np.zeros(0, np.int64)] * len(members)
        return members, day, nights, mask, None

    # without homes no privacy check needs the cells beyond the required density: the
    # cameras are computed only to the depth where they still reach the lowest target
    # density (each cell's density is the same; the windows are smaller)
    working = model.min_density_px_m
    if not has_homes:
        model.min_density_px_m = max(working, min(t.px_per_m for t in targets))
    try:
        return _sets(one, group_list, candidates, model, tgt, cells, night_need, base_day,
                     base_night, zone_cells, threads, progress)
    finally:
        model.min_density_px_m = working


def _sets(one, group_list, candidates, model, tgt, cells, night_need, base_day, base_night,
          zone_cells, threads, progress):
    grid = model.grid
    shape = grid.shape
    n_opt = len(candidates.options)
    day_sets = [np.zeros(0, np.int64)] * n_opt
    night_sets = [np.zeros(0, np.int64)] * n_opt
    admissible = np.ones(n_opt, bool)
    masks: list = [None] * n_opt
    privacy = np.zeros(shape[0] * shape[1], bool)
    threads = model.threads if threads is None else int(threads)
    done = 0
    chunk = max(1, 4 * threads)
    with ThreadPoolExecutor(max(1, threads)) as pool:
        for start in range(0, len(group_list), chunk):
            for members, day, nights, mask, blocked in pool.map(
                    one, group_list[start:start + chunk]):
                if mask is False:
                    admissible[members] = False
                    privacy[blocked] = True
                    continue
                for i, nset in zip(members, nights):
                    masks[i] = mask
                    day_sets[i] = day
                    night_sets[i] = nset
            done = min(len(group_list), start + chunk)
            if progress is not None:
                progress(done / max(1, len(group_list)), "coverage")
    return CoverageSets(
        cells=cells, target=tgt.ravel()[cells].astype(np.int16),
        need_night=night_need.ravel()[cells],
        day=_incidence(day_sets, cells), night=_incidence(night_sets, cells),
        base_day=base_day.ravel()[cells], base_night=base_night.ravel()[cells],
        admissible=admissible, masks=masks, privacy_cells=privacy[cells],
        zone_cells=zone_cells, cell_area_m2=grid.cell_area_m2)


def _cells_at(view, req_px, n_cols) -> np.ndarray:
    """Flat grid indices (sorted) of the view's cells at the required density (0 outside
    every target)."""
    if view.empty:
        return np.zeros(0, np.int64)
    win = req_px[view.rows, view.cols]
    rr, cc = np.nonzero((view.pixel_density >= win) & (win > 0))
    return (rr + view.rows.start).astype(np.int64) * n_cols + (cc + view.cols.start)


def _incidence(sets, cells) -> sparse.csr_matrix:
    """Options × cells CSR (bool) from per-option sorted flat grid indices; entries outside
    the cells of interest are dropped."""
    n = len(sets)
    lengths = np.array([s.size for s in sets], dtype=np.int64)
    flat = np.concatenate(sets) if n else np.zeros(0, np.int64)
    col = np.minimum(np.searchsorted(cells, flat), max(cells.size - 1, 0))
    ok = (cells[col] == flat) if cells.size else np.zeros(flat.size, bool)
    row = np.repeat(np.arange(n), lengths)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row[ok], minlength=n))])
    return sparse.csr_matrix((np.ones(int(ok.sum()), bool), col[ok].astype(np.int32), indptr),
                             shape=(n, cells.size))
