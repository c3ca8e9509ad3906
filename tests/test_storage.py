import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.storage import bitrate_bps, plan_storage, storage_bytes


def test_kush_gauge_full_hd():
    # 1920·1080·10 fps·1 (low motion)·0.07 = 1 451 520 bit/s for H.264; H.265 half
    assert_allclose(bitrate_bps(1920, 1080, fps=10, motion="low", codec="h264"), 1_451_520)
    assert_allclose(bitrate_bps(1920, 1080, fps=10, codec="h265"), 725_760)
    # medium motion doubles, arrays broadcast
    assert_allclose(bitrate_bps(np.array([1280, 1920]), np.array([720, 1080]), fps=10,
                                motion="medium", codec="h264"),
                    [1280 * 720 * 10 * 2 * 0.07, 1920 * 1080 * 10 * 2 * 0.07])


def test_storage_for_retention():
    # 725 760 bit/s · 86 400 s · 14 days / 8 = 109 734 912 000 bytes ≈ 110 GB per camera
    assert_allclose(storage_bytes(725_760, retention_days=14), 109_734_912_000)
    assert_allclose(storage_bytes(725_760, retention_days=14, duty=0.5), 54_867_456_000)
    assert storage_bytes(725_760, retention_days=0) == 0


def test_plan_storage_totals():
    cams = [{"id": "C1", "width_px": 1920, "height_px": 1080},
            {"id": "C2", "width_px": 1920, "height_px": 1080}]
    out = plan_storage(cams, retention_days=14)
    assert_allclose(out["total_bytes"], 2 * 109_734_912_000)
    assert_allclose(out["total_tb"], 0.219469824)
    assert [c["id"] for c in out["cameras"]] == ["C1", "C2"]


@pytest.mark.parametrize("kwargs, match", [({"motion": "wild"}, "motion"),
                                           ({"codec": "mjpeg"}, "codec")])
def test_invalid_choices(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bitrate_bps(1920, 1080, **kwargs)
    with pytest.raises(ValueError, match="duty"):
        storage_bytes(1.0, retention_days=1, duty=0)
