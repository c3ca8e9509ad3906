"""Night-time image quality: usability, motion blur, night DORI and a recorded-person preview.

Rules used (each a stated model, not a measurement):

1. **Night usability** (issue 4). At night a cell is usable for a camera in colour when
   the vertical illuminance at 1.5 m on the plane facing that camera (the face it records)
   reaches the camera's rated ``min_illuminance_lx``; otherwise, when the cell's horizontal
   distance from the camera is within ``ir_range_m``, it is usable in monochrome with the
   camera's IR illuminator; otherwise it is too dark. Night DORI = the day DORI level
   where usable.
2. **Motion blur.** A person walking at ``speed_m_s`` (default 1.4 m/s, issue 4; typical
   comfortable adult walking speed, ⚠️ no standard cited here) across the view during the
   exposure ``shutter_s`` smears over b = speed × shutter × pixel density pixels (worst
   case: motion perpendicular to the line of sight). Uniform linear motion multiplies the
   image spectrum by sinc(f b) (f in cycles/pixel) [1]_, whose first zero is at f = 1/b;
   sampling already limits detail to the Nyquist frequency 0.5 cycles/pixel [2]_. Detail
   therefore survives up to min(0.5, 1/b) cycles/pixel, and we count the *effective* pixel
   density as ``pixel_density × min(1, 2 / b)``: no loss up to 2 px of blur, then inversely
   proportional to the blur. The derivation is ours from those two textbook results.
3. **Sensor noise in the preview.** Photon shot noise of a linear camera (EMVA 1288 [3]_):
   the signal in electrons grows linearly with the illuminance and exposure, its standard
   deviation is its square root. The number of electrons is scaled so that mid-grey
   (reflectance 0.5) has a signal-to-noise ratio ``snr_at_min_illuminance`` (default 3)
   at the camera's rated ``min_illuminance_lx`` (⚠️ assumption: manufacturers do not state
   the SNR behind their minimum-illumination figure). With the IR illuminator on, the scene
   is taken to be lit to at least the rated minimum (⚠️ assumption).

References
----------
.. [1] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018,
   §5.11 "Estimating the degradation function" (uniform linear motion blur transfer
   function).
.. [2] C. E. Shannon, "Communication in the presence of noise," Proc. IRE 37(1), 10–21
   (1949) (sampling theorem).
.. [3] EMVA Standard 1288, "Standard for Characterization of Image Sensors and Cameras",
   Release 4.0 (2021), linear camera model.
.. [4] IEC 62676-4:2014, DORI pixel densities (:mod:`assessments.engine.dori`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from skimage import draw, transform
from skimage.metrics import structural_similarity

from .dori import dori_thresholds

__all__ = [
    "WALKING_SPEED_M_S",
    "REFERENCE_DENSITY_PX_M",
    "NIGHT_DARK",
    "NIGHT_COLOUR",
    "NIGHT_IR",
    "motion_blur_px",
    "effective_pixel_density",
    "night_mode",
    "night_pixel_density",
    "dori_areas_m2", "dori_counts",
    "reference_person",
    "PersonPreview",
    "preview_person",
]

#: Walking speed of a person used for motion blur [m/s] (issue 4 value).
WALKING_SPEED_M_S = 1.4

#: Pixel density of the shipped reference figure [px/m].
REFERENCE_DENSITY_PX_M = 400.0

NIGHT_DARK, NIGHT_COLOUR, NIGHT_IR = 0, 1, 2


def motion_blur_px(pixel_density_px_m, *, shutter_s, speed_m_s=WALKING_SPEED_M_S):
    """Length of the motion smear of a walking person in the image [px].

    b = speed × shutter × pixel density.

    Parameters
    ----------
    pixel_density_px_m : array_like
        Pixel density at the person [px/m].
    shutter_s : float or array_like
        Exposure time [s], ≥ 0 (an array broadcasts with the densities, e.g. per cell
        from the camera that sees it).
    speed_m_s : float or array_like
        Speed across the view [m/s].

    Returns
    -------
    ndarray
        Blur length [px].
    """
    t = np.asarray(shutter_s, dtype=float)
    v = np.asarray(speed_m_s, dtype=float)
    if not (np.all(t >= 0) and np.all(v >= 0)):
        raise ValueError(f"shutter_s and speed_m_s must be ≥ 0, got {shutter_s}, {speed_m_s}")
    out = np.asarray(pixel_density_px_m, dtype=float) * (t * v if t.ndim or v.ndim else
                                                         float(t) * float(v))
    return out


def effective_pixel_density(pixel_density_px_m, *, shutter_s, speed_m_s=WALKING_SPEED_M_S):
    """Pixel density left after motion blur, ρ · min(1, 2 / b) [px/m].

    Parameters
    ----------
    pixel_density_px_m : array_like
        Geometric pixel density [px/m].
    shutter_s : float
        Exposure time [s].
    speed_m_s : float
        Speed of the person across the view [m/s].

    Returns
    -------
    ndarray
        Effective pixel density [px/m]. NaN stays NaN.

    Notes
    -----
    See rule 2 in the module docstring. As b = v t ρ, for b > 2 the result is
    ρ · 2 / (v t ρ) = 2 / (v t): past 2 px of blur the effective density no longer grows
    with the lens, it is capped by 2 / (speed × shutter). E.g. 1.4 m/s at 1/30 s caps it at
    2 / (1.4 / 30) = 42.9 px/m — below Observe.
    """
    rho = np.asarray(pixel_density_px_m, dtype=float)
    b = motion_blur_px(rho, shutter_s=shutter_s, speed_m_s=speed_m_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(b > 2.0, 2.0 / b, 1.0)
    return rho * factor


def night_mode(vertical_lx, distance_m, *, min_illuminance_lx, ir_range_m=None):
    """Night usability of cells for one camera: 0 dark, 1 colour, 2 IR monochrome.

    Parameters
    ----------
    vertical_lx : array_like
        Vertical illuminance at 1.5 m on the plane facing the camera [lx].
    distance_m : array_like
        Horizontal distance from the camera [m].
    min_illuminance_lx : float or array_like
        The camera's rated minimum illuminance (colour) [lx]; an array broadcasts with the
        cells (one value per cell from the camera that sees it).
    ir_range_m : float, array_like or None
        Reach of the camera's IR illuminator [m]; None or 0 (per cell, for an array) = no
        IR.

    Returns
    -------
    ndarray of int8
        :data:`NIGHT_DARK`, :data:`NIGHT_COLOUR` or :data:`NIGHT_IR` per cell.
    """
    ev = np.asarray(vertical_lx, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    mi = np.asarray(min_illuminance_lx, dtype=float)
    if not np.all(mi >= 0):
        raise ValueError(f"min_illuminance_lx must be ≥ 0 lx, got {min_illuminance_lx}")
    colour = ev >= mi
    ir = np.zeros(np.broadcast(ev, d).shape, bool)
    if ir_range_m is not None:
        rng = np.asarray(ir_range_m, dtype=float)
        if rng.ndim:
            ir = (rng > 0) & (d <= rng)
        elif rng != 0:
            ir = d <= float(rng)
    out = np.where(colour, NIGHT_COLOUR, np.where(ir, NIGHT_IR, NIGHT_DARK))
    return out.astype(np.int8)


def night_pixel_density(pixel_density_px_m, vertical_lx, distance_m, *, min_illuminance_lx,
                        ir_range_m=None, shutter_s=0.0, speed_m_s=WALKING_SPEED_M_S):
    """Effective pixel density at night: blur-reduced density where usable, 0 where dark [px/m].

    Parameters
    ----------
    pixel_density_px_m : array_like
        Day (geometric) pixel density of the camera at the cells [px/m]; 0 / NaN = unseen.
    vertical_lx : array_like
        Vertical illuminance facing the camera [lx].
    distance_m : array_like
        Horizontal distance from the camera [m].
    min_illuminance_lx, ir_range_m : float or array_like
        Camera low-light specification [lx], [m] (see :func:`night_mode`).
    shutter_s : float or array_like
        Exposure time at night [s].
    speed_m_s : float
        Walking speed [m/s].

    Returns
    -------
    ndarray
        Night pixel density [px/m] (NaN where the day density is NaN).
    """
    mode = night_mode(vertical_lx, distance_m, min_illuminance_lx=min_illuminance_lx,
                      ir_range_m=ir_range_m)
    eff = effective_pixel_density(pixel_density_px_m, shutter_s=shutter_s, speed_m_s=speed_m_s)
    return np.where(mode != NIGHT_DARK, eff, np.where(np.isnan(eff), np.nan, 0.0))


def dori_areas_m2(pixel_density_px_m, *, cell_area_m2, mask=None, thresholds=None):
    """Area reaching each DORI level, cumulative (Detect includes Observe …) [m²].

    Parameters
    ----------
    pixel_density_px_m : array_like
        Best pixel density per cell [px/m] (NaN = unseen).
    cell_area_m2 : float
        Area of one cell [m²].
    mask : array_like of bool, optional
        Area of interest.
    thresholds : dict, optional
        Level → pixel density [px/m]; default the IEC 62676-4:2014 table (pass
        ``assessments.engine.dori.dori_thresholds(standard)`` to match the coverage result).

    Returns
    -------
    dict
        Level → area [m²], e.g. ``{"detect", "observe", "recognise", "identify"}``.
    """
    _, counts = dori_counts(pixel_density_px_m, mask=mask, thresholds=thresholds)
    return {k: float(c * cell_area_m2) for k, c in counts.items()}


def dori_counts(pixel_density_px_m, *, mask=None, thresholds=None) -> tuple[int, dict]:
    """Cells of ``mask`` (all without one) and, per DORI level, how many of them reach it
    (density ≥ the level's, compared in float64; NaN and 0 reach none; a level ≤ 0 is
    reached by every cell) — the count behind :func:`dori_areas_m2` and
    ``sim_summary.dori_fractions``.

    Returns
    -------
    (int, dict)
        The number of cells, and level → count (the keys of ``thresholds``, default the
        IEC 62676-4:2014 table).
    """
    thresholds = dori_thresholds() if thresholds is None else thresholds
    pd = np.asarray(pixel_density_px_m)
    vals = pd.ravel() if mask is None else pd[np.asarray(mask, dtype=bool)]
    # the seen cells only: the comparisons run over what the cameras see, not the grid
    seen = vals[vals > 0].astype(float)
    return vals.size, {k: int(np.count_nonzero(seen >= float(v))) if float(v) > 0
                       else vals.size for k, v in thresholds.items()}


# --------------------------------------------------------------------------- preview
def reference_person(*, density_px_m=REFERENCE_DENSITY_PX_M):
    """The shipped reference image: a person-like figure beside a bar chart, drawn in code.

    The scene is 1.0 m wide × 2.0 m tall (a 1.7 m person before a textured wall, with a
    bar pattern of 1, 2, 4 and 8 cm bars at chest height), in reflectance 0–1.

    Parameters
    ----------
    density_px_m : float
        Pixel density of the drawing [px/m].

    Returns
    -------
    ndarray, shape (round(2 ρ), round(ρ)), float64
        Reflectance image, row 0 at the top.
    """
    s = float(density_px_m)
    h, w = int(round(2.0 * s)), int(round(1.0 * s))
    # Background: a wall with a 1/f ("pink") texture, so that detail exists at every scale
    # and SSIM falls steadily as the pixel density falls (fixed seed: always the same image).
    texture = _pink_texture(h, w, seed=7)
    img = 0.45 + 0.12 * texture

    def m(v):  # metres → pixels
        return v * s

    top = m(0.3)  # head top at 0.3 m below the image top → person 1.7 m tall
    cx = m(0.35)
    # legs
    for off in (-0.09, 0.09):
        rr, cc = draw.polygon([top + m(1.0), top + m(1.0), top + m(1.7), top + m(1.7)],
                              [cx + m(off - 0.07), cx + m(off + 0.07), cx + m(off + 0.07),
                               cx + m(off - 0.07)], shape=img.shape)
        img[rr, cc] = 0.15
    # torso with horizontal stripes (shirt)
    rr, cc = draw.polygon([top + m(0.27), top + m(0.27), top + m(1.02), top + m(1.02)],
                          [cx - m(0.2), cx + m(0.2), cx + m(0.18), cx - m(0.18)], shape=img.shape)
    img[rr, cc] = np.where(((rr - top) // max(1, int(m(0.04)))) % 2 == 0, 0.8, 0.3)
    # arms
    for side in (-1, 1):
        rr, cc = draw.polygon([top + m(0.3), top + m(0.3), top + m(0.95), top + m(0.95)],
                              [cx + side * m(0.2), cx + side * m(0.27), cx + side * m(0.27),
                               cx + side * m(0.2)], shape=img.shape)
        img[rr, cc] = 0.3
    # neck and head
    rr, cc = draw.polygon([top + m(0.2), top + m(0.2), top + m(0.28), top + m(0.28)],
                          [cx - m(0.04), cx + m(0.04), cx + m(0.04), cx - m(0.04)], shape=img.shape)
    img[rr, cc] = 0.7
    rr, cc = draw.ellipse(top + m(0.11), cx, m(0.11), m(0.08), shape=img.shape)
    img[rr, cc] = 0.72
    rr, cc = draw.ellipse(top + m(0.04), cx, m(0.045), m(0.085), shape=img.shape)
    img[rr, cc] = 0.1  # hair
    for ex in (-0.03, 0.03):  # eyes
        rr, cc = draw.ellipse(top + m(0.10), cx + m(ex), m(0.008), m(0.014), shape=img.shape)
        img[rr, cc] = 0.05
    rr, cc = draw.polygon([top + m(0.115), top + m(0.14), top + m(0.14)],
                          [cx, cx - m(0.01), cx + m(0.01)], shape=img.shape)
    img[rr, cc] = 0.55  # nose
    rr, cc = draw.ellipse(top + m(0.165), cx, m(0.007), m(0.03), shape=img.shape)
    img[rr, cc] = 0.25  # mouth
    # bar chart: groups of 3 dark bars of width 1, 2, 4, 8 cm
    x0 = m(0.66)
    for k, wcm in enumerate((0.01, 0.02, 0.04, 0.08)):
        y0 = top + m(0.3 + 0.14 * k)
        for j in range(3):
            c0 = x0 + 2 * j * m(wcm) if wcm < 0.08 else x0 + j * m(0.105)
            rr, cc = draw.rectangle((y0, c0), extent=(m(0.1), max(1.0, m(wcm))), shape=img.shape)
            img[rr.astype(int), cc.astype(int)] = 0.05
        rr, cc = draw.rectangle((y0, x0 + 6 * m(wcm) if wcm < 0.08 else x0 + m(0.32)),
                                extent=(m(0.1), 1), shape=img.shape)
        img[rr.astype(int), cc.astype(int)] = 0.95
    img += 0.04 * texture  # fabric / skin texture on the figure too
    return np.clip(img, 0.0, 1.0)


def _pink_texture(h, w, *, seed):
    """Zero-mean, unit-variance texture with amplitude spectrum ∝ 1 / f (deterministic)."""
    rng = np.random.default_rng(seed)
    spec = np.fft.fft2(rng.standard_normal((h, w)))
    f = np.hypot(np.fft.fftfreq(h)[:, None], np.fft.fftfreq(w)[None, :])
    f[0, 0] = 1.0
    t = np.real(np.fft.ifft2(spec / f))
    t -= t.mean()
    return t / t.std()


@dataclass(frozen=True)
class PersonPreview:
    """What a camera records of a person at a point.

    Attributes
    ----------
    recorded : ndarray
        The image at the camera's pixel density, reflectance 0–1.
    display : ndarray
        ``recorded`` enlarged back to the reference size (bilinear, as a viewer zooms).
    reference : ndarray
        The reference image.
    ssim : float
        Structural similarity of ``display`` against ``reference`` [-].
    blur_px : float
        Motion blur length in camera pixels [px].
    noise_sigma : float
        Noise standard deviation at mid-grey, in reflectance units [-].
    monochrome : bool
        True when recorded with the IR illuminator.
    """

    recorded: np.ndarray
    display: np.ndarray
    reference: np.ndarray
    ssim: float
    blur_px: float
    noise_sigma: float
    monochrome: bool


_REF_CACHE: dict[float, np.ndarray] = {}


def _reference(density):
    if density not in _REF_CACHE:
        _REF_CACHE[density] = reference_person(density_px_m=density)
        _REF_CACHE[density].setflags(write=False)
    return _REF_CACHE[density]


def _box_blur_rows(img, length_px):
    """Uniform horizontal blur of ``length_px`` pixels (fractional ends weighted)."""
    if length_px <= 1.0:
        return img
    n = int(np.floor(length_px))
    frac = length_px - n
    k = np.ones(n + (1 if frac > 0 else 0))
    if frac > 0:
        k[-1] = frac
    k /= k.sum()
    return ndimage.convolve1d(img, k, axis=1, mode="nearest")


def preview_person(pixel_density_px_m, illuminance_lx, *, min_illuminance_lx=0.5, shutter_s=1 / 30,
                   speed_m_s=WALKING_SPEED_M_S, ir_on=False, snr_at_min_illuminance=3.0, seed=0,
                   reference_density_px_m=REFERENCE_DENSITY_PX_M):
    """Simulate what a camera records of a walking person at a point, and its SSIM.

    Parameters
    ----------
    pixel_density_px_m : float
        Pixel density at the person [px/m], > 0; above ``reference_density_px_m`` the
        result equals the reference density (the drawing holds no finer detail).
    illuminance_lx : float
        Vertical illuminance on the person's face toward the camera [lx] (day: e.g. 10,000).
    min_illuminance_lx : float
        Camera's rated minimum illuminance [lx] (sets the noise scale, see rule 3).
    shutter_s : float
        Exposure time [s].
    speed_m_s : float
        Walking speed across the view [m/s]; 0 for a standing person.
    ir_on : bool
        Recorded with the IR illuminator: monochrome, scene lit to at least the rated
        minimum.
    snr_at_min_illuminance : float
        Mid-grey signal-to-noise ratio at the rated minimum illuminance [-].
    seed : int
        Seed of the noise pattern (same seed → same pattern, scaled).
    reference_density_px_m : float
        Density of the reference drawing [px/m].

    Returns
    -------
    PersonPreview

    Notes
    -----
    1. Blur the reference horizontally by v · t · ρ_ref reference pixels (rule 2).
    2. Resample to the camera's density with ``skimage.transform.resize`` (anti-aliased).
    3. Add shot noise: with n_mid = snr² · E / E_min electrons at mid-grey, a pixel of
       reflectance R carries S = 2 R n_mid electrons and σ = √S; in reflectance units
       σ_R = √(R / (2 n_mid)).
    4. Enlarge back (bilinear) and compute SSIM (``data_range=1``) against the
       reference.
    """
    rho = float(pixel_density_px_m)
    e = float(illuminance_lx)
    if not rho > 0:
        raise ValueError(f"pixel_density_px_m must be > 0 px/m, got {rho}")
    if not e >= 0 or not min_illuminance_lx > 0:
        raise ValueError("illuminance_lx must be ≥ 0 lx and min_illuminance_lx > 0 lx")
    ref = _reference(float(reference_density_px_m))
    blurred = _box_blur_rows(ref, speed_m_s * shutter_s * reference_density_px_m)
    scale = min(1.0, rho / reference_density_px_m)
    shape = (max(2, int(round(ref.shape[0] * scale))), max(2, int(round(ref.shape[1] * scale))))
    rec = transform.resize(blurred, shape, order=1, anti_aliasing=scale < 1.0, mode="edge")
    e_eff = max(e, min_illuminance_lx) if ir_on else e
    n_mid = snr_at_min_illuminance ** 2 * e_eff / min_illuminance_lx
    z = np.random.default_rng(seed).standard_normal(shape)
    if n_mid > 0:
        sigma = np.sqrt(np.clip(rec, 0.0, 1.0) / (2.0 * n_mid))
        rec = np.clip(rec + sigma * z, 0.0, 1.0)
        sigma_mid = float(np.sqrt(0.5 / (2.0 * n_mid)))
    else:
        rec = np.zeros(shape)  # no light at all: a black frame
        sigma_mid = float("inf")
    display = np.clip(transform.resize(rec, ref.shape, order=1, anti_aliasing=False, mode="edge"),
                      0.0, 1.0)
    ssim = float(structural_similarity(ref, display, data_range=1.0))
    return PersonPreview(recorded=rec, display=display, reference=ref, ssim=ssim,
                         blur_px=float(speed_m_s * shutter_s * rho), noise_sigma=sigma_mid,
                         monochrome=bool(ir_on))
