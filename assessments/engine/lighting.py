"""Street lighting (防犯灯): point-by-point illuminance on the grid and lighting criteria.

Luminaires are point sources with a type C intensity distribution I(γ, C) [cd]. The
illuminance a luminaire gives on a small receiving plane at a point is the inverse-square
cosine law

    E = I(γ, C) · cos θ / r²                                  [lx]

with r the distance from the luminaire to the point [m] and θ the angle between the
direction toward the luminaire and the plane's normal. For a horizontal plane at the
ground cos θ = Δh / r; for a vertical plane whose normal points to the compass bearing φ,
cos θ = (light − point)·n / r with n = (sin φ, cos φ, 0) (east, north, up), clipped at 0
(light behind the plane gives nothing). Contributions of all luminaires add.

Photometry models (``Luminaire.model``)
---------------------------------------
- ``"isotropic"``: I = ``intensity_cd`` for every direction below or at the horizontal
  (γ ≤ 90°), 0 above.
- ``"cosine_power"``: the generalised Lambertian model I(γ) = I₀ cos^m γ (γ < 90°) of
  Moreno & Sun [2]_, with the exponent from the beam angle (full width at half maximum)
  m = −ln 2 / ln cos(beam/2) and I₀ from the luminaire's lumens Φ = 2π I₀ / (m + 1).
  ``beam_angle_deg`` 120° gives m = 1 (Lambertian). It is rotationally symmetric: a rough
  model of a 防犯灯, not of a road luminaire's asymmetric (batwing) distribution — use an
  IES file for that.
- ``"table"``: an IES LM-63 / EULUMDAT table (:mod:`assessments.engine.photometry`).

Aiming: ``azimuth_deg`` is the compass bearing (clockwise from north) of the luminaire's
C0 half-plane, the street side of a road luminaire's table (道路側の方位): in IES files of
outdoor luminaires the street side ("forward throw") is the half between the horizontal
angles 270° and 90° through 0° [5]_. C angles run counter-clockwise seen from above (IES
LM-63 type C [6]_), so C90 points to bearing ``azimuth_deg − 90``. ``tilt_deg`` tips the
luminaire's nadir axis toward the same bearing. A table whose main beam lies on another
C-plane is aimed by adding that plane's angle the other way (a beam on C90: azimuth = the
street's bearing + 90°).

A plan's ``lights[]`` entry is checked, and turned into a :class:`Luminaire`, by
:mod:`assessments.engine.devices` (``Light.luminaire``), which also applies the light's
maintenance factor (保守率 M): the luminaires carry maintained intensities, so every
illuminance here and every criterion check is on E_maintained = M × E_initial.

Cost and cut-off
----------------
Each luminaire is evaluated only on the window of cells within its *reach*: the largest
horizontal distance at which it can still give ``cutoff_lx`` (default 0.05 lx) on the
plane in question, found from the upper envelope of its intensity over C at each γ and
its mounting height (:func:`reach_radius_m`). Contributions below ``cutoff_lx`` are set to
0 everywhere (also inside the window), so the windowed result equals a dense evaluation
with the same cut-off. Shadowing by buildings is not modelled.

Fast path
---------
The grid functions (and ``illuminance_at_points(..., method="fast")``) evaluate each
luminaire in float32 without general angle code, in compiled kernels (numba,
:func:`_add_window` over a grid window, :func:`_add_cells` over listed cells such as the
night join's (camera, seen cell) pairs): for an untilted luminaire cos γ = Δh / r, so
the isotropic model is I / r³ and the cosine-power model I₀ Δh^m / r^(m+3) — for the
Lambertian m = 1 that is I₀ Δh / r⁴, without a square root (:func:`_k_analytic`); a
table is looked up by index arithmetic (γ = atan2(ρ, Δh), C = 180° + atan2(−y, −x), no
modulo) on an evenly spaced float32 copy of the table, refined so that every original
angle is a node, which keeps the bilinear interpolation exact (:func:`_k_table`,
:func:`assessments.engine.photometry._fast_table`). The two atan2 calls are most of a
table's cost, so a table's point is skipped where a bound of I / r³ per octant of C and
ring of distance (:func:`_sector_bounds`) times the plane's geometric factor is below the
cut-off (the exact path would give 0 there: same result). ``method="general"`` keeps the
angle-based code (float64 for points) as the reference; both agree within float32
rounding (tests). A light below a horizontal receiving plane gives 0 on it (the plane
faces up). The kernels are cached on disk like those of
:mod:`assessments.engine.visibility`; measured compile and load times in
``benchmarks/README.md``.

References
----------
.. [1] CIE 140:2000, "Road lighting calculations" (point-by-point method, E = I cos θ / r²).
.. [2] I. Moreno and C.-C. Sun, "Modeling the radiation pattern of LEDs," Optics Express
   16(3), 1808–1819 (2008), doi:10.1364/OE.16.001808.
.. [3] CIE 121:1996, "The photometry and goniophotometry of luminaires" (C-γ system).
.. [4] 公益社団法人 日本防犯設備協会 SES E1901-4「防犯灯の照度基準」(2015-02-03 改正);
   JIS Z 9111:1988「道路照明基準」付表2; 警察庁「安全・安心まちづくり推進要綱」 (each
   row's ``source`` in :data:`LIGHTING_CRITERIA`, read 2026-12-07).
.. [5] Lighting Analysts, Photometric Toolbox, "Photometry 101" (house side / street
   side: horizontal angles 270°–90° in front of the luminaire, counter-clockwise), as
   found at https://docs.inductiveautomation.com/display/DOC79/Schedule+Management
   (read 2026-12-07; a copy of the Photometric Toolbox help under an unrelated address).
.. [6] ANSI/IESNA LM-63-02 §3 "Horizontal angles … counterclockwise … for Type C
   photometry", https://vdocuments.mx/ies-specification-lm-63-2002.html (read 2026-12-07).
"""

from __future__ import annotations

import math
import os
from bisect import bisect_left, bisect_right
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from assessments.engine.photometry import (Photometry, _fast_table, _lookup_args, _lookup_at,
                                           interpolate_candela)

__all__ = [
    "Luminaire",
    "isotropic_luminaire",
    "cosine_power_luminaire",
    "table_luminaire",
    "cosine_power_exponent",
    "reach_radius_m",
    "horizontal_illuminance",
    "vertical_illuminance",
    "illuminance_at_points",
    "azimuth_toward",
    "area_statistics",
    "ses_class",
    "check_criteria",
    "assess_area",
    "assess_street",
    "LIGHTING_CRITERIA",
    "SES_CLASSES",
    "DEFAULT_CUTOFF_LX",
    "METHODS",
]

DEFAULT_CUTOFF_LX = 0.05
"""Contributions of one luminaire below this are ignored [lx]."""

MODELS = ("isotropic", "cosine_power", "table")

#: SES E1901-4 classes: average horizontal illuminance at the road and minimum vertical
#: illuminance 1.5 m above the road axis, on the plane square to it [lx] (the standard's
#: 2.(5) and 表1; current edition: revised 2015-02-03, no later edition found). Class B+ has
#: B's values plus conditions on LED/directional lights and road edges that a number cannot
#: check; it is not listed.
SES_CLASSES = {
    "A": {"mean_horizontal_lx": 5.0, "min_vertical_lx": 1.0},
    "B": {"mean_horizontal_lx": 3.0, "min_vertical_lx": 0.5},
}

_READ = "閲覧 2026-12-07"
_SES = ("公益社団法人 日本防犯設備協会 技術標準 SES E1901-4「防犯灯の照度基準」"
        "(2005-07-27 制定, 2015-02-03 改正) 表1; 本文の写し "
        "https://paperzz.com/doc/5506955/ (" + _READ + "); 値は 株式会社共立電照 "
        "https://fk-led.com/modules/standard10/details.php?blog_id=2 (" + _READ + ") と一致")
_JIS_Z9111 = ("JIS Z 9111:1988「道路照明基準」付表2 歩行者に対する照明 (日本規格協会); 本文 "
              "https://kikakurui.com/z9/Z9111-1988-01.html (" + _READ + "). 廃止・改正の"
              "情報は見つからず (JIS Z 9110:2010 照明基準総則が個別基準として引用: 照明学会 "
              "https://ieij.or.jp/event/2010/100120JIS.html, " + _READ + ")")
_NPA = ("警察庁「安全・安心まちづくり推進要綱」: 要綱の本文は未確認。同じ文言の 大分県"
        "「道路、公園、自動車駐車場及び自転車駐車場に関する防犯上の指針」注1 は「平均水平面"
        "照度がおおむね3ルクス以上」 https://pref.oita.jp/soshiki/13100/sisin-ro.html ("
        + _READ + ")")

#: Lighting criteria a plan is checked against, on the maintained illuminance (after the
#: lights' maintenance factor). ``None`` = no value for that measure. ``verified`` is False
#: where the standard's own text was not read; ``source`` then says why.
LIGHTING_CRITERIA: tuple[dict, ...] = (
    {"id": "ses_e1901_a", "name_ja": "SES E1901 クラスA", "name_en": "SES E1901 class A",
     "mean_horizontal_lx": 5.0, "min_vertical_lx": 1.0, "verified": True, "source": _SES},
    {"id": "ses_e1901_b", "name_ja": "SES E1901 クラスB", "name_en": "SES E1901 class B",
     "mean_horizontal_lx": 3.0, "min_vertical_lx": 0.5, "verified": True, "source": _SES},
    {"id": "npa_road", "name_ja": "警察庁 推進要綱 道路", "name_en": "NPA guideline, roads",
     "mean_horizontal_lx": 3.0, "min_vertical_lx": None, "verified": False,
     "source": _NPA + "; 警察庁の本文が見つからないため未確認"},
    {"id": "npa_park", "name_ja": "警察庁 推進要綱 公園", "name_en": "NPA guideline, parks",
     "mean_horizontal_lx": 3.0, "min_vertical_lx": None, "verified": False,
     "source": "警察庁「安全・安心まちづくり推進要綱」: 公園 3 lx はメーカーの解説 (パナソニック "
               "https://www2.panasonic.biz/jp/lighting/outdoor/street_security_light/area, "
               + _READ + ", 「数値は平均水平面照度」) によるもので、要綱の本文は未確認"},
    {"id": "jis_z9111_heavy_residential", "name_ja": "JIS Z 9111 交通量多・住宅地",
     "name_en": "JIS Z 9111 heavy traffic, residential",
     "mean_horizontal_lx": 5.0, "min_vertical_lx": 1.0, "verified": True, "source": _JIS_Z9111},
    {"id": "jis_z9111_heavy_commercial", "name_ja": "JIS Z 9111 交通量多・商業地",
     "name_en": "JIS Z 9111 heavy traffic, commercial",
     "mean_horizontal_lx": 20.0, "min_vertical_lx": 4.0, "verified": True, "source": _JIS_Z9111},
    {"id": "jis_z9111_light_residential", "name_ja": "JIS Z 9111 交通量少・住宅地",
     "name_en": "JIS Z 9111 light traffic, residential",
     "mean_horizontal_lx": 3.0, "min_vertical_lx": 0.5, "verified": True, "source": _JIS_Z9111},
    {"id": "jis_z9111_light_commercial", "name_ja": "JIS Z 9111 交通量少・商業地",
     "name_en": "JIS Z 9111 light traffic, commercial",
     "mean_horizontal_lx": 10.0, "min_vertical_lx": 2.0, "verified": True, "source": _JIS_Z9111},
)


# --------------------------------------------------------------------------- luminaires
@dataclass(frozen=True, eq=False)
class Luminaire:
    """One luminaire at a position in local metres.

    Parameters
    ----------
    x_m, y_m : float
        Position east / north of the grid origin [m].
    mount_height_m : float
        Height of the light centre above the ground [m].
    model : {"isotropic", "cosine_power", "table"}
        Photometry model (see module docstring).
    intensity_cd : float
        ``isotropic``: the intensity below the horizontal; ``cosine_power``: the peak I₀
        toward nadir [cd]. Unused for ``table``.
    exponent : float
        ``cosine_power`` exponent m [-].
    photometry : Photometry or None
        ``table`` model only.
    azimuth_deg, tilt_deg : float
        Aiming (see module docstring) [°].
    id : str
        Plan identifier, for messages.
    """

    x_m: float
    y_m: float
    mount_height_m: float
    model: str = "isotropic"
    intensity_cd: float = 0.0
    exponent: float = 1.0
    photometry: Photometry | None = None
    azimuth_deg: float = 0.0
    tilt_deg: float = 0.0
    id: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {self.model!r}")
        if self.model == "table" and self.photometry is None:
            raise ValueError("model 'table' needs a photometry table")
        if not self.mount_height_m > 0:
            raise ValueError(f"mount_height_m must be > 0 m, got {self.mount_height_m}")

    def intensity(self, gamma_deg, c_deg=0.0):
        """Luminous intensity toward (γ from nadir, C) in the luminaire's frame [cd]."""
        g = np.asarray(gamma_deg, dtype=float)
        if self.model == "isotropic":
            return np.where(g <= 90.0, self.intensity_cd, 0.0) + 0.0 * np.asarray(c_deg)
        if self.model == "cosine_power":
            cg = np.cos(np.radians(g))
            return np.where(g < 90.0, self.intensity_cd * np.clip(cg, 0.0, 1.0) ** self.exponent,
                            0.0) + 0.0 * np.asarray(c_deg)
        return interpolate_candela(self.photometry, g, c_deg)

    def _intensity_cos(self, cos_gamma, c_deg):
        """Intensity from cos γ (avoids arccos for the analytic models) [cd].

        Keeps the dtype of ``cos_gamma`` (float32 windows stay float32).
        """
        dt = cos_gamma.dtype.type if isinstance(cos_gamma, np.ndarray) else float
        if self.model == "isotropic":
            return np.where(cos_gamma >= 0.0, dt(self.intensity_cd), dt(0.0))
        if self.model == "cosine_power":
            cg = np.clip(cos_gamma, dt(0.0), dt(1.0))
            if self.exponent == 1.0:
                return cg * dt(self.intensity_cd)
            return cg ** dt(self.exponent) * dt(self.intensity_cd)
        g = np.degrees(np.arccos(np.clip(cos_gamma, dt(-1.0), dt(1.0))))
        return interpolate_candela(self.photometry, g, c_deg)

    @property
    def max_intensity_cd(self) -> float:
        """Largest intensity in any direction [cd]."""
        if self.model == "table":
            return self.photometry.max_cd
        return float(self.intensity_cd)

    @property
    def axially_symmetric(self) -> bool:
        """True when I does not depend on C (so C need not be computed)."""
        return self.model != "table" or self.photometry.c_angles_deg.size == 1

    def envelope_cd(self, gamma_deg):
        """Upper envelope over C of the intensity at each γ [cd] (for the reach)."""
        g = np.asarray(gamma_deg, dtype=float)
        if self.model != "table":
            return self.intensity(g)
        p = self.photometry
        env = p.candela.max(axis=0)
        return np.where((g >= p.gamma_angles_deg[0]) & (g <= p.gamma_angles_deg[-1]),
                        np.interp(g, p.gamma_angles_deg, env), 0.0)


def isotropic_luminaire(x_m, y_m, *, mount_height_m, intensity_cd, id="") -> Luminaire:
    """A source of ``intensity_cd`` [cd] in every direction below the horizontal."""
    if not intensity_cd >= 0:
        raise ValueError(f"intensity_cd must be ≥ 0 cd, got {intensity_cd}")
    return Luminaire(float(x_m), float(y_m), float(mount_height_m), "isotropic",
                     intensity_cd=float(intensity_cd), id=id)


def cosine_power_exponent(beam_angle_deg):
    """Exponent m of I₀ cos^m γ whose full width at half maximum is the beam angle [-].

    m = −ln 2 / ln cos(beam/2) (Moreno & Sun 2008, eq. for the half-intensity angle).
    ``beam_angle_deg`` 120° → m = 1; 90° → m = 2.
    """
    b = float(beam_angle_deg)
    if not 0.0 < b < 180.0:
        raise ValueError(f"beam_angle_deg must be in (0, 180) °, got {b}")
    return -math.log(2.0) / math.log(math.cos(math.radians(b / 2.0)))


def cosine_power_luminaire(x_m, y_m, *, mount_height_m, lumens, beam_angle_deg=120.0,
                           azimuth_deg=0.0, tilt_deg=0.0, id="") -> Luminaire:
    """A generalised-Lambertian luminaire I₀ cos^m γ emitting ``lumens`` [lm] downward.

    Notes
    -----
    Φ = ∫ I dΩ = 2π I₀ ∫₀^{π/2} cos^m γ sin γ dγ = 2π I₀ / (m + 1), so I₀ = Φ (m + 1) / (2π).
    """
    if not lumens >= 0:
        raise ValueError(f"lumens must be ≥ 0 lm, got {lumens}")
    m = cosine_power_exponent(beam_angle_deg)
    i0 = float(lumens) * (m + 1.0) / (2.0 * math.pi)
    return Luminaire(float(x_m), float(y_m), float(mount_height_m), "cosine_power",
                     intensity_cd=i0, exponent=m, azimuth_deg=float(azimuth_deg),
                     tilt_deg=float(tilt_deg), id=id)


def table_luminaire(x_m, y_m, photometry: Photometry, *, mount_height_m, azimuth_deg=0.0,
                    tilt_deg=0.0, id="") -> Luminaire:
    """A luminaire with a measured (IES / EULUMDAT) candela table."""
    return Luminaire(float(x_m), float(y_m), float(mount_height_m), "table",
                     photometry=photometry, azimuth_deg=float(azimuth_deg),
                     tilt_deg=float(tilt_deg), id=id)


# --------------------------------------------------------------------------- geometry
def _local_frame(lum: Luminaire, dx, dy, dz):
    """cos γ and C [°] of the vectors (dx, dy, dz) light→point in the luminaire frame."""
    r = np.sqrt(dx * dx + dy * dy + dz * dz)
    sa, ca = _c0_axis(lum)
    t = math.radians(lum.tilt_deg)
    need_c = not lum.axially_symmetric
    xl0 = dx * sa + dy * ca           # along C0 (the aiming bearing)
    yl = dy * sa - dx * ca            # along C90, 90° counter-clockwise from C0
    if t == 0.0:
        with np.errstate(invalid="ignore", divide="ignore"):
            cos_g = np.where(r > 0, -dz / r, 1.0)
        if not need_c:
            return cos_g, 0.0, r
        return cos_g, np.degrees(np.arctan2(yl, xl0)) % 360.0, r
    zl = math.cos(t) * dz - math.sin(t) * xl0
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_g = np.where(r > 0, -zl / r, 1.0)
    if not need_c:
        return cos_g, 0.0, r
    xl = math.cos(t) * xl0 + math.sin(t) * dz
    return cos_g, np.degrees(np.arctan2(yl, xl)) % 360.0, r


def _c0_axis(lum: Luminaire):
    """(east, north) components of the unit vector toward the C0 half-plane: the bearing
    ``azimuth_deg`` [-]."""
    az = math.radians(lum.azimuth_deg)
    return math.sin(az), math.cos(az)


def _kernel_spec(lum: Luminaire) -> tuple:
    """The luminaire as the compiled kernels take it (cached on the luminaire).

    ``(kind, intensity_cd, exponent, sin az, cos az, tilted, cos t, sin t, need_c,
    lookup, ga, ca, candela)`` (for a table ``intensity_cd`` is its largest value, the
    bound of :func:`_below_cutoff`): ``kind`` 0 isotropic, 1 cosine-power, 2 a table with a
    :class:`~assessments.engine.photometry._FastTable` (``lookup`` its
    :func:`~assessments.engine.photometry._lookup_args`), 3 a table it cannot resample
    (bilinear on the original axes ``ga``, ``ca`` [°] and ``candela`` [cd]).
    """
    spec = lum._cache.get("kernel")
    if spec is not None:
        return spec
    f32 = np.float32
    sa, ca = _c0_axis(lum)
    t = math.radians(lum.tilt_deg)
    kind = {"isotropic": 0, "cosine_power": 1, "table": 2}[lum.model]
    empty = np.zeros(1, np.float32)
    lookup = (empty, np.int64(0), np.int64(0), np.int64(0), f32(0), f32(0), f32(0), f32(0),
              f32(0))
    ga = cax = np.zeros(1)
    cand = np.zeros((1, 1))
    if kind == 2:
        ft = _fast_table(lum.photometry)
        if ft is not None:
            lookup = _lookup_args(ft)
        else:
            kind = 3
            p = lum.photometry
            ga, cax = p.gamma_angles_deg.astype(float), p.c_angles_deg.astype(float)
            cand = np.ascontiguousarray(p.candela, dtype=float)
    i_cd = float(lum.intensity_cd)
    if kind == 2:
        i_cd = float(lookup[0].max())
    elif kind == 3:
        i_cd = float(cand.max())
    spec = (np.int64(kind), i_cd, float(lum.exponent), f32(sa), f32(ca),
            t != 0.0, f32(math.cos(t)), f32(math.sin(t)), not lum.axially_symmetric,
            lookup, ga, cax, cand)
    lum._cache["kernel"] = spec
    return spec


def _gives_nothing(lum: Luminaire, dz: float, vertical: bool) -> bool:
    """True when the luminaire gives 0 at every point at height difference ``dz`` (point −
    light) [m]: a light level with or below a horizontal plane (the plane faces up), or an
    untilted isotropic / cosine-power light of no intensity or level with or below the
    points."""
    down = -float(dz)
    if not vertical and down <= 0.0:
        return True
    if lum.tilt_deg == 0.0 and lum.model != "table":
        if lum.intensity_cd == 0.0:
            return True
        return down < 0.0 if lum.model == "isotropic" else down <= 0.0
    return False


@njit(cache=True, nogil=True, inline="always")
def _last_at_most(a, v):
    """Index of the last element of ascending ``a`` that is ≤ ``v`` (−1 if none): numpy's
    ``searchsorted(a, v, side="right") − 1`` by bisection, without its array call in the
    kernels' inner loops."""
    lo, hi = 0, a.size
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@njit(cache=True, nogil=True, inline="always")
def _irregular_cd(ga, ca, cand, g_deg, c_deg):
    """Bilinear intensity on a table's own (uneven) axes, as
    :func:`~assessments.engine.photometry.interpolate_candela` (float64) [cd]."""
    g = np.float64(g_deg)
    if not (g >= ga[0] - 1e-9 and g <= ga[-1] + 1e-9):
        return 0.0
    g = min(max(g, ga[0]), ga[-1])
    gi = 0
    gw = 0.0
    if ga.size > 1:
        gi = min(max(_last_at_most(ga, g), 0), ga.size - 2)
        gw = (g - ga[gi]) / (ga[gi + 1] - ga[gi])
    gi1 = gi + 1 if ga.size > 1 else gi
    if ca.size == 1:
        return cand[0, gi] * (1.0 - gw) + cand[0, gi1] * gw
    cm = np.float64(c_deg) % 360.0
    ci = min(max(_last_at_most(ca, cm), 0), ca.size - 2)
    cw = (cm - ca[ci]) / (ca[ci + 1] - ca[ci])
    v0 = cand[ci, gi] * (1.0 - gw) + cand[ci, gi1] * gw
    v1 = cand[ci + 1, gi] * (1.0 - gw) + cand[ci + 1, gi1] * gw
    return v0 * (1.0 - cw) + v1 * cw


@njit(cache=True, nogil=True, inline="always")
def _frame(spec, dx, dy, dz):
    """r², and in the luminaire frame x_l, y_l and −z_l, of the vector (dx, dy float32,
    dz float64) light → point (float32; x_l, y_l only for a tilted luminaire or a table
    that depends on C)."""
    kind, i_cd, expo, sa, ca, tilted, ct, st, need_c = spec[:9]
    f32 = np.float32
    d2 = dx * dx + dy * dy
    r2 = d2 + f32(dz * dz)
    if not tilted:
        xl = yl = f32(0.0)
        if need_c:
            xl = dx * sa + dy * ca
            yl = dy * sa - dx * ca
        return r2, d2, xl, yl, f32(-dz)
    xl0 = dx * sa + dy * ca                     # along C0
    yl = dy * sa - dx * ca                      # along C90
    down = xl0 * st - f32(dz) * ct              # −z_l
    return r2, d2, xl0 * ct + f32(dz) * st, yl, down


@njit(cache=True, nogil=True, inline="always")
def _k_analytic(spec, dx, dy, dz):
    """I / r³ of an isotropic or cosine-power luminaire at one point (dx, dy float32,
    dz float64: point − light), float32 [cd m⁻³].

    Untilted, cos γ = Δh / r with Δh = −dz, so I₀ cos^m γ / r³ = I₀ Δh^m / r^(m+3) (the
    Lambertian m = 1: I₀ Δh / r⁴, no square root); tilted, cos γ = −z_l / r. Float32
    operation by operation as the numpy fast path was (no fastmath).
    """
    kind, i_cd, expo, sa, ca, tilted, ct, st, need_c = spec[:9]
    f32 = np.float32
    r2, d2, xl, yl, down = _frame(spec, dx, dy, dz)
    if not tilted:
        if kind == 0:
            return f32(i_cd) / (np.sqrt(r2) * r2)
        if abs(expo - 1.0) < 1e-12:
            return f32(i_cd * -dz) / (r2 * r2)
        return r2 ** f32(-(expo + 3.0) / 2.0) * f32(i_cd * (-dz) ** expo)
    if kind == 0:
        k = f32(i_cd) / (np.sqrt(r2) * r2)
        return k if down >= 0 else k * f32(0.0)
    r = np.sqrt(r2)
    c = min(max(down / r, f32(0.0)), f32(1.0))
    if abs(expo - 1.0) >= 1e-12:
        c = c ** f32(expo)
    return (c * f32(i_cd)) / (r * r2)


@njit(cache=True, nogil=True, inline="always")
def _k_table(spec, dx, dy, dz):
    """I / r³ of a table luminaire at one point (as :func:`_k_analytic`): γ = atan2(ρ, −z_l)
    and C = 180° + atan2(−y_l, −x_l) ∈ [0°, 360°] (no modulo) in the luminaire frame,
    looked up by :func:`~assessments.engine.photometry._lookup_at` (kind 2) or on the
    table's own axes (kind 3)."""
    kind, i_cd, expo, sa, ca, tilted, ct, st, need_c, lookup, ga, cax, cand = spec
    f32 = np.float32
    r2, d2, xl, yl, down = _frame(spec, dx, dy, dz)
    rho = np.sqrt(d2) if not tilted else np.sqrt(xl * xl + yl * yl)
    gamma = np.arctan2(rho, down)
    c = f32(0.0)
    if need_c:
        c = np.arctan2(-yl, -xl) * f32(180.0 / math.pi) + f32(180.0)
    if kind == 2:
        i = _lookup_at(lookup, gamma, c, need_c)
    else:
        i = f32(_irregular_cd(ga, cax, cand, gamma * f32(180.0 / math.pi), c))
    return i / (np.sqrt(r2) * r2)


@njit(cache=True, nogil=True, inline="always")
def _e_at(k, dx, dy, dz, r2, vertical, sn, cn, cutoff):
    """Illuminance from k = I / r³ at one point, float32 [lx]: times the height of the
    light above a horizontal plane, or times max(0, (light − point)·n) for a vertical
    plane with normal n = (sn, cn, 0); 0 at the light itself (r = 0) and below ``cutoff``
    [lx] (when > 0)."""
    if dz == 0.0 and r2 == 0:
        k = np.float32(0.0)
    if vertical:
        k = k * max(-(dx * sn + dy * cn), np.float32(0.0))
    else:
        k = k * np.float32(-dz)
    if cutoff > 0 and not k >= np.float32(cutoff):
        k = k * np.float32(0.0)
    return k


#: Width of the rings of :func:`_sector_bounds` in squared horizontal distance [m²].
BOUND_RING_M2 = 4.0


@njit(cache=True, nogil=True)
def _sector_bounds(lookup, need_c, down, n_rings):
    """Upper bound of I / r³ of an untilted table luminaire over each octant of C (45°)
    and each ring of squared horizontal distance d² ∈ [k·w, (k+1)·w)
    (w = :data:`BOUND_RING_M2`), seen from ``down`` [m] above the points, float64
    [cd m⁻³], shape (8, ``n_rings``).

    The intensity bound is the largest table node over the γ and C ranges of the octant
    and ring widened by one node on each side (so the rounding of γ and C at the edges
    cannot leave them), and over the planes at both ends of the C axis for the octants
    next to C = 0° / 360°; r is the ring's inner radius. The bilinear lookup of any point
    of the ring and octant, over its r³, is at most it.
    """
    flat, stride, top, c_top, g_scale, g_off, t_lo, t_hi, c_scale = lookup
    out = np.zeros((8, n_rings))
    for o in range(8):
        if need_c:
            u0 = max(int(math.floor(45.0 * o * c_scale)) - 1, 0)
            u1 = min(int(math.ceil(45.0 * (o + 1) * c_scale)) + 2, c_top + 2)
        else:
            u0, u1 = 0, 1
        for k in range(n_rings):
            t0 = math.atan2(math.sqrt(k * BOUND_RING_M2), down) * g_scale - g_off
            t1 = math.atan2(math.sqrt((k + 1) * BOUND_RING_M2), down) * g_scale - g_off
            g0 = min(max(int(math.floor(t0)) - 1, 0), top + 1)
            g1 = min(max(int(math.ceil(t1)) + 2, 0), top + 2)
            m = 0.0
            for ci in range(u0, u1):
                for gi in range(g0, g1):
                    m = max(m, flat[ci * stride + gi])
            if need_c and (o == 0 or o == 7):        # C = 0° and 360° are one direction
                for ci in (0, 1, c_top - 1, c_top, c_top + 1):
                    if 0 <= ci <= c_top + 1:
                        for gi in range(g0, g1):
                            m = max(m, flat[ci * stride + gi])
            r2 = k * BOUND_RING_M2 + down * down
            out[o, k] = m / (r2 * math.sqrt(r2))
    return out


_NO_BOUNDS = np.zeros((8, 0))


def _bounds_for(lum: Luminaire, dz: float, reach_m: float):
    """:func:`_sector_bounds` of a luminaire at height difference ``dz`` (point − light) [m]
    covering a window of half side ``reach_m`` [m]; an empty array where there are none (an
    analytic model, a tilted luminaire, a table without a fast copy). Cached on the table
    by height (the bounds are in the luminaire's frame: every light of a model at one
    height shares them, whatever its position and aim)."""
    spec = _kernel_spec(lum)
    if spec[0] != 2 or spec[5] or not -dz > 0:
        return _NO_BOUNDS
    n = int(math.ceil(2.0 * reach_m * reach_m / BOUND_RING_M2)) + 2
    cache = lum.photometry.__dict__.setdefault("_sector_bounds", {})
    key = -float(dz)
    hit = cache.get(key)
    if hit is None or hit.shape[1] < n:
        hit = _sector_bounds(spec[9], spec[8], -float(dz), n)
        cache[key] = hit
    return hit


@njit(cache=True, nogil=True, inline="always")
def _below_cutoff(spec, bounds, dx, dy, dz, r2, vertical, sn, cn, cutoff):
    """True when a table luminaire surely gives nothing at the point, so its angles need
    not be computed: a vertical plane facing away from it, or (I / r³)_bound · g below
    ``cutoff`` [lx] (g the plane's geometric factor; the bound of :func:`_sector_bounds`
    for the point's octant and ring, else the table's largest value over r³) with a
    margin of 10⁻⁴ over the float32 rounding of the full computation, which would then
    have cut it (same result)."""
    g = -(dx * sn + dy * cn) if vertical else np.float32(-dz)
    if g <= 0:
        return True
    if not cutoff > 0:
        return False
    ring = int((dx * dx + dy * dy) * np.float32(1.0 / BOUND_RING_M2))
    if ring < bounds.shape[1]:
        sa, ca = spec[3], spec[4]
        xl = dx * sa + dy * ca
        yl = dy * sa - dx * ca
        ax, ay = abs(xl), abs(yl)
        if yl >= 0:
            o = (0 if ay < ax else 1) if xl >= 0 else (3 if ay < ax else 2)
        else:
            o = (4 if ay < ax else 5) if xl < 0 else (7 if ay < ax else 6)
        return bounds[o, ring] * 1.0001 * g < cutoff
    r = math.sqrt(np.float64(r2))
    return spec[1] * 1.0001 * g < cutoff * r * r2


# The window and cell loops are written once per kind of luminaire: a loop holding the
# table's atan2 calls is not vectorised even where it only meets analytic luminaires
# (10× slower for them).
@njit(cache=True, nogil=True)
def _add_window(out, r0, c0, xw, yw, lx, ly, dz, spec, bounds, vertical, sn, cn, cutoff):
    """Add one luminaire's illuminance to the window of the grid ``out`` starting at row
    ``r0``, column ``c0``, with cell centres ``xw`` × ``yw`` [m]; ``sn``, ``cn``: the
    grid's facing normals when ``vertical``; ``bounds`` of :func:`_bounds_for`. (The
    whole grid and offsets, not a view: one compiled layout whatever the window.)"""
    f32 = np.float32
    z = f32(0.0)
    dz2 = f32(dz * dz)
    if spec[0] <= 1:
        for i in range(yw.size):
            dy = f32(yw[i] - ly)
            for j in range(xw.size):
                dx = f32(xw[j] - lx)
                k = _k_analytic(spec, dx, dy, dz)
                r2 = dx * dx + dy * dy + dz2
                s_ij = sn[r0 + i, c0 + j] if vertical else z
                c_ij = cn[r0 + i, c0 + j] if vertical else z
                out[r0 + i, c0 + j] += _e_at(k, dx, dy, dz, r2, vertical, s_ij, c_ij, cutoff)
    else:
        for i in range(yw.size):
            dy = f32(yw[i] - ly)
            for j in range(xw.size):
                dx = f32(xw[j] - lx)
                r2 = dx * dx + dy * dy + dz2
                s_ij = sn[r0 + i, c0 + j] if vertical else z
                c_ij = cn[r0 + i, c0 + j] if vertical else z
                if _below_cutoff(spec, bounds, dx, dy, dz, r2, vertical, s_ij, c_ij, cutoff):
                    continue
                k = _k_table(spec, dx, dy, dz)
                out[r0 + i, c0 + j] += _e_at(k, dx, dy, dz, r2, vertical, s_ij, c_ij, cutoff)


@njit(cache=True, nogil=True)
def _add_cells(out, x, y, rows, cols, r0, r1, c0, c1, lx, ly, dz, spec, bounds, vertical, sn,
               cn, cutoff):
    """Add one luminaire's illuminance at listed cells (``rows`` ascending) whose row is in
    [r0, r1) and column in [c0, c1): ``out[i]`` at (``x[cols[i]]``, ``y[rows[i]]``) [m],
    facing (``sn[i]``, ``cn[i]``) when ``vertical``. I / r³ depends on the cell only, so
    it is computed once for a run of equal cells (several cameras' pairs of one cell),
    and for a table only where :func:`_below_cutoff` does not settle the pair."""
    f32 = np.float32
    z = f32(0.0)
    dz2 = f32(dz * dz)
    i0 = np.searchsorted(rows, r0)
    i1 = np.searchsorted(rows, r1)
    table = spec[0] >= 2
    prev_r = prev_c = -1
    known = False
    k = dx = dy = r2 = z
    for i in range(i0, i1):
        c = cols[i]
        if c < c0 or c >= c1:
            continue
        if rows[i] != prev_r or c != prev_c:
            prev_r, prev_c = rows[i], c
            dx = f32(x[c] - lx)
            dy = f32(y[rows[i]] - ly)
            r2 = dx * dx + dy * dy + dz2
            known = False
        s_i = sn[i] if vertical else z
        c_i = cn[i] if vertical else z
        if not known:
            if table:
                if _below_cutoff(spec, bounds, dx, dy, dz, r2, vertical, s_i, c_i, cutoff):
                    continue
                k = _k_table(spec, dx, dy, dz)
            else:
                k = _k_analytic(spec, dx, dy, dz)
            known = True
        out[i] += _e_at(k, dx, dy, dz, r2, vertical, s_i, c_i, cutoff)


def reach_radius_m(lum: Luminaire, *, height_m=0.0, plane="horizontal",
                   cutoff_lx=DEFAULT_CUTOFF_LX) -> float:
    """Horizontal distance beyond which the luminaire gives less than ``cutoff_lx`` [m].

    Parameters
    ----------
    lum : Luminaire
    height_m : float
        Height of the receiving point above the ground [m].
    plane : {"horizontal", "vertical"}
        Receiving plane (vertical: any facing direction, worst case cos θ = d / r).
    cutoff_lx : float
        Cut-off illuminance [lx], > 0.

    Notes
    -----
    With Δh the height of the light above the point, d the horizontal distance and
    r = √(d² + Δh²): E_h ≤ I_env(γ) Δh / r³ and E_v ≤ I_env(γ) d / r³, where
    γ = atan(d / Δh) and I_env(γ) is the maximum over C of the table at γ (an untilted
    luminaire). For a tilted luminaire γ is not known from d alone and I_env = I_max. The
    reach is the largest d on a 0.25 m lattice where the bound reaches the cut-off, plus
    one lattice step.
    """
    if plane not in ("horizontal", "vertical"):
        raise ValueError(f"plane must be 'horizontal' or 'vertical', got {plane!r}")
    if not cutoff_lx > 0:
        raise ValueError(f"cutoff_lx must be > 0 lx, got {cutoff_lx}")
    key = (float(height_m), plane, float(cutoff_lx))
    if key in lum._cache:
        return lum._cache[key]
    # identical luminaires (same photometry object, intensity, height and tilt: the
    # azimuth does not change the reach) share one computation
    shared = (lum.model, lum.intensity_cd, lum.exponent, id(lum.photometry),
              lum.mount_height_m, lum.tilt_deg) + key
    hit = _REACH_CACHE.get(shared)
    if hit is not None and hit[0] is lum.photometry:
        lum._cache[key] = hit[1]
        return hit[1]
    imax = lum.max_intensity_cd
    dh = lum.mount_height_m - float(height_m)
    if imax <= 0:
        out = 0.0
    else:
        dmax = math.sqrt(imax / cutoff_lx) + 1.0
        step = 0.25
        d = np.arange(0.0, dmax + step, step)
        r = np.sqrt(d * d + dh * dh)
        if lum.tilt_deg == 0.0:
            gamma = np.degrees(np.arctan2(d, dh))
            env = lum.envelope_cd(gamma)
        else:
            env = np.full_like(d, imax)
        geom = np.abs(dh) if plane == "horizontal" else d
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(r > 0, env * geom / r ** 3, 0.0)
        if plane == "horizontal" and dh <= 0:
            e = np.zeros_like(d)
        ok = np.nonzero(e >= cutoff_lx)[0]
        out = float(d[ok[-1]] + step) if ok.size else 0.0
    lum._cache[key] = out
    if len(_REACH_CACHE) > 4096:
        _REACH_CACHE.clear()
    _REACH_CACHE[shared] = (lum.photometry, out)
    return out


_REACH_CACHE: dict = {}
"""Reach of identical luminaires (see :func:`reach_radius_m`)."""


def _light_contribution(lum: Luminaire, dx, dy, dz, *, normal, cutoff_lx):
    """Illuminance of one luminaire at points (dx, dy, dz = point − light) [lx].

    ``normal`` is None (horizontal plane, normal up) or a tuple (sin φ, cos φ) of arrays /
    scalars broadcastable to the points (vertical plane facing bearing φ). The dtype of
    ``dx`` / ``dy`` is kept (the grid functions use float32 windows).
    """
    cos_g, c_deg, r = _local_frame(lum, dx, dy, dz)
    intensity = lum._intensity_cos(cos_g, c_deg)
    if normal is None:
        proj = max(-dz, 0.0)  # (light − point)·up; a light below the plane gives nothing
    else:
        sn, cn = normal
        proj = dx * sn
        proj += dy * cn
        np.negative(proj, out=proj)
        np.maximum(proj, 0.0, out=proj)
    r3 = r * r
    r3 *= r
    with np.errstate(divide="ignore", invalid="ignore"):
        e = intensity * proj
        e /= r3
    e[~(r > 0)] = 0.0
    if cutoff_lx > 0:
        e[e < cutoff_lx] = 0.0
    return e


#: (sn, cn) for a horizontal plane: the kernels' facing arguments, unused.
_NO_NORMAL = (np.zeros(1, np.float32), np.zeros(1, np.float32))
_NO_NORMAL_2D = (np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32))


METHODS = ("fast", "general")


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _check_axes(x_axis_m, y_axis_m):
    x = np.asarray(x_axis_m, dtype=float)
    y = np.asarray(y_axis_m, dtype=float)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"expected 1-D axes, got x {x.ndim}-D and y {y.ndim}-D")
    if x.size > 1 and np.any(np.diff(x) <= 0):
        raise ValueError("x_axis_m must ascend (west → east)")
    if y.size > 1 and np.any(np.diff(y) >= 0):
        raise ValueError("y_axis_m must descend (row 0 northernmost)")
    return x, y


def _window(x, y, lum, radius):
    """Rows and columns of the cells within ``radius`` of the luminaire on both axes.

    ``x``, ``y`` are the axes as arrays, or as the lists ``(x.tolist(), (-y).tolist())``
    of :func:`_axis_lists` (``bisect`` on lists: same result as ``np.searchsorted``,
    without its per-call overhead when called for many luminaires).
    """
    if isinstance(x, list):
        xs, nys = x, y
        return (slice(bisect_left(nys, -lum.y_m - radius), bisect_right(nys, -lum.y_m + radius)),
                slice(bisect_left(xs, lum.x_m - radius), bisect_right(xs, lum.x_m + radius)))
    c0 = int(np.searchsorted(x, lum.x_m - radius, side="left"))
    c1 = int(np.searchsorted(x, lum.x_m + radius, side="right"))
    ny = -y
    r0 = int(np.searchsorted(ny, -lum.y_m - radius, side="left"))
    r1 = int(np.searchsorted(ny, -lum.y_m + radius, side="right"))
    return slice(r0, r1), slice(c0, c1)


def _axis_lists(x, y):
    """The axes as :func:`_window` takes them for repeated calls."""
    return x.tolist(), (-y).tolist()


def _grid_illuminance(x_axis_m, y_axis_m, luminaires, *, height_m, facing, cutoff_lx,
                      windowed, plane, workers=None, method="fast", dtype=float):
    _check_method(method)
    x, y = _check_axes(x_axis_m, y_axis_m)
    shape = (y.size, x.size)
    s_full = c_full = phi = None
    if facing is not None:
        phi = np.radians(np.broadcast_to(np.asarray(facing, dtype=float), shape))
        s_full, c_full = np.sin(phi).astype(np.float32), np.cos(phi).astype(np.float32)
    lums = list(luminaires)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(lums) >= 64 else 1
    workers = max(1, min(int(workers), len(lums) or 1))

    axes = _axis_lists(x, y)

    def accumulate(group):
        out = np.zeros(shape, dtype=dtype)
        for lum in group:
            if windowed:
                rad = reach_radius_m(lum, height_m=height_m, plane=plane, cutoff_lx=cutoff_lx)
                rs, cs = _window(*axes, lum, rad)
            else:
                rs, cs = slice(0, y.size), slice(0, x.size)
            if rs.stop <= rs.start or cs.stop <= cs.start:
                continue
            dz = float(height_m) - lum.mount_height_m
            if method == "fast":
                if not _gives_nothing(lum, dz, facing is not None):
                    sn, cn = _NO_NORMAL_2D if facing is None else (s_full, c_full)
                    bounds = _bounds_for(lum, dz, max(abs(x[cs][[0, -1]] - lum.x_m).max(),
                                                      abs(y[rs][[0, -1]] - lum.y_m).max()))
                    _add_window(out, rs.start, cs.start, x[cs], y[rs], lum.x_m, lum.y_m,
                                dz, _kernel_spec(lum), bounds, facing is not None, sn, cn,
                                float(cutoff_lx))
                continue
            dx = (x[cs] - lum.x_m).astype(np.float32)[None, :]
            dy = (y[rs] - lum.y_m).astype(np.float32)[:, None]
            if facing is None:  # horizontal: make the 2-D shape explicit for in-place ops
                dx = np.broadcast_to(dx, (dy.shape[0], dx.shape[1]))
            normal = None if facing is None else (s_full[rs, cs], c_full[rs, cs])
            out[rs, cs] += _light_contribution(lum, dx, dy, dz, normal=normal,
                                               cutoff_lx=cutoff_lx)
        return out

    if workers == 1:
        out = accumulate(lums)
    else:
        for lum in lums:  # fill the reach caches before the threads share the luminaires
            if windowed:
                reach_radius_m(lum, height_m=height_m, plane=plane, cutoff_lx=cutoff_lx)
        with ThreadPoolExecutor(max_workers=workers) as ex:
            parts = list(ex.map(accumulate, [lums[k::workers] for k in range(workers)]))
        out = parts[0]
        for p in parts[1:]:
            out += p
    if facing is not None:
        out[np.isnan(phi)] = np.nan
    return out


def _cells_vertical(x, y, rows, cols, sn, cn, luminaires, *, height_m, cutoff_lx):
    """Vertical illuminance at listed grid cells, each facing its own bearing, float32 [lx].

    ``x``, ``y``: grid axes (float64); ``rows``, ``cols``: int arrays of the cells, ``rows``
    ascending; ``sn``, ``cn``: float32 sine and cosine of each cell's facing bearing. Each
    luminaire is evaluated on the cells inside its window (:func:`reach_radius_m`, vertical
    plane; the window's rows found by a binary search on ``rows`` in :func:`_add_cells`),
    so the result equals :func:`vertical_illuminance` at those cells.
    """
    out = np.zeros(rows.shape, np.float32)
    if rows.size == 0:
        return out
    axes = _axis_lists(x, y)
    sn = np.ascontiguousarray(sn, dtype=np.float32)
    cn = np.ascontiguousarray(cn, dtype=np.float32)
    for lum in luminaires:
        dz = float(height_m) - lum.mount_height_m
        rad = reach_radius_m(lum, height_m=height_m, plane="vertical", cutoff_lx=cutoff_lx)
        rs, cs = _window(*axes, lum, rad)
        if rs.stop <= rs.start or cs.stop <= cs.start or _gives_nothing(lum, dz, True):
            continue
        _add_cells(out, x, y, rows, cols, rs.start, rs.stop, cs.start, cs.stop, lum.x_m,
                   lum.y_m, dz, _kernel_spec(lum), _bounds_for(lum, dz, rad), True, sn, cn,
                   float(cutoff_lx))
    return out


def horizontal_illuminance(x_axis_m, y_axis_m, luminaires, *, height_m=0.0,
                           cutoff_lx=DEFAULT_CUTOFF_LX, windowed=True, workers=None,
                           method="fast"):
    """Horizontal illuminance on the grid, E = Σ I(γ, C) · cos γ / r² [lx].

    Parameters
    ----------
    x_axis_m : array_like, shape (n_cols,)
        Cell-centre x per column, ascending (west → east) [m].
    y_axis_m : array_like, shape (n_rows,)
        Cell-centre y per row, descending (row 0 northernmost) [m].
    luminaires : sequence of Luminaire
    height_m : float, optional
        Height of the receiving plane above the ground [m]; 0 = at the ground.
    cutoff_lx : float, optional
        A luminaire's contribution below this is ignored [lx]; each luminaire is computed
        only on the window of cells within :func:`reach_radius_m`.
    windowed : bool, optional
        False evaluates every luminaire on every cell (the dense baseline; same result).
    workers : int, optional
        Threads sharing the luminaires (each with its own accumulator, summed at the end);
        default 2 (or the CPU count if smaller) from 64 luminaires on, else 1.
    method : {"fast", "general"}, optional
        ``"fast"`` (default): closed forms for the isotropic and cosine-power models and an
        index lookup on an evenly spaced float32 copy of a table (:func:`_k_table`);
        ``"general"``: angles and :func:`assessments.engine.photometry.interpolate_candela` for
        every model (the reference; same result within float32 rounding).

    Returns
    -------
    ndarray, shape (n_rows, n_cols)
        Illuminance [lx] (float64; each window is computed in float32, relative error
        ~1e-6).

    Examples
    --------
    >>> lum = isotropic_luminaire(0, 0, mount_height_m=5, intensity_cd=1000)
    >>> float(horizontal_illuminance([0.0, 5.0], [0.0], [lum])[0, 0])
    40.0
    """
    return _grid_illuminance(x_axis_m, y_axis_m, luminaires, height_m=height_m, facing=None,
                             cutoff_lx=cutoff_lx, windowed=windowed, plane="horizontal",
                             workers=workers, method=method)


def vertical_illuminance(x_axis_m, y_axis_m, luminaires, facing_azimuth_deg, *, height_m=1.5,
                         cutoff_lx=DEFAULT_CUTOFF_LX, windowed=True, workers=None,
                         method="fast"):
    """Vertical illuminance on the grid at ``height_m`` on a plane facing a bearing [lx].

    Parameters
    ----------
    x_axis_m, y_axis_m : array_like
        Grid axes as in :func:`horizontal_illuminance` [m].
    luminaires : sequence of Luminaire
    facing_azimuth_deg : float or array_like, shape (n_rows, n_cols)
        Compass bearing the plane's normal points to (clockwise from north) [°], e.g. toward
        the camera that records the face (:func:`azimuth_toward`) or along a road. NaN gives
        NaN.
    height_m : float, optional
        Height of the plane centre above the ground [m]; 1.5 m is the face height used by
        SES E1901.
    cutoff_lx : float, optional
        Per-luminaire cut-off [lx] (see :func:`horizontal_illuminance`).
    windowed : bool, optional
        False = dense baseline.
    workers : int, optional
        Threads (see :func:`horizontal_illuminance`).
    method : {"fast", "general"}, optional
        See :func:`horizontal_illuminance`.

    Returns
    -------
    ndarray, shape (n_rows, n_cols)
        Illuminance [lx].

    Notes
    -----
    E_v = Σ I(γ, C) · max(0, (p_light − p)·n) / r³, n = (sin φ, cos φ, 0).
    """
    return _grid_illuminance(x_axis_m, y_axis_m, luminaires, height_m=height_m,
                             facing=facing_azimuth_deg, cutoff_lx=cutoff_lx, windowed=windowed,
                             plane="vertical", workers=workers, method=method)


def illuminance_at_points(x_m, y_m, luminaires, *, height_m=0.0, facing_azimuth_deg=None,
                          cutoff_lx=DEFAULT_CUTOFF_LX, method="general"):
    """Illuminance at arbitrary points: horizontal, or vertical facing a bearing [lx].

    Parameters
    ----------
    x_m, y_m : array_like
        Point positions east / north [m] (broadcast together).
    luminaires : sequence of Luminaire
    height_m : float
        Height of the receiving plane [m].
    facing_azimuth_deg : None or array_like
        None = horizontal plane (normal up); otherwise the bearing of a vertical plane's
        normal [°], broadcast with the points.
    cutoff_lx : float
        Per-luminaire cut-off [lx].
    method : {"general", "fast"}, optional
        ``"general"`` (default): float64 angles and table interpolation; ``"fast"``: the
        float32 path of the grids (see :func:`horizontal_illuminance`).

    Returns
    -------
    ndarray
        Illuminance [lx], the broadcast shape of the points.
    """
    _check_method(method)
    x, y = np.broadcast_arrays(np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float))
    shape = x.shape
    x, y = x.reshape(-1), y.reshape(-1)
    normal = None
    if facing_azimuth_deg is not None:
        phi = np.radians(np.broadcast_to(np.asarray(facing_azimuth_deg, dtype=float),
                                          shape).reshape(-1))
        normal = (np.sin(phi), np.cos(phi))
    out = np.zeros(x.shape, dtype=float)
    if method == "fast":
        idx = np.arange(x.size)
        sn, cn = (_NO_NORMAL if normal is None else
                  (normal[0].astype(np.float32), normal[1].astype(np.float32)))
    for lum in luminaires:
        dz = float(height_m) - lum.mount_height_m
        if method == "fast":
            if not _gives_nothing(lum, dz, normal is not None):
                _add_cells(out, x, y, idx, idx, 0, x.size, 0, x.size, lum.x_m, lum.y_m, dz,
                           _kernel_spec(lum), _NO_BOUNDS, normal is not None, sn, cn,
                           float(cutoff_lx))
            continue
        out += _light_contribution(lum, x - lum.x_m, y - lum.y_m, dz, normal=normal,
                                   cutoff_lx=cutoff_lx)
    if normal is not None:
        out[np.isnan(phi)] = np.nan
    return out.reshape(shape)


def azimuth_toward(x_axis_m, y_axis_m, target_x_m, target_y_m):
    """Compass bearing from each cell centre toward a target point per cell [°].

    Parameters
    ----------
    x_axis_m, y_axis_m : array_like
        Grid axes [m].
    target_x_m, target_y_m : float or array_like, shape (n_rows, n_cols)
        Target per cell (e.g. the best camera's position; NaN where none) [m].

    Returns
    -------
    ndarray, shape (n_rows, n_cols)
        Bearing clockwise from north in [0, 360) [°]; NaN where the target is NaN.
    """
    x, y = _check_axes(x_axis_m, y_axis_m)
    dx = np.asarray(target_x_m, dtype=float) - x[None, :]
    dy = np.asarray(target_y_m, dtype=float) - y[:, None]
    return np.degrees(np.arctan2(dx, dy)) % 360.0


# --------------------------------------------------------------------------- criteria
def ses_class(mean_horizontal_lx, min_vertical_lx):
    """SES E1901 class reached: ``"A"``, ``"B"`` or ``"below_B"``.

    Parameters
    ----------
    mean_horizontal_lx : float
        Average horizontal illuminance at the road surface [lx].
    min_vertical_lx : float or None
        Minimum vertical illuminance 1.5 m above the road [lx]. None or NaN → the class
        cannot be judged and the result is None.

    References
    ----------
    日本防犯設備協会 SES E1901-4 (2015): A 5 lx / 1 lx, B 3 lx / 0.5 lx.
    """
    if min_vertical_lx is None or mean_horizontal_lx is None:
        return None
    h, v = float(mean_horizontal_lx), float(min_vertical_lx)
    if math.isnan(h) or math.isnan(v):
        return None
    for name in ("A", "B"):
        c = SES_CLASSES[name]
        if h >= c["mean_horizontal_lx"] - 1e-9 and v >= c["min_vertical_lx"] - 1e-9:
            return name
    return "below_B"


def check_criteria(mean_horizontal_lx, min_vertical_lx, *, criteria=LIGHTING_CRITERIA):
    """Check the averages against each criterion in :data:`LIGHTING_CRITERIA`.

    Returns
    -------
    list of dict
        Per criterion: ``id``, ``name_ja``, ``name_en``, required values, ``passes``
        (True / False, or None when a required measure is missing), ``verified``,
        ``source``.
    """
    out = []
    for c in criteria:
        ok = True
        if c["mean_horizontal_lx"] is not None:
            ok = (mean_horizontal_lx is not None and not math.isnan(mean_horizontal_lx)
                  and mean_horizontal_lx >= c["mean_horizontal_lx"] - 1e-9)
        if ok and c["min_vertical_lx"] is not None:
            if min_vertical_lx is None or math.isnan(min_vertical_lx):
                ok = None
            else:
                ok = min_vertical_lx >= c["min_vertical_lx"] - 1e-9
        out.append({**c, "passes": ok})
    return out


def area_statistics(horizontal_lx, *, mask=None):
    """Average, minimum, maximum and uniformity (min / avg) over a mask [lx].

    Parameters
    ----------
    horizontal_lx : array_like
        Illuminance per cell [lx]; NaN cells are left out.
    mask : array_like of bool, optional
        Cells to include (the area of interest); default all.

    Returns
    -------
    dict
        ``mean_lx``, ``min_lx``, ``max_lx``, ``uniformity`` (min / mean; NaN when the mean is
        0), ``n_cells``. All NaN when no cell is included.
    """
    e = np.asarray(horizontal_lx, dtype=float)
    sel = ~np.isnan(e)
    if mask is not None:
        sel &= np.asarray(mask, dtype=bool)
    v = e[sel]
    if v.size == 0:
        nan = float("nan")
        return {"mean_lx": nan, "min_lx": nan, "max_lx": nan, "uniformity": nan, "n_cells": 0}
    mean = float(v.mean())
    mn = float(v.min())
    return {"mean_lx": mean, "min_lx": mn, "max_lx": float(v.max()),
            "uniformity": mn / mean if mean > 0 else float("nan"), "n_cells": int(v.size)}


def assess_area(horizontal_lx, vertical_lx=None, *, mask=None, target_class="B",
                failing_cells=True):
    """Lighting verdict over an area: statistics, SES class, criteria and failing cells.

    Parameters
    ----------
    horizontal_lx : ndarray, shape (n_rows, n_cols)
        Horizontal illuminance at the ground [lx].
    vertical_lx : ndarray or None
        Vertical illuminance at 1.5 m (NaN where undefined) [lx].
    mask : ndarray of bool, optional
        Area of interest.
    target_class : {"A", "B"}
        Class whose values define failing cells.
    failing_cells : bool, optional
        False skips the ``failing_cells`` index arrays (None then; an ``np.nonzero`` over
        the grid that a caller wanting only the figures does not need).

    Returns
    -------
    dict
        ``statistics`` (see :func:`area_statistics`), ``min_vertical_lx``, ``ses_class``,
        ``criteria`` (:func:`check_criteria`), ``below_horizontal`` (bool mask of cells under
        the class's average value — where light is short), ``below_vertical`` (cells whose
        vertical illuminance is under the class minimum), ``failing_cells`` ((row, col)
        index arrays of either).
    """
    if target_class not in SES_CLASSES:
        raise ValueError(f"target_class must be one of {sorted(SES_CLASSES)}, got {target_class!r}")
    h = np.asarray(horizontal_lx, dtype=float)
    m = np.ones(h.shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    stats = area_statistics(h, mask=m)
    min_v = None
    below_v = np.zeros(h.shape, bool)
    goal = SES_CLASSES[target_class]
    if vertical_lx is not None:
        v = np.asarray(vertical_lx, dtype=float)
        defined = m & ~np.isnan(v)
        if defined.any():
            min_v = float(v[defined].min())
            below_v = defined & (v < goal["min_vertical_lx"])
    below_h = m & ~np.isnan(h) & (h < goal["mean_horizontal_lx"])
    fail = below_h | below_v if failing_cells else None
    return {"statistics": stats, "min_vertical_lx": min_v,
            "ses_class": ses_class(stats["mean_lx"], min_v),
            "criteria": check_criteria(stats["mean_lx"], min_v),
            "below_horizontal": below_h, "below_vertical": below_v,
            "failing_cells": np.nonzero(fail) if failing_cells else None}


def assess_street(polyline_xy_m, luminaires, *, step_m=1.0, segment_m=10.0, face_height_m=1.5,
                  cutoff_lx=DEFAULT_CUTOFF_LX, target_class="B"):
    """Lighting verdict along a drawn street (centre line), with failing segments.

    Parameters
    ----------
    polyline_xy_m : array_like, shape (n, 2)
        Street centre line vertices (x east, y north) [m], n ≥ 2.
    luminaires : sequence of Luminaire
    step_m : float
        Spacing of calculation points along the line [m]; points sit at the middle of each
        step.
    segment_m : float
        Length of the reported street segments [m].
    face_height_m : float
        Height of the vertical plane [m].
    cutoff_lx : float
        Per-luminaire cut-off [lx].
    target_class : {"A", "B"}

    Returns
    -------
    dict
        ``statistics`` (horizontal, over all points), ``min_vertical_lx``, ``ses_class``,
        ``criteria``, ``points`` (``s_m`` distance along the street, ``x_m``, ``y_m``,
        ``horizontal_lx``, ``vertical_lx``), ``segments`` (list of dicts: ``index``,
        ``start_m``, ``end_m``, ``mean_horizontal_lx``, ``min_vertical_lx``, ``ses_class``,
        ``passes``) and ``failing_segments`` (those not reaching ``target_class``).

    Notes
    -----
    The vertical illuminance at each point is the smaller of the two planes facing along
    the street, forward and backward (a pedestrian's face seen by someone walking toward
    them from either side).
    """
    if target_class not in SES_CLASSES:
        raise ValueError(f"target_class must be one of {sorted(SES_CLASSES)}, got {target_class!r}")
    pts = np.asarray(polyline_xy_m, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 2:
        raise ValueError(f"polyline_xy_m must have shape (n ≥ 2, 2), got {pts.shape}")
    if not (step_m > 0 and segment_m > 0):
        raise ValueError("step_m and segment_m must be > 0 m")
    seg_len = np.hypot(*np.diff(pts, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    total = float(cum[-1])
    if total <= 0:
        raise ValueError("polyline has zero length")
    n = max(1, int(math.ceil(total / step_m - 1e-9)))
    s = (np.arange(n) + 0.5) * (total / n)
    k = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(seg_len) - 1)
    f = (s - cum[k]) / np.where(seg_len[k] > 0, seg_len[k], 1.0)
    px = pts[k, 0] + f * (pts[k + 1, 0] - pts[k, 0])
    py = pts[k, 1] + f * (pts[k + 1, 1] - pts[k, 1])
    bearing = np.degrees(np.arctan2(pts[k + 1, 0] - pts[k, 0], pts[k + 1, 1] - pts[k, 1]))
    eh = illuminance_at_points(px, py, luminaires, height_m=0.0, cutoff_lx=cutoff_lx)
    ev = np.minimum(
        illuminance_at_points(px, py, luminaires, height_m=face_height_m,
                              facing_azimuth_deg=bearing, cutoff_lx=cutoff_lx),
        illuminance_at_points(px, py, luminaires, height_m=face_height_m,
                              facing_azimuth_deg=bearing + 180.0, cutoff_lx=cutoff_lx))
    stats = area_statistics(eh)
    min_v = float(ev.min())
    goal_rank = {"A": 2, "B": 1, "below_B": 0}
    segments = []
    n_seg = max(1, int(math.ceil(total / segment_m - 1e-9)))
    for i in range(n_seg):
        a, b = i * segment_m, min((i + 1) * segment_m, total)
        sel = (s >= a) & (s < b) if i < n_seg - 1 else (s >= a)
        if not sel.any():
            continue
        mh, mv = float(eh[sel].mean()), float(ev[sel].min())
        cls = ses_class(mh, mv)
        segments.append({"index": i, "start_m": a, "end_m": b, "mean_horizontal_lx": mh,
                         "min_vertical_lx": mv, "ses_class": cls,
                         "passes": goal_rank[cls] >= goal_rank[target_class]})
    return {"statistics": stats, "min_vertical_lx": min_v,
            "ses_class": ses_class(stats["mean_lx"], min_v),
            "criteria": check_criteria(stats["mean_lx"], min_v),
            "points": {"s_m": s, "x_m": px, "y_m": py, "horizontal_lx": eh, "vertical_lx": ev},
            "segments": segments,
            "failing_segments": [sg for sg in segments if not sg["passes"]]}
