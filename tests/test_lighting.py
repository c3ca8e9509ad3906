"""Point-by-point illuminance, reach cut-off, criteria and SES verdicts (hand calculations)."""

import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.lighting import (
    Luminaire, area_statistics, assess_area, assess_street, azimuth_toward, check_criteria,
    cosine_power_exponent, cosine_power_luminaire, horizontal_illuminance,
    illuminance_at_points, isotropic_luminaire, reach_radius_m, ses_class, table_luminaire,
    vertical_illuminance)
from assessments.engine.devices import PlanError, as_light, check_light
from assessments.engine.photometry import read_ies

DATA = Path(__file__).parent / "data" / "ies"


def iso(x=0.0, y=0.0, cd=1000.0, h=5.0):
    return isotropic_luminaire(x, y, mount_height_m=h, intensity_cd=cd)


def test_isotropic_below_and_offset():
    # 1000 cd at 5 m: below E = I / h² = 1000 / 25 = 40 lx;
    # 5 m aside r² = 50, cos γ = 5 / √50 → E = 1000 · 0.70711 / 50 = 14.142 lx
    e = horizontal_illuminance([0.0, 5.0], [0.0], [iso()])
    assert_allclose(e, [[40.0, 14.142136]], rtol=1e-6)
    # same numbers at points, scalar and array, and to the north (y axis)
    assert_allclose(illuminance_at_points(0.0, 5.0, [iso()]), 14.142136, rtol=1e-6)
    assert_allclose(illuminance_at_points([0, 3], [0, 4], [iso()]), [40, 14.142136], rtol=1e-6)


def test_two_lights_add():
    # lights at x = 0 and x = 10: at x = 5 each gives 14.142 → 28.284 lx;
    # at x = 0: 40 + 1000·5 / 125^1.5 = 40 + 5000 / 1397.54 = 43.5777 lx
    lights = [iso(0.0), iso(10.0)]
    e = horizontal_illuminance([0.0, 5.0, 10.0], [0.0], lights)
    assert_allclose(e, [[43.5777, 28.28427, 43.5777]], rtol=1e-5)
    assert_allclose(e, horizontal_illuminance([0.0, 5.0, 10.0], [0.0], [lights[0]])
                    + horizontal_illuminance([0.0, 5.0, 10.0], [0.0], [lights[1]]))


def test_vertical_facing_the_light_at_face_height():
    # light (0, 0, 5 m); point (5, 0) at 1.5 m; Δh = 3.5, r² = 25 + 12.25 = 37.25,
    # r³ = 227.35; plane facing west (270°, toward the light): E = I · 5 / r³ = 21.993 lx
    ev = vertical_illuminance([5.0], [0.0], [iso()], 270.0)
    assert_allclose(ev, [[21.9928]], rtol=1e-5)
    # facing east (away): 0; facing north (edge-on): 0; facing 225° (45° off): × cos 45°
    assert_allclose(vertical_illuminance([5.0], [0.0], [iso()], 90.0), [[0.0]])
    assert_allclose(vertical_illuminance([5.0], [0.0], [iso()], 0.0), [[0.0]], atol=1e-12)
    assert_allclose(vertical_illuminance([5.0], [0.0], [iso()], 225.0),
                    [[21.9928 * math.cos(math.radians(45))]], rtol=1e-5)
    # directly below the light a vertical plane gets nothing
    assert_allclose(vertical_illuminance([0.0], [0.0], [iso()], 270.0), [[0.0]])


def test_vertical_per_cell_facing_toward_point_and_nan():
    x = np.array([0.0, 5.0])
    y = np.array([5.0, 0.0])
    az = azimuth_toward(x, y, 0.0, 0.0)  # every cell faces the light's foot at (0, 0)
    # cell (row 1, col 1) at (5, 0): bearing to (0, 0) is west 270°; (row 0, col 0): south 180°
    assert_allclose(az[1, 1], 270.0)
    assert_allclose(az[0, 0], 180.0)
    ev = vertical_illuminance(x, y, [iso()], az)
    assert_allclose(ev[1, 1], 21.9928, rtol=1e-5)
    assert_allclose(ev[0, 0], 21.9928, rtol=1e-5)  # (0, 5) is also 5 m away
    az[0, 1] = np.nan
    assert np.isnan(vertical_illuminance(x, y, [iso()], az)[0, 1])


def test_reach_and_cutoff_windowed_equals_dense():
    lum = iso()
    # horizontal bound E ≤ I·Δh / r³ = 0.05 → r = (1000·5 / 0.05)^(1/3) = 46.416 m,
    # d = √(r² − 25) = 46.146 m; lattice 0.25 m + one step
    r = reach_radius_m(lum)
    assert 46.146 <= r <= 46.146 + 0.5
    # vertical bound E ≤ I·d / r³: largest d with 1000·d / (d² + 3.5²)^1.5 ≥ 0.05 ≈ 141.3 m
    rv = reach_radius_m(lum, plane="vertical", height_m=1.5)
    assert 141.2 <= rv <= 141.9
    x = np.arange(-60.0, 61.0, 2.0)
    y = x[::-1].copy()
    lights = [iso(-10, 3), iso(20, -7, cd=300), cosine_power_luminaire(0, 30, mount_height_m=6,
                                                                       lumens=2000)]
    eh = horizontal_illuminance(x, y, lights)
    assert_allclose(eh, horizontal_illuminance(x, y, lights, windowed=False))
    az = azimuth_toward(x, y, 5.0, 5.0)
    ev = vertical_illuminance(x, y, lights, az)
    assert_allclose(ev, vertical_illuminance(x, y, lights, az, windowed=False))
    # a lone light: beyond the reach exactly 0, inside > 0.05
    e1 = horizontal_illuminance(x, y, [lum])
    d = np.hypot(x[None, :], y[:, None])
    assert np.all(e1[d > r] == 0)
    assert np.all(e1[d < 46.0] >= 0.05)


def test_cosine_power_model():
    # beam 120° → m = −ln2 / ln cos 60° = 1 (Lambertian); 90° → m = −ln2 / ln(√2/2) = 2
    assert_allclose(cosine_power_exponent(120.0), 1.0)
    assert_allclose(cosine_power_exponent(90.0), 2.0)
    # 1000 lm Lambertian: I₀ = Φ (m + 1) / 2π = 1000 / π = 318.31 cd → 318.31 / 25 = 12.732 lx
    lum = cosine_power_luminaire(0, 0, mount_height_m=5, lumens=1000, beam_angle_deg=120)
    assert_allclose(lum.intensity_cd, 318.3099, rtol=1e-6)
    assert_allclose(horizontal_illuminance([0.0], [0.0], [lum]), [[12.7324]], rtol=1e-5)
    # flux round trip: ∫ I dΩ over the lower hemisphere = lumens
    for beam in (60.0, 90.0, 120.0, 150.0):
        lum = cosine_power_luminaire(0, 0, mount_height_m=5, lumens=1000, beam_angle_deg=beam)
        g = np.linspace(0, np.pi / 2, 20001)
        flux = np.trapezoid(2 * np.pi * lum.intensity(np.degrees(g)) * np.sin(g), g)
        assert_allclose(flux, 1000.0, rtol=1e-4)
        # half intensity at half the beam angle
        assert_allclose(lum.intensity(beam / 2), lum.intensity_cd / 2, rtol=1e-9)
    with pytest.raises(ValueError, match=r"beam_angle_deg must be in \(0, 180\)"):
        cosine_power_exponent(180.0)


def test_tilted_luminaire_peak_moves():
    # Lambertian I₀ tipped 30° toward north (azimuth 0): along its axis, at
    # (0, h·tan 30°) on the ground: r = h / cos 30°, cos θ (ground) = cos 30° →
    # E = I₀ cos³30° / h² = 318.31 · 0.649519 / 25 = 8.2699 lx
    lum = cosine_power_luminaire(0, 0, mount_height_m=5, lumens=1000, tilt_deg=30)
    yv = 5 * math.tan(math.radians(30))
    assert_allclose(illuminance_at_points(0.0, yv, [lum]), 318.30989 * math.cos(math.radians(30)) ** 3 / 25,
                    rtol=1e-6)
    # straight below it the luminaire sees γ = 30°: I = I₀ cos 30° → E = 318.31·0.86603/25
    assert_allclose(illuminance_at_points(0.0, 0.0, [lum]), 318.30989 * math.cos(math.radians(30)) / 25,
                    rtol=1e-6)


def test_ies_luminaire_at_table_angles_and_between():
    p = read_ies((DATA / "axial_1995.ies").read_text())
    lum = table_luminaire(0, 0, p, mount_height_m=5)
    # nadir 1000 cd → 40 lx; 5 m aside γ = 45°: I = (800 + 400)/2 = 600 → 600 · 0.70711 / 50
    assert_allclose(horizontal_illuminance([0.0, 5.0], [0.0], [lum]),
                    [[40.0, 600 * math.sqrt(0.5) / 50]], rtol=1e-6)
    # aiming: quadrant table (C0 160 cd, C90 600 cd at γ 45°); C0 points to azimuth_deg.
    q = read_ies((DATA / "quadrant_2002.ies").read_text())
    north = table_luminaire(0, 0, q, mount_height_m=5, azimuth_deg=0)
    east = table_luminaire(0, 0, q, mount_height_m=5, azimuth_deg=90)
    # point 5 m north: γ = 45°; for `north` that is C0 → 160 cd; for `east` the bearing 0°
    # is azimuth − 90° = C90 → 600 cd
    assert_allclose(illuminance_at_points(0, 5, [north]), 160 * math.sqrt(0.5) / 50, rtol=1e-6)
    assert_allclose(illuminance_at_points(0, 5, [east]), 600 * math.sqrt(0.5) / 50, rtol=1e-6)
    # C runs counter-clockwise from above: for `north`, C90 is west (bearing 270°) → 600 cd
    assert_allclose(illuminance_at_points(-5, 0, [north]), 600 * math.sqrt(0.5) / 50, rtol=1e-6)


def test_plan_lights_and_validation():
    base = {"id": "L1", "lat": 35.0, "lon": 139.0, "mount_height_m": 5.0}
    assert check_light({**base, "intensity_cd": 300.0})[1] == []
    lum = as_light({**base, "intensity_cd": 300.0}).luminaire(1.0, 2.0)
    assert (lum.model, lum.intensity_cd, lum.x_m, lum.y_m) == ("isotropic", 300.0, 1.0, 2.0)
    light = as_light({**base, "lumens": 1000, "distribution": "medium"})
    assert light.beam_angle_deg == 90.0           # "medium" = 90° (docs/plan-format.md)
    lum = light.luminaire(0, 0)
    # m = −ln 2 / ln cos 45° = 2
    assert lum.model == "cosine_power" and lum.exponent == pytest.approx(2.0)
    text = (DATA / "axial_1995.ies").read_text()
    lum = as_light({**base, "ies": text}).luminaire(0, 0)
    assert lum.model == "table" and lum.max_intensity_cd == 1000
    codes = lambda light: sorted((p.field, p.code) for p in check_light(light)[1])  # noqa: E731
    assert codes(base) == [("photometry", "photometry_count")]
    assert codes({**base, "intensity_cd": 3, "lumens": 5, "distribution": "wide"}) == [
        ("photometry", "photometry_count")]
    assert codes({**base, "lumens": 5}) == [("distribution", "missing")]
    assert codes({**base, "lumens": 5, "distribution": "spot"}) == [("distribution", "bad_distribution")]
    assert codes({**base, "lumens": 5, "distribution": {"beam_angle_deg": 180}}) == [
        ("distribution", "bad_distribution")]
    assert codes({**base, "intensity_cd": -1}) == [("intensity_cd", "out_of_range")]
    assert codes({**base, "mount_height_m": 0, "intensity_cd": 1}) == [("mount_height_m", "out_of_range")]
    assert codes({"id": "L2", "lat": "x", "lon": 139, "mount_height_m": 4, "intensity_cd": 1}) == [
        ("lat", "not_a_number")]
    bad = check_light({**base, "ies": "IESNA:LM-63-2002\nTILT=INCLUDE\n"})[1]
    assert bad[0].code == "bad_ies" and "line 2" in bad[0].message and bad[0].id == "L1"
    with pytest.raises(PlanError, match="exactly one photometry"):
        as_light(base)


def test_invalid_inputs():
    with pytest.raises(ValueError, match="model must be one of"):
        Luminaire(0, 0, 5, model="batwing")
    with pytest.raises(ValueError, match="y_axis_m must descend"):
        horizontal_illuminance([0.0, 1.0], [0.0, 1.0], [iso()])
    with pytest.raises(ValueError, match="plane must be"):
        reach_radius_m(iso(), plane="oblique")
    with pytest.raises(ValueError, match="target_class must be one of"):
        assess_area(np.ones((2, 2)), target_class="C")


def test_ses_class_verdicts():
    # SES E1901: A = 5 lx average horizontal and 1 lx minimum vertical; B = 3 / 0.5
    assert ses_class(5.0, 1.0) == "A"
    assert ses_class(4.99, 1.0) == "B"
    assert ses_class(5.0, 0.99) == "B"
    assert ses_class(3.0, 0.5) == "B"
    assert ses_class(2.99, 5.0) == "below_B"
    assert ses_class(10.0, 0.49) == "below_B"
    assert ses_class(10.0, None) is None
    checks = {c["id"]: c["passes"] for c in check_criteria(5.0, 1.0)}
    assert checks["ses_e1901_a"] and checks["npa_road"] and checks["jis_z9111_heavy_residential"]
    assert not checks["jis_z9111_light_commercial"]  # needs 10 lx / 2 lx
    assert check_criteria(5.0, None)[0]["passes"] is None


def _street_oracle(cd, x):
    """Independent formulas for a 30 m street with 1000·k cd lights at both ends (h 5 m)."""
    eh = cd * 5 / (x ** 2 + 25) ** 1.5 + cd * 5 / ((30 - x) ** 2 + 25) ** 1.5
    fwd = cd * (30 - x) / ((30 - x) ** 2 + 3.5 ** 2) ** 1.5  # face toward +x sees x = 30
    back = cd * x / (x ** 2 + 3.5 ** 2) ** 1.5               # face toward −x sees x = 0
    return eh, np.minimum(fwd, back)


@pytest.mark.parametrize("cd, expected", [(1000.0, "A"), (600.0, "B"), (400.0, "below_B")])
def test_street_verdicts(cd, expected):
    # Street along x from 0 to 30 m, points every 1 m at x = 0.5 … 29.5, lights at both ends.
    # Average horizontal ≈ (2/30)·∫₀³⁰ 5I/(x²+25)^1.5 dx = (2/30)·5I·30/(25·√925) → I = 1000:
    # 13.15 lx. Minimum vertical at the ends: the face turned away from the near light sees
    # the far one: I · 29.5 / (29.5² + 3.5²)^1.5 = I · 0.0011252 → 1.125 / 0.675 / 0.450 lx
    # for I = 1000 / 600 / 400 cd → class A / B / below B.
    lights = [iso(0.0, 0.0, cd), iso(30.0, 0.0, cd)]
    res = assess_street([[0, 0], [30, 0]], lights, step_m=1.0, segment_m=10.0)
    x = np.arange(30) + 0.5
    eh, ev = _street_oracle(cd, x)
    assert_allclose(res["points"]["horizontal_lx"], eh, rtol=1e-9)
    assert_allclose(res["points"]["vertical_lx"], ev, rtol=1e-9)
    assert_allclose(res["min_vertical_lx"], cd * 0.0011252, rtol=1e-4)
    assert_allclose(res["statistics"]["mean_lx"], 13.15 * cd / 1000, rtol=0.02)
    assert res["ses_class"] == expected
    # segments of 10 m: pass class B when their mean horizontal ≥ 3 and min vertical ≥ 0.5
    for sg in res["segments"]:
        sel = (x >= sg["start_m"]) & (x < sg["end_m"])
        ok = eh[sel].mean() >= 3 and ev[sel].min() >= 0.5
        assert sg["passes"] == ok
    assert [s["index"] for s in res["failing_segments"]] == [
        s["index"] for s in res["segments"] if not s["passes"]]
    if cd == 1000.0:
        # Against class A the middle 10–20 m fails although the street is A overall: there
        # E_h runs from 3.79 lx (x = 10.5) down to 2 · 1000 · 5 / (14.5² + 25)^1.5 = 2.54 lx
        # (x = 14.5), segment mean 3.02 lx < 5 lx.
        res_a = assess_street([[0, 0], [30, 0]], lights, segment_m=10.0, target_class="A")
        assert [s["index"] for s in res_a["failing_segments"]] == [1]
        assert_allclose(res_a["failing_segments"][0]["mean_horizontal_lx"], 3.0221, rtol=1e-4)


def test_street_polyline_bend_faces_along_each_leg():
    # L-shaped street; one light at the corner (10, 0). On the second leg (north), a point at
    # (10, 5) facing back along the leg (south, 180°) sees the corner light:
    # d = 5, Δh 3.5 → 1000 · 5 / (25 + 12.25)^1.5 = 21.993 lx; facing north 0 → min 0.
    res = assess_street([[0, 0], [10, 0], [10, 10]], [iso(10, 0)], step_m=1.0, segment_m=5)
    pts = res["points"]
    k = np.argmin(np.hypot(pts["x_m"] - 10, pts["y_m"] - 4.5))
    assert_allclose([pts["x_m"][k], pts["y_m"][k]], [10, 4.5])
    assert pts["vertical_lx"][k] == 0.0
    assert res["ses_class"] == "below_B"
    assert len(res["segments"]) == 4


def test_area_statistics_and_failing_cells():
    h = np.array([[1.0, 2.0], [3.0, np.nan]])
    st = area_statistics(h)
    # mean (1 + 2 + 3)/3 = 2, min 1, max 3, uniformity 1/2
    assert_allclose([st["mean_lx"], st["min_lx"], st["max_lx"], st["uniformity"]], [2, 1, 3, 0.5])
    assert st["n_cells"] == 3
    st = area_statistics(h, mask=np.array([[False, True], [True, False]]))
    assert_allclose([st["mean_lx"], st["uniformity"]], [2.5, 2 / 2.5])
    assert np.isnan(area_statistics(h, mask=np.zeros((2, 2), bool))["mean_lx"])
    hh = np.array([[6.0, 6.0], [2.0, 6.0]])
    vv = np.array([[1.2, 0.4], [np.nan, 2.0]])
    res = assess_area(hh, vv, target_class="B")
    # mean 5 lx, min vertical 0.4 < 0.5 → below B; failing: (1, 0) horizontal, (0, 1) vertical
    assert res["ses_class"] == "below_B"
    assert sorted(zip(*res["failing_cells"])) == [(0, 1), (1, 0)]
    res = assess_area(hh, vv, mask=np.array([[True, False], [True, True]]))
    # mask drops (0, 1): mean (6 + 2 + 6)/3 = 4.67, min vertical 1.2 → B
    assert res["ses_class"] == "B"


# --------------------------------------------------------------------------- fast path
def _uneven_table():
    """A type C table on uneven axes (γ 0, 5, 10, 20, 35, 90°; C 0, 30, 45, 90 … 360°)
    with an asymmetric, γ-dependent shape (not a product)."""
    from assessments.engine.photometry import Photometry
    g = np.array([0.0, 5.0, 10.0, 20.0, 35.0, 60.0, 90.0])
    c = np.array([0.0, 30.0, 45.0, 90.0, 180.0, 270.0, 315.0, 360.0])
    cc, gg = np.meshgrid(np.radians(c), np.radians(g), indexing="ij")
    cd = 2000.0 * (0.7 + 0.3 * np.sin(cc)) * np.cos(gg) ** 0.5 + 500.0 * np.sin(gg) ** 2
    cd[:, -1] = 0.0
    cd[-1] = cd[0]                                  # C 360° = C 0°
    return Photometry(c, g, cd, source_format="synthetic")


def _random_luminaires(rng):
    tables = [_uneven_table(), read_ies((DATA / "quadrant_2002.ies").read_text()),
              read_ies((DATA / "axial_1995.ies").read_text()),
              read_ies((DATA / "bilateral_2019.ies").read_text())]
    lums = []
    for k in range(24):
        x, y = rng.uniform(-20, 20, 2)
        h = rng.uniform(3.0, 10.0)
        az = rng.uniform(0, 360)
        tilt = 0.0 if k % 2 else rng.uniform(-40, 40)
        kind = k % 4
        if kind == 0:
            lums.append(Luminaire(x, y, h, "isotropic", intensity_cd=rng.uniform(100, 3000),
                                  azimuth_deg=az, tilt_deg=tilt))
        elif kind == 1:
            beam = rng.choice([40.0, 90.0, 120.0, 150.0])
            lums.append(cosine_power_luminaire(x, y, mount_height_m=h,
                                               lumens=rng.uniform(500, 8000),
                                               beam_angle_deg=beam, azimuth_deg=az,
                                               tilt_deg=tilt))
        else:
            lums.append(table_luminaire(x, y, tables[(k // 4) % len(tables)], mount_height_m=h,
                                        azimuth_deg=az, tilt_deg=tilt))
    return lums


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_path_equals_general_path_at_random_points(seed):
    # the fast path (closed forms, atan2 angles, index lookup on a resampled float32 table)
    # against the general one (float64 arccos / arctan2 angles, interpolate_candela), per
    # luminaire, horizontal at 0 and 1.5 m and vertical facing random bearings; no cut-off
    rng = np.random.default_rng(seed)
    px, py = rng.uniform(-40, 40, (2, 2000))
    # include points straight below a few lights (γ = 0) and level with none
    lums = _random_luminaires(rng)
    px[:4] = [lum.x_m for lum in lums[:4]]
    py[:4] = [lum.y_m for lum in lums[:4]]
    facing = rng.uniform(0, 360, px.size)
    for lum in lums:
        for h, fa in ((0.0, None), (1.5, None), (1.5, facing), (0.0, facing)):
            kw = dict(height_m=h, facing_azimuth_deg=fa, cutoff_lx=0.0)
            ref = illuminance_at_points(px, py, [lum], method="general", **kw)
            fast = illuminance_at_points(px, py, [lum], method="fast", **kw)
            scale = max(float(np.max(ref)), 1e-3)
            assert_allclose(fast, ref, rtol=2e-5, atol=2e-6 * scale,
                            err_msg=f"{lum.model} tilt {lum.tilt_deg:.1f} h {h} "
                                    f"vertical {fa is not None}")


def test_fast_grids_equal_general_grids():
    rng = np.random.default_rng(7)
    lums = _random_luminaires(rng)
    x = np.arange(-40.0, 40.0, 0.7) + 0.35
    y = x[::-1].copy()
    az = rng.uniform(0, 360, (y.size, x.size))
    az[::7, ::5] = np.nan                                   # no face direction → NaN
    # a cut-off far below the values so that no contribution sits near it
    kw = dict(cutoff_lx=1e-6)
    eh_fast = horizontal_illuminance(x, y, lums, **kw)
    eh_gen = horizontal_illuminance(x, y, lums, method="general", **kw)
    assert_allclose(eh_fast, eh_gen, rtol=2e-5, atol=1e-6 * eh_gen.max())
    ev_fast = vertical_illuminance(x, y, lums, az, **kw)
    ev_gen = vertical_illuminance(x, y, lums, az, method="general", **kw)
    assert np.array_equal(np.isnan(ev_fast), np.isnan(az))
    assert_allclose(ev_fast, ev_gen, rtol=2e-5, atol=1e-6 * np.nanmax(ev_gen))
    with pytest.raises(ValueError, match=r"method must be one of \('fast', 'general'\)"):
        horizontal_illuminance(x, y, lums, method="quick")


def test_fast_closed_forms_by_hand():
    # 1000 lm Lambertian (m = 1) at 4.5 m: I₀ = 1000 / π = 318.310 cd.
    # below: E = I₀ / h² = 318.310 / 20.25 = 15.7190 lx;
    # 4.5 m aside: cos γ = 1/√2, r² = 40.5 →
    # E = I₀ cos²γ / r² = 318.310 · 0.5 / 40.5 = 3.92975 lx
    lum = cosine_power_luminaire(0, 0, mount_height_m=4.5, lumens=1000)
    assert_allclose(horizontal_illuminance([0.0, 4.5], [0.0], [lum]), [[15.7190, 3.92975]],
                    rtol=1e-5)
    # vertical at 1.5 m (Δh = 3 m), 3 m aside, facing the light: r² = 18, cos γ = 3/√18,
    # cos θ = 3/√18 → E = I₀ · (3/√18)² / 18 = 318.310 · 0.5 / 18 = 8.84194 lx
    ev = vertical_illuminance([3.0], [0.0], [lum], 270.0, height_m=1.5)
    assert_allclose(ev, [[8.84194]], rtol=1e-5)
    # 2.5 m below a point-level light the isotropic model still lights (γ = 90° → I);
    # a cosine-power light level with the plane gives nothing (cos γ = 0)
    iso15 = iso(h=1.5)
    assert_allclose(vertical_illuminance([2.0], [0.0], [iso15], 270.0, height_m=1.5),
                    [[1000 / 4.0]], rtol=1e-6)                     # I / d² facing it
    lum15 = cosine_power_luminaire(0, 0, mount_height_m=1.5, lumens=1000)
    assert vertical_illuminance([2.0], [0.0], [lum15], 270.0, height_m=1.5)[0, 0] == 0.0
    # a light below a horizontal plane facing up gives nothing (both paths)
    for method in ("fast", "general"):
        assert illuminance_at_points(0.0, 0.0, [iso(h=1.0)], height_m=1.5, method=method) == 0.0


def test_assess_area_without_failing_cells():
    hh = np.array([[6.0, 6.0], [2.0, 6.0]])
    vv = np.array([[1.2, 0.4], [np.nan, 2.0]])
    full = assess_area(hh, vv)
    lean = assess_area(hh, vv, failing_cells=False)
    assert lean["failing_cells"] is None
    assert lean["statistics"] == full["statistics"] and lean["ses_class"] == full["ses_class"]
    assert lean["min_vertical_lx"] == 0.4
