"""The one-shot run: validate a plan and compute its coverage, day and night, in one go.

This is what ``python -m assessments simulate`` and the scenario tests call; the page keeps
a :class:`~assessments.engine.CoverageModel` per scene instead and recomputes only what an
edit changes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine.budget import check_budget
from .engine.coverage import CoverageModel, simulate_night
from .engine.districts import camera_cells, district_figures, district_labels, district_meta
from .engine.grid import Grid, polygon_mask
from .plan import validate as planfile

__all__ = ["Simulation", "simulate"]


@dataclass
class Simulation:
    """Result of :func:`simulate`: ``result`` is RESULT.json's content; ``model`` the
    :class:`CoverageModel`; ``night_arrays`` the night grids (None when not kept);
    :meth:`grid_arrays` gives GRID.npz's arrays."""

    result: dict
    model: CoverageModel
    night_arrays: dict | None = None

    def grid_arrays(self, *, latlon: bool = True) -> dict:
        """``lat``, ``lon`` (cell centres, float64; left out with ``latlon=False``: GRID.tif
        carries them in its georeference), ``inside``, ``pixel_density`` (float32, 0
        unseen), ``camera_count`` (uint8), ``best_camera`` (−1 unseen), ``dori_level``
        (int8), ``camera_ids`` (str, order of ``best_camera``) and, when kept,
        ``illuminance_lx`` and ``vertical_illuminance_lx`` (float32, see
        :func:`simulate_night`)."""
        m = self.model
        out = {"lat": m.grid.lat, "lon": m.grid.lon} if latlon else {}
        out.update({"inside": m.inside,
                    "pixel_density": m.pixel_density, "camera_count": m.camera_count,
                    "best_camera": m.best_camera, "dori_level": m.dori_level(),
                    "camera_ids": np.array(m.camera_ids, dtype=str)})
        if self.night_arrays is not None:
            out.update(self.night_arrays)
        return out


def simulate(plan: dict, *, terrain=None, base_dir=None, night_grids: bool = True,
             grid: Grid | None = None, core=None, memory_budget: int | None = None
             ) -> Simulation:
    """Validate a plan and compute its coverage, day and night, in one go.

    Parameters
    ----------
    plan : dict
        PLAN.json content (docs/plan-format.md); validated with
        :func:`assessments.plan.validate.validate_plan` (raises ``PlanError``).
    terrain : Terrain or ndarray, optional
        Ground heights; overrides ``plan["terrain"]``.
    base_dir : str or Path, optional
        Folder against which ``plan["terrain"]["file"]`` is resolved.
    night_grids : bool
        Keep the ``illuminance_lx`` / ``vertical_illuminance_lx`` grids for GRID.npz
        (8 bytes per cell; the RESULT figures do not need them).
    grid : Grid, optional
        Run on this grid instead of the area's (a tile of :mod:`assessments.engine.tiles`:
        a window of the area's grid, same projection centre); the cell limit is then the
        caller's.
    core : tuple of slice, optional
        ``(rows, cols)`` of ``grid`` that are assessed (a tile's own cells; the rest is
        its overlap, there for the cameras and buildings that reach into it).
    memory_budget : int, optional
        Bytes the run may use [B] (:func:`assessments.engine.budget.available_bytes`):
        the run is estimated first (:func:`assessments.engine.budget.check_budget`,
        GRID.npz counted with ``night_grids``) and refused with ``MemoryBudgetError``
        before any grid array is allocated.

    Returns
    -------
    Simulation
        ``result`` holds the day figures, the night entries of :func:`simulate_night`
        (``night_basis``, ``illuminance``, ``night_dori_m2``, ``lit_but_unseen_m2``,
        ``seen_but_dark_m2``) and ``cameras[i]["night_dori_m2"]``.
    """
    if grid is None:
        plan = planfile.validate_plan(plan)
        grid = Grid.from_area(plan["area"], plan["resolution_m"])
    else:
        plan = planfile.validate_plan(plan, max_cells=None)
    if memory_budget is not None:
        check_budget(plan, available=memory_budget, grid=grid, night_grids=night_grids,
                     grid_file=night_grids,
                     terrain=terrain is not None or bool(plan.get("terrain")))
    area = plan["area"]
    if core is not None:
        area = np.zeros(grid.shape, bool)
        area[core] = polygon_mask(grid, plan["area"])[core]
    if terrain is None and plan.get("terrain"):
        terrain = planfile.load_terrain(plan["terrain"], base_dir=base_dir)
    model = CoverageModel(grid, plan.get("_footprints"), area=area,
                          target_height_m=plan["target_height_m"], terrain=terrain,
                          standard=plan["standard"],
                          min_density_px_m=plan.get("min_density_px_m"))
    model.set_cameras(plan["cameras"])
    labels = meta = None
    if plan.get("districts"):
        meta = district_meta(plan["districts"])
        labels = district_labels(grid, plan["districts"])
    night, cam_night, arrays = simulate_night(model, plan["lights"], grids=night_grids,
                                              labels=labels, n_labels=len(meta or ()))
    cameras = []
    for cid in model.camera_ids:
        c = model.camera_summary(cid)
        c["night_dori_m2"] = cam_night[cid]
        cameras.append(c)
    result = {"version": 1, "name": plan.get("name"), "standard": model.standard,
              "min_density_px_m": model.min_density_px_m,
              "resolution_m": grid.resolution_m,
              "target_height_m": model.target_height_m,
              "grid": {"rows": grid.shape[0], "cols": grid.shape[1],
                       "origin_lat": grid.origin_lat, "origin_lon": grid.origin_lon},
              **model.summary(), **night,
              "cameras": cameras}
    if labels is not None:
        result["districts"] = district_figures(
            labels, meta, pixel_density=model.pixel_density, inside=model.inside,
            thresholds=dict(model.thresholds), cell_area_m2=grid.cell_area_m2,
            night_by_district=result.pop("district_night"),
            cameras_rc=camera_cells(grid, model.cameras))
    return Simulation(result, model, arrays)
