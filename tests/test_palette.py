"""Every legend's colours stay apart for colour-blind viewers and on a washed-out projector.

Colour-vision deficiency is simulated with the matrices of Machado, Oliveira & Fernandes
(2009), "A physiologically-based model for simulation of color vision deficiency", IEEE TVCG
15(6), severity 1.0, applied to linear sRGB. Differences are CIEDE2000 (Sharma, Wu & Dalal
2005, "The CIEDE2000 color-difference formula: implementation notes…", Color Res. Appl. 30).
A projector's wash-out is modelled as 40 % white mixed into the displayed sRGB colour.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from assessments import palette
from reports import layout_map
from ui import map_view

#: Machado et al. 2009, table of severity 1.0 (linear RGB).
MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
WASH_WHITE = 0.4
#: Smallest CIEDE2000 difference within a legend, in every vision and wash-out condition:
#: ordered scales (several steps) and categories (a few colours with distinct meanings).
MIN_DE_SCALE = 5.0
MIN_DE_CATEGORY = 7.0
#: Drawn under the layers: the map background (``render_png`` canvas, ``plot_bgcolor``)
#: and the building cells of ``render_png``.
MAP_BACKGROUND = (244, 245, 247)
BUILDING = (150, 155, 165)
PAPER = (255, 255, 255)


def _srgb(c):
    """0–255 sRGB → 0–1."""
    return np.asarray(c, float) / 255.0


def _linear(c):
    """IEC 61966-2-1 sRGB decoding."""
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _encode(c):
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(c, vision: str):
    """0–1 sRGB as seen with ``vision`` (Machado et al. 2009, in linear RGB)."""
    return _encode(MACHADO[vision] @ _linear(np.asarray(c, float)))


def lab(c):
    """0–1 sRGB → CIELAB (D65)."""
    xyz = np.array([[0.4124, 0.3576, 0.1805],
                    [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ _linear(np.asarray(c, float))
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference, k_L = k_C = k_H = 1 (Sharma et al. 2005, eqs. 1–21)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    d_hp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_bar = (h1p + h2p + 360) / 2
    else:
        hp_bar = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(hp_bar - 30)) + 0.24 * np.cos(np.radians(2 * hp_bar))
         + 0.32 * np.cos(np.radians(3 * hp_bar + 6)) - 0.20 * np.cos(np.radians(4 * hp_bar - 63)))
    d_theta = 30 * np.exp(-((hp_bar - 275) / 25) ** 2)
    r_c = 2 * np.sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25.0 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    dl, dc, dh_ = (L2 - L1) / s_l, (c2p - c1p) / s_c, d_hp / s_h
    return float(np.sqrt(dl ** 2 + dc ** 2 + dh_ ** 2 + r_t * dc * dh_))


def painted(colour, alpha: int, under=MAP_BACKGROUND):
    """0–1 sRGB of ``colour`` (hex or 0–255 tuple) drawn at ``alpha`` (0–255) on ``under``."""
    rgb = palette.rgb(colour) if isinstance(colour, str) else colour
    return (alpha / 255) * _srgb(rgb) + (1 - alpha / 255) * _srgb(under)


def worst_pair(colours: dict) -> tuple:
    """The smallest CIEDE2000 difference among ``colours`` (name → 0–1 sRGB) over normal
    vision, the three dichromacies, each also washed out: ``(ΔE00, vision, wash, a, b)``."""
    worst = (np.inf,)
    for vision, wash in itertools.product(MACHADO, (0.0, WASH_WHITE)):
        seen = {k: lab(simulate((1 - wash) * c + wash, vision)) for k, c in colours.items()}
        for a, b in itertools.combinations(seen, 2):
            d = ciede2000(seen[a], seen[b])
            if d < worst[0]:
                worst = (d, vision, wash, a, b)
    return worst


# ------------------------------------------------------------------- the formulas
def test_ciede2000_matches_sharma_test_data():
    # Sharma et al. 2005, table 1, pairs 1, 7 and 17.
    assert ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4)
    assert ciede2000((50.0, 0.0, 0.0), (50.0, -1.0, 2.0)) == pytest.approx(2.3669, abs=1e-4)
    assert ciede2000((50.0, 2.5, 0.0), (73.0, 25.0, -18.0)) == pytest.approx(27.1492, abs=1e-4)


def test_simulation_keeps_greys_and_merges_red_and_green():
    # Each Machado row sums to 1 (±1e-5), so white and greys are unchanged; white is
    # L* = 100, a* = b* = 0 (±0.02: the 4-digit sRGB → XYZ matrix).
    for m in MACHADO.values():
        np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-5)
    assert lab(_srgb((255, 255, 255))) == pytest.approx([100.0, 0.0, 0.0], abs=0.02)
    # The old night legend's two reds, #e53935 (dark) and #ff1744 (privacy): apart for normal
    # vision, nearly one colour for a deuteranope — the defect this file guards against.
    old = {"dark": painted("#e53935", 185), "privacy": painted("#ff1744", 235)}
    assert worst_pair(old)[0] < 5.0
    assert worst_pair(old)[1] == "deuteranopia"


# ------------------------------------------------------------------- the map legends
def _with_context(layer: dict) -> dict:
    """A layer's painted colours with what a viewer must tell them from: privacy hits
    (drawn over every layer), the map background and the buildings."""
    return {**layer, "privacy": painted(map_view.PRIVACY_COLOUR, palette.PRIVACY_ALPHA),
            "background": _srgb(MAP_BACKGROUND), "building": _srgb(BUILDING)}


def _layer(colours) -> dict:
    return {f"{i}:{c}": painted(c, map_view.ALPHA) for i, c in enumerate(colours)}


MAP_LEGENDS = {
    "dori": (lambda: _layer(map_view.DORI_COLOURS), MIN_DE_SCALE),
    "count": (lambda: _layer(map_view.COUNT_COLOURS), MIN_DE_SCALE),
    "illuminance": (lambda: _layer(map_view.LUX_COLOURS), MIN_DE_SCALE),
    "night_usability": (lambda: {k: painted(c, map_view.ALPHA)
                                 for k, c in map_view.NIGHT_COLOURS.items()}, MIN_DE_CATEGORY),
    "requirement": (lambda: {
        "met": painted(map_view.REQ_COLOURS[map_view.S.REQ_MET], map_view.ALPHA),
        "day_only": painted(map_view.REQ_COLOURS[map_view.S.REQ_DAY_ONLY], map_view.ALPHA),
        # drawn faintly (``layer_rgba``)
        "not_met": painted(map_view.REQ_COLOURS[map_view.S.REQ_NOT_MET],
                           palette.NOT_MET_ALPHA)}, MIN_DE_CATEGORY),
}


@pytest.mark.parametrize("layer", list(MAP_LEGENDS))
def test_map_legend_colours_are_distinct_for_every_viewer(layer):
    colours, minimum = MAP_LEGENDS[layer]
    worst = worst_pair(_with_context(colours()))
    assert worst[0] >= minimum, worst


def test_meanings_are_kept():
    # green = usable / met, vermillion = not; privacy is none of the layer colours
    assert map_view.NIGHT_COLOURS["colour"] == map_view.REQ_COLOURS[map_view.S.REQ_MET]
    assert map_view.NIGHT_COLOURS["dark"] == map_view.REQ_COLOURS[map_view.S.REQ_NOT_MET]
    r, g, b = palette.rgb(palette.OK)
    assert g > r and g > b
    r, g, b = palette.rgb(palette.NOT_OK)
    assert r > g > b
    assert len(map_view.DORI_COLOURS) == 7 and len(map_view.LUX_COLOURS) == 6
    # the illuminance scale runs from dark to light (CIELAB L*, 34.8 → 92.9)
    light = [lab(_srgb(palette.rgb(c)))[0] for c in map_view.LUX_COLOURS]
    assert light[0] < 35 and light[-1] > 90


# ------------------------------------------------------------------- the 配置図 legend
@pytest.mark.parametrize("standard", list(layout_map.REACH_LEVELS))
def test_layout_map_legend_colours_are_distinct_for_every_viewer(standard):
    # the marks told apart by colour alone (one standard's reach arcs per drawing)
    marks = {"area": layout_map.AREA_RGB, "outside": layout_map.OUTSIDE_RGB,
             "camera": layout_map.CAMERA_RGB, "light": layout_map.LIGHT_RGB, "paper": PAPER,
             **dict(layout_map.REACH_LEVELS[standard])}
    worst = worst_pair({k: _srgb(c) for k, c in marks.items()})
    assert worst[0] >= MIN_DE_CATEGORY, worst
