"""The simulation engine: grid, occlusion, cameras, coverage, lighting, night, privacy geometry.

Public face (import from here; the modules are the implementation)::

    from assessments.engine import Grid, CoverageModel, simulate_night

Modules, one concept each: :mod:`.grid` (cells ↔ metres ↔ lat/lon, the only place),
:mod:`.visibility` (line of sight over buildings and terrain), :mod:`.camera` (pinhole
geometry, DORI), :mod:`.coverage` (many cameras on a grid), :mod:`.photometry` (IES /
EULUMDAT), :mod:`.lighting` (illuminance), :mod:`.image_quality` and :mod:`.night` (night
image quality joined with lighting), :mod:`.districts` (figures per district),
:mod:`.privacy_geometry` (homes in view), :mod:`.storage` (recording storage),
:mod:`.sim_summary` (summary figures of a result).
"""
from .camera import DORI_LEVELS, DORI_STANDARDS, dori_thresholds
from .coverage import CameraView, CoverageModel, privacy_masked, simulate_night
from .grid import Grid, geojson_rings, polygon_mask
from .visibility import Surface, Terrain

__all__ = ["CameraView", "CoverageModel", "DORI_LEVELS", "DORI_STANDARDS", "Grid", "Surface",
           "Terrain", "dori_thresholds", "geojson_rings", "polygon_mask", "privacy_masked",
           "simulate_night"]
