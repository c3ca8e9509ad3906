"""The plan document: one municipality's project, as a versioned JSON object.

The format is described in ``docs/architecture.md``; its simulation part is the PLAN.json of
``python -m assessments simulate`` (``docs/plan-format.md``). This module creates, normalises
and parses plans. It keeps fields it does not know, so a plan written by a newer minor release
or edited by hand loses nothing.
"""
from __future__ import annotations

import copy
import json
import os
import uuid
from datetime import datetime, timezone

PLAN_VERSION = 1
#: Largest plan JSON accepted from an upload [bytes]; a plan with thousands of cameras and a
#: district of buildings stays far below this.
#: Configurable with the environment variable ``MIMAMORI_MAX_PLAN_MB`` (docs/deployment.md).
MAX_PLAN_BYTES = int(float(os.environ.get("MIMAMORI_MAX_PLAN_MB", "50")) * 1024 * 1024)
MAX_NAME_CHARS = 120
#: Deepest nesting of arrays/objects accepted in a plan file (GeoJSON polygons need 4).
MAX_JSON_DEPTH = 32


class PlanFormatError(ValueError):
    """A plan file that cannot be loaded.

    Attributes
    ----------
    code : str
        Machine-readable reason: ``too_large``, ``not_json``, ``too_deep``, ``not_object``,
        ``unsupported_version``, ``bad_field`` (also NaN / Infinity, not JSON numbers).
    field : str
        The offending field, when there is one: its path below the plan, list positions
        from 0 (``cameras.0.lat``).
    value : object
        The offending value (shortened), when there is one.
    """

    def __init__(self, code: str, message: str, *, field: str = "", value=None):
        super().__init__(message)
        self.code = code
        self.field = field
        self.value = value


def now_iso() -> str:
    """Current UTC time as ISO-8601 text (seconds)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _defaults() -> dict:
    return {
        "version": PLAN_VERSION,
        "municipality": None,
        "project": {"title": "", "purpose": "", "issues": "", "target_state": "",
                    "start_fy": None, "applicant": ""},
        "use_cases": [],
        "grant": {"scheme_id": None},
        "area": None,
        "resolution_m": 1.0,
        "target_height_m": 1.5,
        "cameras": [],
        "lights": [],
        "buildings": None,
        "costs": {"years": 5, "items": [], "running": []},
        "kpis": [],
        "schedule": [],
        "readiness": {"answers": {}},
        "privacy": {"answers": {}, "settings": {}},
    }


def clean_name(name) -> str:
    """A plan name as stored: text, stripped, control characters removed, bounded length."""
    text = "" if name is None else str(name)
    text = "".join(ch for ch in text if ch.isprintable())
    return text.strip()[:MAX_NAME_CHARS]


def new_plan(name: str, *, municipality: dict | None = None) -> dict:
    """A new empty plan with a fresh id.

    Parameters
    ----------
    name : str
        Plan name shown in the plan selector.
    municipality : dict, optional
        ``{"code", "prefecture", "name", "lat", "lon"}`` of the municipality.
    """
    from assessments.engine.dori import DEFAULT_STANDARD  # (engine → plan: imported on use)
    plan = _defaults()
    stamp = now_iso()
    # written here, not in _defaults: a stored plan without the field keeps the 2014 edition
    plan.update(id=str(uuid.uuid4()), name=clean_name(name) or "plan",
                municipality=copy.deepcopy(municipality), standard=DEFAULT_STANDARD,
                created_at=stamp, updated_at=stamp)
    return plan


def normalise(plan: dict, *, inplace: bool = False) -> dict:
    """``plan`` with missing sections filled in; unknown fields are kept.

    A copy unless ``inplace`` (for a dict the caller owns, e.g. just parsed: a district
    plan with thousands of buildings is ~1 MB, and copying it on every save shows).
    """
    if not isinstance(plan, dict):
        raise PlanFormatError("not_object", "a plan must be a JSON object")
    out = plan if inplace else copy.deepcopy(plan)
    for key, default in _defaults().items():
        if key not in out or (out[key] is None and default is not None):
            out[key] = default
        elif isinstance(default, dict) and isinstance(out[key], dict):
            for sub, sub_default in default.items():
                out[key].setdefault(sub, sub_default)
    for key in ("cameras", "lights", "use_cases", "kpis", "schedule"):
        if not isinstance(out[key], list):
            raise PlanFormatError("bad_field", f"'{key}' must be a list", field=key,
                                  value=_short(out[key]))
    out["name"] = clean_name(out.get("name")) or "plan"
    return upgrade(out)


def upgrade(plan: dict) -> dict:
    """Bring the fields of an older plan to the current format, in place; returns ``plan``.

    Applied wherever a plan is read (:func:`normalise`, the workspace), so a page never has
    to save just because it opened an old plan:

    - device prices the simulation page once kept in ``simulation.unit_prices_jpy``
      (``camera`` / ``light``) move onto the devices
      (:func:`assessments.programme.costs.migrate_unit_prices`);
    - a stored ``grant.total_cost_jpy`` is dropped: the total is derived from the plan
      (:func:`assessments.programme.costs.plan_costs`).

    Unknown fields are kept.
    """
    from assessments.programme import costs  # (costs → engine → plan: imported on use)
    costs.migrate_unit_prices(plan)
    costs.drop_stored_total(plan)
    return plan


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_plan_json(data: bytes | str, notes: list | None = None) -> dict:
    """Parse an uploaded plan file.

    Parameters
    ----------
    data : bytes or str
        The file's content (UTF-8, with or without BOM).
    notes : list, optional
        Receives what was changed on the way in, for the caller to say:
        ``("name_shortened", MAX_NAME_CHARS)`` when the name was longer.

    Returns
    -------
    dict
        The normalised plan. Its ``id`` is kept when present (the caller decides whether it
        collides with an existing plan).

    Raises
    ------
    PlanFormatError
        With ``code`` saying why (too large, not JSON, not an object, a version from the
        future, a field of the wrong type).
    """
    size = len(data)
    if size > MAX_PLAN_BYTES:
        raise PlanFormatError("too_large", f"plan file is {size} bytes; the limit is "
                              f"{MAX_PLAN_BYTES}", value=size)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanFormatError("not_json", f"not UTF-8 text: {exc}") from None
    data = data.removeprefix("\ufeff")
    constants: list = []

    def constant(name: str) -> _NonFinite:
        constants.append(_NonFinite(name))
        return constants[-1]
    try:
        obj = json.loads(data, parse_constant=constant, parse_int=_bounded_int)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise PlanFormatError("not_json", f"not valid JSON: {exc}") from None
    depth = _max_depth(obj, MAX_JSON_DEPTH)
    if depth > MAX_JSON_DEPTH:
        raise PlanFormatError("too_deep", f"nesting depth exceeds {MAX_JSON_DEPTH}",
                              value=f"> {MAX_JSON_DEPTH}")
    if constants:
        path, name = _non_finite_path(obj)
        raise PlanFormatError("bad_field", f"{path or 'a value'} is {name}, not a valid "
                              "JSON number", field=path, value=name)
    if not isinstance(obj, dict):
        raise PlanFormatError("not_object", "a plan must be a JSON object")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise PlanFormatError("bad_field", "'version' must be an integer", field="version",
                              value=_short(version))
    if version > PLAN_VERSION or version < 1:
        raise PlanFormatError("unsupported_version",
                              f"plan version {version} is not supported (this app reads "
                              f"version {PLAN_VERSION})", field="version", value=version)
    if notes is not None and len(str(obj.get("name") or "")) > MAX_NAME_CHARS:
        notes.append(("name_shortened", MAX_NAME_CHARS))
    plan = normalise(obj)
    if not isinstance(plan.get("id"), str) or not plan["id"]:
        plan["id"] = str(uuid.uuid4())
    return plan


#: Longest integer a plan file may hold [digits]: every count, price and year of a plan
#: fits (10¹⁵ 円 is 16 digits); Python refuses to convert more than 4,300 digits at all.
MAX_INT_DIGITS = 20


def _bounded_int(text: str) -> int:
    """An integer of the plan file, refused beyond :data:`MAX_INT_DIGITS` digits (a
    5,000-digit number would otherwise end in an untranslated ``ValueError``)."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise PlanFormatError("too_long_number", f"an integer of {len(text)} digits",
                              value=MAX_INT_DIGITS)
    return int(text)


class _NonFinite(str):
    """``NaN`` / ``Infinity`` of a plan file, kept as parsed until its field is found:
    they are not JSON (RFC 8259), though Python's parser accepts them."""


def _non_finite_path(obj) -> tuple[str, str]:
    """The first ``NaN`` / ``Infinity`` of a parsed plan: its path (``cameras.0.lat``,
    list positions from 0) and its text."""
    stack = [(obj, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _NonFinite):
            return path, str(value)
        items = value.items() if isinstance(value, dict) else (
            enumerate(value) if isinstance(value, list) else ())
        stack.extend(reversed([(v, f"{path}.{k}" if path else str(k)) for k, v in items]))
    return "", "NaN"


def _max_depth(obj, limit: int) -> int:
    """Deepest list/dict nesting of a parsed JSON value, counting stops past ``limit``."""
    deepest = 0
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest


def dump_plan_json(plan: dict) -> bytes:
    """The plan as UTF-8 JSON bytes (readable, stable key order for diffs)."""
    return json.dumps(plan, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
