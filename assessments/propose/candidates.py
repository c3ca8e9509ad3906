"""Candidate sites and the device options at each: where a proposal may put cameras and lights.

Sites (:class:`Site`, ``kind``):

``road``
    Poles along the plan's street lines (``map_layers``: ``streets`` centre lines, offset
    ``offset_m`` to both sides; ``roads`` = 基盤地図情報 道路縁 and the outlines of PLATEAU
    ``road_areas``, on the line), every ``spacing_m`` along each line.
``wall``
    Corners of non-home buildings within ``wall_reach_m`` of a street line, just inside
    the wall, below the roof; a wall camera looks away from its wall only.
``pole``
    An imported candidate list: existing 電柱・防犯灯 (a CSV / Excel table read by
    :func:`assessments.plan.iotools.read_point_table`).
``plan``
    Where the plan's own cameras and lights stand (their poles can take one more device).
``lattice``
    A plan without street lines: open ground every ``2 × spacing_m`` over the area.

Sites inside a building (other than walls) or outside the area are dropped; sites closer
than ``min_gap_m`` to an earlier one are merged into it. Options per site
(:class:`Option`): every camera preset × mount height × azimuth × tilt, and at night each
of those with each light preset on the same pole (a camera and its light chosen together).
The plan's own devices are kept as they are and are not options.

The cost of an option comes from the one cost arithmetic,
:func:`assessments.programme.costs.plan_costs`: the device's line (its ``unit_price_jpy``,
the installation rate, the recording storage) and, once per site, the pole rate × sites.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..engine.grid import Grid, geojson_lines, polygon_mask
from ..engine.homes import building_polygons, buildings_near_lines
from ..engine.visibility import building_footprints, building_height, rasterize_buildings
from ..plan.buildings import is_home
from ..plan.iotools.presets import camera_from_preset, light_from_preset
from ..programme.costs import number, plan_costs

__all__ = ["Site", "Option", "Candidates", "build_candidates", "street_lines", "SITE_KINDS"]

SITE_KINDS = ("road", "wall", "pole", "plan", "lattice")
#: map_layers whose lines are street centre lines (poles offset to both sides) and road
#: edges or outlines (poles on the line).
CENTRE_LAYERS = ("streets",)
EDGE_LAYERS = ("roads", "road_areas")


@dataclass(frozen=True)
class Site:
    """A place that can take devices.

    Attributes
    ----------
    id : str
    kind : str
        One of :data:`SITE_KINDS`.
    lat, lon : float
        Position [°].
    x_m, y_m : float
        Position on the candidates' grid [m].
    facing_deg : float or None
        For a wall: the outward bearing (clockwise from north) the camera may look along,
        within ``± wall_half_angle_deg`` [°]; None: any bearing.
    max_height_m : float or None
        Highest mount height (a wall: below its roof) [m].
    """

    id: str
    kind: str
    lat: float
    lon: float
    x_m: float
    y_m: float
    facing_deg: float | None = None
    max_height_m: float | None = None


@dataclass(frozen=True)
class Option:
    """One way to equip a site: a camera (plan dict without id) and optionally a light.

    ``cost_jpy`` is the devices' cost without the site's (:attr:`Candidates.site_cost_jpy`)
    [円].
    """

    site: int
    camera: dict
    light: dict | None
    cost_jpy: float

    @property
    def label(self) -> str:
        c = self.camera
        text = (f"{c.get('preset') or c.get('model')} h{c['mount_height_m']:g} "
                f"az{c['azimuth_deg']:g} tilt{c['tilt_deg']:g}")
        return text + (f" + {self.light.get('preset')}" if self.light else "")


@dataclass
class Candidates:
    """Sites, options and costs for one plan (:func:`build_candidates`).

    Attributes
    ----------
    sites : list of Site
    options : list of Option
    site_cost_jpy : float
        Cost of using a site once [円] (``pole`` rate × 1 site).
    grid : Grid
        The plan's grid (the sites' metres).
    """

    sites: list
    options: list
    site_cost_jpy: float
    grid: Grid
    counts: dict = field(default_factory=dict)

    def option_sites(self) -> np.ndarray:
        """Site index of each option (int32)."""
        return np.array([o.site for o in self.options], dtype=np.int32)

    def option_costs(self) -> np.ndarray:
        """Cost of each option without its site [円] (float64)."""
        return np.array([o.cost_jpy for o in self.options], dtype=float)


def street_lines(plan: dict, grid: Grid) -> tuple[list, list]:
    """The plan's street lines in grid metres: (centre lines, edge lines), each a list of
    (n, 2) arrays [m] (``map_layers``, :data:`CENTRE_LAYERS` / :data:`EDGE_LAYERS`)."""
    layers = plan.get("map_layers") or {}
    out = ([], [])
    for k, names in enumerate((CENTRE_LAYERS, EDGE_LAYERS)):
        for name in names:
            for feat in (layers.get(name) or {}).get("features") or []:
                for a in geojson_lines(feat, outlines=True):
                    x, y = grid.to_xy(a[:, 1], a[:, 0])
                    out[k].append(np.column_stack([x, y]))
    return out


def _points_along(line: np.ndarray, spacing_m: float):
    """Points every ``spacing_m`` along a polyline (starting half a spacing in) and the unit
    normals there: (points (n, 2), normals (n, 2))."""
    seg = np.diff(line, axis=0)
    seg_len = np.hypot(seg[:, 0], seg[:, 1])
    keep = seg_len > 1e-9
    if not keep.any():
        return np.zeros((0, 2)), np.zeros((0, 2))
    seg, seg_len, start = seg[keep], seg_len[keep], line[:-1][keep]
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    total = cum[-1]
    s = np.arange(min(spacing_m / 2, total / 2), total, spacing_m)
    k = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(seg) - 1)
    t = (s - cum[k])[:, None] / seg_len[k][:, None]
    pts = start[k] + t * seg[k]
    tang = seg[k] / seg_len[k][:, None]
    normals = np.column_stack([-tang[:, 1], tang[:, 0]])
    return pts, normals


def _wall_sites(plan, grid, lines, *, reach_m, inset_m=0.3, min_turn_deg=30.0):
    """Corners of non-home buildings near the street lines: (x, y, outward bearing [°],
    roof height [m]) per corner."""
    buildings = plan.get("buildings") or {}
    feats = buildings.get("features") or []
    geo_lines = []
    for line in lines:
        lat, lon = grid.to_latlon(line[:, 0], line[:, 1])
        geo_lines.append({"geometry": {"type": "LineString",
                                       "coordinates": np.column_stack([lon, lat]).tolist()}})
    near = set(buildings_near_lines(grid, buildings, geo_lines, reach_m))
    if not near:
        return []
    polys, index = building_polygons(grid, buildings)
    import shapely
    from shapely.geometry import LineString, MultiLineString
    streets = MultiLineString([LineString(a) for a in lines])
    out = []
    for poly, i in zip(polys, index):
        feat = feats[i]
        if i not in near or is_home(feat.get("properties")):
            continue
        height = building_height(feat)
        if not height:
            continue
        ring = np.asarray(poly.exterior.coords)[:-1]
        if len(ring) < 3:
            continue
        ccw = poly.exterior.is_ccw
        for j in range(len(ring)):
            p, a, b = ring[j], ring[j - 1], ring[(j + 1) % len(ring)]
            u, v = p - a, b - p
            lu, lv = np.hypot(*u), np.hypot(*v)
            if lu < 1e-6 or lv < 1e-6:
                continue
            u, v = u / lu, v / lv
            turn = math.degrees(math.atan2(u[0] * v[1] - u[1] * v[0], u @ v))
            convex = turn > 0 if ccw else turn < 0
            if not convex or abs(turn) < min_turn_deg:
                continue
            # outward normals of the two walls (right of the direction of travel for ccw)
            sign = 1.0 if ccw else -1.0
            n1 = sign * np.array([u[1], -u[0]])
            n2 = sign * np.array([v[1], -v[0]])
            out_dir = n1 + n2
            out_dir /= np.hypot(*out_dir)
            if shapely.distance(streets, shapely.Point(*p)) > reach_m:
                continue
            x, y = p - inset_m * out_dir
            bearing = math.degrees(math.atan2(out_dir[0], out_dir[1])) % 360.0
            out.append((float(x), float(y), bearing, float(height)))
    return out


def _site_costs(plan: dict, camera: dict, light: dict | None) -> tuple[float, float]:
    """(device cost, site cost) [円] of one camera (and light) at a new site, from
    :func:`plan_costs`: the cost of two cameras on one site minus one camera's is the
    camera's own; the rest of one camera's is the site's."""
    base = {k: plan.get(k) for k in ("simulation", "privacy")}
    cam = dict(camera, id="A", site="S")
    one = plan_costs({**base, "cameras": [cam]}).initial_jpy
    two = plan_costs({**base, "cameras": [cam, dict(cam, id="B")]}).initial_jpy
    device = two - one
    if light is not None:
        device += plan_costs({**base, "lights": [dict(light, id="L")]}).initial_jpy
    return device, one - (two - one)


def _price(presets_prices: dict, plan_devices, preset_id: str) -> float | None:
    """A preset's unit price [円]: given, else the first plan device of that preset with a
    price > 0."""
    if preset_id in presets_prices:
        return number(presets_prices[preset_id])
    for dev in plan_devices or ():
        p = number(dev.get("unit_price_jpy"))
        if dev.get("preset") == preset_id and p and p > 0:
            return p
    return None


def build_candidates(plan: dict, *, camera_presets, light_presets=(), night: bool = False,
                     spacing_m: float = 10.0, offset_m: float = 2.5,
                     heights_m=(5.0,), azimuths: int = 8, tilts_deg=(15.0,),
                     walls: bool = True, wall_reach_m: float = 6.0,
                     wall_half_angle_deg: float = 75.0, poles=(), min_gap_m: float = 2.0,
                     unit_prices_jpy: dict | None = None, max_sites: int | None = None,
                     seed: int = 0, grid: Grid | None = None) -> Candidates:
    """Candidate sites and options of a plan (module docstring).

    Parameters
    ----------
    plan : dict
        The plan (``area``, ``resolution_m``, ``buildings``, ``map_layers``, ``cameras``,
        ``lights``, ``simulation.unit_prices_jpy``).
    camera_presets : iterable of dict
        ``camera_presets`` rows to try (``id``, ``hfov_deg``, ``width_px``, …).
    light_presets : iterable of dict
        ``light_presets`` rows to pair with cameras at night (``night`` only).
    night : bool
        Add camera + light options.
    spacing_m : float
        Pole spacing along street lines [m].
    offset_m : float
        Offset of the poles from a street centre line, both sides [m].
    heights_m, tilts_deg : sequence of float
        Mount heights [m] and tilts [°] tried.
    azimuths : int
        Bearings tried, evenly from 0° (8 → every 45°).
    walls : bool
        Add building-corner sites.
    poles : iterable of dict
        Imported candidate poles (rows with ``lat``, ``lon``, optional ``id`` and
        ``mount_height_m``).
    unit_prices_jpy : dict, optional
        Preset id → unit price [円]; default the price of a plan device of that preset.
    max_sites : int, optional
        Keep at most this many sites, drawn with ``seed`` (walls and plan sites kept
        first in that draw's order).
    seed : int
        Seed of that draw: the same seed gives the same candidates.
    grid : Grid, optional
        Grid of the sites' metres (default the plan area's).

    Returns
    -------
    Candidates
    """
    if grid is None:
        grid = Grid.from_area(plan["area"], float(plan.get("resolution_m") or 1.0))
    spacing_m, offset_m = float(spacing_m), float(offset_m)
    if not spacing_m > 0:
        raise ValueError(f"spacing_m must be > 0, got {spacing_m}")
    area = polygon_mask(grid, plan["area"])
    bcm = rasterize_buildings(grid, building_footprints(
        plan.get("buildings") or {"type": "FeatureCollection", "features": []}))
    raw = []                    # (kind, x, y, facing, max height, id)
    centre, edges = street_lines(plan, grid)
    for line in centre:
        pts, nrm = _points_along(line, spacing_m)
        for side in (1.0, -1.0):
            for p in pts + side * offset_m * nrm:
                raw.append(("road", p[0], p[1], None, None, None))
    for line in edges:
        pts, _ = _points_along(line, spacing_m)
        raw += [("road", p[0], p[1], None, None, None) for p in pts]
    if walls and (centre or edges):
        for x, y, bearing, h in _wall_sites(plan, grid, centre + edges, reach_m=wall_reach_m):
            raw.append(("wall", x, y, bearing, h - 0.5, None))
    for k, row in enumerate(poles or ()):
        lat, lon = number(row.get("lat")), number(row.get("lon"))
        if lat is None or lon is None:
            continue
        x, y = grid.to_xy(lat, lon)
        raw.append(("pole", float(x), float(y), None, number(row.get("mount_height_m")),
                    str(row.get("id") or f"pole{k + 1}")))
    for dev in list(plan.get("cameras") or ()) + list(plan.get("lights") or ()):
        lat, lon = number(dev.get("lat")), number(dev.get("lon"))
        if lat is None or lon is None:
            continue
        x, y = grid.to_xy(lat, lon)
        raw.append(("plan", float(x), float(y), None, None, str(dev.get("id"))))
    if not (centre or edges):
        step = 2 * spacing_m
        xs = np.arange(grid.x_axis_m[0] + step / 2, grid.x_axis_m[-1], step)
        ys = np.arange(grid.y_axis_m[-1] + step / 2, grid.y_axis_m[0], step)
        raw += [("lattice", float(x), float(y), None, None, None) for y in ys for x in xs]
    sites, taken = [], {}
    for kind, x, y, facing, hmax, sid in raw:
        r, c = (int(round(float(v))) for v in grid.to_rc(x, y))
        if not (0 <= r < grid.shape[0] and 0 <= c < grid.shape[1]) or not area[r, c]:
            continue
        if kind != "wall" and bcm[r, c] > 0:
            continue
        key = (round(x / min_gap_m), round(y / min_gap_m))
        if key in taken:
            continue
        taken[key] = len(sites)
        lat, lon = grid.to_latlon(x, y)
        sites.append(Site(id=sid or f"{kind[0].upper()}{len(sites) + 1}", kind=kind,
                          lat=float(lat), lon=float(lon), x_m=float(x), y_m=float(y),
                          facing_deg=facing, max_height_m=hmax))
    if max_sites is not None and len(sites) > max_sites:
        rng = np.random.default_rng(seed)
        first = [i for i, s in enumerate(sites) if s.kind in ("plan", "pole")]
        rest = [i for i in range(len(sites)) if i not in set(first)]
        pick = first + list(rng.permutation(rest))
        sites = [sites[i] for i in sorted(pick[:max_sites])]
    counts = {k: sum(1 for s in sites if s.kind == k) for k in SITE_KINDS}
    options, site_cost = _options(plan, sites, camera_presets=list(camera_presets),
                                  light_presets=list(light_presets) if night else [],
                                  heights_m=heights_m, azimuths=azimuths, tilts_deg=tilts_deg,
                                  wall_half_angle_deg=wall_half_angle_deg,
                                  prices=dict(unit_prices_jpy or {}))
    return Candidates(sites=sites, options=options, site_cost_jpy=site_cost, grid=grid,
                      counts=counts)


def _options(plan, sites, *, camera_presets, light_presets, heights_m, azimuths, tilts_deg,
             wall_half_angle_deg, prices):
    azs = [round(360.0 * k / int(azimuths), 6) for k in range(int(azimuths))]
    cams = []                   # (preset row, camera template, device cost)
    site_cost = 0.0
    for pr in camera_presets:
        cam = camera_from_preset(pr, lat=0.0, lon=0.0, cid="")
        price = _price(prices, plan.get("cameras"), pr.get("id"))
        cam["unit_price_jpy"] = price or 0
        dev_cost, site_cost = _site_costs(plan, cam, None)
        cams.append((cam, dev_cost))
    lights = []
    for pr in light_presets:
        lt = light_from_preset(pr, lat=0.0, lon=0.0, lid="")
        lt["unit_price_jpy"] = _price(prices, plan.get("lights"), pr.get("id")) or 0
        base = {k: plan.get(k) for k in ("simulation", "privacy")}
        lights.append((lt, plan_costs({**base, "lights": [dict(lt, id="L")]}).initial_jpy))
    out = []
    for si, site in enumerate(sites):
        for cam, cost in cams:
            for h in heights_m:
                if site.max_height_m is not None:
                    h = min(float(h), site.max_height_m)
                    if h < 2.0:
                        continue
                for az in azs:
                    if site.facing_deg is not None:
                        off = (az - site.facing_deg + 180.0) % 360.0 - 180.0
                        if abs(off) > wall_half_angle_deg:
                            continue
                    for tilt in tilts_deg:
                        c = dict(cam, lat=round(site.lat, 7), lon=round(site.lon, 7),
                                 mount_height_m=float(h), azimuth_deg=float(az),
                                 tilt_deg=float(tilt))
                        out.append(Option(si, c, None, cost))
                        for lt, lcost in lights:
                            out.append(Option(si, c, dict(lt, lat=c["lat"], lon=c["lon"]),
                                              cost + lcost))
    # dedupe identical camera configurations (a wall's height capped to the same value)
    seen, unique = set(), []
    for o in out:
        key = (o.site, o.camera["preset"], o.camera["mount_height_m"], o.camera["azimuth_deg"],
               o.camera["tilt_deg"], (o.light or {}).get("preset"))
        if key not in seen:
            seen.add(key)
            unique.append(o)
    return unique, site_cost
