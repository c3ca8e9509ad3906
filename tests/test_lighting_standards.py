"""IES ballast factor, luminaire aiming (C0 = street side) and the maintenance factor."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.devices import as_light, check_light
from assessments.engine.lighting import (LIGHTING_CRITERIA, horizontal_illuminance,
                                         illuminance_at_points, table_luminaire)
from assessments.engine.photometry import PhotometryError, read_ies

BASE = {"id": "L1", "lat": 35.0, "lon": 139.0, "mount_height_m": 5.0}


def _axial_ies(first_line: str, factors: str) -> str:
    """An axially symmetric type C file: 1000 cd at nadir, 0 cd at the horizontal."""
    return (f"{first_line}\nTILT=NONE\n1 -1 1 2 1 1 2 0 0 0\n{factors}\n0 90\n0\n1000 0\n")


# --------------------------------------------------------------------------- ballast factor
def test_ballast_factor_scales_the_candela():
    one = read_ies(_axial_ies("IESNA:LM-63-2002", "1.0 1 20"))
    half = read_ies(_axial_ies("IESNA:LM-63-2002", "0.5 1 20"))
    lum1 = table_luminaire(0, 0, one, mount_height_m=5)
    lum5 = table_luminaire(0, 0, half, mount_height_m=5)
    # at nadir, 5 m below: E = I cos θ / d² = 1000 · 1 / 25 = 40 lx; BF 0.5 → 20 lx
    assert_allclose(illuminance_at_points(0, 0, [lum1]), 40.0, rtol=1e-9)
    assert_allclose(illuminance_at_points(0, 0, [lum5]), 20.0, rtol=1e-9)
    assert half.ballast_factor == 0.5 and half.max_cd == 500.0


def test_ballast_lamp_factor_only_where_the_format_defines_it():
    # LM-63-1995: the second field is the ballast-lamp photometric factor: 0.5 × 0.8 = 0.4
    # → 1000 cd · 0.4 / 25 m² = 16 lx at nadir
    old = read_ies(_axial_ies("IESNA:LM-63-1995", "0.5 0.8 20"))
    assert_allclose(illuminance_at_points(0, 0, [table_luminaire(0, 0, old, mount_height_m=5)]),
                    16.0, rtol=1e-9)
    # LM-63-2019: the second field is the file-generation type (1.10000 here), not a factor
    new = read_ies(_axial_ies("IES:LM-63-2019", "0.5 1.10000 20"))
    assert new.max_cd == 500.0
    # LM-63-2002: reserved ("future use"), also not a factor
    assert read_ies(_axial_ies("IESNA:LM-63-2002", "1 0 20")).max_cd == 1000.0


@pytest.mark.parametrize("factors, match", [
    ("0 1 20", r"line 4: ballast factor must be > 0"),
    ("-1 1 20", r"line 4: ballast factor must be > 0"),
])
def test_bad_ballast_factor_is_named(factors, match):
    with pytest.raises(PhotometryError, match=match):
        read_ies(_axial_ies("IESNA:LM-63-2002", factors))


def test_bad_ballast_lamp_factor_is_named_in_lm63_1995():
    with pytest.raises(PhotometryError, match="ballast-lamp photometric factor must be > 0"):
        read_ies(_axial_ies("IESNA:LM-63-1995", "1 0 20"))


# --------------------------------------------------------------------------- aiming
def _street_ies() -> str:
    """A road luminaire's shape: the main beam on C0 at γ = 65° (1000 cd), 100 cd
    elsewhere; full 0–360° table, C every 30°, γ every 5°."""
    cs = np.arange(0, 361, 30)
    gs = np.arange(0, 91, 5)
    rows = []
    for c in cs:
        lobe = max(0.0, math.cos(math.radians(c))) ** 4
        rows.append([100 + 900 * lobe * math.exp(-((g - 65) / 12) ** 2) for g in gs])
    head = f"IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 {gs.size} {cs.size} 1 2 0 0 0\n1 1 0\n"
    body = " ".join(f"{g:g}" for g in gs) + "\n" + " ".join(f"{c:g}" for c in cs) + "\n"
    return head + body + "\n".join(" ".join(f"{v:.4f}" for v in r) for r in rows) + "\n"


def test_street_side_azimuth_sends_the_c0_beam_there():
    p = read_ies(_street_ies())
    assert p.max_cd == pytest.approx(1000.0)          # at C0, γ 65°
    lum = table_luminaire(0, 0, p, mount_height_m=5, azimuth_deg=90)   # street to the east
    # ring at d = 5 tan 65° = 10.7225 m: γ = 65° in every direction
    d = 5 * math.tan(math.radians(65))
    bearings = np.arange(0, 360, 15.0)
    x, y = d * np.sin(np.radians(bearings)), d * np.cos(np.radians(bearings))
    e = illuminance_at_points(x, y, [lum], cutoff_lx=0.0)
    assert bearings[np.argmax(e)] == 90.0
    # E = I cos γ / r² with r² = 25 + 10.7225² = 139.973 m², cos 65° = 0.42262:
    # street side 1000 · 0.42262 / 139.973 = 3.0193 lx; house side (bearing 270°) 100 cd
    # → 0.30193 lx
    assert_allclose(e[bearings == 90.0], 3.0192896, rtol=1e-5)
    assert_allclose(e[bearings == 270.0], 0.30192896, rtol=1e-5)
    # the grid (fast float32 path) agrees: its brightest cell is on the street side
    axis = np.arange(-15.0, 15.5, 0.5)
    grid = horizontal_illuminance(axis, axis[::-1], [lum], windowed=False)
    row, col = np.unravel_index(np.argmax(grid), grid.shape)
    assert axis[col] > 5.0 and abs(axis[::-1][row]) <= 1.0


def test_tilt_tips_the_beam_toward_the_street():
    p = read_ies(_street_ies())
    lum = table_luminaire(0, 0, p, mount_height_m=5, azimuth_deg=0, tilt_deg=10)
    # tipped 10° toward north (the street side), the 65° beam lands at γ_ground = 75°:
    # d = 5 tan 75° = 18.66 m; E = 1000 · cos 75° / (25 + 18.66²) = 0.6934 lx
    d = 5 * math.tan(math.radians(75))
    assert_allclose(illuminance_at_points(0, d, [lum], cutoff_lx=0.0),
                    1000 * math.cos(math.radians(75)) / (25 + d * d), rtol=1e-4)


# --------------------------------------------------------------------------- maintenance factor
def test_maintenance_factor_turns_initial_into_maintained_illuminance():
    # 250 cd, 5 m above: E_initial = 250 / 25 = 10 lx; M = 0.7 → 7 lx
    init = as_light({**BASE, "intensity_cd": 250.0}).luminaire(0, 0)
    kept = as_light({**BASE, "intensity_cd": 250.0, "maintenance_factor": 0.7}).luminaire(0, 0)
    assert_allclose(illuminance_at_points(0, 0, [init]), 10.0, rtol=1e-9)
    assert_allclose(illuminance_at_points(0, 0, [kept]), 7.0, rtol=1e-9)
    # a table: 1000 cd at nadir → 40 lx; M = 0.7 → 28 lx (the same on the grid)
    ies = _axial_ies("IESNA:LM-63-2002", "1 1 20")
    lum = as_light({**BASE, "ies": ies, "maintenance_factor": 0.7}).luminaire(0, 0)
    assert_allclose(illuminance_at_points(0, 0, [lum]), 28.0, rtol=1e-9)
    assert_allclose(horizontal_illuminance([0.0], [0.0], [lum])[0, 0], 28.0, rtol=1e-6)
    # lumens: I₀ = Φ (m + 1) / 2π with m = 1 (120°): 1000 lm → 318.31 cd → 12.732 lx; × 0.7
    lum = as_light({**BASE, "lumens": 1000, "distribution": "wide",
                    "maintenance_factor": 0.7}).luminaire(0, 0)
    assert_allclose(illuminance_at_points(0, 0, [lum]), 0.7 * 2000 / (2 * math.pi) / 25,
                    rtol=1e-9)


def test_maintenance_factor_default_and_validation():
    assert as_light({**BASE, "intensity_cd": 1.0}).maintenance_factor == 1.0
    for bad, code in ((0, "out_of_range"), (1.2, "out_of_range"), (-0.5, "out_of_range"),
                      ("0.7", "not_a_number")):
        light, issues = check_light({**BASE, "intensity_cd": 1.0, "maintenance_factor": bad})
        assert light is None
        assert [(i.field, i.code) for i in issues] == [("maintenance_factor", code)]
    assert check_light({**BASE, "intensity_cd": 1.0, "maintenance_factor": 1})[1] == []


# --------------------------------------------------------------------------- criteria
def test_criteria_cite_real_publications_with_read_dates():
    for c in LIGHTING_CRITERIA:
        assert "facts.md" not in c["source"] and "シード" not in c["source"]
        assert "2026-12-07" in c["source"]
        if not c["verified"]:
            assert "未確認" in c["source"]          # the reason is stated


# --------------------------------------------------------------------------- the 防犯灯 tab
def test_lights_tab_sets_maintenance_factor_and_street_side_bearing(workspace_path):
    """The シミュレーション page: the 保守率 input saves one value on every light (undoably),
    the lights table has the street-side bearing, labelled as such."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from datasets.workspace import Workspace
    from ui.sim_devices import column_config

    def plan(at):
        ws = Workspace(Path(workspace_path))
        try:
            return ws.get_plan(at.session_state["plan_id"])
        finally:
            ws.close()

    def undo(at):
        next(b for b in at.button if b.key and b.key.split("@")[0] == "sim.undo_btn").click()
        at.run()

    page = Path(__file__).resolve().parents[1] / "pages" / "simulate.py"
    at = AppTest.from_file(str(page), default_timeout=120)
    at.session_state["lang"] = "ja"
    at.run()
    at.session_state["sim.load_sample"] = True
    at.run()
    assert not at.exception, at.exception
    box = next(e for e in at.number_input if e.key and e.key.startswith("sim.maint_"))
    assert (box.label, box.value) == ("保守率", 1.0)
    box.set_value(0.7).run()
    assert not at.exception, at.exception
    lights = plan(at)["lights"]
    assert len(lights) == 20 and {lt["maintenance_factor"] for lt in lights} == {0.7}
    at.session_state["sim.edit_queue"] = [{"kind": "lights", "delta": {
        "edited_rows": {"0": {"azimuth_deg": 45.0}}}}]
    at.run()
    assert plan(at)["lights"][0]["azimuth_deg"] == 45.0
    undo(at)
    assert plan(at)["lights"][0].get("azimuth_deg") is None
    undo(at)
    assert all("maintenance_factor" not in lt for lt in plan(at)["lights"])
    assert column_config(("azimuth_deg",), "lights")["azimuth_deg"]["label"] == "道路側の方位 [°]"
