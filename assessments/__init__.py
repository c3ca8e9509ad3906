"""Pure domain logic and the numeric core of Mimamori Planner (never imports streamlit).

Glossary: canonical names and units
-----------------------------------
Names used for arguments, dict keys (plan, RESULT.json) and array attributes across the
modules. A name ending in a unit carries that unit; the others are listed with theirs.

Coordinates and grid (:mod:`assessments.engine.grid` is the only place for lat/lon ↔ metres)
    ``lat``, ``lon``          latitude / longitude, JGD2011 ≈ WGS84 [°]
    ``x``, ``x_m``            local metres east of the grid's projection centre [m]
    ``y``, ``y_m``            local metres north of the projection centre [m]
    ``z_m``                   height above the datum (ground height + mount height) [m]
    ``resolution_m``          grid spacing (cell size) [m]
    ``row``, ``col``          grid indices; row 0 is the northernmost row, cols run west→east
    ``x_north_m``, ``y_east_m``  平面直角座標系 X (north) and Y (east) [m]
    ``inside``                cell is assessed: in the area and not in a building (bool)

Cameras (:mod:`assessments.engine.camera`, :mod:`assessments.engine.coverage`)
    ``mount_height_m``        camera height above the local ground [m]
    ``azimuth_deg``           viewing direction, clockwise from north (90 = east) [°]
    ``tilt_deg``              optical axis below the horizontal (positive = down) [°]
    ``hfov_deg``, ``vfov_deg``  horizontal / vertical field of view [°]
    ``width_px``, ``height_px``  image size [px]
    ``f_px``                  focal length in pixels, (width_px/2)/tan(hfov/2) [px]
    ``max_range_m``           horizontal reach limit [m]; absent → working range
    ``min_density_px_m``      working-range limit for cameras without max_range_m [px/m]
    ``target_height_m``       height of the evaluated plane above ground (1.5 = face) [m]
    ``depth_m``               distance along the optical axis (camera z_c) [m]
    ``distance_m``            3-D distance camera → target point [m]
    ``pixel_density``         f_px / depth_m, horizontal pixels per metre [px/m]
    ``camera_count``          number of cameras seeing a cell
    ``best_camera``           index of the camera giving the best pixel_density (−1 none)
    ``focal_length_mm``, ``sensor_size_mm``  lens calculator inputs [mm]
    ``ir_range_m``            infrared illuminator reach [m]
    ``min_illuminance_lx``    camera's minimum scene illuminance [lx]

DORI (IEC 62676-4)
    ``standard``              ``"iec62676_4_2014"`` (monitor, detect, observe, recognise,
                              identify, inspect) or ``"iec62676_4_2025"`` (overview,
                              outline, discern, perceive, characterize, validate, scrutinize)
    ``dori_m2``               area at ≥ each level, cumulative [m²]
    ``dori_level``            per cell: 0 = below all levels, k = k-th lowest level reached
    ``area_m2``, ``covered_m2``  assessed area, area seen by ≥ 1 camera [m²]

Buildings and terrain (:mod:`assessments.engine.visibility`)
    ``height_m``              building height above ground (PLATEAU ``measuredHeight``) [m]
    ``ground_m``              terrain (ground) height above the datum [m]

Lighting (:mod:`assessments.engine.lighting`, :mod:`assessments.engine.photometry`)
    ``illuminance``           illuminance [lx]
    ``illuminance_lx``        horizontal illuminance at the ground [lx]
    ``vertical_illuminance_lx``  at 1.5 m on a vertical plane facing the recording camera [lx]
    ``intensity_cd``          luminous intensity [cd]
    ``lumens``                luminous flux [lm], with ``distribution`` / ``beam_angle_deg`` [°]
    ``gamma_deg``, ``c_deg``  type C angles: γ from nadir, C plane [°]
    ``cutoff_lx``             contributions below it are ignored (default 0.05) [lx]
    ``uniformity``            min / mean illuminance [-]
    ``ses_class``             SES E1901 class reached: ``"A"`` | ``"B"`` | ``"below_B"`` | None

Night image quality (:mod:`assessments.engine.image_quality`, :mod:`assessments.engine.night`)
    ``shutter_s``             exposure time at night [s]
    ``speed_m_s``             walking speed for motion blur (1.4) [m/s]
    ``blur_px``               motion smear in the image [px]
    ``night_dori_m2``         area at ≥ each DORI level at night, cumulative [m²]
    ``lit_but_unseen_m2``     lit (≥ 3 lx horizontal) but no camera reaches Detect at night [m²]
    ``seen_but_dark_m2``      a camera reaches Detect by day, none at night [m²]
"""
