"""Cameras from presets, and completing a camera typed with only a model or a preset.

Preset rows are those of the ``camera_presets`` reference table (``datasets/camera_presets.csv``);
callers pass them in, so this module stays free of the database.
"""
from __future__ import annotations

import copy

from ...records import plain_value
from .columns import DEFAULT_CAMERA, DEFAULT_LIGHT

__all__ = ["OPTICS_FIELDS", "REQUIRED_FIELDS", "camera_from_preset", "complete_camera", "find_preset",
           "light_from_preset"]

#: Fields a camera takes from its model: the same model has the same optics and price.
OPTICS_FIELDS = ("hfov_deg", "width_px", "height_px", "vfov_deg", "max_range_m", "ir_range_m",
                 "min_illuminance_lx", "shutter_s", "preset", "unit_price_jpy")
#: Fields the plan validator requires of a camera (:mod:`assessments.engine.devices`).
REQUIRED_FIELDS = ("mount_height_m", "tilt_deg", "hfov_deg", "width_px", "height_px")
#: preset column -> camera field
_PRESET_FIELDS = (("hfov_deg", "hfov_deg"), ("width_px", "width_px"),
                  ("height_px", "height_px"), ("ir_range_m", "ir_range_m"),
                  ("min_illuminance_color_lx", "min_illuminance_lx"))


def _optics_from_preset(cam: dict, preset: dict) -> None:
    for src, dst in _PRESET_FIELDS:
        v = plain_value(preset.get(src))
        if v is not None:
            cam[dst] = v
    for k in ("width_px", "height_px"):
        if cam.get(k) is not None:
            cam[k] = int(cam[k])


def camera_from_preset(preset: dict | None, *, lat: float, lon: float, cid: str,
                       azimuth_deg: float = 0.0) -> dict:
    """A plan camera at a point with a preset's optics (defaults of the importer otherwise)."""
    cam = {"id": cid, "lat": round(float(lat), 7), "lon": round(float(lon), 7),
           **copy.deepcopy(DEFAULT_CAMERA)}
    cam["azimuth_deg"] = float(azimuth_deg)
    if preset:
        _optics_from_preset(cam, preset)
        cam["model"] = preset.get("name_ja") or ""
        cam["preset"] = preset.get("id")
    return cam


def light_from_preset(preset: dict | None, *, lat: float, lon: float, lid: str) -> dict:
    """A plan light at a point with a ``light_presets`` row's mount height, flux and
    distribution (:data:`DEFAULT_LIGHT` otherwise)."""
    light = {"id": lid, "lat": round(float(lat), 7), "lon": round(float(lon), 7),
             **copy.deepcopy(DEFAULT_LIGHT)}
    if preset:
        light.update(mount_height_m=float(preset["mount_height_m"]),
                     lumens=float(preset["lumens"]), distribution=preset["distribution"],
                     model=preset.get("name_ja") or "", preset=preset.get("id"))
    return light


def find_preset(presets, *, preset_id=None, model=None) -> dict | None:
    """The preset whose id is ``preset_id``, else whose id or name (ja/en) is ``model``."""
    rows = list(presets or ())
    for key, text in (("id", preset_id), ("id", model), ("name_ja", model), ("name_en", model)):
        if text:
            found = next((p for p in rows if str(p.get(key) or "").strip() == str(text).strip()),
                         None)
            if found:
                return found
    return None


def complete_camera(cam: dict, *, cameras=(), presets=()) -> tuple[dict, str, str]:
    """``cam`` with the fields it lacks taken from its model, its preset or the defaults.

    Parameters
    ----------
    cam : dict
        A plan camera, e.g. a row typed in Excel with only ``id``, ``lat``, ``lon``,
        ``model``. Fields it has are never changed.
    cameras : iterable of dict
        Other cameras of the plan; the first with the same ``model`` text gives
        :data:`OPTICS_FIELDS`.
    presets : iterable of dict
        ``camera_presets`` rows; used when no camera has the model and ``cam["preset"]`` or
        ``cam["model"]`` names a preset (id, name_ja or name_en).

    Returns
    -------
    tuple
        ``(camera, source, name)``: ``source`` is ``"model"`` (``name`` = the id of the
        camera copied), ``"preset"`` (``name`` = the preset id), ``"defaults"`` (the
        importer's :data:`~.columns.DEFAULT_CAMERA`) or ``""`` when nothing was missing.
    """
    out = copy.deepcopy(cam)
    if all(out.get(k) is not None for k in REQUIRED_FIELDS):
        return out, "", ""
    source, name = "defaults", ""
    model = str(out.get("model") or "").strip()
    twin = next((c for c in cameras or () if model and str(c.get("model") or "").strip() == model
                 and c.get("id") != out.get("id") and c.get("width_px") is not None), None)
    preset = None if twin else find_preset(presets, preset_id=out.get("preset"), model=model)
    if twin:
        source, name = "model", str(twin.get("id"))
        for k in OPTICS_FIELDS:
            if out.get(k) is None and twin.get(k) is not None:
                out[k] = copy.deepcopy(twin[k])
    elif preset:
        source, name = "preset", str(preset.get("id"))
        optics = {}
        _optics_from_preset(optics, preset)
        for k, v in optics.items():
            if out.get(k) is None:
                out[k] = v
        out.setdefault("preset", preset.get("id"))
    for k in REQUIRED_FIELDS:
        if out.get(k) is None:
            out[k] = copy.deepcopy(DEFAULT_CAMERA[k])
    return out, source, name
