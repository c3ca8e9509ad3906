"""The simulation engine: grid, occlusion, cameras, coverage, lighting, night, privacy geometry.

Public face (import from here; the modules are the implementation)::

    from assessments.engine import Grid, CoverageModel, Camera, Light, simulate_night

Modules, one concept each: :mod:`.devices` (the one validator of cameras and lights, their
typed values and the plan's issue type), :mod:`.dori` (the DORI table of both editions),
:mod:`.grid` (cells ↔ metres ↔ lat/lon, the only place),
:mod:`.visibility` (line of sight over buildings and terrain), :mod:`.camera` (pinhole
geometry, DORI), :mod:`.coverage` (many cameras on a grid), :mod:`.photometry` (IES /
EULUMDAT), :mod:`.lighting` (illuminance), :mod:`.image_quality` and :mod:`.night` (night
image quality joined with lighting), :mod:`.districts` (figures per district),
:mod:`.privacy_geometry` (homes in view), :mod:`.storage` (recording storage),
:mod:`.sim_summary` (summary figures of a result), :mod:`.relief` (hillshade and contours
of the terrain, for the map).
"""
from .coverage import CameraView, CoverageModel, privacy_masked, simulate_night
from .devices import (Camera, Light, PlanError, PlanIssue, as_camera, as_light, check_camera,
                      check_devices, check_light)
from .dori import DORI_LEVELS, DORI_ORDER, DORI_STANDARDS, DORI_TABLE, dori_label, dori_thresholds
from .grid import Grid, geojson_rings, polygon_mask
from .relief import contour_levels, contour_paths, hillshade
from .visibility import Surface, Terrain

__all__ = ["Camera", "CameraView", "CoverageModel", "DORI_LEVELS", "DORI_ORDER", "DORI_STANDARDS",
           "DORI_TABLE", "Grid", "Light", "PlanError", "PlanIssue", "Surface", "Terrain",
           "as_camera", "as_light", "check_camera", "check_devices", "check_light",
           "contour_levels", "contour_paths", "dori_label", "dori_thresholds", "geojson_rings",
           "hillshade", "polygon_mask", "privacy_masked", "simulate_night"]
