"""IES LM-63 / EULUMDAT readers: hand-written tables, symmetries, malformed files."""

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.photometry import PhotometryError, read_ies, read_ldt, read_photometry

DATA = Path(__file__).parent / "data" / "ies"
SHARED = Path("/work/shared/data/photometry")
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "photometry"


def _read(name):
    return read_ies((DATA / name).read_text())


def test_axial_1995_reproduces_table_and_interpolates():
    p = _read("axial_1995.ies")
    assert p.source_format == "LM-63-1995"
    assert p.keywords["LUMINAIRE"] == "axial 1000 cd downlight"
    assert p.lumens == 1000.0  # 1 lamp × 1000 lm
    assert p.candela.shape == (1, 4)
    # at the table angles: 1000, 800, 400, 0 cd whatever C
    assert_allclose(p.intensity([0, 30, 60, 90], [0, 77, 200, 359]), [1000, 800, 400, 0])
    # between: γ 45° is halfway 30→60: (800 + 400) / 2 = 600; γ 15°: (1000 + 800) / 2 = 900
    assert_allclose(p.intensity([45, 15, 40]), [600, 900, 800 - 10 / 30 * 400])
    # above the table (γ > 90°) nothing; NaN stays NaN
    assert_allclose(p.intensity([120, np.nan]), [0, np.nan])
    assert p.max_cd == 1000


def test_quadrant_2002_multiplier_symmetry_and_bilinear():
    p = _read("quadrant_2002.ies")
    assert p.source_format == "LM-63-2002"
    assert p.lumens is None  # −1 = absolute photometry
    assert "second line" in p.keywords["LUMINAIRE"]  # [MORE] continues the keyword
    # multiplier 2: C0 = 200 160 20, C45 = 200 240 40, C90 = 200 600 60
    assert_allclose(p.intensity([0, 45, 90], 0), [200, 160, 20])
    assert_allclose(p.intensity([0, 45, 90], 45), [200, 240, 40])
    assert_allclose(p.intensity([0, 45, 90], 90), [200, 600, 60])
    # quadrant symmetry: I(180 − C) = I(C), I(180 + C) = I(C), I(360 − C) = I(C)
    for c in (0, 45, 90):
        for mirrored in (180 - c, 180 + c, 360 - c):
            assert_allclose(p.intensity([0, 45, 90], mirrored), p.intensity([0, 45, 90], c))
    # bilinear: C 22.5, γ 45 → (160 + 240) / 2 = 200
    assert_allclose(p.intensity(45, 22.5), 200)
    # C 67.5, γ 67.5: C45 (240 + 40)/2 = 140, C90 (600 + 60)/2 = 330 → (140 + 330)/2 = 235
    assert_allclose(p.intensity(67.5, 67.5), 235)
    assert_allclose(p.intensity(67.5, 67.5 + 360), 235)  # C wraps
    assert p.max_cd == 600


def test_bilateral_2019_commas_and_upper_hemisphere():
    p = _read("bilateral_2019.ies")
    assert p.source_format == "LM-63-2019"
    assert_allclose(p.intensity([0, 45, 90, 135, 180], 90), [500, 600, 200, 50, 0])
    # bilateral about 0–180: I(270) = I(90); I(200) = I(160) = 600 + 70/90 · (200 − 600)
    assert_allclose(p.intensity(45, 270), 600)
    assert_allclose(p.intensity(45, 200), 600 + 70 / 90 * (200 - 600))
    # γ 112.5 in C90: (200 + 50) / 2
    assert_allclose(p.intensity(112.5, 90), 125)


def test_full_1986_without_format_line():
    p = _read("full_1986.ies")
    assert p.source_format == "LM-63-1986"
    assert p.lumens == 2000.0
    # multiplier 0.5 → C0 400 300 0, C90 400 250 0, C180 400 200 0, C270 400 150 0
    assert_allclose(p.intensity(45, [0, 90, 180, 270, 360]), [300, 250, 200, 150, 300])
    # C 315 between 270 (150) and 360 (300) → 225
    assert_allclose(p.intensity(45, 315), 225)


def test_bilateral_90_270_symmetry():
    text = """IESNA:LM-63-2002
TILT=NONE
1 -1 1 2 3 1 2 0 0 0
1 1 0
0 90
90 180 270
100 10
100 20
100 30
"""
    p = read_ies(text)
    # I(C) = I(180 − C): C 0 ↔ 180 (20), C 45 ↔ 135 (between 90: 10 and 180: 20 → 15)
    assert_allclose(p.intensity(90, [90, 180, 270, 0, 45, 315]), [10, 20, 30, 20, 15, 25])


def test_full_distribution_without_360_wraps():
    text = "IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 2 4 1 2 0 0 0\n1 1 0\n0 90\n0 90 180 270\n"
    text += "100 10\n100 20\n100 30\n100 40\n"
    p = read_ies(text)
    # C 315 lies between 270 (40) and the wrapped 360 = C0 (10) → 25
    assert_allclose(p.intensity(90, [270, 315, 359.999]), [40, 25, 10], atol=1e-3)


@pytest.mark.parametrize("text, match", [
    ("IESNA:LM-63-2002\nTILT=INCLUDE\n1\n", r"line 2: TILT=INCLUDE is not supported"),
    ("IESNA:LM-63-2002\n[TEST] x\nTILT=lamp.tlt\n", r"line 3: TILT=lamp.tlt"),
    ("IESNA:LM-63-2002\n[TEST] no tilt\n", r"no 'TILT=' line"),
    ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 2 1 2 2 0 0 0\n1 1 0\n0 90\n0\n1 2\n",
     r"line 3: photometric type B is not supported"),
    ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 3 1 1 2 0 0 0\n1 1 0\n0 45 90\n0\n1 2\n",
     r"line 7: file ends early: expected 3 values"),
    ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 2 1 1 2 0 0 0\n1 1 0\n0 90\n0\n1 2\n3\n",
     r"line 8: unexpected extra value '3'"),
    ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 2 1 1 2 0 0 0\n1 1 0\n0 9O\n0\n1 2\n",
     r"line 5: '9O' is not a number"),
    ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 3 1 1 2 0 0 0\n1 1 0\n0 60\n45\n0\n1 2 3\n",
     r"line 6: vertical angles must ascend"),
    ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 2 1 1 2 0 0 0\n1 1 0\n0 90\n0\n1\n-2\n",
     r"line 8: candela value -2 is negative"),
    ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 1 2 1 2 0 0 0\n1 1 0\n0\n0 45\n1 2\n",
     r"line 6: horizontal angles 0..45 are not a supported symmetry"),
    ("IESNA:LM-63-2031\nTILT=NONE\n", r"line 1: unknown format line"),
])
def test_malformed_ies_names_the_line(text, match):
    with pytest.raises(PhotometryError, match=match):
        read_ies(text)


def test_photometry_error_is_value_error():
    with pytest.raises(ValueError):
        read_ies("IESNA:LM-63-2002\nTILT=NONE\n1 2\n")


def _ldt(isym, mc, dc, ng, dg, c_angles, g_angles, values, flux=1000.0):
    head = ["test company", "1", str(isym), str(mc), str(dc), str(ng), str(dg), "report",
            "lum name", "lum no", "file.ldt", "date", "100", "100", "50", "80", "80",
            "0", "0", "0", "0", "100", "100", "1.0", "0", "1", "1", "LED", f"{flux}",
            "3000", "80", "10"] + ["0.5"] * 10
    return "\n".join(head + [str(a) for a in c_angles] + [str(g) for g in g_angles]
                     + [str(v) for v in values]) + "\n"


def test_ldt_isym1_absolute_candela():
    # cd/klm × 2000 lm / 1000: 300 → 600 cd, 200 → 400, 0 → 0
    p = read_ldt(_ldt(1, 4, 90, 3, 45, [0, 90, 180, 270], [0, 45, 90], [300, 200, 0],
                      flux=2000.0))
    assert p.source_format == "EULUMDAT"
    assert_allclose(p.intensity([0, 45, 90, 22.5], 123), [600, 400, 0, 500])


def test_ldt_isym4_quadrant_expansion():
    # Mc = 4 planes 0, 90, 180, 270 → stored C0 and C90 (Mc/4 + 1 = 2 planes)
    p = read_ldt(_ldt(4, 4, 90, 2, 90, [0, 90, 180, 270], [0, 90], [100, 10, 100, 30]))
    assert_allclose(p.intensity(90, [0, 90, 180, 270, 45]), [10, 30, 10, 30, 20])


def test_ldt_errors_name_the_line():
    with pytest.raises(PhotometryError, match=r"line 3: symmetry indicator Isym=3"):
        read_ldt(_ldt(3, 4, 90, 2, 90, [0, 90, 180, 270], [0, 90], [1, 2, 3, 4, 5, 6]))
    with pytest.raises(PhotometryError, match=r"file ends early"):
        read_ldt(_ldt(0, 4, 90, 2, 90, [0, 90, 180, 270], [0, 90], [1, 2, 3]))
    text = _ldt(1, 4, 90, 2, 90, [0, 90, 180, 270], [0, 90], [1, 2]).replace("\n1.0\n", "\nx\n", 1)
    with pytest.raises(PhotometryError, match=r"line 24: conversion factor 'x'"):
        read_ldt(text)


def test_read_photometry_dispatches():
    assert read_photometry((DATA / "axial_1995.ies").read_text()).source_format == "LM-63-1995"
    ldt = _ldt(1, 1, 0, 2, 90, [0], [0, 90], [1, 2])
    assert read_photometry(ldt).source_format == "EULUMDAT"


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ reference files not present")
def test_real_manufacturer_files_parse():
    ies = read_photometry((SHARED / "AEC_ITALO_1_5P5_S05_3.140-3M.IES").read_text(errors="replace"))
    # published: LM-63-2002, 181 vertical × 73 horizontal angles, max 5,614 cd
    assert ies.source_format == "LM-63-2002"
    assert ies.gamma_angles_deg.size == 181 and ies.c_angles_deg.size == 73
    assert_allclose(ies.max_cd, 5614, atol=0.5)
    ldt_path = next(SHARED.glob("*.ldt"))
    ldt = read_photometry(ldt_path.read_text(encoding="latin-1"))
    # Isym 0, Mc 16 (22.5° steps) → 17 planes with 360° = 0°; Ng 37 (2.5° steps, 0–90°)
    assert ldt.c_angles_deg.size == 17 and ldt.gamma_angles_deg[-1] == 90
    assert ldt.lumens == 161000.0
    assert ldt.max_cd > 0


def test_fast_table_refines_uneven_axes_exactly():
    from assessments.engine.photometry import Photometry, _fast_lookup, _fast_table, interpolate_candela
    # γ 0, 5, 10, 20, 35, 90 → common step 5° (18 + 1 nodes); C 0, 30, 45, 90, 360 → 15°
    g = np.array([0.0, 5.0, 10.0, 20.0, 35.0, 90.0])
    c = np.array([0.0, 30.0, 45.0, 90.0, 360.0])
    cd = np.arange(30.0).reshape(5, 6) * 10.0 + 100.0
    cd[-1] = cd[0]
    p = Photometry(c, g, cd)
    ft = _fast_table(p)
    assert (ft.n_g, ft.dg_deg, ft.n_c, ft.dc_deg) == (19, 5.0, 25, 15.0)
    # refined node γ 15°, C 0: halfway between 10° (120) and 20° (130) on plane 0 → 125 cd
    assert ft.flat[0 * ft.stride + 3] == 125.0
    # node C 15°, γ 0: halfway between C0 (100) and C30 (160) → 130 cd
    assert ft.flat[1 * ft.stride + 0] == 130.0
    rng = np.random.default_rng(3)
    gam = rng.uniform(0, 100, 5000)                 # includes γ > 90: outside → 0
    ca = rng.uniform(0, 360, 5000)
    gam[:4] = [0.0, 90.0, 35.0, 90.001]             # ends of the table; just past 90° → 0
    ca[:4] = [0.0, 360.0, 45.0, 0.0]
    ref = interpolate_candela(p, gam, ca)
    fast = _fast_lookup(ft, np.radians(gam).astype(np.float32), ca.astype(np.float32))
    assert fast.dtype == np.float32
    assert_allclose(fast, ref, rtol=1e-5, atol=1e-3)
    # at the table angles the table values: nadir 100 cd, (γ 90°, C 360°) = C0's 150 cd,
    # (γ 35°, C 45°) = cd[2, 4] = (2·6 + 4)·10 + 100 = 260 cd; γ 90.001° is off the table
    assert_allclose(fast[:4], [100.0, 150.0, 260.0, 0.0], rtol=1e-6)
    # axially symmetric table: 1-D lookup
    ax = _read("axial_1995.ies")
    gam = rng.uniform(0, 90, 1000)
    assert_allclose(_fast_lookup(_fast_table(ax), np.radians(gam).astype(np.float32)),
                    interpolate_candela(ax, gam), rtol=1e-5, atol=1e-3)


def test_fast_table_none_when_not_resampleable():
    from assessments.engine.photometry import Photometry, _fast_table
    # angles with no common step within the size limit (an irrational-looking spacing)
    g = np.array([0.0, 1.0, 1.0 + np.sqrt(2.0) / 7, 90.0])
    p = Photometry(np.array([0.0]), g, np.ones((1, 4)) * 500.0)
    assert _fast_table(p) is None
    # the luminaire's fast path then falls back to interpolate_candela: 500 cd for γ ≤ 90°,
    # at 4 m below: E = 500 / 16 = 31.25 lx; 3 m aside: 500 · 4 / 5³ = 16 lx
    from assessments.engine.lighting import illuminance_at_points, table_luminaire
    lum = table_luminaire(0.0, 0.0, p, mount_height_m=4.0)
    for method in ("fast", "general"):
        assert_allclose(illuminance_at_points([0.0, 3.0], [0.0, 0.0], [lum], method=method),
                        [31.25, 16.0], rtol=1e-6)


@pytest.mark.parametrize("mult", ["nan", "inf", "-1", "0", "1e300"])
def test_a_bad_multiplier_is_refused_with_its_line(mult):
    """NaN / ∞ / ≤ 0 multipliers, or one that lifts 100 cd to 10³⁰² cd: refused, naming
    line 3 (the luminaire line), never accepted to crash or darken the simulation later."""
    text = IES_BAD_TEMPLATE.replace("MULT", mult)
    with pytest.raises(PhotometryError, match="IES line 3"):
        read_ies(text)


@pytest.mark.parametrize("count", ["nan", "inf", "1e9", "-3", "2.5", "1802"])
def test_a_bad_angle_count_is_refused_before_anything_is_allocated(count):
    text = IES_BAD_TEMPLATE.replace("MULT 3", "1 " + count)
    with pytest.raises(PhotometryError, match="IES line 3: number of vertical angles must be "
                                              "an integer from 1 to 1801"):
        read_ies(text)


#: A minimal LM-63-2002 file (one lamp, 3 vertical angles, one C-plane: 100 / 80 / 10 cd);
#: "MULT" is the candela multiplier.
IES_BAD_TEMPLATE = """IESNA:LM-63-2002
TILT=NONE
1 -1 MULT 3 1 1 2 0 0 0
1 1 100
0 45 90
0
100 80 10
"""


@pytest.mark.parametrize("mc, ng, what", [("nan", "2", "not a finite number"),
                                          ("inf", "2", "not a finite number"),
                                          ("4", "1e9", "from 1 to"),
                                          ("4.5", "2", "from 1 to")])
def test_ldt_counts_are_bounded_and_finite(mc, ng, what):
    """EULUMDAT counts of NaN, ∞, 10⁹ or 4.5: a clear refusal, never a ValueError from
    int() or a table of a billion values."""
    text = _ldt(1, 4, 90, 2, 90, [0, 90, 180, 270], [0, 90], [100, 10])
    lines = text.split("\n")
    lines[3], lines[5] = mc, ng
    with pytest.raises(PhotometryError, match=what):
        read_ldt("\n".join(lines))


def test_ldt_negative_or_huge_intensities_are_refused():
    with pytest.raises(PhotometryError, match="negative"):
        read_ldt(_ldt(1, 4, 90, 2, 90, [0, 90, 180, 270], [0, 90], [100, -10]))
    # 10⁹ cd/klm × 1000 lm / 1000 = 10⁹ cd > 10⁷ cd
    with pytest.raises(PhotometryError, match="intensities reach"):
        read_ldt(_ldt(1, 4, 90, 2, 90, [0, 90, 180, 270], [0, 90], [1e9, 10]))
