"""シミュレーション: cameras and street lights on the map, coverage day and night.

Thin page: the plan is read from ``ui.state``; ``ui.simulation`` computes (cached, one
camera at a time), ``ui.map_view`` draws. Every change goes through :func:`_change`, which
saves the plan at once and keeps an undo stack in the session. Table edits, map clicks and
imports are queued in ``st.session_state`` (``sim.edit_queue``, ``sim.inspect``,
``sim.import_queue``) and processed at the top of the run, so they are testable.
"""
import copy
import math

import pandas as pd
import streamlit as st

from assessments.engine import camera as cam_mod
from assessments.plan import importers as imp
from assessments.plan import validate as planfile
from assessments.engine import sim_summary
from reports import excel as X
from ui import map_view, state
from ui import simulation as S
from ui.i18n import col, t

state.setup_page()
plan = state.current_plan()
pid = plan["id"]
K = f"sim_{pid}_"
UNDO = K + "undo"
NONCE = K + "nonce"
SIM_FIELDS = ("area", "buildings", "cameras", "lights", "map_layers", "sample", "use_cases",
              "districts", "resolution_m", "target_height_m", "simulation")
_MISSING = "__missing__"
st.session_state.setdefault(UNDO, [])
st.session_state.setdefault(NONCE, 0)
st.session_state.setdefault("sim.messages", [])


def _msg(kind: str, text: str) -> None:
    st.session_state["sim.messages"].append((kind, text))


def _records(df) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


@st.cache_data(ttl=600, show_spinner=False)
def _presets(table: str) -> list[dict]:
    try:  # table names are constants of this page
        return _records(state.ref_cursor().execute(f'SELECT * FROM "{table}"').fetch_df())
    except Exception:  # reference table not built on this machine
        return []


@st.cache_data(ttl=600, show_spinner=False)
def _use_cases() -> list[dict]:
    try:
        return S.use_case_rows(state.ref_cursor())
    except Exception:
        return []


# ---------------------------------------------------------------------------------------
# changes (saved at once, undoable)
# ---------------------------------------------------------------------------------------
def _snapshot(p: dict) -> dict:
    """The undoable fields of ``p`` — a fresh copy from ``state.current_plan()`` that
    nothing mutates afterwards, so no deep copy (2,000 buildings cost ≈ 0.1 s to copy)."""
    return {k: p[k] if k in p else _MISSING for k in SIM_FIELDS}


_SAVED: dict = {}   # the plan last saved by this run (saves reloading it)


def _change(fn, what: str, current: dict | None = None) -> bool:
    """Save ``fn`` applied to the plan, undoably; ``current``: the caller's fresh copy of
    the current plan, if it has one (one load fewer)."""
    before = _snapshot(current if current is not None else state.current_plan())
    saved = state.update_plan(fn)
    if saved is None:
        return False
    _SAVED["plan"] = saved
    st.session_state[UNDO].append((what, before))
    del st.session_state[UNDO][:-30]
    st.session_state[NONCE] += 1  # tables and map start again from the saved plan
    return True


def _undo() -> None:
    if not st.session_state[UNDO]:
        _msg("info", t("sim.nothing_to_undo"))
        return
    what, before = st.session_state[UNDO].pop()

    def fn(p):
        for k, v in before.items():
            if v == _MISSING:
                p.pop(k, None)
            else:
                p[k] = v
    if state.update_plan(fn) is not None:
        st.session_state[NONCE] += 1
        _msg("success", t("sim.undone", what=what))


def _issue_text(item, fld, code, value=None, detail="") -> str:
    return t(f"sim.issue.{code}", item=item, field=fld, value="" if value is None else value,
             detail=detail or "")


def _plan_issue_text(issue) -> str:
    """An ``assessments.plan.validate.PlanIssue`` in the user's language."""
    return _issue_text(issue.item_id, issue.field, issue.code, issue.value, issue.detail)


def _import_failed(name: str, lines) -> bool:
    """The import of ``name`` failed for these reasons (the plan is unchanged)."""
    _msg("error", t("sim.io.failed", name=name) + "\n\n" + "\n".join(f"- {x}" for x in lines))
    return False


def _apply_delta(kind: str, delta: dict) -> bool:
    """Apply a table delta (``st.data_editor`` format) to the plan's cameras or lights."""
    p = state.current_plan()
    rows = p.get(kind) or []
    new = S.apply_editor_delta(rows, delta, new_row=_new_device(kind, p, rows))
    if kind == "cameras":
        issues = S.camera_issues(p.get("area"), new) if p.get("area") else []
        texts = [_plan_issue_text(i) for i in issues]
    else:
        for light in new:  # one photometry: a typed intensity replaces lumens
            if light.get("intensity_cd") is not None and light.get("lumens") is not None:
                light.pop("lumens")
                light.pop("distribution", None)
        texts = [_issue_text(f"{t('sim.map.lights')} {i['id']}", i["field"], i["code"])
                 for i in S.light_issues(new)]
    if texts:
        _msg("error", t("sim.invalid") + "\n\n" + "\n".join(f"- {x}" for x in texts))
        st.session_state[NONCE] += 1  # drop the rejected edit from the table
        return False
    ok = _change(lambda q: q.update({kind: new}), t(f"sim.what.{kind}"), current=p)
    if ok:
        _msg("success", t(f"sim.saved_{kind}"))
    return ok


#: kind → (preset table, preset widget, id prefix, factory, factory's id keyword)
_DEVICES = {"cameras": ("camera_presets", "cam_preset", "C", S.camera_from_preset, "cid"),
            "lights": ("light_presets", "light_preset", "L", S.light_from_preset, "lid")}


def _new_device(kind: str, p: dict, rows: list):
    """The row factory for a table's added rows: the chosen preset at the area's centre,
    overridden by what was typed, with the next free id and its model's unit price."""
    table, widget, prefix, make, id_kw = _DEVICES[kind]
    preset = _preset_by_id(table, st.session_state.get(K + widget))

    def new_row(values):
        did = values.get("id") or S.next_id([r.get("id") for r in rows], prefix)
        lat, lon = _area_centre(p)
        device = make(preset, lat=values.get("lat", lat), lon=values.get("lon", lon),
                      **{id_kw: str(did)})
        device.update(values)
        if kind == "cameras":
            device["id"] = str(device["id"])
        return _with_model_price(device, rows)
    return new_row


def _with_model_price(device: dict, existing) -> dict:
    """A new device takes the unit price of a device of the same model (one price per
    model, the cost tab's table), unless it has its own."""
    if not (device.get("unit_price_jpy") or 0) > 0:
        model = str(device.get("model") or "").strip()
        same = next((d for d in existing or () if str(d.get("model") or "").strip() == model
                     and isinstance(d.get("unit_price_jpy"), (int, float))
                     and d["unit_price_jpy"] > 0), None)
        if same is not None:
            device["unit_price_jpy"] = same["unit_price_jpy"]
    return device


def _set_model_prices(kind: str, prices: dict) -> bool:
    """Set ``unit_price_jpy`` of every camera / light of a model (``{model: 円}``)."""
    return _change(lambda q: q.__setitem__(kind, X.set_camera_prices(q.get(kind), prices)),
                   t("sim.what.prices"))


def _preset_by_id(table: str, pid_: str | None) -> dict | None:
    rows = _presets(table)
    return next((r for r in rows if r["id"] == pid_), rows[0] if rows else None)


def _area_centre(p: dict) -> tuple[float, float]:
    from assessments.engine.grid import geojson_rings
    import numpy as np
    pts = np.concatenate([r for poly in geojson_rings(p["area"]) for r in poly])
    return float((pts[:, 1].min() + pts[:, 1].max()) / 2), \
        float((pts[:, 0].min() + pts[:, 0].max()) / 2)


def _load_sample() -> None:
    parts = S.sample_district()

    def fn(p):
        for k in ("area", "buildings", "cameras", "lights", "resolution_m",
                  "target_height_m", "sample", "map_layers"):
            p[k] = copy.deepcopy(parts[k])
        if not (p.get("municipality") or {}).get("code"):
            p["municipality"] = parts["municipality"]
        if not p.get("use_cases"):
            p["use_cases"] = parts["use_cases"]
    if _change(fn, t("sim.what.sample")):
        _msg("success", t("sim.loaded_sample"))


def _start_municipality(size_m: float) -> None:
    mun = plan.get("municipality") or {}
    area = S.square_area(float(mun["lat"]), float(mun["lon"]), size_m=size_m)

    def fn(p):
        p.update(area=area, buildings={"type": "FeatureCollection", "features": []},
                 cameras=[], lights=[], resolution_m=1.0 if size_m <= 2000 else 2.0)
        p.pop("sample", None)
        p.pop("map_layers", None)
    if _change(fn, t("sim.what.municipality")):
        _msg("success", t("sim.loaded_municipality", name=mun.get("name", "")))


# ---------------------------------------------------------------------------------------
# imports
# ---------------------------------------------------------------------------------------
def _problem_text(pr) -> str:
    where = (t("sim.io.where_file") if pr.row is None else
             t("sim.io.where_field", row=pr.row, field=pr.field) if pr.field else
             t("sim.io.where", row=pr.row))
    return f"{where}: " + t(f"sim.imp.{pr.code}", value=pr.value)


def _extent_area(lats, lons, margin_m=60.0):
    """Bounding box of points (+ margin) as an area, and a resolution keeping ≤ 4 M cells."""
    from assessments.engine.grid import Grid
    lat0, lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    g = Grid(lat0, lon0, 1.0, (1, 1), 0.0, 0.0)
    x, y = g.to_xy(list(lats), list(lons))
    import numpy as np
    x, y = np.atleast_1d(x), np.atleast_1d(y)
    x0, x1 = float(x.min()) - margin_m, float(x.max()) + margin_m
    y0, y1 = float(y.min()) - margin_m, float(y.max()) + margin_m
    res = max(1.0, math.ceil(math.sqrt((x1 - x0) * (y1 - y0) / 4e6)))
    la, lo = g.to_latlon(np.array([x0, x1, x1, x0, x0]), np.array([y0, y0, y1, y1, y0]))
    ring = [[round(float(o), 7), round(float(a), 7)] for a, o in zip(la, lo)]
    return {"type": "Polygon", "coordinates": [ring]}, float(res), margin_m


def _import(kind: str, name: str, data: bytes, mode: str = "replace") -> bool:
    """Import a file into the plan; on any error the plan is kept and the reason shown."""
    p = state.current_plan()
    pref = (p.get("municipality") or {}).get("prefecture") or None
    if kind in ("cameras", "lights"):
        res = imp.read_point_table(data, name, kind="camera" if kind == "cameras" else "light",
                                   prefecture=pref)
    elif kind == "buildings":
        res = imp.read_buildings(data, name)
    else:   # the area (one merged polygon), or districts (小学校区 …: one per feature)
        res = imp.read_geojson(data, name, kind="districts" if kind == "districts" else "area")
    errors = [pr for pr in res.problems if pr.severity == "error"]
    notes = [pr for pr in res.problems if pr.severity != "error"]
    items = res.rows if kind in ("cameras", "lights") else (res.collection or {}).get(
        "features", [])
    if not res.ok or not items:
        return _import_failed(name, map(_problem_text, (errors or res.problems)[:12]))
    new_area = res_m = margin = None
    if kind in ("cameras", "lights"):
        if mode == "append":
            taken = {str(r.get("id")) for r in p.get(kind) or []}
            prefix = "C" if kind == "cameras" else "L"
            for r in items:
                if str(r.get("id")) in taken:
                    r["id"] = S.next_id(taken, prefix)
                taken.add(str(r["id"]))
            items = (p.get(kind) or []) + items
        if not p.get("area"):
            new_area, res_m, margin = _extent_area([r["lat"] for r in items],
                                                   [r["lon"] for r in items])
        if kind == "cameras":
            issues = S.camera_issues(new_area or p["area"], items)
            if issues:
                return _import_failed(name, map(_plan_issue_text, issues[:12]))
    elif kind == "buildings":
        if mode == "append":
            items = ((p.get("buildings") or {}).get("features") or []) + items
        if not p.get("area"):
            import numpy as np
            from assessments.engine.grid import geojson_rings
            pts = np.concatenate([r for f in items for poly in geojson_rings(f["geometry"])
                                  for r in poly])
            new_area, res_m, margin = _extent_area(pts[:, 1], pts[:, 0], margin_m=5.0)
    elif kind == "districts":
        if mode == "append":
            items = list(((p.get("districts") or {}).get("features") or [])) + items
        issues = planfile.check_districts({"type": "FeatureCollection", "features": items})
        if issues:
            return _import_failed(name, map(_plan_issue_text, issues[:12]))
    else:
        geom = items[0]["geometry"]
        try:
            planfile.validate_plan({"version": 1, "area": geom})
        except planfile.PlanError as exc:
            return _import_failed(name, map(_plan_issue_text, exc.issues))

    def fn(q):
        if kind in ("cameras", "lights"):
            q[kind] = items
        elif kind == "buildings":
            q["buildings"] = {"type": "FeatureCollection", "features": items}
            q.pop("sample", None)
        elif kind == "districts":
            q["districts"] = {"type": "FeatureCollection", "features": items}
        else:
            q["area"] = items[0]["geometry"]
        if new_area is not None:
            q["area"] = new_area
            q["resolution_m"] = res_m
    if not _change(fn, t("sim.what.import", name=name)):
        return False
    n = len(res.rows) if kind in ("cameras", "lights") else len(
        (res.collection or {}).get("features", []))
    text = t("sim.io.done", name=name, n=n)
    if res.skipped:
        text += " " + t("sim.io.skipped", n=len(res.skipped))
    if new_area is not None:
        text += " " + t("sim.io.area_from_data", m=margin, res=res_m)
    shown = [pr for pr in errors + notes if pr.code not in ("encoding", "delimiter")][:10]
    if shown:
        text += "\n\n" + "\n".join(f"- {_problem_text(pr)}" for pr in shown)
    _msg("warning" if errors else "success", text)
    return True


# ---------------------------------------------------------------------------------------
# queued actions (table callbacks, map clicks, uploads, tests)
# ---------------------------------------------------------------------------------------
_saves_before = st.session_state[NONCE]
for item in st.session_state.pop("sim.edit_queue", None) or []:
    _apply_delta(item["kind"], item["delta"])
for item in st.session_state.pop("sim.price_queue", None) or []:  # {kind, model, price}
    _set_model_prices(item["kind"], {item["model"]: item["price"]})
# (the queued edits never add the old keys: the plan read above tells, without a copy of
# the whole plan)
_migrated = X.migrate_unit_prices(copy.deepcopy({"simulation": plan.get("simulation")}))
if _migrated:
    # prices the page kept in plan["simulation"] before they moved onto the devices
    state.update_plan(X.migrate_unit_prices)
for item in st.session_state.pop("sim.import_queue", None) or []:
    _import(item["kind"], item["name"], item["data"], item.get("mode", "replace"))
if st.session_state.pop("sim.load_sample", False):
    _load_sample()
_ins = st.session_state.pop("sim.inspect", None)
if _ins:
    st.session_state[K + "point"] = (float(_ins["x_m"]), float(_ins["y_m"]))
if _migrated or st.session_state[NONCE] != _saves_before or st.session_state.get(
        state.PENDING_KEY):
    # saved above (every saving path bumps the nonce): the saved plan when nothing
    # else was saved after it, else the stored one
    plan = (_SAVED["plan"] if "plan" in _SAVED and not _migrated
            and not st.session_state.get(state.PENDING_KEY) else state.current_plan())
nonce = st.session_state[NONCE]

st.title(t("sim.title"))
st.caption(t("sim.intro"))

# ---------------------------------------------------------------------------------- start
def _start_panel():
    c1, c2, c3 = st.columns(3)
    with c1:
        st.button(t("sim.start.sample"), key=K + "sample", type="primary",
                  icon=":material/location_city:", on_click=_load_sample,
                  help=t("sim.start.sample_help"))
    with c2:
        mun = plan.get("municipality") or {}
        if mun.get("lat") is not None and mun.get("lon") is not None:
            size = st.number_input(t("sim.start.size"), min_value=100, max_value=5000,
                                   value=400, step=100, key=K + "size")
            st.button(t("sim.start.municipality", name=mun.get("name", "")), key=K + "mun",
                      icon=":material/account_balance:", on_click=_start_municipality,
                      args=(float(size),))
        else:
            st.caption(t("sim.start.municipality_none"))
    with c3:
        st.caption(t("sim.start.upload"))


for kind, text in st.session_state["sim.messages"]:
    getattr(st, kind)(text)
st.session_state["sim.messages"] = []

if not plan.get("area"):
    st.info(t("sim.start.none"))
    _start_panel()

# ---------------------------------------------------------------------------- use cases
ucs = _use_cases()
uc_ids = [u["id"] for u in ucs]
uc_label = {u["id"]: col(u, "name") for u in ucs}


def _save_use_cases():
    chosen = st.session_state[K + f"uc_{nonce}"]
    _change(lambda p: p.update(use_cases=list(chosen)), t("sim.what.use_cases"))


top = st.columns([3, 1.2, 0.8])
with top[0]:
    st.multiselect(t("sim.use_cases"), uc_ids,
                   default=[u for u in plan.get("use_cases") or [] if u in uc_ids],
                   format_func=lambda u: uc_label.get(u, u), key=K + f"uc_{nonce}",
                   on_change=_save_use_cases, help=t("sim.use_cases_help"))
with top[2]:
    st.write("")
    undo_label = (t("sim.undo_what", what=st.session_state[UNDO][-1][0])
                  if st.session_state[UNDO] else t("sim.undo"))
    st.button(t("sim.undo"), key=K + "undo_btn", icon=":material/undo:", on_click=_undo,
              disabled=not st.session_state[UNDO], help=undo_label)

if not plan.get("area"):
    st.stop()

try:
    sim = S.simulate_plan(plan, use_cases=ucs)
except planfile.PlanError as exc:
    st.error(t("sim.plan_error") + "\n\n" + "\n".join(
        f"- {_plan_issue_text(i)}" for i in exc.issues))
    st.stop()
req = sim.requirement
thr = sim.model.thresholds
with top[1]:
    st.write("")
    if req:
        st.markdown(t("sim.req", level=t("sim.dori." + req["level"]), px=req["px_per_m"],
                      night=t("sim.yes") if req["night"] else t("sim.no"),
                      rec=t("sim.yes") if req["recording"] else t("sim.no")))
    else:
        st.caption(t("sim.req_none"))

# ------------------------------------------------------------------------------- controls
c = st.columns([1.5, 0.8, 2.1, 1.2])
rasters = ["dori", "requirement", "count", "illuminance", "night_usability", "none"]
raster = c[0].selectbox(t("sim.layer"), rasters, key=K + "raster",
                        format_func={k: t("sim.layer." + k) for k in rasters}.get)
period = c[1].segmented_control(t("sim.period"), ["day", "night"], default="day",
                                key=K + "period", format_func={k: t("sim.period." + k) for k in ("day", "night")}.get) \
    or "day"
overlays = c[2].pills(t("sim.overlays"), list(map_view.OVERLAYS), selection_mode="multi",
                      default=list(map_view.OVERLAYS), key=K + "overlays",
                      format_func={k: t("sim.overlay." + k) for k in map_view.OVERLAYS}.get)
base = c[3].selectbox(t("sim.base"), ["off", "pale", "std"], key=K + "base",
                      format_func={k: t("sim.base." + k) for k in ("off", "pale", "std")}.get, help=t("sim.base_note"))

cam_presets = _presets("camera_presets")
light_presets = _presets("light_presets")
c = st.columns([1.3, 1.6, 1.6, 1])
click_mode = c[0].segmented_control(t("sim.click"), ["inspect", "camera", "light"],
                                    default="inspect", key=K + "click",
                                    format_func={k: t("sim.click." + k) for k in ("inspect", "camera", "light")}.get) or "inspect"
cam_label = {p_["id"]: col(p_, "name") + ("" if p_.get("verified") else
                                          t("sim.preset.unverified")) for p_ in cam_presets}
light_label = {p_["id"]: col(p_, "name") + ("" if p_.get("verified") else
                                            t("sim.preset.unverified")) for p_ in light_presets}
c[1].selectbox(t("sim.camera_preset"), list(cam_label), key=K + "cam_preset",
               format_func=cam_label.get)
c[2].selectbox(t("sim.light_preset"), list(light_label), key=K + "light_preset",
               format_func=light_label.get)
new_az = c[3].number_input(t("sim.new_azimuth"), min_value=0.0, max_value=359.0, value=0.0,
                           step=15.0, key=K + "new_az")


def _place(kind: str, x: float, y: float) -> None:
    lat, lon = sim.grid.to_latlon(x, y)
    p = state.current_plan()
    if kind == "camera":
        cid = S.next_id([r.get("id") for r in p.get("cameras") or []], "C")
        cam = S.camera_from_preset(_preset_by_id("camera_presets",
                                                 st.session_state.get(K + "cam_preset")),
                                   lat=lat, lon=lon, cid=cid, azimuth_deg=float(new_az))
        cam = _with_model_price(cam, p.get("cameras"))
        if _change(lambda q: q.setdefault("cameras", []).append(cam),
                   t("sim.what.place_camera", id=cid)):
            _msg("success", t("sim.placed_camera", id=cid, x=x, y=y))
    else:
        lid = S.next_id([r.get("id") for r in p.get("lights") or []], "L")
        light = S.light_from_preset(_preset_by_id("light_presets",
                                                  st.session_state.get(K + "light_preset")),
                                    lat=lat, lon=lon, lid=lid)
        light = _with_model_price(light, p.get("lights"))
        if _change(lambda q: q.setdefault("lights", []).append(light),
                   t("sim.what.place_light", id=lid)):
            _msg("success", t("sim.placed_light", id=lid))


def _on_map_select() -> None:
    """A click on the map (a point of the click grid selected): inspect the point or place
    a camera / light there. A callback, so the run that follows already shows it (one
    run per click, not two)."""
    event = st.session_state.get(K + f"map_{nonce}") or {}   # a (read-only) dict
    pts = (event.get("selection") or {}).get("points") or []
    if not pts:
        return
    x, y = float(pts[0]["x"]), float(pts[0]["y"])
    sig = (nonce, round(x, 2), round(y, 2))
    if st.session_state.get(K + "last_sel") == sig:
        return
    st.session_state[K + "last_sel"] = sig
    mode = st.session_state.get(K + "click") or "inspect"
    if mode == "inspect":
        st.session_state[K + "point"] = (x, y)
    else:
        _place(mode, x, y)


# ------------------------------------------------------------------------ map + summary
left, right = st.columns([2.7, 1])
point = st.session_state.get(K + "point")
with left:
    fig = map_view.figure(sim, plan, raster=raster, period=period, overlays=overlays or (),
                          base=None if base == "off" else base, point=point)
    st.plotly_chart(fig, key=K + f"map_{nonce}", on_select=_on_map_select,
                            selection_mode=("points",), width="stretch",
                            config={"scrollZoom": True, "displaylogo": False,
                                    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
                                    # the legend sits on the map: let the user drag it
                                    "edits": {"legendPosition": True}})
    if plan.get("sample"):
        st.caption(t("sim.plateau"))
    if base != "off":
        st.caption(map_view.GSI_ATTRIBUTION)
    if sim.changed and len(sim.changed) < len(sim.model.views):
        st.caption(t("sim.map.computed", ids=", ".join(sim.changed)))

with right:
    # the summary is computed here, after the map has been sent (SimResult.result)
    res = sim.result
    st.subheader(t("sim.summary"))
    m1, m2 = st.columns(2)
    m1.metric(t("sim.sum.area") + " [m²]", f"{res['area_m2']:,.0f}")
    m2.metric(t("sim.sum.covered"), f"{res['coverage_fraction'] * 100:.1f} %")
    if req:
        r_ = res["requirement"]
        m3, m4 = st.columns(2)
        if req["night"]:
            m3.metric(t("sim.sum.req_met"), f"{r_['met_fraction'] * 100:.1f} %")
        else:
            m3.metric(t("sim.sum.req_met_day"), f"{r_['met_fraction'] * 100:.1f} %")
        m4.metric(t("sim.sum.req_met_day"), f"{r_['day_fraction'] * 100:.1f} %")
    st.markdown("**" + t("sim.sum.dori_table") + "**")
    keys = [k for k, _ in sorted(thr.items(), key=lambda kv: kv[1])]
    st.dataframe(pd.DataFrame({
        t("sim.sum.level"): [f"{t('sim.dori.' + k)} ({thr[k]:g} px/m)" for k in keys],
        t("sim.sum.day"): [f"{res['dori_fraction'][k] * 100:.1f} %" for k in keys],
        t("sim.sum.night"): [f"{res['night_dori_fraction'][k] * 100:.1f} %" for k in keys]}),
        hide_index=True, width="stretch", key=K + "dori_table")
    il = res["illuminance"]

    def _f(v, d=1):
        return "–" if v is None else f"{v:.{d}f}"
    st.markdown("**" + t("sim.sum.lighting") + "**  \n" + t(
        "sim.sum.lux", mean=_f(il["mean_lx"]), min=_f(il["min_lx"]),
        u=_f(il["uniformity"], 2)) + "  \n" + t(
        "sim.sum.ses", verdict=t("sim.ses." + (il["ses_class"] or "none").lower())))
    st.caption(t("sim.sum.ses_note") + " " +
               t("sim.sum.lit_unseen", a=f"{res['lit_but_unseen_m2']:,.0f}") + " · " +
               t("sim.sum.seen_dark", a=f"{res['seen_but_dark_m2']:,.0f}"))
    little = res["cameras_adding_little"]
    st.markdown("**" + t("sim.sum.little") + "**  \n" +
                (", ".join(little) if little else t("sim.sum.little_none")))
    stor = res["storage"]
    st.markdown("**" + t("sim.sum.storage", days=f"{stor['retention_days']:g}") + "**  \n" +
                t("sim.sum.storage_value", tb=f"{stor['total_tb']:.2f}",
                  n=len(stor["cameras"])))
    st.caption(t("sim.sum.storage_model"))
    # device prices are the devices' unit_price_jpy; the other keys are estimate rates
    prices = {k: v for k, v in ((plan.get("simulation") or {}).get("unit_prices_jpy")
                                or {}).items() if k not in X.DEVICE_PRICE_KEYS}
    cost = sim_summary.cost_estimate(plan.get("cameras") or [], plan.get("lights") or [],
                                     unit_prices_jpy=prices, storage_tb=stor["total_tb"])
    st.markdown("**" + t("sim.sum.cost") + "**  \n" + (
        t("sim.sum.cost_value", total=f"{cost['total_jpy']:,.0f}") if cost["total_jpy"] > 0
        else t("sim.sum.cost_zero")))

# ------------------------------------------------------------------------- districts
if res.get("districts"):
    _lvl = (req or {}).get("level") or "observe"
    with st.expander(t("sim.dist.title", n=len(res["districts"])), expanded=True):
        st.dataframe(pd.DataFrame([{
            t("sim.dist.name"): d["name"],
            t("sim.dist.area"): round(d["area_m2"]),
            t("sim.dist.covered"): round(d["coverage_fraction"] * 100, 1),
            t("sim.dist.level_day", level=t("sim.dori." + _lvl)): round(
                d["dori_m2"].get(_lvl, 0.0) / d["area_m2"] * 100 if d["area_m2"] else 0.0, 1),
            t("sim.dist.level_night", level=t("sim.dori." + _lvl)): round(
                d["night_dori_m2"].get(_lvl, 0.0) / d["area_m2"] * 100
                if d["area_m2"] else 0.0, 1),
            t("sim.dist.lux"): ("–" if (d.get("illuminance") or {}).get("mean_lx") is None
                                else f"{d['illuminance']['mean_lx']:.1f}"),
            t("sim.dist.ses"): (t("sim.ses." + d["illuminance"]["ses_class"].lower())
                                if (d.get("illuminance") or {}).get("ses_class") else "–"),
            t("sim.dist.cameras"): len(d.get("cameras") or [])} for d in res["districts"]]),
            hide_index=True, width="stretch", key=K + "dist_df",
            column_config={t("sim.dist.area"): st.column_config.NumberColumn(
                format="localized")})
        st.caption(t("sim.dist.note"))
elif res.get("district_issues"):
    st.warning(t("sim.dist.invalid") + "\n\n" + "\n".join(
        f"- {state.md_escape(m)}" for m in res["district_issues"][:8]))

# --------------------------------------------------------------------------- preview
st.subheader(t("sim.preview"))
if point is None:
    st.caption(t("sim.preview.hint"))
else:
    rep = S.point_report(sim, point[0], point[1])
    st.caption(t("sim.preview.where", x=point[0], y=point[1]) + " · " + t("sim.preview.note"))
    if not rep["cameras"]:
        st.info(t("sim.preview.none"))
    for i, cr in enumerate(rep["cameras"][:4]):
        cols = st.columns([1, 1, 1, 4])
        cols[0].image(cr["day"].reference, caption=t("sim.preview.reference"), clamp=True,
                      width=130)
        cols[1].image(cr["day"].display, clamp=True, width=130,
                      caption=t("sim.period.day"))
        if cr["night"] is not None:
            cols[2].image(cr["night"].display, clamp=True, width=130,
                          caption=t("sim.period.night"))
        with cols[3]:
            st.markdown("**" + t("sim.preview.camera", id=cr["id"], d=cr["distance_m"]) + "**")
            st.markdown(t("sim.preview.day", px=cr["day_px_m"],
                          level=t("sim.dori." + (cr["day_level"] or "none")),
                          ssim=cr["day"].ssim))
            if cr["night"] is not None:
                st.markdown(t("sim.preview.night", mode=t(f"sim.preview.mode.{cr['night_mode']}"),
                              ev=cr["vertical_lx"], px=cr["night_px_m"],
                              level=t("sim.dori." + (cr["night_level"] or "none")),
                              ssim=cr["night"].ssim))
            else:
                st.markdown(t("sim.preview.night_dark", ev=cr["vertical_lx"]))

# ----------------------------------------------------------------------------- tables
tabs = st.tabs([t("sim.tab.cameras"), t("sim.tab.lights"), t("sim.tab.privacy"),
                t("sim.tab.costs"), t("sim.tab.io")])


def _on_table(kind: str, key: str) -> None:
    delta = st.session_state.get(key) or {}
    if any(delta.get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
        _apply_delta(kind, delta)


def _column_config(fields):
    cfg = {}
    for f in fields:
        label = t("sim.col." + f)
        if f in ("id", "model", "distribution"):
            cfg[f] = st.column_config.TextColumn(label)
        elif f in ("lat", "lon"):
            cfg[f] = st.column_config.NumberColumn(label, format="%.6f")
        elif f in ("width_px", "height_px", "unit_price_jpy"):
            cfg[f] = st.column_config.NumberColumn(label, format="%d")
        else:
            cfg[f] = st.column_config.NumberColumn(label)
    return cfg


def _device_table(kind: str, devices: list, fields, key: str) -> None:
    """The editable table of cameras or lights; edits go through ``_on_table``."""
    df = pd.DataFrame([{f: d.get(f) for f in fields} for d in devices], columns=list(fields))
    st.data_editor(df, key=key, num_rows="dynamic", hide_index=True, width="stretch",
                   column_config=_column_config(fields), on_change=_on_table,
                   args=(kind, key))


with tabs[0]:
    st.caption(t("sim.table_help"))
    cams = plan.get("cameras") or []
    _device_table("cameras", cams, S.CAMERA_EDIT_FIELDS, K + f"cams_{nonce}")
    with st.expander(t("sim.lens")):
        lc = st.columns(4)
        focal = lc[0].number_input(t("sim.lens.focal"), 1.0, 100.0, 4.0, 0.5, key=K + "focal")
        sensor = lc[1].number_input(t("sim.lens.sensor"), 1.0, 40.0, 5.6, 0.1,
                                    key=K + "sensor")
        fov = float(cam_mod.fov_from_lens(focal, sensor))
        lc[2].metric(t("sim.col.hfov_deg"), f"{fov:.1f}°")
        ids = [str(c_["id"]) for c_ in cams]
        if ids:
            target = lc[3].selectbox(t("sim.lens.camera"), ids, key=K + "lens_cam")
            # callbacks (here and below): the change is saved before the run the click
            # starts, which then shows it (one run, not two)
            lc[3].button(t("sim.lens.apply"), key=K + "lens_apply", on_click=_apply_delta,
                         args=("cameras", {"edited_rows": {ids.index(target): {
                             "hfov_deg": round(fov, 2)}}}))

with tabs[1]:
    st.caption(t("sim.table_help"))
    _device_table("lights", plan.get("lights") or [], S.LIGHT_EDIT_FIELDS,
                  K + f"lights_{nonce}")

with tabs[2]:
    st.caption(t("sim.priv.intro"))
    cam_row = {str(c_["id"]): i_ for i_, c_ in enumerate(plan.get("cameras") or [])}
    feats = (plan.get("buildings") or {}).get("features") or []
    from assessments.engine.privacy_geometry import _feature_id, _is_home
    n_homes = sum(1 for f in feats if _is_home(f.get("properties")))
    st.markdown(t("sim.priv.n_homes", n=n_homes))
    if feats:
        def _set_homes(all_: bool | None = None):
            chosen = set(st.session_state.get(K + f"homes_{nonce}") or [])

            def fn(p):
                # a new collection: the stored one is shared and read-only
                # (assessments.plan.frozen); geometries are reused as they are
                old = p.get("buildings") or {}
                p["buildings"] = dict(old, features=[
                    dict(f, properties=dict(f.get("properties") or {}, is_home=(
                        bool(all_) if all_ is not None else _feature_id(f, i) in chosen)))
                    for i, f in enumerate(old.get("features") or [])])
            _change(fn, t("sim.what.homes"))
        ids = [_feature_id(f, i) for i, f in enumerate(feats)]
        hc = st.columns([1, 3])
        hc[0].button(t("sim.priv.all_homes"), key=K + "all_homes", on_click=_set_homes,
                     args=(True,))
        hc[1].multiselect(t("sim.priv.pick"), ids,
                          default=[i_ for i_, f in zip(ids, feats)
                                   if _is_home(f.get("properties"))],
                          key=K + f"homes_{nonce}", on_change=_set_homes)
    if n_homes == 0:
        st.info(t("sim.priv.no_homes"))
    elif not sim.privacy:
        st.success(t("sim.priv.none"))
    else:
        rows = []
        for h in sim.privacy:
            if h["code"] == "lower_tilt":
                sug = t("sim.priv.lower_tilt", tilt=h["tilt_deg"])
            elif h["code"] == "privacy_mask_sector":
                sug = t("sim.priv.privacy_mask_sector", a=h["sector_deg"][0],
                        b=h["sector_deg"][1], l=h["sector_rel_deg"][0], r=h["sector_rel_deg"][1])
            else:
                sug = t("sim.priv.re_aim", az=h["azimuth_deg"])
            rows.append({t("sim.priv.col.camera"): h["camera_id"],
                         t("sim.priv.col.area"): round(h["area_m2"], 1),
                         t("sim.priv.col.homes"): ", ".join(h["building_ids"][:6]) +
                         (" …" if len(h["building_ids"]) > 6 else ""),
                         t("sim.priv.col.suggestion"): sug})
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=K + "priv_df")
        st.caption(t("sim.priv.mask_note"))
        for h in sim.privacy:
            if h["camera_id"] not in cam_row:
                continue
            idx_ = cam_row[h["camera_id"]]
            if h["code"] == "privacy_mask_sector":   # one more sector on the camera
                old_masks = (plan["cameras"][idx_].get("privacy_masks_deg") or [])
                field_ = "privacy_masks_deg"
                value = [list(m) for m in old_masks] + [
                    [round(max(-180.0, h["sector_rel_deg"][0]), 1),
                     round(min(180.0, h["sector_rel_deg"][1]), 1)]]
            else:
                field_, value = (("tilt_deg", h["tilt_deg"]) if h["code"] == "lower_tilt"
                                 else ("azimuth_deg", h["azimuth_deg"]))
            st.button(t("sim.priv.apply", id=h["camera_id"]), key=K + f"fix_{h['camera_id']}",
                      on_click=_apply_delta,
                      args=("cameras", {"edited_rows": {idx_: {field_: value}}}))
    masked = [c_ for c_ in plan.get("cameras") or [] if c_.get("privacy_masks_deg")]
    for c_ in masked:
        mc = st.columns([4, 1])
        mc[0].caption(t("sim.priv.masks", id=c_["id"], sectors="、".join(
            f"{a:g}°〜{b:g}°" for a, b in c_["privacy_masks_deg"])))
        mc[1].button(t("sim.priv.clear_masks"), key=K + f"unmask_{c_['id']}",
                     on_click=_apply_delta, args=("cameras", {"edited_rows": {
                         cam_row[str(c_["id"])]: {"privacy_masks_deg": None}}}))

with tabs[3]:
    st.caption(t("sim.cost.intro"))
    # one unit price per model: written onto every camera / light of the model, which
    # the 事業計画 page and the Excel 事業費 read too (docs/architecture.md "Costs")
    groups = [("cameras", g) for g in X.camera_cost_groups(plan.get("cameras"))] + \
        [("lights", g) for g in X.light_cost_groups(plan.get("lights"))]
    if groups:
        price_df = pd.DataFrame([{
            "kind": t("sim.cost.kind." + kind_),
            "model": g["model"] or t("sim.cost.model_unset"),
            "quantity": g["quantity"],
            "unit_price_jpy": round(g["amount_jpy"] / g["quantity"])} for kind_, g in groups])
        price_key = K + f"model_prices_{nonce}"

        def _on_prices():
            edits = (st.session_state.get(price_key) or {}).get("edited_rows") or {}
            by_kind: dict = {}
            for idx, change in edits.items():
                v = (change or {}).get("unit_price_jpy")
                if v is None or not 0 <= int(idx) < len(groups):
                    continue
                kind_, g = groups[int(idx)]
                by_kind.setdefault(kind_, {})[g["model"]] = max(0, int(round(float(v))))
            for kind_, pr in by_kind.items():
                _set_model_prices(kind_, pr)
        st.data_editor(price_df, key=price_key, hide_index=True, width="stretch",
                       disabled=["kind", "model", "quantity"], on_change=_on_prices,
                       column_config={
                           "kind": st.column_config.TextColumn(t("sim.cost.col.kind")),
                           "model": st.column_config.TextColumn(t("sim.cost.col.model")),
                           "quantity": st.column_config.NumberColumn(t("sim.cost.col.qty")),
                           "unit_price_jpy": st.column_config.NumberColumn(
                               t("sim.cost.col.unit"), min_value=0, step=1000,
                               format="%d")})
        st.caption(t("sim.cost.device_note"))
    other = [k_ for k_ in sim_summary.COST_ITEMS if k_ not in X.DEVICE_PRICE_KEYS]
    pc = st.columns(len(other))

    def _save_price(k_):
        v = st.session_state[K + f"price_{k_}"]
        _change(lambda p: p.setdefault("simulation", {}).setdefault(
            "unit_prices_jpy", {}).update({k_: float(v)}), t("sim.what.prices"))
    for i, k_ in enumerate(other):
        pc[i].number_input(t("sim.cost." + k_), min_value=0, step=10_000,
                           value=int(prices.get(k_) or 0), key=K + f"price_{k_}",
                           on_change=_save_price, args=(k_,))
    st.caption(t("sim.cost.other_note"))
    st.dataframe(pd.DataFrame([{
        t("sim.cost.col.item"): t("sim.cost." + it["key"]),
        t("sim.cost.col.qty"): round(it["quantity"], 2),
        t("sim.cost.col.unit"): f"{it['unit_price_jpy']:,.0f}",
        t("sim.cost.col.amount"): f"{it['amount_jpy']:,.0f}"} for it in cost["items"]]),
        hide_index=True, width="stretch", key=K + "cost_df")
    st.markdown("**" + t("sim.cost.total", total=f"{cost['total_jpy']:,.0f}") + "**")

with tabs[4]:
    ic = st.columns([1.2, 1, 2])
    _kinds = ("cameras", "lights", "buildings", "area", "districts")
    kind = ic[0].selectbox(t("sim.io.kind"), list(_kinds), key=K + "io_kind",
                           format_func={k: t("sim.io.kind." + k) for k in _kinds}.get)
    ic[1].radio(t("sim.io.mode"), ["replace", "append"], key=K + "io_mode", horizontal=True,
                format_func={k: t("sim.io.mode." + k) for k in ("replace", "append")}.get)
    types = {"cameras": ["csv", "tsv", "txt", "xlsx"], "lights": ["csv", "tsv", "txt", "xlsx"],
             "buildings": ["geojson", "json", "gml", "xml"], "area": ["geojson", "json"],
             "districts": ["geojson", "json"]}[kind]

    def _on_upload(kind_: str, key_: str) -> None:
        up = st.session_state.get(key_)
        if up is None:
            return
        sig = (kind_, up.name, up.size, getattr(up, "file_id", ""))
        if st.session_state.get(K + "io_last") != sig:
            st.session_state[K + "io_last"] = sig
            _import(kind_, up.name, up.getvalue(), st.session_state.get(K + "io_mode")
                    or "replace")
    ic[2].file_uploader(t("sim.io.file"), type=types, key=K + f"io_file_{kind}",
                        help=t("sim.io.help"), on_change=_on_upload,
                        args=(kind, K + f"io_file_{kind}"))
    st.divider()
    st.markdown("**" + t("sim.io.export") + "**")
    ec = st.columns(5)
    # the files are made when the button is clicked (callables): a district's CSV, GeoJSON
    # and RESULT.json cost ≈ 0.2 s that every edit would otherwise pay

    def _geojson(plan=plan, sim=sim, res=res) -> str:
        feats_out = []
        covered = {r["id"]: r["covered_m2"] for r in res["cameras"]}
        for cid in sim.model.camera_ids:
            geom = sim.model.footprint_geojson(cid)
            if geom:
                feats_out.append((geom, {"kind": "footprint", "camera_id": cid,
                                         "covered_m2": covered[cid]}))
        for f in imp.points_to_features(plan.get("cameras") or [])["features"]:
            feats_out.append((f["geometry"], {"kind": "camera", **f["properties"]}))
        for f in imp.points_to_features(plan.get("lights") or [])["features"]:
            feats_out.append((f["geometry"], {"kind": "light", **f["properties"]}))
        return imp.features_to_geojson(feats_out, name=plan.get("name"))

    _cams_out, _lights_out = plan.get("cameras") or [], plan.get("lights") or []
    ec[0].download_button(t("sim.io.cameras_csv"),
                          lambda: imp.points_to_csv(_cams_out, kind="camera"),
                          file_name="cameras.csv", mime="text/csv", key=K + "dl_cams",
                          icon=":material/download:")
    ec[1].download_button(t("sim.io.lights_csv"),
                          lambda: imp.points_to_csv(_lights_out, kind="light"),
                          file_name="lights.csv", mime="text/csv", key=K + "dl_lights",
                          icon=":material/download:")
    ec[2].download_button(t("sim.io.geojson"), _geojson, file_name="simulation.geojson",
                          mime="application/geo+json", key=K + "dl_geojson",
                          icon=":material/download:")
    if ec[3].toggle(t("sim.io.png"), key=K + "png_on"):
        ec[3].download_button(t("sim.io.png"), map_view.render_png(
            sim, plan, layer=raster, period=period), file_name="map.png", mime="image/png",
            key=K + "dl_png", icon=":material/download:")
    _res_out = res
    ec[4].download_button(t("sim.io.result"), lambda: planfile.result_json(_res_out),
                          file_name="result.json", mime="application/json",
                          key=K + "dl_result", icon=":material/download:")
    st.divider()
    with st.expander(t("sim.start.again")):
        _start_panel()
