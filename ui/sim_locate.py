"""Rows of a camera / light table that have an address (住所) and no coordinates.

An import keeps them in the plan itself, ``plan["pending_sites"]`` (``[{"kind": "camera" |
"light", "row": {...}, "file": name}]``, saved through :meth:`Edits.change`, so they survive
reruns, a page switch and undo), until the user places them from the panel drawn here:

- at their 町字 (offline): the representative point of the 町字 of the plan's imported
  基盤地図情報 layers (``assessments.plan.iotools.towns.match_towns``);
- by an address lookup on the internet, only after the user agreed to send the addresses
  to the named service (``assessments.plan.iotools.geocode_addresses``).

Either way the device gets ``location_approximate: true``
(``assessments.plan.iotools.columns.APPROXIMATE``); the panel lists those devices and asks
for the exact position (editing latitude / longitude in the device table clears the mark).
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from assessments.plan.basemap import layer_features
from assessments.plan.iotools import geocode_addresses
from assessments.plan.iotools.columns import APPROXIMATE
from assessments.plan.iotools.towns import match_towns
from assessments.plan.iotools.values import COORD_DECIMALS, clean_id
from ui import simulation as S
from ui.i18n import t
from ui.issues import plan_issue_text
from ui.sim_edits import Edits, issue_list, message

#: The plan field holding the rows without a location.
PENDING = "pending_sites"
#: A pending row's kind → (the plan's device list, id prefix).
KINDS = {"camera": ("cameras", "C"), "light": ("lights", "L")}
#: The address lookup service named in the consent text (:func:`make_geocoder`).
GEOCODER_NAME = "OpenStreetMap Nominatim"
#: Pause between two lookups [s]: Nominatim's usage policy allows one request per second
#: (https://operations.osmfoundation.org/policies/nominatim/).
GEOCODE_DELAY_S = 1.0
#: Identifies the application to the service, as its usage policy asks.
USER_AGENT = "mimamori-planner"


def make_geocoder():
    """The geocoder of :data:`GEOCODER_NAME`; created only when the user has agreed."""
    from geopy.geocoders import Nominatim
    return Nominatim(user_agent=USER_AGENT, timeout=10)


# --- the plan's pending rows ------------------------------------------------------------
def pending_sites(plan: dict) -> list[tuple[int, dict]]:
    """``[(position in plan["pending_sites"], entry)]`` of the usable entries (a known
    kind and a row); others are left in the plan as they are."""
    raw = plan.get(PENDING)
    if not isinstance(raw, list):
        return []
    return [(i, e) for i, e in enumerate(raw) if isinstance(e, dict)
            and e.get("kind") in KINDS and isinstance(e.get("row"), dict)]


def with_pending(q: dict, kind: str, rows: list, file_name: str, mode: str) -> None:
    """Put the rows of an import of ``kind`` (``cameras`` / ``lights``) that need a
    location into plan ``q``: after the pending rows of that kind (``append``) or instead
    of them (``replace``, as the import replaces the devices); no field when none."""
    one = "camera" if kind == "cameras" else "light"
    raw = q.get(PENDING) if isinstance(q.get(PENDING), list) else []
    kept = [e for e in raw if mode == "append" or not (isinstance(e, dict)
                                                       and e.get("kind") == one)]
    new = kept + [{"kind": one, "row": dict(r), "file": str(file_name)} for r in rows]
    if new:
        q[PENDING] = new
    else:
        q.pop(PENDING, None)


def approximate_devices(plan: dict) -> list[tuple[str, str]]:
    """``[(kind, id)]`` of the cameras and lights whose position is approximate."""
    return [(one, str(d.get("id"))) for one, (key, _) in KINDS.items()
            for d in plan.get(key) or [] if isinstance(d, dict) and d.get(APPROXIMATE) is True]


def placed(plan: dict, positions: dict) -> tuple[dict, list, int]:
    """The plan's devices with pending rows placed, and the rows left.

    Parameters
    ----------
    plan : dict
    positions : dict
        ``{position in plan["pending_sites"]: (lat [°], lon [°], attributes)}``;
        ``attributes`` (how the position was found) are added to the device's.

    Returns
    -------
    (fields, issues, n)
        ``fields``: the new ``cameras`` / ``lights`` (those that changed) and
        ``pending_sites`` to store; ``issues``: the ``PlanIssue`` list of rows that are not
        valid devices (they stay pending); ``n``: rows placed. Each placed row keeps its id
        unless another device has it (then the next free ``C<n>`` / ``L<n>``) and gets
        ``location_approximate: true``.
    """
    raw = list(plan.get(PENDING) or [])
    fields: dict = {}
    issues: list = []
    done = set()
    for i in sorted(positions):
        entry = raw[i]
        key, prefix = KINDS[entry["kind"]]
        devices = fields.setdefault(key, list(plan.get(key) or []))
        taken = {str(d.get("id")) for d in devices}
        row = {k: v for k, v in entry["row"].items() if k not in ("id", "lat", "lon")}
        did = clean_id(entry["row"].get("id")) if entry["row"].get("id") is not None else ""
        if not did or did in taken:
            did = S.next_id(taken, prefix)
        lat, lon, how = positions[i]
        device = {"id": did, "lat": round(float(lat), COORD_DECIMALS),
                  "lon": round(float(lon), COORD_DECIMALS), **row, APPROXIMATE: True}
        device["attributes"] = {**(row.get("attributes") or {}), **how}
        found = S.device_issues(entry["kind"], [device])
        if found:   # e.g. a tilt out of range (the importer range-checks located rows only)
            issues += found
            continue
        devices.append(device)
        done.add(i)
    fields[PENDING] = [e for i, e in enumerate(raw) if i not in done]
    return fields, issues, len(done)


def _save(edits: Edits, p: dict, positions: dict, what: str, done_key: str) -> bool:
    """Store the rows placed at ``positions`` (see :func:`placed`) and say so."""
    fields, issues, n = placed(p, positions)
    bad = issue_list(t("sim.invalid"), map(plan_issue_text, issues[:12])) if issues else ""
    if not n:
        message("error", bad)
        return False

    def fn(q):
        q.update(fields)
        if not q[PENDING]:
            q.pop(PENDING)
    if not edits.change(fn, what, current=p):
        return False
    left = len(pending_sites({PENDING: fields[PENDING]}))
    message("warning" if issues else "success",
            t(done_key, n=n) + (" " + t("sim.loc.still_pending", n=left) if left else "")
            + ("\n\n" + bad if bad else ""))
    return True


# --- the callbacks ----------------------------------------------------------------------
def town_matches(plan: dict, items) -> list:
    """The 町字 of each pending entry's address (None where none is found)."""
    mun = (plan.get("municipality") or {}).get("name") or None
    return match_towns([str(e["row"].get("address") or "") for _, e in items],
                       layer_features(plan, "towns"), layer_features(plan, "town_areas"),
                       municipality=mun).matches


def place_at_towns(edits: Edits) -> bool:
    """Place every pending row whose address names an imported 町字 at its
    representative point."""
    p = edits.stored_plan()
    items = pending_sites(p)
    found = {i: (m.lat, m.lon, {"town": m.name})
             for (i, _), m in zip(items, town_matches(p, items)) if m}
    if not found:
        message("warning", t("sim.loc.towns_none"))
        return False
    return _save(edits, p, found, t("sim.loc.what.towns"), "sim.loc.placed_towns")


def place_by_geocoding(edits: Edits, consent_key: str) -> bool:
    """Look the pending addresses up with :func:`make_geocoder` (only with the consent box
    ticked) and place the rows found; a service out of reach changes nothing."""
    if not st.session_state.get(consent_key):
        message("warning", t("sim.loc.consent_first"))
        return False
    p = edits.stored_plan()
    items = pending_sites(p)
    geocoder = make_geocoder()
    res = geocode_addresses([e["row"] for _, e in items], geocoder,
                            min_delay_s=GEOCODE_DELAY_S, stop_when_unreachable=True)
    found = {items[n - 1][0]: (r["lat"], r["lon"], {"geocoded": True})
             for n, r in zip(res.meta.get("found") or [], res.rows)}
    if res.meta.get("unreachable") and not found:
        message("error", t("sim.loc.offline", service=GEOCODER_NAME,
                           reason=res.meta["unreachable"]))
        return False
    if not found:
        message("warning", t("sim.loc.geocode_none"))
        return False
    ok = _save(edits, p, found, t("sim.loc.what.geocode"), "sim.loc.geocoded")
    if ok and res.meta.get("unreachable"):      # the connection dropped part way
        message("warning", t("sim.loc.offline", service=GEOCODER_NAME,
                             reason=res.meta["unreachable"]))
    return ok


def discard_pending(edits: Edits) -> bool:
    """Remove the rows without a location (undoable)."""
    n = len(pending_sites(edits.stored_plan()))
    if edits.change(lambda q: q.pop(PENDING, None), t("sim.loc.what.discard")):
        message("success", t("sim.loc.discarded", n=n))
        return True
    return False


# --- the panel --------------------------------------------------------------------------
def draw_pending(edits: Edits, plan: dict) -> None:
    """The rows without a location and how to place them; the devices whose position is
    approximate. Draws nothing when there are neither."""
    approx = approximate_devices(plan)
    if approx:
        st.warning(t("sim.loc.approximate", ids=", ".join(
            f"{t('sim.issue.kind.' + one)} {did}" for one, did in approx)))
    items = pending_sites(plan)
    if not items:
        return
    key = edits.key
    has_towns = bool(layer_features(plan, "towns") or layer_features(plan, "town_areas"))
    matches = town_matches(plan, items) if has_towns else [None] * len(items)
    st.markdown("**" + t("sim.loc.title", n=len(items)) + "**")
    st.caption(t("sim.loc.intro"))
    table = pd.DataFrame([{
        t("sim.loc.col.kind"): t("sim.issue.kind." + e["kind"]),
        t("sim.loc.col.id"): str(e["row"].get("id") or ""),
        t("sim.loc.col.name"): str(e["row"].get("name") or ""),
        t("sim.loc.col.address"): str(e["row"].get("address") or ""),
        t("sim.loc.col.town"): m.name if m else (t("sim.loc.town_none") if has_towns else ""),
        t("sim.loc.col.file"): str(e.get("file") or "")} for (_, e), m in zip(items, matches)])
    st.dataframe(table, hide_index=True, width="stretch", placeholder="")
    c = st.columns(2)
    c[0].button(t("sim.loc.towns_btn"), key=key("loc_towns"), disabled=not has_towns,
                help=t("sim.loc.towns_help"), on_click=place_at_towns, args=(edits,),
                icon=":material/location_city:")
    if not has_towns:
        c[0].caption(t("sim.loc.no_towns"))
    consent_key = key("loc_consent")
    n = len(items)
    seconds = max(1, math.ceil(n * GEOCODE_DELAY_S))
    agreed = c[1].checkbox(t("sim.loc.consent", n=n, service=GEOCODER_NAME), key=consent_key,
                           help=t("sim.loc.consent_help", n=n, service=GEOCODER_NAME,
                                  seconds=seconds))
    c[1].button(t("sim.loc.geocode_btn"), key=key("loc_geocode"), disabled=not agreed,
                on_click=place_by_geocoding, args=(edits, consent_key),
                icon=":material/travel_explore:")
    st.button(t("sim.loc.discard_btn"), key=key("loc_discard"), on_click=discard_pending,
              args=(edits,), icon=":material/delete:")
