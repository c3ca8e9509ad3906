"""Files in and out of the シミュレーション page: importing camera / light tables,
buildings, an area or districts into the plan, and the 読み込み・書き出し tab."""
from __future__ import annotations

import numpy as np
import streamlit as st

from assessments.engine.grid import geojson_rings
from assessments.plan import iotools as imp
from assessments.plan import validate as planfile
from ui import map_view, sim_geodata, sim_locate
from ui import simulation as S
from ui.sim_files import extent_area, failed as _failed, problem_text
from ui.i18n import t
from ui.issues import plan_issue_text
from ui.sim_edits import Edits, message
from ui.state import md_escape

#: What can be imported, with the file types the uploader accepts.
# .xlsm too: the table reader reads a macro workbook's cells (never its macros); .xls so that
# the reader says to save it as .xlsx — left out, Streamlit's uploader would refuse either
# with its own English message
IMPORT_TYPES = {"cameras": ["csv", "tsv", "txt", "xlsx", "xlsm", "xls"],
                "lights": ["csv", "tsv", "txt", "xlsx", "xlsm", "xls"],
                "buildings": ["geojson", "json", "gml", "xml", "zip"], "area": ["geojson", "json"],
                "districts": ["geojson", "json"], **sim_geodata.KINDS}
MODES = ("replace", "append")


def import_file(edits: Edits, kind: str, name: str, data: bytes, mode: str = "replace") -> bool:
    """Import a file into the plan; on any error the plan is kept and the reason shown.

    Parameters
    ----------
    kind : str
        ``cameras``, ``lights``, ``buildings``, ``area`` or ``districts``; or a town's
        geodata (``ui.sim_geodata.KINDS``: ``data`` may then be ``{name: bytes}``).
    mode : str
        ``replace`` or ``append`` (to the plan's items of ``kind``).
    """
    if kind in sim_geodata.KINDS:   # a town's geodata (several files: name → bytes)
        return sim_geodata.import_geodata(edits, kind, data if isinstance(data, dict)
                                          else {name: data}, mode=mode)
    p = edits.stored_plan()
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
    if not res.ok or not (items or res.needs_geocoding):   # address-only rows are kept
        return _failed(name, map(problem_text, (errors or res.problems)[:12]))
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
        if not p.get("area") and items:
            new_area, res_m, margin = extent_area([r["lat"] for r in items],
                                                  [r["lon"] for r in items])
        if kind == "cameras":
            issues = S.device_issues("camera", items)
            if issues:
                return _failed(name, map(plan_issue_text, issues[:12]))
    elif kind == "buildings":
        if mode == "append":
            items = ((p.get("buildings") or {}).get("features") or []) + items
        if not p.get("area"):
            pts = np.concatenate([r for f in items for poly in geojson_rings(f["geometry"])
                                  for r in poly])
            new_area, res_m, margin = extent_area(pts[:, 1], pts[:, 0], margin_m=5.0)
    elif kind == "districts":
        if mode == "append":
            items = list(((p.get("districts") or {}).get("features") or [])) + items
        issues = planfile.check_districts({"type": "FeatureCollection", "features": items})
        if issues:
            return _failed(name, map(plan_issue_text, issues[:12]))
    else:
        geom = items[0]["geometry"]
        try:
            planfile.validate_plan({"version": 1, "area": geom})
        except planfile.PlanError as exc:
            return _failed(name, map(plan_issue_text, exc.issues))

    def fn(q):
        if kind in ("cameras", "lights"):
            q[kind] = items
            sim_locate.with_pending(q, kind, res.needs_geocoding, name, mode)
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
    if not edits.change(fn, t("sim.what.import", name=md_escape(name))):
        return False
    n = len(res.rows) if kind in ("cameras", "lights") else len(
        (res.collection or {}).get("features", []))
    text = t("sim.io.done", name=md_escape(name), n=n)
    skipped = len(res.skipped) - len(res.needs_geocoding)   # those wait to be placed
    if skipped:
        text += " " + t("sim.io.skipped", n=skipped)
    if res.needs_geocoding:
        text += " " + t("sim.loc.imported_pending", n=len(res.needs_geocoding))
    if new_area is not None:
        text += " " + t("sim.io.area_from_data", m=margin, res=res_m)
    shown = [pr for pr in errors + notes
             if pr.code not in ("encoding", "delimiter", "needs_geocoding")][:10]
    if shown:
        text += "\n\n" + "\n".join(f"- {problem_text(pr)}" for pr in shown)
    message("warning" if errors or res.needs_geocoding else "success", text)
    return True


def _on_upload(edits: Edits, kind: str, key: str) -> None:
    """Callback of the file uploader ``key``: import the file once."""
    up = st.session_state.get(key)
    if up is None:
        return
    sig = (kind, up.name, up.size, getattr(up, "file_id", ""))
    if st.session_state.get(edits.session_key("io_last")) != sig:
        st.session_state[edits.session_key("io_last")] = sig
        import_file(edits, kind, up.name, up.getvalue(),
                    st.session_state.get(edits.key("io_mode")) or "replace")


def _geojson(plan: dict, sim, res: dict) -> str:
    """Footprints, cameras and lights as one GeoJSON text."""
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


def draw_io(edits: Edits, plan: dict, sim, res: dict, *, raster: str, period: str) -> None:
    """The 読み込み・書き出し tab: upload a file, download the plan's files."""
    key = edits.key
    ic = st.columns([1.2, 1, 2])
    kind = ic[0].selectbox(t("sim.io.kind"), list(IMPORT_TYPES), key=key("io_kind"),
                           format_func={k: t("sim.io.kind." + k) for k in IMPORT_TYPES}.get)
    ic[1].radio(t("sim.io.mode"), list(MODES), key=key("io_mode"), horizontal=True,
                format_func={k: t("sim.io.mode." + k) for k in MODES}.get)
    file_key = key(f"io_file_{kind}")
    if kind in sim_geodata.KINDS:
        sim_geodata.draw_uploader(edits, kind, ic[2])
    else:
        ic[2].file_uploader(t("sim.io.file"), type=IMPORT_TYPES[kind], key=file_key,
                            help=t("sim.io.help"), on_change=_on_upload,
                            args=(edits, kind, file_key))
    sim_locate.draw_pending(edits, plan)
    st.divider()
    st.markdown("**" + t("sim.io.export") + "**")
    ec = st.columns(5)
    # the files are made when the button is clicked (callables): a district's CSV, GeoJSON
    # and RESULT.json cost ≈ 0.2 s that every edit would otherwise pay
    cams, lights = plan.get("cameras") or [], plan.get("lights") or []
    ec[0].download_button(t("sim.io.cameras_csv"),
                          lambda: imp.points_to_csv(cams, kind="camera"),
                          file_name="cameras.csv", mime="text/csv", key=key("dl_cams"),
                          icon=":material/download:")
    ec[1].download_button(t("sim.io.lights_csv"),
                          lambda: imp.points_to_csv(lights, kind="light"),
                          file_name="lights.csv", mime="text/csv", key=key("dl_lights"),
                          icon=":material/download:")
    ec[2].download_button(t("sim.io.geojson"), lambda: _geojson(plan, sim, res),
                          file_name="simulation.geojson", mime="application/geo+json",
                          key=key("dl_geojson"), icon=":material/download:")
    if ec[3].toggle(t("sim.io.png"), key=key("png_on")):
        ec[3].download_button(t("sim.io.png"), map_view.render_png(
            sim, plan, layer=raster, period=period), file_name="map.png", mime="image/png",
            key=key("dl_png"), icon=":material/download:")
    ec[4].download_button(t("sim.io.result"), lambda: planfile.result_json(res),
                          file_name="result.json", mime="application/json",
                          key=key("dl_result"), icon=":material/download:")
