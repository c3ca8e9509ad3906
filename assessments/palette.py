"""The colours of the map layers (``ui.map_view``) and of the 配置図 (``reports.layout_map``):
one place, so that "met", "not met" and a DORI level look the same everywhere.

Every legend stays readable for colour-blind viewers (protanopia, deuteranopia, tritanopia)
and on a washed-out projector; ``tests/test_palette.py`` simulates both and checks the
CIEDE2000 difference of every pair within a legend.

Sources
-------
- Okabe, M. & Ito, K. (2008). *Color Universal Design (CUD): how to make figures and
  presentations that are friendly to colorblind people.* https://jfly.uni-koeln.de/color/
  (カラーユニバーサルデザイン推奨配色の元になった 8 色).
- Tol, P. (2021). *Colour Schemes.* SRON technical note SRON/EPS/TN/09-002, issue 3.2,
  https://personal.sron.nl/~pault/ — the "muted" qualitative scheme and the discrete
  rainbow (fig. 22: 29 colours, of which any subset keeps their order).

The subsets of the discrete rainbow were chosen to maximise the smallest pairwise difference
under the checks of the test, with the map background and the building grey included.
"""
from __future__ import annotations

#: Okabe–Ito colours used here.
OKABE_ITO = {"orange": "#E69F00", "vermillion": "#D55E00", "bluish_green": "#009E73",
             "black": "#000000"}
#: Tol's muted qualitative colours used here.
TOL_MUTED = {"green": "#117733", "indigo": "#332288", "wine": "#882255"}
#: Tol's vibrant orange (the DORI reach arc of the lower level on paper).
TOL_VIBRANT_ORANGE = "#EE7733"

#: Meaning colours shared by the night and requirement layers: usable / met (green),
#: day only (orange), not usable / not met (vermillion: tells apart from green by lightness
#: as well, which red does not for protanopes).
OK = TOL_MUTED["green"]
CAUTION = OKABE_ITO["orange"]
NOT_OK = OKABE_ITO["vermillion"]
#: Infrared (black-and-white) night picture.
NIGHT_IR = TOL_MUTED["indigo"]
#: Cells where a camera sees into a home's opening; drawn over every layer, so it must
#: differ from every legend's colours (black does, and never reads as "not met").
PRIVACY = OKABE_ITO["black"]

#: DORI levels, lowest first (Tol discrete rainbow 3, 9, 11, 16, 18, 22, 26).
DORI = ("#D1BBD7", "#882E72", "#437DBF", "#90C987", "#F7F056", "#F1932D", "#DC050C")
#: Number of cameras seeing a cell, 1 to 5+ (Tol discrete rainbow 10, 16, 19, 25, 28).
CAMERA_COUNT = ("#1965B0", "#90C987", "#F7CB45", "#E65518", "#72190E")
#: Horizontal illuminance bins, darkest first (Tol discrete rainbow 9, 10, 12, 15, 17, 18):
#: dark purple for unlit ground up to yellow for well lit.
ILLUMINANCE = ("#882E72", "#1965B0", "#5289C7", "#4EB265", "#CAE0AB", "#F7F056")

#: Opacity of a raster layer over the map (0–255): high enough that the colours keep their
#: differences when a projector washes them out.
LAYER_ALPHA = 215
#: "Not met" is drawn faintly: it covers most of an area before cameras are placed.
NOT_MET_ALPHA = 70
PRIVACY_ALPHA = 235

#: 配置図 (white paper): the 計画区域 line keeps the customary red; a camera outside it is
#: marked in wine (not a second red); the two DORI reach arcs, the lower level first.
PLAN_AREA = "#D72828"
OUTSIDE_AREA = TOL_MUTED["wine"]
REACH = (TOL_VIBRANT_ORANGE, OKABE_ITO["bluish_green"])


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` → ``(r, g, b)`` in 0–255.

    Examples
    --------
    ``rgb("#D55E00")`` → ``(213, 94, 0)``.
    """
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


#: The map's background under the layers (``plot_bgcolor`` of the app's map).
MAP_BACKGROUND = "#F4F5F7"


def painted(hex_colour: str, alpha: int, under: str = MAP_BACKGROUND) -> str:
    """``hex_colour`` at opacity ``alpha`` (0–255) over ``under``, as ``"#rrggbb"``: the
    colour a layer shows on the map, which its legend swatch repeats.

    Examples
    --------
    ``painted("#000000", 128, "#FFFFFF")``: 255 · (1 − 128/255) = 127 → ``"#7F7F7F"``.
    """
    a = alpha / 255.0
    return "#{:02X}{:02X}{:02X}".format(*(int(round(c * a + u * (1 - a)))
                                         for c, u in zip(rgb(hex_colour), rgb(under))))
