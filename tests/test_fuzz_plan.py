"""Fuzz the plan loader and the plan upload path (hypothesis).

Any input either loads or is rejected with :class:`assessments.plan.document.PlanFormatError` (the
sidebar shows its translated ``code``) or :class:`assessments.plan.validate.PlanError` (the
issues are listed); nothing else may escape to the page. Inputs that load must survive a
store-and-reload round trip through the workspace unchanged.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from assessments.plan.document import (MAX_JSON_DEPTH, PLAN_VERSION, PlanFormatError,
                              dump_plan_json, parse_plan_json)
from assessments.plan.validate import PlanError, validate_plan
from datasets.workspace import Workspace

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# JSON-ish values: what a hand-edited or hostile plan file can hold
scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                           max_leaves=25)
plan_keys = st.sampled_from(["name", "id", "municipality", "project", "use_cases", "grant",
                             "area", "resolution_m", "target_height_m", "cameras", "lights",
                             "buildings", "districts", "map_layers", "costs", "kpis",
                             "schedule", "readiness",
                             "privacy", "created_at", "version", "_revision"])
camera = st.fixed_dictionaries({}, optional={
    "id": scalars, "lat": scalars, "lon": scalars, "mount_height_m": scalars,
    "azimuth_deg": scalars, "tilt_deg": scalars, "hfov_deg": scalars, "width_px": scalars,
    "height_px": scalars, "privacy_masks_deg": json_values})
plans = st.builds(
    lambda base, extra, cams: {**base, **extra, "version": PLAN_VERSION,
                               **({"cameras": cams} if cams is not None else {})},
    st.dictionaries(plan_keys, json_values, max_size=8),
    st.dictionaries(st.text(max_size=10), json_values, max_size=3),
    st.none() | st.lists(camera | json_values, max_size=3))


def upload(data, workspace: Workspace):
    """What ui.plan_selector._import does with an uploaded file, minus the drawing.

    Returns the stored plan, or the exception class name that the sidebar translates.
    """
    try:
        plan = parse_plan_json(data)
    except PlanFormatError as exc:
        assert exc.code in {"too_large", "not_json", "too_deep", "not_object",
                            "unsupported_version", "bad_field", "too_long_number"}, exc.code
        return "PlanFormatError"
    try:
        validate_plan(plan)
    except PlanError as exc:
        assert exc.issues, "a PlanError must name at least one problem"
        return "PlanError"
    stored = workspace.add_plan(plan)
    again = workspace.get_plan(stored["id"])
    assert again == stored
    return stored


_WS: list[Workspace] = []


def shared_ws() -> Workspace:
    """One in-memory workspace for all examples (opening one per example is slow)."""
    if not _WS:
        _WS.append(Workspace(":memory:"))
    return _WS[0]


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_load_or_are_rejected(data):
    ws = shared_ws()
    result = upload(data, ws)
    assert result in ("PlanFormatError", "PlanError") or isinstance(result, dict)


@SETTINGS
@given(json_values)
def test_any_json_value_loads_or_is_rejected(value):
    ws = shared_ws()
    result = upload(json.dumps(value).encode(), ws)
    if not isinstance(value, dict):
        assert result == "PlanFormatError"  # not an object / no version


@SETTINGS
@given(plans)
def test_plan_shaped_documents_load_or_are_rejected(plan):
    ws = shared_ws()
    result = upload(json.dumps(plan, ensure_ascii=False).encode("utf-8"), ws)
    if isinstance(result, dict):
        # unknown top-level fields are kept
        for key, value in plan.items():
            if key not in {"_revision", "id", "name", "version", "created_at", "updated_at"} \
                    and not key.startswith("_") and value is not None:
                if isinstance(value, (str, int, float, bool)) and key not in (
                        "resolution_m", "target_height_m"):
                    assert result[key] == value


@SETTINGS
@given(plans, st.integers(0, 400))
def test_truncated_plan_files_are_rejected_not_crashing(plan, cut):
    data = json.dumps(plan).encode()
    result = upload(data[:cut], shared_ws())
    if cut < len(data):
        assert result == "PlanFormatError"  # a JSON object cut short is never valid


@pytest.mark.parametrize("text, code", [
    # NaN/Infinity are not JSON (RFC 8259 §6) although Python's parser accepts them
    ('{"version": 1, "resolution_m": NaN}', "bad_field"),
    ('{"version": 1, "x": -Infinity}', "bad_field"),
    # 33 nested arrays: one deeper than MAX_JSON_DEPTH counted with the top object (1 + 33)
    ('{"version": 1, "x": ' + "[" * 33 + "]" * 33 + "}", "too_deep"),
    # 100 000 levels: Python's parser runs out of recursion → not_json, never RecursionError
    ('{"version": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "not_json"),
    ('{"version": 2}', "unsupported_version"),
    ('{"version": 0}', "unsupported_version"),
    ('{"version": true}', "bad_field"),
    ('{"version": "1"}', "bad_field"),
    ('{"version": 1, "cameras": {}}', "bad_field"),
    ('[{"version": 1}]', "not_object"),
    ("\ufeff\ufeff{}", "bad_field"),  # both BOMs dropped: {} has no version
    ("", "not_json"),
])
def test_hostile_plan_texts_have_a_code(text, code):
    with pytest.raises(PlanFormatError) as info:
        parse_plan_json(text.encode("utf-8"))
    assert info.value.code == code


def test_depth_limit_accepts_the_deepest_real_plan():
    # the sample district (FeatureCollection of MultiPolygons) nests 8 levels; 32 is the limit
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "datasets/sample_district/plan.json").read_bytes()
    plan = parse_plan_json(text)
    assert MAX_JSON_DEPTH == 32
    assert parse_plan_json(dump_plan_json(plan)) == plan  # round trip


def test_cp932_and_utf16_plan_files_are_rejected_with_not_json():
    body = '{"version": 1, "name": "柏市の計画"}'
    for encoding in ("cp932", "utf-16"):
        with pytest.raises(PlanFormatError) as info:
            parse_plan_json(body.encode(encoding))
        assert info.value.code == "not_json"


# districts (小学校区 …): FeatureCollections whose features may be anything a file holds
_ring = st.lists(st.tuples(st.floats(139.0, 139.0004), st.floats(35.0, 35.0003)),
                 min_size=0, max_size=6).map(lambda pts: [list(p) for p in pts])
_geometry = (st.builds(lambda r: {"type": "Polygon", "coordinates": [r + r[:1]]}, _ring)
             | st.builds(lambda r: {"type": "MultiPolygon", "coordinates": [[r + r[:1]]]},
                         _ring)
             | json_values)
_feature = st.builds(lambda g, props: {"type": "Feature", "geometry": g, "properties": props},
                     _geometry, json_values | st.dictionaries(
                         st.sampled_from(["id", "name", "名称"]), json_values, max_size=2))
districts_values = (st.builds(lambda fs: {"type": "FeatureCollection", "features": fs},
                              st.lists(_feature | json_values, max_size=4)) | json_values)


@SETTINGS
@given(districts_values)
def test_any_districts_are_rejected_by_name_or_give_figures(districts):
    """Districts either fail validation with issues naming them, or give one row of figures
    per feature; nothing else is raised."""
    from assessments.simulate import simulate
    ring = [[139.0, 35.0], [139.0003, 35.0], [139.0003, 35.0002], [139.0, 35.0002],
            [139.0, 35.0]]
    plan = {"version": 1, "area": {"type": "Polygon", "coordinates": [ring]},
            "resolution_m": 2.0, "districts": districts,
            "cameras": [{"id": "C1", "lat": 35.0001, "lon": 139.0001, "mount_height_m": 4.0,
                         "azimuth_deg": 90.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
                         "width_px": 1920, "height_px": 1080}]}
    try:
        result = simulate(plan, night_grids=False).result
    except PlanError as exc:
        assert exc.issues and all(i.item_id.startswith("district") for i in exc.issues)
        return
    if districts:
        assert len(result["districts"]) == len(districts["features"])
        assert sum(d["area_m2"] for d in result["districts"]) <= result["area_m2"] + 1e-9


def test_a_5000_digit_integer_is_a_clear_refusal():
    """Python refuses to convert more than 4,300 digits with a bare ValueError; the plan
    file's numbers are bounded first (20 digits: every price or count of a plan fits)."""
    for digits in (21, 5000):
        data = ('{"version": 1, "resolution_m": ' + "9" * digits + "}").encode()
        with pytest.raises(PlanFormatError) as info:
            parse_plan_json(data)
        assert info.value.code == "too_long_number" and info.value.value == 20
    ok = parse_plan_json(('{"version": 1, "name": "x", "resolution_m": ' + "1" + "0" * 19
                          + "}").encode())
    assert ok["resolution_m"] == 10 ** 19                # 20 digits: read (then validated)
