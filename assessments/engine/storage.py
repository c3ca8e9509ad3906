"""Recording storage for a retention period: bitrate model and storage per camera.

Model (stated, a rule of thumb, not a measurement): the *Kush gauge* for H.264,

    bitrate [bit/s] = width_px · height_px · fps · motion_factor · 0.07,

with ``motion_factor`` 1 (low motion: a quiet street), 2 (medium), 4 (high), and H.265
needing about half of H.264's bitrate for the same quality. Storage for a retention period
is ``bitrate · duty · 86 400 s/day · days / 8`` bytes, ``duty`` being the fraction of time
recorded (1 = continuous; motion-triggered recording records less).

References
----------
.. [1] K. Amerasinghe, "H.264 for the rest of us", Adobe Systems, 2009 (the "Kush gauge").
.. [2] ITU-T H.265 (04/2013) design goal: about 50 % bit-rate reduction over H.264 for the
   same perceptual quality (G. J. Sullivan et al., "Overview of the HEVC standard", IEEE
   Trans. CSVT 22(12), 2012, doi:10.1109/TCSVT.2012.2221191).
"""
from __future__ import annotations

import numpy as np

KUSH_CONSTANT = 0.07
MOTION_FACTORS = {"low": 1.0, "medium": 2.0, "high": 4.0}
CODEC_FACTORS = {"h264": 1.0, "h265": 0.5}
SECONDS_PER_DAY = 86_400


def bitrate_bps(width_px, height_px, *, fps=10.0, motion="low", codec="h265"):
    """Estimated video bitrate of one camera stream [bit/s] (Kush gauge).

    Parameters
    ----------
    width_px, height_px : array_like
        Resolution [px].
    fps : array_like, default 10
        Frame rate [1/s]. Municipal recorders commonly record at 5–15 fps.
    motion : {"low", "medium", "high"}
        Amount of motion in the scene.
    codec : {"h264", "h265"}

    Returns
    -------
    numpy.ndarray or float
        Bitrate [bit/s]. Example: 1920 × 1080 at 10 fps, low motion, H.264 →
        1920·1080·10·1·0.07 = 1 451 520 bit/s ≈ 1.45 Mbit/s; H.265 half of it.
    """
    if motion not in MOTION_FACTORS:
        raise ValueError(f"motion must be one of {sorted(MOTION_FACTORS)}, got {motion!r}")
    if codec not in CODEC_FACTORS:
        raise ValueError(f"codec must be one of {sorted(CODEC_FACTORS)}, got {codec!r}")
    pixels = np.asarray(width_px, dtype=float) * np.asarray(height_px, dtype=float)
    rate = pixels * np.asarray(fps, dtype=float) * MOTION_FACTORS[motion] * KUSH_CONSTANT \
        * CODEC_FACTORS[codec]
    return rate if rate.ndim else float(rate)


def storage_bytes(bitrate, *, retention_days, duty=1.0):
    """Storage to keep ``retention_days`` of recording at ``bitrate`` [bytes].

    Parameters
    ----------
    bitrate : array_like
        Bitrate [bit/s].
    retention_days : float
        Retention period [day] (保存期間; e.g. 7, 14, 30).
    duty : float, default 1
        Fraction of the time recorded (0–1].
    """
    if not 0 < duty <= 1:
        raise ValueError(f"duty must be in (0, 1], got {duty}")
    if retention_days < 0:
        raise ValueError(f"retention_days must be ≥ 0, got {retention_days}")
    total = np.asarray(bitrate, dtype=float) * duty * SECONDS_PER_DAY * retention_days / 8.0
    return total if total.ndim else float(total)


def plan_storage(cameras, *, retention_days, fps=10.0, motion="low", codec="h265",
                 duty=1.0) -> dict:
    """Storage for every camera of a plan.

    Returns
    -------
    dict
        ``cameras``: ``[{"id", "bitrate_bps", "storage_bytes"}]``; ``total_bytes``;
        ``total_tb`` (decimal terabytes, as disks are sold).
    """
    rows = []
    for cam in cameras:
        rate = bitrate_bps(cam.get("width_px", 1920), cam.get("height_px", 1080), fps=fps,
                           motion=motion, codec=codec)
        rows.append({"id": cam.get("id"), "bitrate_bps": rate,
                     "storage_bytes": storage_bytes(rate, retention_days=retention_days,
                                                    duty=duty)})
    total = float(sum(r["storage_bytes"] for r in rows))
    return {"cameras": rows, "total_bytes": total, "total_tb": total / 1e12}
