"""Luminaire photometry: IES LM-63 and EULUMDAT readers and a type C candela table.

A luminous-intensity distribution is stored as a :class:`Photometry`: a table of
intensities ``candela[c, g]`` [cd] over horizontal angles C (``c_angles_deg``, the
C-planes, full 0–360° after symmetry expansion) and vertical angles γ
(``gamma_angles_deg``, 0° = straight down / nadir, 90° = horizontal, 180° = zenith).
This is the type C system of CIE 121 / EN 13032-1 used by street luminaires.

Readers
-------
- :func:`read_ies` — IES LM-63 text (LM-63-1986 without a format line, LM-63-1995
  ``IESNA:LM-63-1995``, LM-63-2002 ``IESNA:LM-63-2002``, LM-63-2019 ``IES:LM-63-2019``),
  ``TILT=NONE`` only, photometric type C only, with the usual horizontal-angle symmetries
  (last C = 0 → axially symmetric; 0–90 → quadrant; 0–180 → bilateral; 90–270 → bilateral
  about the 90–270 plane; 0–360 full).
- :func:`read_ldt` — EULUMDAT (.ldt) text, written here (no well-kept Python reader existed
  among the installed packages). Symmetry indicators 0, 1, 2 and 4 are supported; Isym 3
  (symmetry about the C90–C270 plane) is rejected because published descriptions of its
  stored C range disagree.

Malformed input raises :class:`PhotometryError` (a ``ValueError``) whose message names the
line number (1-based) where the reader stopped.

References
----------
.. [1] ANSI/IES LM-63-19, "Approved Method: IES Standard File Format for the Electronic
   Transfer of Photometric Data and Related Information", Illuminating Engineering
   Society, 2019 (and the 1995 / 2002 editions).
.. [2] CIE 121:1996, "The photometry and goniophotometry of luminaires" (C-γ system).
.. [3] I. Ashdown, "Thinking Photometrically Part II", LightFair 2001 (EULUMDAT and IES
   layouts); the EULUMDAT field list as published by DIAL GmbH.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from numba import njit

__all__ = [
    "Photometry",
    "PhotometryError",
    "read_ies",
    "read_ldt",
    "read_photometry",
    "interpolate_candela",
]


#: Most vertical (γ) and horizontal (C) angles a table may have: a 0.1° grid of 0–180° and
#: 0–360°; a larger count is refused before any table is allocated.
MAX_ANGLES = (1801, 3601)
#: Largest intensity [cd] a table may reach after its multipliers (the app's light tables
#: take up to 10⁷ cd; a street luminaire's peak is of the order of 10³–10⁴ cd).
MAX_CANDELA = 1e7
#: Most lamp sets an EULUMDAT file may declare: a street luminaire's file has one or two;
#: the bound keeps a corrupt count from driving the reading.
MAX_LAMP_SETS = 20


class PhotometryError(ValueError):
    """A photometric file could not be read; the message names the line."""


@dataclass(frozen=True)
class Photometry:
    """A type C luminous-intensity table.

    Attributes
    ----------
    c_angles_deg : ndarray, shape (n_c,)
        Horizontal (C-plane) angles, ascending, covering 0–360 [°]. An axially symmetric
        distribution has the single angle ``[0]``.
    gamma_angles_deg : ndarray, shape (n_g,)
        Vertical angles from nadir, ascending, within 0–180 [°].
    candela : ndarray, shape (n_c, n_g)
        Luminous intensity, multiplier already applied [cd].
    source_format : str
        ``"LM-63-1986"``, ``"LM-63-1995"``, ``"LM-63-2002"``, ``"LM-63-2019"`` or
        ``"EULUMDAT"``.
    keywords : dict
        Header keywords (IES ``[KEY] value``) or EULUMDAT identification fields.
    lumens : float or None
        Rated lamp lumens (IES: number of lamps × lumens per lamp; ``None`` for absolute
        photometry, ``-1``) [lm].
    ballast_factor : float
        The IES file's ballast factor (times the LM-63-1986/1991/1995 ballast-lamp
        photometric factor), already applied to ``candela`` [-]; 1 for EULUMDAT.
    """

    c_angles_deg: np.ndarray
    gamma_angles_deg: np.ndarray
    candela: np.ndarray
    source_format: str = "LM-63-2002"
    keywords: dict = field(default_factory=dict)
    lumens: float | None = None
    ballast_factor: float = 1.0

    @property
    def max_cd(self) -> float:
        """Largest intensity in the table [cd]."""
        return float(np.max(self.candela)) if self.candela.size else 0.0

    def intensity(self, gamma_deg, c_deg=0.0):
        """Intensity toward (γ, C), bilinear [cd]; see :func:`interpolate_candela`."""
        return interpolate_candela(self, gamma_deg, c_deg)

    def scaled(self, factor: float) -> "Photometry":
        """This table with every intensity times ``factor`` [-] (e.g. a maintenance factor);
        one copy per factor is kept on the table, so its fast lookup is built once."""
        factor = float(factor)
        if factor == 1.0:
            return self
        cache = self.__dict__.setdefault("_scaled", {})
        if factor not in cache:
            cache[factor] = Photometry(self.c_angles_deg, self.gamma_angles_deg,
                                       self.candela * factor, self.source_format,
                                       self.keywords, self.lumens, self.ballast_factor)
        return cache[factor]

    def _uniform(self):
        """(γ0, Δγ, C0, ΔC) when both axes are evenly spaced (or one C angle), else None."""
        if "_uni" not in self.__dict__:
            ga, ca = self.gamma_angles_deg, self.c_angles_deg
            uni = None
            if ga.size >= 2 and np.allclose(np.diff(ga), ga[1] - ga[0], rtol=0, atol=1e-9):
                if ca.size == 1:
                    uni = (float(ga[0]), float(ga[1] - ga[0]), 0.0, 0.0)
                elif np.allclose(np.diff(ca), ca[1] - ca[0], rtol=0, atol=1e-9):
                    uni = (float(ga[0]), float(ga[1] - ga[0]), float(ca[0]), float(ca[1] - ca[0]))
            object.__setattr__(self, "_uni", uni)
        return self.__dict__["_uni"]


def interpolate_candela(photometry: Photometry, gamma_deg, c_deg=0.0):
    """Luminous intensity toward a direction, interpolated bilinearly in (C, γ).

    Parameters
    ----------
    photometry : Photometry
        The table.
    gamma_deg : array_like
        Vertical angle from nadir [°]. Outside the table's γ range the intensity is 0
        (e.g. above the horizontal for a 0–90° table).
    c_deg : array_like, optional
        Horizontal angle [°], any value (taken modulo 360).

    Returns
    -------
    ndarray
        Intensity [cd], broadcast shape of the inputs. NaN input gives NaN.

    Notes
    -----
    Linear in γ between the two neighbouring table angles, then linear in C between the
    two neighbouring C-planes (the C axis wraps around: 360° = 0°).
    """
    g = np.asarray(gamma_deg, dtype=float)
    c = np.asarray(c_deg, dtype=float)
    uni = photometry._uniform()
    if uni is not None and g.ndim > 0 and g.size > 64 and np.isfinite(g).all() \
            and np.isfinite(c).all():
        return _uniform_lookup(photometry, uni, g, c)
    g, c = np.broadcast_arrays(g, c)
    ga = photometry.gamma_angles_deg
    table = photometry.candela
    nan = np.isnan(g) | np.isnan(c)
    g0 = np.where(nan, ga[0], g)
    inside = (g0 >= ga[0] - 1e-9) & (g0 <= ga[-1] + 1e-9)
    gc = np.clip(g0, ga[0], ga[-1])
    if ga.size == 1:
        gi = np.zeros(gc.shape, dtype=np.intp)
        gw = np.zeros(gc.shape)
        gi1 = gi
    else:
        gi = np.clip(np.searchsorted(ga, gc, side="right") - 1, 0, ga.size - 2)
        gw = (gc - ga[gi]) / (ga[gi + 1] - ga[gi])
        gi1 = gi + 1
    ca = photometry.c_angles_deg
    if ca.size == 1:
        col = table[0]
        out = col[gi] * (1.0 - gw) + col[gi1] * gw
    else:
        cm = np.mod(np.where(nan, 0.0, c), 360.0)
        ci = np.clip(np.searchsorted(ca, cm, side="right") - 1, 0, ca.size - 2)
        cw = (cm - ca[ci]) / (ca[ci + 1] - ca[ci])
        v0 = table[ci, gi] * (1.0 - gw) + table[ci, gi1] * gw
        v1 = table[ci + 1, gi] * (1.0 - gw) + table[ci + 1, gi1] * gw
        out = v0 * (1.0 - cw) + v1 * cw
    out = np.where(inside, out, 0.0)
    return np.where(nan, np.nan, out)


def _uniform_lookup(photometry: Photometry, uni, g, c):
    """Bilinear interpolation on evenly spaced axes by index arithmetic (same result)."""
    g0, dg, c0, dc = uni
    table = photometry.candela
    ng = table.shape[1]
    t = (g - g0) * (1.0 / dg)
    inside = (t >= -1e-6) & (t <= ng - 1 + 1e-6)
    np.clip(t, 0.0, ng - 1 - 1e-6, out=t)
    gi = t.astype(np.intp)
    gw = t - gi
    if g.dtype == np.float32:  # float32 windows: look up a float32 copy of the table
        if "_flat32" not in photometry.__dict__:
            object.__setattr__(photometry, "_flat32", table.astype(np.float32).ravel())
        flat = photometry.__dict__["_flat32"]
    else:
        flat = table.ravel()
    if dc == 0.0:
        lo = flat[gi]
        out = lo + (flat[gi + 1] - lo) * gw
    else:
        nc = table.shape[0]
        u = np.mod(c - c0, 360.0) * (1.0 / dc)
        np.clip(u, 0.0, nc - 1 - 1e-6, out=u)
        ci = u.astype(np.intp)
        cw = u - ci
        base = ci * ng + gi
        v00 = flat[base]
        v01 = flat[base + 1]
        v10 = flat[base + ng]
        v11 = flat[base + ng + 1]
        a = v00 + (v01 - v00) * gw
        b = v10 + (v11 - v10) * gw
        out = a + (b - a) * cw
    if photometry.gamma_angles_deg[0] > 0 or photometry.gamma_angles_deg[-1] < 180:
        out = np.where(inside, out, 0.0)
    return out


# --------------------------------------------------------------------------- fast lookup
#: Largest refined table (C-planes × γ angles) :func:`_fast_table` builds [values].
FAST_TABLE_MAX_VALUES = 2_000_000


def _common_step(a: np.ndarray, max_n: int):
    """Largest step s with every a[i] = a[0] + k·s (k integer, within 1e-6 of a step) and
    at most ``max_n`` nodes; None when there is none."""
    d = np.diff(a)
    if d.size == 0 or d.min() <= 0:
        return None
    base = float(d.min())
    for k in range(1, 65):
        s = base / k
        q = (a - a[0]) / s
        if np.all(np.abs(q - np.round(q)) <= 1e-6) and round(q[-1]) + 1 <= max_n:
            return s
    return None


@dataclass(frozen=True)
class _FastTable:
    """A candela table resampled on evenly spaced axes, float32, padded by one node.

    ``flat[ci * stride + gi]`` is the intensity at C = ``ci·dc_deg``, γ = ``g0_deg +
    gi·dg_deg``; the extra last γ node and C-plane repeat their neighbours so that index
    ``i + 1`` is always valid.
    """

    flat: np.ndarray
    stride: int
    n_g: int
    n_c: int
    g0_deg: float
    dg_deg: float
    dc_deg: float


def _fast_table(photometry: Photometry):
    """The :class:`_FastTable` of a photometry (cached on it), or None.

    Uneven axes are refined to a common step that keeps every original angle as a node
    (e.g. 0, 2.5, 5, 10 … → 2.5° steps): bilinear interpolation on the refined nodes then
    reproduces the original bilinear interpolation exactly (the interpolant is bilinear in
    each original cell, so its values at the new nodes interpolate back to it). None when
    the refined table would exceed :data:`FAST_TABLE_MAX_VALUES` or the C-planes do not
    start at 0° and end at 360°; callers then use :func:`interpolate_candela`.
    """
    if "_fast" in photometry.__dict__:
        return photometry.__dict__["_fast"]
    out = None
    ga, ca = photometry.gamma_angles_deg, photometry.c_angles_deg
    if ga.size >= 2 and (ca.size == 1 or (ca[0] == 0.0 and ca[-1] == 360.0)):
        dg = _common_step(ga, FAST_TABLE_MAX_VALUES)
        dc = 0.0 if ca.size == 1 else _common_step(ca, FAST_TABLE_MAX_VALUES)
        if dg is not None and dc is not None:
            n_g = int(round((ga[-1] - ga[0]) / dg)) + 1
            n_c = 1 if ca.size == 1 else int(round(360.0 / dc)) + 1
            if n_g * n_c <= FAST_TABLE_MAX_VALUES:
                g_new = ga[0] + dg * np.arange(n_g)
                g_new[-1] = ga[-1]
                rows = []
                for i in range(ca.size):
                    rows.append(np.interp(g_new, ga, photometry.candela[i]))
                t = np.array(rows)
                if ca.size > 1:
                    c_new = dc * np.arange(n_c)
                    c_new[-1] = 360.0
                    t = np.array([np.interp(c_new, ca, t[:, j]) for j in range(n_g)]).T
                pad = np.empty((n_c + 1, n_g + 1), np.float32)
                pad[:n_c, :n_g] = t
                pad[:n_c, n_g] = t[:, -1]
                pad[n_c] = pad[n_c - 1]
                out = _FastTable(pad.ravel(), n_g + 1, n_g, n_c, float(ga[0]), float(dg),
                                 float(dc))
    object.__setattr__(photometry, "_fast", out)
    return out


def _lookup_args(ft: _FastTable) -> tuple:
    """The arguments of :func:`_lookup_at` for a table (float32 scales, index bounds)."""
    f32 = np.float32
    tol = 2e-5 / ft.dg_deg          # 2e-5° ≈ float32 rounding of γ near 90° [index units]
    top = ft.n_g - 1
    return (ft.flat, np.int64(ft.stride), np.int64(top), np.int64(ft.n_c - 1),
            f32(180.0 / np.pi / ft.dg_deg), f32(ft.g0_deg / ft.dg_deg), f32(-tol),
            f32(top + tol), f32(1.0 / ft.dc_deg) if ft.dc_deg else f32(0.0))


# Inlined into the lighting kernels (assessments.engine.lighting), whose on-disk cache numba
# checks against lighting.py only: after editing this, clear their cache (__pycache__/*.nb*).
@njit(cache=True, nogil=True, inline="always")
def _lookup_at(args, gamma_rad, c_deg, with_c):
    """Bilinear intensity at one direction from a :class:`_FastTable`, float32 [cd].

    ``args`` from :func:`_lookup_args`; ``gamma_rad`` γ from nadir [rad] and ``c_deg`` the
    C angle in [0, 360] [°] (unused unless ``with_c``), both float32. 0 outside the
    table's γ range. Every step is a float32 operation in a fixed order (no fastmath), so
    the result does not depend on the caller.
    """
    flat, stride, top, c_top, g_scale, g_off, t_lo, t_hi, c_scale = args
    t = gamma_rad * g_scale - g_off
    if not (t >= t_lo and t <= t_hi):
        return np.float32(0.0)
    t = min(max(t, np.float32(0.0)), np.float32(top))
    gi = np.int64(t)
    gw = t - np.float32(gi)
    if not with_c:
        v0 = flat[gi]
        return (flat[gi + 1] - v0) * gw + v0
    u = min(max(c_deg * c_scale, np.float32(0.0)), np.float32(c_top))
    ci = np.int64(u)
    cw = u - np.float32(ci)
    base = ci * stride + gi
    a = flat[base]
    a = (flat[base + 1] - a) * gw + a              # along γ on plane ci
    c = flat[base + stride]
    c = (flat[base + stride + 1] - c) * gw + c     # along γ on plane ci + 1
    return (c - a) * cw + a


@njit(cache=True, nogil=True)
def _lookup_many(args, gamma_rad, c_deg, with_c, out):
    for i in range(out.size):
        out[i] = _lookup_at(args, gamma_rad[i], c_deg[i] if with_c else np.float32(0.0),
                            with_c)


def _fast_lookup(ft: _FastTable, gamma_rad, c_deg=None):
    """Bilinear intensity from a :class:`_FastTable` by index arithmetic, float32 [cd].

    Parameters
    ----------
    gamma_rad : ndarray of float32
        γ from nadir [rad].
    c_deg : ndarray of float32 or None
        C angle in [0, 360] [°]; None for an axially symmetric table.

    Returns
    -------
    ndarray of float32
        Intensity [cd]; 0 outside the table's γ range (:func:`_lookup_at` per value, the
        lookup the compiled lighting kernels use).
    """
    g = np.ascontiguousarray(gamma_rad, dtype=np.float32)
    out = np.empty(g.shape, np.float32)
    c = g if c_deg is None else np.ascontiguousarray(
        np.broadcast_to(np.asarray(c_deg, np.float32), g.shape))
    _lookup_many(_lookup_args(ft), g.ravel(), c.ravel(), c_deg is not None, out.ravel())
    return out


# --------------------------------------------------------------------------- helpers
def _tokens_with_lines(lines: list[str], start: int):
    """Numbers after TILT: list of (token, 1-based line number)."""
    out = []
    for i in range(start, len(lines)):
        for tok in re.split(r"[\s,]+", lines[i].strip()):
            if tok:
                out.append((tok, i + 1))
    return out


def _expand_c_symmetry(c: np.ndarray, cd: np.ndarray, *, line: int, fmt: str):
    """Expand a type C table given over a symmetric part to 0–360°."""
    if c.size == 1:
        return np.array([0.0]), cd
    first, last = c[0], c[-1]
    if first == 0 and last == 90:  # quadrant symmetric
        c2 = np.concatenate([c, 180 - c[-2::-1]])
        cd2 = np.concatenate([cd, cd[-2::-1]])
        c3 = np.concatenate([c2, 360 - c2[-2::-1]])
        cd3 = np.concatenate([cd2, cd2[-2::-1]])
        return c3, cd3
    if first == 0 and last == 180:  # bilateral about the 0–180 plane
        return np.concatenate([c, 360 - c[-2::-1]]), np.concatenate([cd, cd[-2::-1]])
    if first == 90 and last == 270:  # bilateral about the 90–270 plane (LM-63-1995 §)
        # I(C) = I(180 - C): the part 270..360 mirrors 270..180, 0..90 mirrors 180..90.
        upper_c = 540 - c[-2::-1]  # 270 < C <= 450 (i.e. up to 90 after wrapping)
        cc = np.concatenate([c, upper_c])
        cdc = np.concatenate([cd, cd[-2::-1]])
        cc = np.mod(cc, 360.0)
        order = np.argsort(cc, kind="stable")
        cc, cdc = cc[order], cdc[order]
        # 90 appears twice only if data were wrong; remove duplicates
        keep = np.concatenate([[True], np.diff(cc) > 0])
        cc, cdc = cc[keep], cdc[keep]
        cc = np.concatenate([cc, [360.0]])
        cdc = np.concatenate([cdc, cdc[:1]])
        return cc, cdc
    if first == 0 and last == 360:
        return c, cd
    if first == 0 and 180 < last < 360:  # full distribution without the repeated 360° plane
        return np.concatenate([c, [360.0]]), np.concatenate([cd, cd[:1]])
    raise PhotometryError(
        f"{fmt} line {line}: horizontal angles {first:g}..{last:g} are not a supported "
        "symmetry (expected last angle 0, 0–90, 0–180, 90–270 or 0 up to >180–360)"
    )


# --------------------------------------------------------------------------- IES
_IES_FORMATS = {
    "IESNA:LM-63-1995": "LM-63-1995",
    "IESNA:LM-63-2002": "LM-63-2002",
    "IES:LM-63-2019": "LM-63-2019",
    "IESNA91": "LM-63-1991",
}


def read_ies(text: str) -> Photometry:
    """Read an IES LM-63 photometric file.

    Parameters
    ----------
    text : str
        Whole file content.

    Returns
    -------
    Photometry
        Type C table expanded to 0–360° [cd], multiplier applied.

    Raises
    ------
    PhotometryError
        With the 1-based line number: missing ``TILT=``, ``TILT`` other than ``NONE``,
        photometric type other than C (1), wrong number of values, non-numeric values,
        angles not ascending or out of range, negative candela, unsupported symmetry.

    Notes
    -----
    Line after ``TILT=NONE``: number of lamps, lumens per lamp (−1 = absolute photometry),
    candela multiplier, number of vertical angles, number of horizontal angles, photometric
    type (1 = C, 2 = B, 3 = A), units (1 = feet, 2 = metres), width, length, height. Next:
    ballast factor, the ballast-lamp photometric factor (LM-63-1986 to 1995; "future use"
    in LM-63-2002, the file-generation type in LM-63-2019), input watts. Then the vertical
    angles, the horizontal angles, and for each horizontal angle the candela values at all
    vertical angles [1]_.

    The intensities are the file's values times the candela multiplier times the ballast
    factor, and, in the formats where the second field is the ballast-lamp photometric
    factor (LM-63-1986, 1991, 1995), times that factor too: the factors scale the tested
    lamp–ballast output to the one installed [1]_ [2]_. In LM-63-2002 the field is reserved
    ("future use") and in LM-63-2019 it codes how the file was made (file generation type),
    so it is not a multiplier there (from the editions' field lists; the standards' own text
    on this field could not be read). Horizontal angles of type C run counter-clockwise seen
    from above [1]_.

    References
    ----------
    .. [1] ANSI/IES LM-63-19 (and LM-63-95, LM-63-02), Illuminating Engineering Society.
    .. [2] IES, "ballast-lamp photometric factor" (definition),
       https://www.ies.org/definitions/ballast-lamp-photometric-factor/ (read 2026-12-07);
       Lighting Analysts, Photometric Toolbox, "IESNA LM-63 Format",
       http://docs.agi32.com/PhotometricToolbox/Content/Open_Tool/iesna_lm-63_format.htm
       (read 2026-12-07).
    """
    if not isinstance(text, str):
        raise PhotometryError("IES line 1: expected text, got " + type(text).__name__)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = lines[0].strip().lstrip("\ufeff") if lines else ""
    fmt = _IES_FORMATS.get(first.upper().replace(" ", ""))
    if fmt is None:
        if first.upper().startswith(("IESNA", "IES:")):
            raise PhotometryError(
                f"IES line 1: unknown format line {first!r}; expected one of "
                + ", ".join(sorted(_IES_FORMATS))
            )
        fmt = "LM-63-1986"
    keywords: dict[str, str] = {}
    tilt_line = None
    last_key = None
    for i, raw in enumerate(lines):
        s = raw.strip()
        if re.match(r"(?i)^TILT\s*=", s):
            tilt_line = i
            break
        m = re.match(r"^\[([^\]]+)\]\s*(.*)$", s)
        if m:
            key = m.group(1).strip().upper()
            if key == "MORE" and last_key is not None:
                keywords[last_key] += "\n" + m.group(2)
            else:
                keywords[key] = m.group(2)
                last_key = key
    if tilt_line is None:
        raise PhotometryError(f"IES line {len(lines)}: no 'TILT=' line found before the end")
    tilt = lines[tilt_line].split("=", 1)[1].strip()
    if tilt.upper() != "NONE":
        raise PhotometryError(
            f"IES line {tilt_line + 1}: TILT={tilt} is not supported; only TILT=NONE"
        )
    toks = _tokens_with_lines(lines, tilt_line + 1)
    pos = 0

    def take(n: int, what: str) -> tuple[np.ndarray, list[int]]:
        nonlocal pos
        if pos + n > len(toks):
            where = toks[-1][1] if toks else tilt_line + 1
            raise PhotometryError(
                f"IES line {where}: file ends early: expected {n} values for {what}, "
                f"found {len(toks) - pos}"
            )
        vals = []
        for tok, ln in toks[pos:pos + n]:
            try:
                vals.append(float(tok))
            except ValueError:
                raise PhotometryError(
                    f"IES line {ln}: {tok!r} is not a number (reading {what})"
                ) from None
        lns = [ln for _, ln in toks[pos:pos + n]]
        pos += n
        return np.array(vals), lns

    head, head_lines = take(10, "the luminaire line (10 values)")
    n_lamps, lm_per_lamp, mult, n_v, n_h, ptype, units = head[:7]
    for name, val, ln, most in (("number of vertical angles", n_v, head_lines[3], MAX_ANGLES[0]),
                                ("number of horizontal angles", n_h, head_lines[4],
                                 MAX_ANGLES[1])):
        # bounded before anything is allocated for the table
        if not np.isfinite(val) or val != int(val) or not 1 <= val <= most:
            raise PhotometryError(f"IES line {ln}: {name} must be an integer from 1 to "
                                  f"{most}, got {val:g}")
    n_v, n_h = int(n_v), int(n_h)
    if not np.isfinite(mult) or not mult > 0:
        raise PhotometryError(f"IES line {head_lines[2]}: the candela multiplier must be a "
                              f"number > 0, got {mult:g}")
    if not (np.isfinite(ptype) and np.isfinite(units)):
        raise PhotometryError(f"IES line {head_lines[5]}: photometric and units types must "
                              "be numbers")
    if int(ptype) != 1:
        names = {2: "B", 3: "A"}
        raise PhotometryError(
            f"IES line {head_lines[5]}: photometric type {names.get(int(ptype), int(ptype))} "
            "is not supported; only type C (1)"
        )
    if int(units) not in (1, 2):
        raise PhotometryError(
            f"IES line {head_lines[6]}: units type must be 1 (feet) or 2 (metres), got {units:g}"
        )
    factors, f_lines = take(3, "ballast factor, ballast-lamp factor and input watts")
    # only LM-63-1986/1991/1995 define the second field as a photometric factor
    used = (0, 1) if fmt in ("LM-63-1986", "LM-63-1991", "LM-63-1995") else (0,)
    for k in used:
        if not (np.isfinite(factors[k]) and factors[k] > 0):
            name = ("ballast factor", "ballast-lamp photometric factor")[k]
            raise PhotometryError(f"IES line {f_lines[k]}: {name} must be > 0, "
                                  f"got {factors[k]:g}")
    ballast = float(np.prod(factors[list(used)]))
    gam, g_lines = take(n_v, f"{n_v} vertical angles")
    cang, c_lines = take(n_h, f"{n_h} horizontal angles")
    cd, cd_lines = take(n_v * n_h, f"{n_h} × {n_v} candela values")
    if pos != len(toks):
        tok, ln = toks[pos]
        raise PhotometryError(
            f"IES line {ln}: unexpected extra value {tok!r} after the candela table "
            f"({len(toks) - pos} values too many)"
        )
    if np.any(np.diff(gam) <= 0) or gam[0] < 0 or gam[-1] > 180:
        bad = int(np.argmax(np.diff(gam) <= 0)) + 1 if np.any(np.diff(gam) <= 0) else 0
        raise PhotometryError(
            f"IES line {g_lines[bad]}: vertical angles must ascend within 0–180°, got "
            f"{gam[max(bad - 1, 0)]:g} then {gam[bad]:g}"
        )
    if not (gam[0] in (0.0, 90.0) and gam[-1] in (90.0, 180.0)) and n_v > 1:
        raise PhotometryError(
            f"IES line {g_lines[0]}: type C vertical angles must run 0–90, 90–180 or 0–180, "
            f"got {gam[0]:g}–{gam[-1]:g}"
        )
    if n_h > 1 and (np.any(np.diff(cang) <= 0) or cang[0] < 0 or cang[-1] > 360):
        bad = int(np.argmax(np.diff(cang) <= 0)) + 1 if np.any(np.diff(cang) <= 0) else 0
        raise PhotometryError(
            f"IES line {c_lines[bad]}: horizontal angles must ascend within 0–360°"
        )
    if n_h == 1 and cang[0] != 0:
        raise PhotometryError(
            f"IES line {c_lines[0]}: a single horizontal angle must be 0, got {cang[0]:g}"
        )
    table = cd.reshape(n_h, n_v)
    if np.any(table < 0) or not np.all(np.isfinite(table)):
        k = int(np.argmax((cd < 0) | ~np.isfinite(cd)))
        raise PhotometryError(f"IES line {cd_lines[k]}: candela value {cd[k]:g} is negative "
                              "or not a number")
    table = table * (mult * ballast)
    if table.max() > MAX_CANDELA:
        raise PhotometryError(f"IES line {head_lines[2]}: the intensities reach "
                              f"{table.max():.3g} cd after the multiplier; a street or "
                              f"security luminaire stays below {MAX_CANDELA:.0e} cd")
    c_full, table_full = _expand_c_symmetry(cang, table, line=c_lines[0], fmt="IES")
    lumens = None if lm_per_lamp < 0 else float(n_lamps * lm_per_lamp)
    return Photometry(
        c_angles_deg=c_full.astype(float),
        gamma_angles_deg=gam.astype(float),
        candela=np.ascontiguousarray(table_full, dtype=float),
        source_format=fmt,
        keywords=keywords,
        lumens=lumens,
        ballast_factor=ballast,
    )


# --------------------------------------------------------------------------- EULUMDAT
def read_ldt(text: str) -> Photometry:
    """Read a EULUMDAT (.ldt) photometric file.

    Parameters
    ----------
    text : str
        Whole file content (line-oriented; one field per line).

    Returns
    -------
    Photometry
        Table expanded to 0–360° in absolute candela: the file's cd/klm values times the
        total lamp flux / 1000 times the conversion factor [cd].

    Raises
    ------
    PhotometryError
        Naming the line: missing / non-numeric field, Isym not in {0, 1, 2, 4}, too few
        or too many intensity values, angles not ascending.

    Notes
    -----
    Field order (1-based lines): 1 company, 2 Ityp, 3 Isym, 4 Mc, 5 Dc, 6 Ng, 7 Dg,
    8–12 identification, 13–21 dimensions, 22 DFF, 23 LORL, 24 conversion factor, 25 tilt,
    26 n (number of lamp sets), then per set: number of lamps, type, total flux, colour
    temperature, colour rendering, wattage (n lines each); 10 direct ratios; Mc C angles;
    Ng γ angles; intensities [cd/klm] for C-planes Mc1..Mc2: Isym 0 all Mc, 1 one plane,
    2 C0–C180 (Mc/2 + 1), 4 C0–C90 (Mc/4 + 1) [3]_.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and lines[-1].strip() == "":
        lines.pop()

    def get(i: int, what: str) -> str:
        if i >= len(lines):
            raise PhotometryError(f"EULUMDAT line {i + 1}: file ends early, expected {what}")
        return lines[i].strip()

    def num(i: int, what: str) -> float:
        s = get(i, what)
        try:
            v = float(s.replace(",", "."))
        except ValueError:
            raise PhotometryError(f"EULUMDAT line {i + 1}: {what} {s!r} is not a number") from None
        if not np.isfinite(v):     # float() reads "nan" and "inf"
            raise PhotometryError(f"EULUMDAT line {i + 1}: {what} {s!r} is not a finite number")
        return v

    isym = num(2, "Isym")
    mc_f, ng_f = num(3, "Mc (number of C-planes)"), num(5, "Ng (number of γ angles)")
    # bounded before anything is read into a table (the IES reader's limits)
    if not (1 <= mc_f <= MAX_ANGLES[1] and 1 <= ng_f <= MAX_ANGLES[0]
            and mc_f == int(mc_f) and ng_f == int(ng_f)):
        raise PhotometryError(f"EULUMDAT line 4: Mc and Ng must be whole numbers from 1 to "
                              f"{MAX_ANGLES[1]} and {MAX_ANGLES[0]}, got {mc_f:g} and {ng_f:g}")
    mc, ng = int(mc_f), int(ng_f)
    if isym not in (0, 1, 2, 4):
        raise PhotometryError(
            f"EULUMDAT line 3: symmetry indicator Isym={isym:g} is not supported; "
            "allowed 0, 1, 2, 4"
        )
    if mc < 1 or ng < 1:
        raise PhotometryError("EULUMDAT line 4: Mc and Ng must be positive")
    conv = num(23, "conversion factor")
    n_sets_f = num(25, "number of lamp sets")
    if not 1 <= n_sets_f <= MAX_LAMP_SETS or n_sets_f != int(n_sets_f):
        raise PhotometryError(f"EULUMDAT line 26: number of lamp sets must be a whole number "
                              f"from 1 to {MAX_LAMP_SETS}, got {n_sets_f:g}")
    n_sets = int(n_sets_f)
    base = 26
    n_lamps = [num(base + k, "number of lamps") for k in range(n_sets)]
    flux = [num(base + 2 * n_sets + k, "total lamp flux [lm]") for k in range(n_sets)]
    i = base + 6 * n_sets + 10  # skip colour temp, CRI, wattage, 10 direct ratios
    c_ang = np.array([num(i + k, "C angle") for k in range(mc)])
    i += mc
    g_ang = np.array([num(i + k, "γ angle") for k in range(ng)])
    i += ng
    n_planes = {0: mc, 1: 1, 2: mc // 2 + 1, 4: mc // 4 + 1}[int(isym)]
    vals = np.array([num(i + k, "intensity [cd/klm]") for k in range(n_planes * ng)])
    end = i + n_planes * ng
    if end < len(lines):
        raise PhotometryError(
            f"EULUMDAT line {end + 1}: unexpected extra data after {n_planes} × {ng} intensities"
        )
    if np.any(np.diff(g_ang) <= 0) or g_ang[0] < 0 or g_ang[-1] > 180:
        raise PhotometryError(f"EULUMDAT line {i - ng + 1}: γ angles must ascend within 0–180°")
    if mc > 1 and np.any(np.diff(c_ang) <= 0):
        raise PhotometryError(f"EULUMDAT line {i - ng - mc + 1}: C angles must ascend")
    total_flux = float(np.sum(np.abs(flux)))
    if np.any(vals < 0):
        raise PhotometryError(f"EULUMDAT line {i + int(np.argmax(vals < 0)) + 1}: an intensity "
                              "is negative")
    table = vals.reshape(n_planes, ng) * total_flux / 1000.0 * (conv if conv > 0 else 1.0)
    if table.size and table.max() > MAX_CANDELA:
        raise PhotometryError(f"EULUMDAT line 24: the intensities reach {table.max():.3g} cd; a "
                              f"street or security luminaire stays below {MAX_CANDELA:.0e} cd")
    if isym == 1:
        c_full, t_full = np.array([0.0]), table
    elif isym == 0:
        c_full = np.concatenate([c_ang, [360.0]]) if c_ang[-1] < 360 else c_ang
        t_full = np.concatenate([table, table[:1]]) if c_ang[-1] < 360 else table
    else:
        c_part = c_ang[:n_planes]
        c_full, t_full = _expand_c_symmetry(c_part, table, line=i - ng - mc + 1, fmt="EULUMDAT")
    kw = {"COMPANY": get(0, "company"), "LUMINAIRE": lines[8].strip() if len(lines) > 8 else ""}
    return Photometry(
        c_angles_deg=np.asarray(c_full, dtype=float),
        gamma_angles_deg=g_ang,
        candela=np.ascontiguousarray(t_full, dtype=float),
        source_format="EULUMDAT",
        keywords=kw,
        lumens=total_flux if min(n_lamps) > 0 else None,
    )


def read_photometry(text: str) -> Photometry:
    """Read IES or EULUMDAT text, chosen by content (an IES file has a ``TILT=`` line)."""
    if re.search(r"^\s*TILT\s*=", text, flags=re.MULTILINE):
        return read_ies(text)
    return read_ldt(text)
