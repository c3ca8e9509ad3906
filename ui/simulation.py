"""Cached simulation of a plan: coverage, night, requirement, privacy and summary figures.

Both the シミュレーション page and the 出力 page call :func:`simulate_plan` (or
:func:`results_for_plan`); results are computed from the plan, never handed over through
session keys. The :class:`~assessments.coverage.CoverageModel` of a scene (area, buildings,
resolution, target height, standard) is kept with ``st.cache_resource``; on every call only
the cameras whose dict changed are recomputed (``update_camera`` / ``remove_camera``), and the
night assessment is recomputed only when the cameras or lights changed.

The editing helpers (:func:`apply_editor_delta`, :func:`camera_issues`,
:func:`light_issues`) are plain functions so the page's table edits are testable.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from assessments import image_quality as iq
from assessments import lighting as L
from assessments import night as N
from assessments import planfile, sim_summary, storage
from assessments.coverage import CoverageModel
from assessments.grid import Grid
from assessments.privacy_geometry import privacy_hits

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "datasets" / "sample_district"
PLATEAU_ATTRIBUTION = "3D都市モデル（Project PLATEAU）新座市（2020年度）（国土交通省）を加工して作成"
#: Illuminance of a daylit face used for the day preview [lx]: the example value of
#: ``assessments.image_quality.preview_person`` ("day: e.g. 10,000"); illustrative (⚠️
#: overcast daylight varies widely), it only sets the preview's (negligible) noise.
DAY_PREVIEW_LX = 10_000.0
#: Keys of the plan that define the scene (a change rebuilds the coverage model).
SCENE_KEYS = ("area", "buildings", "resolution_m", "target_height_m", "standard",
              "min_density_px_m")
CAMERA_EDIT_FIELDS = ("id", "lat", "lon", "mount_height_m", "azimuth_deg", "tilt_deg",
                      "hfov_deg", "width_px", "height_px", "ir_range_m", "min_illuminance_lx",
                      "shutter_s", "model", "unit_price_jpy")
LIGHT_EDIT_FIELDS = ("id", "lat", "lon", "mount_height_m", "lumens", "distribution",
                     "intensity_cd", "model", "unit_price_jpy")
#: Device fields that do not change what a camera sees or a light lights: a change of
#: price never recomputes coverage or night (the cost lines read them directly).
COST_FIELDS = ("unit_price_jpy",)


def _physics(device: dict) -> dict:
    """The device without its cost fields (for the recompute signatures)."""
    return {k: v for k, v in device.items() if k not in COST_FIELDS}


def digest(obj) -> str:
    """Stable content hash of a JSON-like object."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str,
                      separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# the cached scene
# ---------------------------------------------------------------------------------------
class Scene:
    """A coverage model for one scene plus the camera dicts it currently holds."""

    def __init__(self, validated: dict):
        self.lock = threading.Lock()
        self.grid = Grid.from_area(validated["area"], validated["resolution_m"])
        self.model = CoverageModel(self.grid, validated.get("_footprints"),
                                   area=validated["area"],
                                   target_height_m=validated["target_height_m"],
                                   standard=validated["standard"],
                                   min_density_px_m=validated.get("min_density_px_m"))
        self.cam_sig: dict[str, str] = {}
        self.night_key = None
        self.night = None
        self.privacy_key = None
        self.privacy = None
        self.last_changed: list[str] = []

    def sync(self, cameras: list[dict]) -> list[str]:
        """Make the model hold exactly ``cameras``; recompute only the changed ones."""
        new = {str(c["id"]): digest(_physics(c)) for c in cameras}
        if list(new) != list(self.cam_sig) and set(new) == set(self.cam_sig):
            pass  # same set, other order: indices differ but per-camera views are reusable
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
                cid = str(cam["id"])
                if self.cam_sig.get(cid) != new[cid]:
                    self.model.update_camera(cam)
                    changed.append(cid)
        self.cam_sig = new
        self.last_changed = changed
        return changed


@st.cache_resource(max_entries=8, show_spinner=False)
def _scene(key: str, _validated: dict) -> Scene:
    return Scene(_validated)


@st.cache_resource(max_entries=8, show_spinner=False)
def _validated_scene(key: str, _scene_plan: dict) -> dict:
    return planfile.validate_plan(_scene_plan)


# ---------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------
@dataclass
class SimResult:
    """Everything the page draws and the export writes, for one plan state."""

    model: CoverageModel
    night: object                     # assessments.night.NightResult
    result: dict                      # RESULT.json-like dict (plain values)
    requirement: dict | None
    req_map: np.ndarray | None
    privacy: list = field(default_factory=list)
    overlap: list = field(default_factory=list)
    luminaires: list = field(default_factory=list)
    cameras: dict = field(default_factory=dict)   # id → validated camera dict
    changed: list = field(default_factory=list)   # camera ids recomputed on this call

    @property
    def grid(self) -> Grid:
        return self.model.grid


def scene_part(plan: dict) -> dict:
    part = {"version": 1, "cameras": []}
    for k in SCENE_KEYS:
        if plan.get(k) is not None:
            part[k] = plan[k]
    return part


def camera_issues(area: dict, cameras: list[dict]) -> list:
    """Validation issues (``assessments.planfile.PlanIssue``) of the cameras alone."""
    try:
        planfile.validate_plan({"version": 1, "area": area, "cameras": cameras})
    except planfile.PlanError as exc:
        return [i for i in exc.issues if i.item_id.startswith("camera")]
    return []


def light_issues(lights: list[dict]) -> list[dict]:
    """Problems of the lights (``assessments.lighting.validate_light``), duplicate ids too."""
    out, seen = [], set()
    for light in lights:
        out += L.validate_light(light)
        lid = str(light.get("id", ""))
        if lid and lid in seen:
            out.append({"id": lid, "field": "id", "code": "duplicate_id",
                        "message": f"light {lid!r}: id used twice"})
        seen.add(lid)
    return out


def use_case_rows(cursor) -> list[dict]:
    from datasets import queries
    df = queries.list_use_cases(cursor)
    return df.astype(object).where(df.notna(), None).to_dict("records")


def simulate_plan(plan: dict, *, use_cases: list[dict] | None = None,
                  retention_days: float | None = None) -> SimResult | None:
    """Simulate a plan (cached by inputs). None when the plan has no area yet.

    Raises
    ------
    assessments.planfile.PlanError
        When the scene or a camera is invalid.
    """
    if not plan.get("area"):
        return None
    sp = scene_part(plan)
    key = digest(sp)
    validated = _validated_scene(key, sp)
    scene = _scene(f"{plan.get('id', '')}:{key}", validated)
    cams_plan = [c for c in plan.get("cameras") or []]
    issues = camera_issues(validated["area"], cams_plan)
    if issues:
        raise planfile.PlanError(issues)
    cameras = [dict(c, id=str(c["id"])) for c in cams_plan]
    lights = [lt for lt in plan.get("lights") or [] if not L.validate_light(lt)]
    with scene.lock:
        changed = scene.sync(cameras)
        model = scene.model
        lum = []
        for light in lights:
            x, y = model.grid.to_xy(float(light["lat"]), float(light["lon"]))
            lum.append(L.luminaire_from_plan(light, x_m=float(x), y_m=float(y)))
        night_key = (digest([_physics(c) for c in cameras]),
                     digest([_physics(lt) for lt in lights]))
        if scene.night_key != night_key:
            views = N.views_from_coverage(model.views.values(), model.cameras)
            scene.night = N.night_assessment(model.grid.x_axis_m, model.grid.y_axis_m, lum,
                                             views, area_mask=model.inside,
                                             thresholds=model.thresholds)
            scene.night_key = night_key
        night = scene.night
        priv_key = (night_key[0], digest((plan.get("buildings") or {}).get("features", [])
                                        if isinstance(plan.get("buildings"), dict) else []))
        if scene.privacy_key != priv_key:
            scene.privacy = privacy_hits(model, plan.get("buildings") or {})
            scene.privacy_key = priv_key
        privacy = scene.privacy
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
        req = sim_summary.use_case_requirement(use_cases or [], plan.get("use_cases") or [],
                                               thresholds=thresholds)
        req_map = req_sum = None
        if req is not None:
            req_map = sim_summary.requirement_map(
                model.pixel_density, night.night_pixel_density_px_m,
                required_px_m=req["px_per_m"], night_needed=req["night"], mask=model.inside)
            req_sum = sim_summary.requirement_summary(req_map,
                                                      cell_area_m2=model.grid.cell_area_m2)
        model_cameras = dict(model.cameras)
    if retention_days is None:
        retention_days = ((plan.get("privacy") or {}).get("settings") or {}).get(
            "retention_days") or 14
    stor = storage.plan_storage(cameras, retention_days=float(retention_days))
    result = {"version": 1, "name": plan.get("name"), "standard": model.standard,
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
    return SimResult(model=model, night=night, result=result, requirement=req,
                     req_map=req_map, privacy=privacy, overlap=overlap, luminaires=lum,
                     cameras=model_cameras, changed=changed)


def results_for_plan(plan: dict, *, use_cases: list[dict] | None = None,
                     layer: str = "dori") -> tuple[dict | None, bytes | None]:
    """RESULT dict and a PNG of the map for a plan (None, None when it cannot be
    simulated). For the 出力 page."""
    try:
        sim = simulate_plan(plan, use_cases=use_cases)
    except planfile.PlanError:
        return None, None
    if sim is None:
        return None, None
    from ui import map_view
    png = map_view.render_png(sim, plan, layer=layer)
    return planfile_json_safe(sim.result), png


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
    thr = sim.model.thresholds
    for cid, view in sim.model.views.items():
        if view.empty or not (view.rows.start <= r < view.rows.stop
                              and view.cols.start <= c < view.cols.stop):
            continue
        pd = float(view.pixel_density[r - view.rows.start, c - view.cols.start])
        if pd <= 0:
            continue
        cam = sim.cameras.get(cid, {})
        cx, cy = grid.x_axis_m[c], grid.y_axis_m[r]
        dist = float(math.hypot(cx - view.x_m, cy - view.y_m))
        azim = math.degrees(math.atan2(view.x_m - cx, view.y_m - cy)) % 360.0
        ev = float(L.illuminance_at_points(cx, cy, sim.luminaires, height_m=N.FACE_HEIGHT_M,
                                           facing_azimuth_deg=azim)) if sim.luminaires else 0.0
        min_lx = cam.get("min_illuminance_lx")
        min_lx = N.DEFAULT_MIN_ILLUMINANCE_LX if min_lx is None else float(min_lx)
        shutter = cam.get("shutter_s")
        shutter = N.DEFAULT_SHUTTER_S if shutter is None else float(shutter)
        ir = cam.get("ir_range_m")
        mode = int(iq.night_mode(ev, dist, min_illuminance_lx=min_lx, ir_range_m=ir))
        npd = float(np.nan_to_num(iq.night_pixel_density(
            pd, ev, dist, min_illuminance_lx=min_lx, ir_range_m=ir, shutter_s=shutter)))
        rec = {"id": cid, "day_px_m": pd, "day_level": level_of(pd, thr),
               "night_px_m": npd, "night_level": level_of(npd, thr), "night_mode": mode,
               "vertical_lx": ev, "distance_m": dist, "day": None, "night": None}
        if previews:
            safe_min = max(min_lx, 1e-3)
            rec["day"] = iq.preview_person(pd, DAY_PREVIEW_LX, min_illuminance_lx=safe_min,
                                           shutter_s=shutter)
            if mode != iq.NIGHT_DARK:
                rec["night"] = iq.preview_person(pd, ev, min_illuminance_lx=safe_min,
                                                 shutter_s=shutter,
                                                 ir_on=mode == iq.NIGHT_IR)
        out["cameras"].append(rec)
    out["cameras"].sort(key=lambda d: -d["day_px_m"])
    return out


def level_of(px_m: float, thresholds: dict) -> str | None:
    """Highest DORI level reached by a pixel density [px/m] (None below the lowest)."""
    best = None
    for k, t in sorted(thresholds.items(), key=lambda kv: kv[1]):
        if px_m >= t:
            best = k
    return best


# ---------------------------------------------------------------------------------------
# editing
# ---------------------------------------------------------------------------------------
def _clean_value(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return v
    return v


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
                out[i][k] = _clean_value(v)
    deleted = {int(i) for i in delta.get("deleted_rows") or []}
    out = [r for i, r in enumerate(out) if i not in deleted]
    for added in delta.get("added_rows") or []:
        values = {k: _clean_value(v) for k, v in (added or {}).items()
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


def camera_from_preset(preset: dict | None, *, lat: float, lon: float, cid: str,
                       azimuth_deg: float = 0.0) -> dict:
    """A plan camera at a point with a preset's optics (defaults of the importer otherwise)."""
    from assessments.importers import DEFAULT_CAMERA
    cam = {"id": cid, "lat": round(float(lat), 7), "lon": round(float(lon), 7),
           **copy.deepcopy(DEFAULT_CAMERA)}
    cam["azimuth_deg"] = float(azimuth_deg)
    if preset:
        for src, dst in (("hfov_deg", "hfov_deg"), ("width_px", "width_px"),
                         ("height_px", "height_px"), ("ir_range_m", "ir_range_m"),
                         ("min_illuminance_color_lx", "min_illuminance_lx")):
            v = preset.get(src)
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                cam[dst] = _clean_value(v)
        cam["model"] = preset.get("name_ja") or ""
        cam["preset"] = preset.get("id")
        for k in ("width_px", "height_px"):
            cam[k] = int(cam[k])
    return cam


def light_from_preset(preset: dict | None, *, lat: float, lon: float, lid: str) -> dict:
    from assessments.importers import DEFAULT_LIGHT
    light = {"id": lid, "lat": round(float(lat), 7), "lon": round(float(lon), 7),
             **copy.deepcopy(DEFAULT_LIGHT)}
    if preset:
        light.update(mount_height_m=float(preset["mount_height_m"]),
                     lumens=float(preset["lumens"]), distribution=preset["distribution"],
                     model=preset.get("name_ja") or "", preset=preset.get("id"))
    return light


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
