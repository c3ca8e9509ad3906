"""Night usability, motion blur, DORI areas and the recorded-person preview."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.image_quality import (
    NIGHT_COLOUR, NIGHT_DARK, NIGHT_IR, dori_areas_m2, effective_pixel_density, motion_blur_px,
    night_mode, night_pixel_density, preview_person, reference_person)


def test_motion_blur_and_effective_density():
    # 125 px/m × 1/30 s × 1.4 m/s = 5.8333 px; effective 125 · 2 / 5.8333 = 42.857 px/m
    assert_allclose(motion_blur_px(125.0, shutter_s=1 / 30), 5.833333, rtol=1e-6)
    assert_allclose(effective_pixel_density(125.0, shutter_s=1 / 30), 42.857143, rtol=1e-6)
    # past 2 px the cap is 2 / (v t) whatever the lens: 250 px/m gives the same 42.857
    assert_allclose(effective_pixel_density([250.0, 1000.0], shutter_s=1 / 30), [42.857143] * 2,
                    rtol=1e-6)
    # 25 px/m at 1/60 s: 0.583 px ≤ 2 → unchanged; exactly 2 px (b = 2) → unchanged
    assert_allclose(effective_pixel_density(25.0, shutter_s=1 / 60), 25.0)
    assert_allclose(effective_pixel_density(2.0 / (1.4 * 0.01), shutter_s=0.01), 2.0 / 0.014)
    # NaN stays NaN, standing person (speed 0) no loss
    assert np.isnan(effective_pixel_density(np.nan, shutter_s=0.1))
    assert_allclose(effective_pixel_density(500.0, shutter_s=0.5, speed_m_s=0.0), 500.0)
    with pytest.raises(ValueError, match="shutter_s and speed_m_s must be ≥ 0"):
        motion_blur_px(10.0, shutter_s=-1)


def test_night_mode_rules():
    ev = np.array([0.6, 0.4, 0.4, 0.5])
    d = np.array([50.0, 20.0, 40.0, 100.0])
    # colour when E_v ≥ 0.5 lx; else IR when d ≤ 30 m; else dark
    assert night_mode(ev, d, min_illuminance_lx=0.5, ir_range_m=30.0).tolist() == [
        NIGHT_COLOUR, NIGHT_IR, NIGHT_DARK, NIGHT_COLOUR]
    assert night_mode(ev, d, min_illuminance_lx=0.5, ir_range_m=None).tolist() == [1, 0, 0, 1]
    with pytest.raises(ValueError, match="min_illuminance_lx"):
        night_mode(ev, d, min_illuminance_lx=-1)


def test_night_mode_and_density_with_per_cell_camera_values():
    # each cell with the specification of the camera that sees it: cell 0 min 0.5 lx, IR
    # 30 m; cell 1 min 0.05 lx, no IR (0); cell 2 min 1 lx, IR 60 m; cell 3 as cell 0
    ev = np.array([0.4, 0.1, 0.8, 0.6])
    d = np.array([20.0, 20.0, 50.0, 40.0])
    mode = night_mode(ev, d, min_illuminance_lx=np.array([0.5, 0.05, 1.0, 0.5]),
                      ir_range_m=np.array([30.0, 0.0, 60.0, 30.0]))
    # 0.4 < 0.5, 20 ≤ 30 → IR; 0.1 ≥ 0.05 → colour; 0.8 < 1, 50 ≤ 60 → IR;
    # 0.6 ≥ 0.5 → colour
    assert mode.tolist() == [NIGHT_IR, NIGHT_COLOUR, NIGHT_IR, NIGHT_COLOUR]
    # same as one scalar call per cell
    for i, (m, r) in enumerate([(0.5, 30.0), (0.05, None), (1.0, 60.0), (0.5, 30.0)]):
        assert night_mode(ev[i:i + 1], d[i:i + 1], min_illuminance_lx=m, ir_range_m=r)[0] == mode[i]
    # shutter per cell: 1/60 s → blur 100·1.4/60 = 2.333 px → 85.714 px/m; 0 s → 100 px/m
    out = night_pixel_density(np.full(4, 100.0), ev, d, min_illuminance_lx=0.5,
                              ir_range_m=np.array([30.0, 0.0, 60.0, 30.0]),
                              shutter_s=np.array([1 / 60, 0.0, 1 / 60, 0.0]))
    # cell 1: 0.1 < 0.5 and no IR → dark (0)
    assert_allclose(out, [85.714286, 0.0, 85.714286, 100.0], rtol=1e-6)
    with pytest.raises(ValueError, match="min_illuminance_lx"):
        night_mode(ev, d, min_illuminance_lx=np.array([0.5, -1.0, 0.5, 0.5]))
    with pytest.raises(ValueError, match="shutter_s"):
        motion_blur_px(np.ones(2), shutter_s=np.array([0.1, -0.1]))


def test_night_pixel_density():
    pd = np.array([100.0, 100.0, 100.0, np.nan])
    ev = np.array([1.0, 0.1, 0.1, 1.0])
    d = np.array([10.0, 10.0, 50.0, 10.0])
    out = night_pixel_density(pd, ev, d, min_illuminance_lx=0.5, ir_range_m=30.0, shutter_s=1 / 60)
    # blur 100 · 1.4 / 60 = 2.333 px → 100 · 2 / 2.333 = 85.714 px/m where usable; 0 dark
    assert_allclose(out, [85.714286, 85.714286, 0.0, np.nan], rtol=1e-6)


def test_dori_areas_cumulative():
    pd = np.array([[0.0, 30.0, 70.0], [130.0, 300.0, np.nan]])
    # default: the IEC 62676-4:2014 table; ≥ 12.5 and ≥ 25: 4 cells, ≥ 62.5: 3,
    # ≥ 125: 2, ≥ 250: 1, ≥ 1000: none; cell 2 m²
    assert dori_areas_m2(pd, cell_area_m2=2.0) == {
        "monitor": 8.0, "detect": 8.0, "observe": 6.0, "recognise": 4.0, "identify": 2.0,
        "inspect": 0.0}
    m = np.array([[True, True, True], [False, True, True]])
    assert dori_areas_m2(pd, cell_area_m2=1.0, mask=m) == {
        "monitor": 3.0, "detect": 3.0, "observe": 2.0, "recognise": 1.0, "identify": 1.0,
        "inspect": 0.0}
    # float32 densities are compared with the threshold in float64: float32(0.7) =
    # 0.69999998… is below 0.7 (a float32 comparison would round 0.7 down and count it)
    near = np.array([[np.float32(0.7), np.float32(0.75)]], dtype=np.float32)
    assert dori_areas_m2(near, cell_area_m2=1.0, thresholds={"x": 0.7}) == {"x": 1.0}


def test_reference_person_is_fixed_and_in_range():
    r = reference_person()
    assert r.shape == (800, 400)  # 2.0 m × 1.0 m at 400 px/m
    assert 0.0 <= r.min() and r.max() <= 1.0
    assert_allclose(r, reference_person())  # deterministic
    assert reference_person(density_px_m=100).shape == (200, 100)


def test_preview_shapes_noise_and_identity():
    p = preview_person(100.0, 0.5, min_illuminance_lx=0.5, shutter_s=1 / 30)
    assert p.recorded.shape == (200, 100)  # 800 · 100/400, 400 · 100/400
    assert p.display.shape == (800, 400)
    # at the rated minimum n_mid = 3² = 9 e⁻ → σ_mid = √(0.5 / 18) = 0.16667
    assert_allclose(p.noise_sigma, 0.166667, rtol=1e-5)
    assert_allclose(p.blur_px, 1.4 / 30 * 100)
    # full density, standing person, daylight: almost the reference itself
    q = preview_person(400.0, 100000.0, speed_m_s=0.0)
    assert q.ssim > 0.99
    # IR: lit to at least the rated minimum, monochrome flag set
    ir = preview_person(100.0, 0.01, min_illuminance_lx=0.5, ir_on=True)
    assert ir.monochrome and ir.noise_sigma == pytest.approx(0.166667, rel=1e-5)
    assert preview_person(100.0, 0.0).ssim < 0.05  # black frame
    with pytest.raises(ValueError, match="pixel_density_px_m must be > 0"):
        preview_person(0.0, 10.0)


def test_preview_ssim_falls_with_pixel_density():
    dens = [10.0, 25.0, 62.5, 125.0, 250.0, 400.0]
    s = [preview_person(d, 10000.0, shutter_s=1 / 250).ssim for d in dens]
    assert np.all(np.diff(s) > 0), s


def test_preview_ssim_falls_with_illuminance():
    lux = [10000.0, 10.0, 1.0, 0.5, 0.1, 0.01]
    s = [preview_person(125.0, e, min_illuminance_lx=0.5, shutter_s=1 / 30).ssim for e in lux]
    assert np.all(np.diff(s) < 0), s


def test_preview_ssim_falls_with_motion_blur():
    s = [preview_person(125.0, 100.0, shutter_s=t).ssim for t in (0.0, 1 / 250, 1 / 30, 1 / 8)]
    assert np.all(np.diff(s) < 0), s
