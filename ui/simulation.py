"""Cached simulation of a plan: coverage, night, requirement, privacy and summary figures.

Both the シミュレーション page and the 出力 page call :func:`simulate_plan` (the 出力 page
through ``ui.sim_export.results_for_plan``); results are computed from the plan, never
handed over through session keys. ``ui.map_view`` draws a :class:`SimResult` and imports this
module, never the other way round. The
:class:`~assessments.engine.coverage.CoverageModel` of a scene (area, buildings,
resolution, target height, standard) is kept with ``st.cache_resource``; on every call only
the cameras whose dict changed are recomputed (``update_camera`` / ``remove_camera``), and the
night join likewise one camera at a time (:class:`NightCache`; all cameras when the lights
change). One edit of the district benchmark costs ≈ 0.23 s with the map
(``benchmarks/bench_page_edit.py``).

Cameras and lights are checked by the one validator (:func:`device_issues`,
``assessments.engine.devices``) and held as typed ``Camera`` / ``Light`` values. The editing
helpers (:func:`apply_editor_delta`, :func:`device_issues`) are plain functions so the
page's table edits are testable.
"""
from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import streamlit as st

from assessments.engine import lighting as L
from assessments.engine import night as N
from assessments.engine import budget, sim_summary, storage
from assessments.engine.coverage import CoverageModel
from assessments.engine.devices import Camera, Light, PlanIssue, check_devices, check_light
from assessments.engine.districts import (ILLUMINANCE_KEYS, camera_cells, district_figures,
                                          district_labels, district_meta)
from assessments.engine.grid import Grid
from assessments.engine.point_view import camera_at_cell
from assessments.engine.privacy_geometry import home_facade_cells, privacy_hits
from assessments.plan import validate as planfile
from assessments.plan.basemap import is_terrain_doc
from assessments.plan.frozen import content_hash, text_hash
from assessments.programme import costs
from assessments.records import plain_value, records
from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "datasets" / "sample_district"
PLATEAU_ATTRIBUTION = "3D都市モデル（Project PLATEAU）新座市（2020年度）（国土交通省）を加工して作成"
#: Keys of the plan that define the scene (a change rebuilds the coverage model).
SCENE_KEYS = ("area", "buildings", "resolution_m", "target_height_m", "standard",
              "min_density_px_m", "terrain")
CAMERA_EDIT_FIELDS = ("id", "lat", "lon", "mount_height_m", "azimuth_deg", "tilt_deg",
                      "hfov_deg", "width_px", "height_px", "ir_range_m", "min_illuminance_lx",
                      "shutter_s", "model", "unit_price_jpy", "existing")
LIGHT_EDIT_FIELDS = ("id", "lat", "lon", "mount_height_m", "azimuth_deg", "lumens",
                     "distribution", "intensity_cd", "model", "unit_price_jpy", "existing")
#: Device fields that do not change what a camera sees or a light lights: a change of
#: price never recomputes coverage or night (the cost lines read them directly).
COST_FIELDS = ("unit_price_jpy",)


def _physics(device: dict) -> dict:
    """A light's plan entry without its cost fields (the lights' recompute signature: a
    typed ``Light`` compares without its parsed IES table); a long text (the IES file,
    often the same object for many lights) by its hash."""
    return {k: ("sha256:" + text_hash(v) if isinstance(v, str) and len(v) > 4096 else v)
            for k, v in device.items() if k not in COST_FIELDS}


def digest(obj) -> str:
    """Stable content hash of a JSON-like object. A part the workspace stored by content
    hash (``assessments.plan.frozen.content_hash``: the buildings) counts by that hash, without
    encoding it again."""
    if isinstance(obj, dict):
        obj = {k: ({"$blob": content_hash(v)} if content_hash(v) else v)
               for k, v in obj.items()}
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str,
                      separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# the cached scene
# ---------------------------------------------------------------------------------------
class Scene:
    """A coverage model for one scene plus the cameras it currently holds;
    :attr:`budget_bytes` is the estimated memory of what it holds
    (:func:`assessments.engine.budget.estimate_bytes`, page model)."""

    def __init__(self, validated: dict, available: int, cameras=()):
        # refused before any grid array exists (raised: the cache keeps no scene), with
        # the cameras the first sync will compute
        self.budget_bytes = budget.check_budget(dict(validated, cameras=list(cameras)),
                                                available=available, page=True).total_bytes
        self.lock = threading.Lock()
        self.grid = Grid.from_area(validated["area"], validated["resolution_m"])
        # the page holds terrain as heights (an imported DEM); a PLAN.json's
        # {"file": …} is the command line's, resolved against its folder there
        spec = validated.get("terrain")
        terrain = planfile.load_terrain(spec) if is_terrain_doc(spec) else None
        self.model = CoverageModel(self.grid, validated.get("_footprints"),
                                   area=validated["area"], terrain=terrain,
                                   target_height_m=validated["target_height_m"],
                                   standard=validated["standard"],
                                   min_density_px_m=validated.get("min_density_px_m"))
        self.cam_sig: dict[str, Camera] = {}
        self.night_cache = NightCache(self.grid.shape)
        self.night = None
        self.privacy_key = None
        self.privacy = None
        self.facade = None
        self.districts = (None, [], None)   # (key, issues, (labels, meta))
        self.last_changed: list[str] = []

    def sync(self, cameras: list[Camera]) -> list[str]:
        """Make the model hold exactly ``cameras``; recompute only the changed ones (a
        typed camera holds physics only, so it is its own signature: a price change is no
        change)."""
        new = {c.id: c for c in cameras}
        changed = []
        for cid in [c for c in self.cam_sig if c not in new]:
            self.model.remove_camera(cid)
            self.cam_sig.pop(cid)
            changed.append(cid)
        if not self.cam_sig and len(cameras) > 1:
            self.model.set_cameras(cameras)
            changed += list(new)
        else:
            for cam in cameras:
                cid = cam.id
                if self.cam_sig.get(cid) != cam:
                    self.model.update_camera(cam)
                    changed.append(cid)
        self.cam_sig = new
        self.last_changed = changed
        return changed


# ---------------------------------------------------------------------------------------
# the night assessment, kept per camera
# ---------------------------------------------------------------------------------------
@dataclass
class CameraNight:
    """One camera's night join, kept under its inputs (``key``).

    ``pairs`` are its (camera, seen cell) pairs (:class:`assessments.engine.night.NightPairs`,
    cells as flat indices of the model's grid); ``bbox`` = (r0, r1, c0, c1) bounds them
    (None when the camera sees nothing); ``dori_m2`` is the camera's own night DORI areas
    (cumulative) [m²].
    """

    key: tuple
    bbox: tuple | None
    pairs: N.NightPairs
    dori_m2: dict


class NightCache:
    """The night assessment of a scene, recomputed one camera at a time.

    The horizontal illuminance (and its statistics) depends on the lights only and is kept
    until they change. Each camera's pairs (:func:`assessments.engine.night.night_pairs`:
    vertical illuminance toward it, night mode and density at its seen cells, on the
    bounding box of those cells with the lights that reach it) are kept under the camera's
    and the lights' inputs. The whole-grid best night density / mode / vertical
    illuminance are then refolded by :func:`assessments.engine.night.fold_pairs` — the fold
    of the whole-grid join — only inside the boxes of the cameras that changed (old and
    new box), over the cameras' pairs in model order, so the arrays equal
    :func:`assessments.engine.night.night_assessment` on all cameras (tests).
    """

    #: Above this many changed cameras the whole grid is refolded once.
    REFOLD_ALL = 12

    def __init__(self, shape):
        self.lights_key = None
        self.illuminance_lx = None
        self.h_stats = None
        self.lit = None
        self.luminaires: list = []
        self._reach = np.zeros((0, 3))
        self.entries: dict[str, CameraNight] = {}
        self.best_night = np.zeros(shape)
        self.best_mode = np.zeros(shape, np.int8)
        self.ev_best = np.full(shape, np.nan, np.float32)
        self.recomputed: list[str] = []

    # -- inputs ---------------------------------------------------------------------------
    def _set_lights(self, model, luminaires, key) -> None:
        g = model.grid
        base = N.night_assessment(g.x_axis_m, g.y_axis_m, luminaires, [],
                                  area_mask=model.inside, thresholds=model.thresholds,
                                  lighting_verdict=False)
        self.illuminance_lx = base.illuminance_lx
        self.h_stats = L.area_statistics(self.illuminance_lx, mask=model.inside)
        self.lit = model.inside & (self.illuminance_lx >= N.LIT_THRESHOLD_LX)
        self.luminaires = list(luminaires)
        self._reach = np.array([(lum.x_m, lum.y_m, L.reach_radius_m(
            lum, height_m=N.FACE_HEIGHT_M, plane="vertical", cutoff_lx=L.DEFAULT_CUTOFF_LX))
            for lum in luminaires], dtype=float).reshape(-1, 3)
        self.lights_key = key
        self.entries.clear()

    def _camera(self, model, cid, key) -> CameraNight:
        view = model.views[cid]
        thresholds = model.thresholds
        empty = CameraNight(key, None, N.NightPairs.empty(), {k: 0.0 for k in thresholds})
        if view.empty:
            return empty
        seen = view.pixel_density > 0
        rr = np.flatnonzero(seen.any(axis=1))
        if rr.size == 0:
            return empty
        cc = np.flatnonzero(seen.any(axis=0))
        r0, r1 = view.rows.start + int(rr[0]), view.rows.start + int(rr[-1]) + 1
        c0, c1 = view.cols.start + int(cc[0]), view.cols.start + int(cc[-1]) + 1
        sub = view.pixel_density[r0 - view.rows.start:r1 - view.rows.start,
                                 c0 - view.cols.start:c1 - view.cols.start]
        g = model.grid
        x, y = g.x_axis_m[c0:c1], g.y_axis_m[r0:r1]
        lums = []
        if len(self._reach):          # only the lights whose vertical reach meets the box
            lx, ly, rad = self._reach.T
            m = g.resolution_m
            near = ((lx + rad >= x[0] - m) & (lx - rad <= x[-1] + m)
                    & (ly + rad >= y[-1] - m) & (ly - rad <= y[0] + m))
            lums = [self.luminaires[i] for i in np.flatnonzero(near)]
        cv = N.night_view(view, view.camera, rows=slice(0, r1 - r0), cols=slice(0, c1 - c0),
                          pixel_density=sub)
        pairs = N.night_pairs(x, y, lums, [cv])
        # box cells → grid cells (both row-major: the order by cell is kept)
        pr, pc = np.divmod(pairs.cell, c1 - c0)
        cells = (pr + r0) * g.shape[1] + (pc + c0)
        pairs = N.NightPairs(cells, pairs.cam, pairs.day_px_m, pairs.night_px_m, pairs.mode,
                             pairs.vertical_lx)
        fold = N.fold_pairs(pairs, n_views=1, in_mask=model.inside.ravel()[cells],
                            thresholds=thresholds)
        a = g.cell_area_m2
        return CameraNight(key, (r0, r1, c0, c1), pairs,
                           {k: float(c[0]) * a for k, c in fold.camera_counts.items()})

    # -- folding --------------------------------------------------------------------------
    def _fold(self, model, region) -> None:
        """Refold the best night density / mode / vertical illuminance in ``region``."""
        r0, r1, c0, c1 = region
        n_cols = model.grid.shape[1]
        parts = []
        for idx, cid in enumerate(model.views):
            e = self.entries.get(cid)
            if e is None or e.bbox is None:
                continue
            er0, er1, ec0, ec1 = e.bbox
            if er1 <= r0 or er0 >= r1 or ec1 <= c0 or ec0 >= c1:
                continue
            p = e.pairs
            if not (er0 >= r0 and er1 <= r1 and ec0 >= c0 and ec1 <= c1):
                rows, cols = np.divmod(p.cell, n_cols)
                p = p.take((rows >= r0) & (rows < r1) & (cols >= c0) & (cols < c1))
            parts.append(N.NightPairs(p.cell, np.full(p.cell.size, idx, np.int32),
                                      p.day_px_m, p.night_px_m, p.mode, p.vertical_lx))
        fold = N.fold_pairs(N.merge_pairs(parts), n_views=len(model.views), in_mask=None,
                            thresholds={})
        for grid_, fill in ((self.best_night, 0.0), (self.best_mode, 0),
                            (self.ev_best, np.nan)):
            grid_[r0:r1, c0:c1] = fill
        rr, cc = np.divmod(fold.cells, n_cols)
        self.best_night[rr, cc] = fold.best_night
        self.best_mode[rr, cc] = fold.best_mode
        self.ev_best[rr, cc] = fold.vertical_best_lx

    def update(self, model, luminaires, lights_key) -> bool:
        """Bring the night arrays up to date (:attr:`recomputed`: the camera ids whose
        night join was recomputed); True when anything changed. A camera is recomputed when
        its typed value (``model.cameras``) or the lights changed."""
        full = False
        if lights_key != self.lights_key:
            self._set_lights(model, luminaires, lights_key)
            full = True
        regions, recomputed = [], []
        for cid in [c for c in self.entries if c not in model.views]:
            old = self.entries.pop(cid)
            if old.bbox is not None:
                regions.append(old.bbox)
        for cid in model.views:
            key = (model.cameras[cid], lights_key)
            old = self.entries.get(cid)
            if old is not None and old.key == key:
                continue
            new = self._camera(model, cid, key)
            self.entries[cid] = new
            recomputed.append(cid)
            regions += [b.bbox for b in (old, new) if b is not None and b.bbox is not None]
        if full or len(regions) > 2 * self.REFOLD_ALL:
            h, w = model.grid.shape
            regions = [(0, h, 0, w)]
        for region in regions:
            self._fold(model, region)
        self.recomputed = recomputed
        return bool(regions) or bool(recomputed)

    def result(self, model) -> N.NightResult:
        """The :class:`assessments.engine.night.NightResult` of the current state (no failing-cell
        list, no ``below_*`` masks: the page does not draw them)."""
        thr = dict(model.thresholds)
        lit_unseen, seen_dark = N.planner_areas(
            self.lit, model.pixel_density, self.best_night, model.inside,
            N.detect_px_m(thr))
        stats = self.h_stats
        low = np.fmin.reduce(self.ev_best, axis=None)     # NaN only when nothing is seen
        min_v = None if np.isnan(low) else float(low)
        lighting = {"statistics": stats, "min_vertical_lx": min_v,
                    "ses_class": L.ses_class(stats["mean_lx"], min_v),
                    "criteria": L.check_criteria(stats["mean_lx"], min_v),
                    "below_horizontal": None, "below_vertical": None,
                    "failing_cells": None}
        return N.NightResult(
            illuminance_lx=self.illuminance_lx, vertical_illuminance_lx=self.ev_best,
            day_pixel_density_px_m=model.pixel_density,
            night_pixel_density_px_m=self.best_night, night_mode=self.best_mode,
            lit_but_unseen=lit_unseen, seen_but_dark=seen_dark, area_mask=model.inside,
            cell_area_m2=model.grid.cell_area_m2, lighting=lighting, thresholds=thr,
            camera_night_dori_m2={cid: dict(self.entries[cid].dori_m2)
                                  for cid in model.views})


@st.cache_resource(max_entries=8, show_spinner=False)
def _scene(key: str, _validated: dict, _available: int, _cameras: list) -> Scene:
    return Scene(_validated, _available, _cameras)


def _available_bytes() -> int:
    """:func:`assessments.engine.budget.available_bytes`; a malformed
    ``MIMAMORI_MEMORY_LIMIT_MB`` is shown and the page stops there."""
    try:
        return budget.available_bytes()
    except ValueError:
        st.error(t("sim.memory.bad_limit"))
        st.stop()


def _check_cameras(scene: Scene, validated: dict, cameras: list[Camera]) -> None:
    """Refuse (:class:`assessments.engine.budget.MemoryBudgetError`) cameras whose
    windows and night pairs would not fit besides what the scene already holds; only
    called when a camera changed (a removal never grows the estimate)."""
    plan = dict(validated, cameras=cameras)
    est = budget.plan_estimate(plan, page=True)
    avail = _available_bytes() + scene.budget_bytes     # what the scene holds is in use
    if est.total_bytes > avail:
        raise budget.MemoryBudgetError(
            est, avail, budget.coarser_resolutions(plan, available=avail, page=True))
    scene.budget_bytes = est.total_bytes


def memory_text(exc: budget.MemoryBudgetError) -> str:
    """A refused run in the user's language: needed vs available memory and what to
    change (the coarser resolution that fits, with its figure)."""
    e = exc.estimate
    text = t("sim.memory.refused", needed=f"{e.total_gib:.1f}",
             available=f"{exc.available_bytes / budget.GIB:.1f}", cells=f"{e.cells:,}",
             res=f"{e.resolution_m:g}", n=f"{e.n_cameras:,}")
    fits = [(r, b) for r, b in exc.suggestions if b <= exc.available_bytes]
    if fits:
        return text + "\n\n" + t("sim.memory.coarser", res=f"{fits[0][0]:g}",
                                  gib=f"{fits[0][1] / budget.GIB:.1f}")
    return text + "\n\n" + t("sim.memory.smaller")


@st.cache_resource(max_entries=8, show_spinner=False)
def _validated_scene(key: str, _scene_plan: dict) -> dict:
    return planfile.validate_plan(_scene_plan)


# ---------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------
@dataclass
class SimResult:
    """Everything the page draws and the export writes, for one plan state.

    ``result`` (the RESULT.json-like summary) and ``overlap`` are computed on first use:
    the page draws the map first and the summary beside it afterwards, so the browser
    renders the map while the server computes the figures (issue 5 "Speed").
    """

    model: CoverageModel
    night: object                     # assessments.engine.night.NightResult
    summarise: Callable[[], tuple[dict, list]]   # → (result, overlap)
    requirement: dict | None
    req_map: np.ndarray | None
    privacy: list = field(default_factory=list)
    luminaires: list = field(default_factory=list)
    cameras: dict[str, Camera] = field(default_factory=dict)
    lights: list[Light] = field(default_factory=list)   # the simulated lights, plan order
    changed: list = field(default_factory=list)   # camera ids recomputed on this call
    scene_key: str = ""                            # digest of the scene (area, buildings …)

    @property
    def grid(self) -> Grid:
        return self.model.grid

    @cached_property
    def _summary(self) -> tuple[dict, list]:
        return self.summarise()

    @property
    def result(self) -> dict:
        """RESULT.json-like dict (plain values)."""
        return self._summary[0]

    @property
    def overlap(self) -> list:
        """:func:`assessments.engine.sim_summary.camera_overlap` rows."""
        return self._summary[1]


def _district_rows(scene: Scene, districts: dict, night, lit: bool):
    """``(rows, issues)``: figures per district (``assessments.engine.districts``), day and night
    (and the lighting when the plan has lights, ``lit``), or the validation issues that
    prevent them. The check and the labels are kept on the scene until the districts
    change, so a page run pays neither."""
    model = scene.model
    key = content_hash(districts) or digest(districts)
    with scene.lock:
        if scene.districts[0] != key:
            issues = planfile.check_districts(districts)
            scene.districts = (key, issues, None if issues else (
                district_labels(model.grid, districts), district_meta(districts)))
        _, issues, parts = scene.districts
        if issues:
            return None, issues
        labels, meta = parts
        rows = district_figures(labels, meta, pixel_density=model.pixel_density,
                                inside=model.inside, thresholds=dict(model.thresholds),
                                cell_area_m2=model.grid.cell_area_m2,
                                night_pixel_density=night.night_pixel_density_px_m,
                                illuminance_lx=night.illuminance_lx if lit else None,
                                vertical_illuminance_lx=night.vertical_illuminance_lx,
                                cameras_rc=camera_cells(model.grid, model.cameras))
    for row in rows:        # as RESULT.json of the command line: no lights, no figures
        row.setdefault("illuminance", dict.fromkeys(ILLUMINANCE_KEYS))
    return rows, []


def scene_part(plan: dict) -> dict:
    part = {"version": 1, "cameras": []}
    for k in SCENE_KEYS:
        if plan.get(k) is not None:
            part[k] = plan[k]
    return part


def device_issues(kind: str, items) -> list[PlanIssue]:
    """The issues of a plan's ``cameras`` (``kind="camera"``) or ``lights`` (``"light"``)
    list, duplicate ids included (:func:`assessments.engine.devices.check_devices`)."""
    return check_devices(kind, items)[1]


def use_case_rows(cursor) -> list[dict]:
    from datasets import queries
    return records(queries.list_use_cases(cursor))


def simulate_plan(plan: dict, *, use_cases: list[dict] | None = None,
                  retention_days: float | None = None) -> SimResult | None:
    """Simulate a plan (cached by inputs). None when the plan has no area yet.

    A plan whose run would not fit in the memory available
    (:mod:`assessments.engine.budget`: the scene before its grids are made, cameras before
    they are computed) is not computed: the page shows why and what to change
    (:func:`memory_text`) and stops there, the plan unchanged.

    Raises
    ------
    assessments.plan.validate.PlanError
        When the scene or a camera is invalid.
    """
    if not plan.get("area"):
        return None
    sp = scene_part(plan)
    key = digest(sp)
    validated = _validated_scene(key, sp)
    cameras, issues = check_devices("camera", plan.get("cameras"))
    if issues:
        raise planfile.PlanError(issues)
    try:
        scene = _scene(f"{plan.get('id', '')}:{key}", validated, _available_bytes(),
                       cameras)
    except budget.MemoryBudgetError as exc:
        st.error(memory_text(exc))
        st.stop()
    # a light the tables would not have saved is left out (the edit reports it)
    raw_lights, lights = [], []
    for i, raw in enumerate(plan.get("lights") or []):
        light, _ = check_light(raw, i)
        if light is not None:
            raw_lights.append(raw)
            lights.append(light)
    with scene.lock:
        if any(scene.cam_sig.get(c.id) != c for c in cameras):
            try:
                _check_cameras(scene, validated, cameras)
            except budget.MemoryBudgetError as exc:
                st.error(memory_text(exc))
                st.stop()
        changed = scene.sync(cameras)
        model = scene.model
        nc = scene.night_cache
        # by the plan entries: a Light compares without its parsed IES table
        lights_key = digest([_physics(lt) for lt in raw_lights])
        lum = (N.plan_luminaires(model.grid, lights) if lights_key != nc.lights_key
               else nc.luminaires)
        # only the cameras whose inputs changed (or all, when the lights changed)
        if nc.update(model, lum, lights_key) or scene.night is None:
            scene.night = nc.result(model)
        night = scene.night
        # the buildings (homes) are part of the scene key
        priv_key = tuple(model.cameras.values())
        if scene.privacy_key != priv_key:
            if scene.facade is None:    # homes' façades: part of the scene, not the cameras
                scene.facade = home_facade_cells(model.grid, plan.get("buildings") or {},
                                                 depth_m=1.5, inside=model.inside)
            scene.privacy = privacy_hits(model, plan.get("buildings") or {},
                                         facade=scene.facade)
            scene.privacy_key = priv_key
        privacy = scene.privacy
        req = sim_summary.use_case_requirement(use_cases or [], plan.get("use_cases") or [],
                                               thresholds=dict(model.thresholds))
        req_map = None
        if req is not None:
            req_map = sim_summary.requirement_map(
                model.pixel_density, night.night_pixel_density_px_m,
                required_px_m=req["px_per_m"], night_needed=req["night"], mask=model.inside)
        model_cameras = dict(model.cameras)
    if retention_days is None:
        retention_days = costs.retention_days(plan)
    name = plan.get("name")
    districts = plan.get("districts")

    def summarise() -> tuple[dict, list]:
        with scene.lock:
            summary = model.summary()
            cam_rows = []
            for cid in model.camera_ids:
                row = model.camera_summary(cid)
                row["night_dori_m2"] = night.camera_night_dori_m2.get(cid, {})
                cam_rows.append(row)
            overlap = sim_summary.camera_overlap(model)
            thresholds = dict(model.thresholds)
            day_frac = sim_summary.dori_fractions(model.pixel_density, mask=model.inside,
                                                  thresholds=thresholds)
            night_frac = sim_summary.dori_fractions(night.night_pixel_density_px_m,
                                                    mask=model.inside, thresholds=thresholds)
            req_sum = None if req_map is None else sim_summary.requirement_summary(
                req_map, cell_area_m2=model.grid.cell_area_m2)
        stor = storage.plan_storage([{"id": c.id, "width_px": c.width_px,
                                      "height_px": c.height_px} for c in cameras],
                                    retention_days=float(retention_days))
        result = {"version": 1, "name": name, "standard": model.standard,
                  "resolution_m": model.grid.resolution_m,
                  "target_height_m": model.target_height_m, **summary,
                  **night.result_entries(),
                  "dori_fraction": day_frac, "night_dori_fraction": night_frac,
                  "requirement": None if req is None else {**req, **req_sum},
                  "storage": {"retention_days": float(retention_days), **stor,
                              "model": "kush_gauge_h265_10fps_low_motion"},
                  "cameras_adding_little": [o["id"] for o in overlap if o["adds_little"]],
                  "privacy": [{k: v for k, v in p.items() if k not in ("mask", "rows", "cols")}
                              for p in privacy],
                  "cameras": cam_rows}
        if districts:
            rows, issues = _district_rows(scene, districts, night, bool(lum))
            if issues:
                result["district_issues"] = [i.message for i in issues]
            else:
                result["districts"] = rows
        return result, overlap

    return SimResult(model=model, night=night, summarise=summarise, requirement=req,
                     req_map=req_map, privacy=privacy, luminaires=lum,
                     cameras=model_cameras, lights=lights, changed=changed, scene_key=key)


def planfile_json_safe(result: dict) -> dict:
    """The result as plain JSON values (NaN → None)."""
    return json.loads(planfile.result_json(result))


# ---------------------------------------------------------------------------------------
# a point: what each camera records there
# ---------------------------------------------------------------------------------------
def point_report(sim: SimResult, x_m: float, y_m: float, *, previews: bool = True) -> dict:
    """Cameras that see the cell at ``(x_m, y_m)``: day and night density, DORI, SSIM.

    Returns
    -------
    dict
        ``row``, ``col``, ``inside`` and ``cameras``: list of ``{"id", "day_px_m",
        "day_level", "night_px_m", "night_level", "night_mode", "vertical_lx",
        "distance_m", "day", "night"}`` (``day``/``night``: PersonPreview or None), best
        day density first.
    """
    grid = sim.grid
    r, c = grid.cell_index(float(x_m), float(y_m))
    out = {"row": r, "col": c, "inside": bool(r >= 0 and sim.model.inside[r, c]),
           "cameras": []}
    if r < 0:
        return out
    for cid, view in sim.model.views.items():
        rec = camera_at_cell(view, sim.cameras.get(cid, view.camera), grid, r, c,
                             sim.luminaires, sim.model.thresholds, previews=previews)
        if rec is not None:
            out["cameras"].append({"id": cid, **rec})
    out["cameras"].sort(key=lambda d: -d["day_px_m"])
    return out


# ---------------------------------------------------------------------------------------
# editing
# ---------------------------------------------------------------------------------------
def apply_editor_delta(rows: list[dict], delta: dict, *, new_row=None) -> list[dict]:
    """Apply a ``st.data_editor`` delta to a list of dicts (a new list; input untouched).

    Parameters
    ----------
    rows : list of dict
        The items shown, in table order.
    delta : dict
        ``{"edited_rows": {index: {column: value}}, "added_rows": [{column: value}],
        "deleted_rows": [index]}`` as Streamlit stores it (index keys may be str).
    new_row : callable, optional
        ``new_row(values) -> dict`` completing an added row (preset values, a new id).

    Returns
    -------
    list of dict
    """
    out = [copy.deepcopy(r) for r in rows]
    for idx, changes in (delta.get("edited_rows") or {}).items():
        i = int(idx)
        if 0 <= i < len(out):
            for k, v in (changes or {}).items():
                out[i][k] = plain_value(v)
    deleted = {int(i) for i in delta.get("deleted_rows") or []}
    out = [r for i, r in enumerate(out) if i not in deleted]
    for added in delta.get("added_rows") or []:
        values = {k: plain_value(v) for k, v in (added or {}).items()
                  if not str(k).startswith("_")}
        values = {k: v for k, v in values.items() if v is not None}
        out.append(new_row(values) if new_row else values)
    return out


def next_id(existing, prefix: str) -> str:
    """``prefix`` + the smallest number above every ``prefix<n>`` id in ``existing``."""
    n = 0
    for e in existing:
        s = str(e)
        if s.startswith(prefix) and s[len(prefix):].isdigit():
            n = max(n, int(s[len(prefix):]))
    return f"{prefix}{n + 1}"


# the one camera-from-preset rule lives with the importer's other device rules (pure)
from assessments.plan.iotools import presets as _presets  # noqa: E402

camera_from_preset = _presets.camera_from_preset
light_from_preset = _presets.light_from_preset


# ---------------------------------------------------------------------------------------
# starting points
# ---------------------------------------------------------------------------------------
def _load(name: str) -> dict:
    return json.loads((SAMPLE_DIR / name).read_text(encoding="utf-8"))


def sample_district() -> dict:
    """The bundled sample district as plan fields (area, buildings, cameras, lights, map
    layers, municipality, sample attribution)."""
    plan = _load("plan.json")
    layers = {"streets": _load("streets.geojson"), "park": _load("park.geojson")}
    return {"area": plan["area"], "buildings": plan["buildings"],
            "cameras": plan["cameras"], "lights": plan["lights"],
            "resolution_m": plan.get("resolution_m", 1.0),
            "target_height_m": plan.get("target_height_m", 1.5),
            "municipality": plan["municipality"], "sample": plan.get("sample"),
            "map_layers": layers, "use_cases": plan.get("use_cases") or []}


def square_area(lat: float, lon: float, *, size_m: float = 400.0) -> dict:
    """A GeoJSON square of ``size_m`` [m] centred on a point (for a municipality start)."""
    g = Grid(float(lat), float(lon), 1.0, (1, 1), 0.0, 0.0)
    h = size_m / 2
    xs = np.array([-h, h, h, -h, -h])
    ys = np.array([-h, -h, h, h, -h])
    la, lo = g.to_latlon(xs, ys)
    return {"type": "Polygon", "coordinates": [[[round(float(o), 7), round(float(a), 7)]
                                                 for a, o in zip(la, lo)]]}
