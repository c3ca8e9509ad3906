"""The privacy tab of the シミュレーション page: which buildings are homes, the cameras
that look at a home's façade, and the suggested fixes (tilt or privacy mask; never a new
aim) with what each does to the coverage."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from assessments.engine.privacy_geometry import fix_change, fix_effects
from assessments.plan.buildings import building_id, is_home
from ui.i18n import t
from ui.sim_edits import Edits


def set_homes(edits: Edits, key: str, all_: bool | None = None) -> None:
    """Callback: mark every building as a home (``all_``), or those chosen in the
    multiselect ``key``."""
    chosen = set(st.session_state.get(key) or [])

    def fn(p):
        # a new collection: the stored one is shared and read-only
        # (assessments.plan.frozen); geometries are reused as they are
        old = p.get("buildings") or {}
        p["buildings"] = dict(old, features=[
            dict(f, properties=dict(f.get("properties") or {}, is_home=(
                bool(all_) if all_ is not None else building_id(f, i) in chosen)))
            for i, f in enumerate(old.get("features") or [])])
    edits.change(fn, t("sim.what.homes"))


def _suggestion(h: dict) -> str:
    if h["code"] == "lower_tilt":
        return t("sim.priv.lower_tilt", tilt=h["tilt_deg"])
    sector = dict(a=h["sector_deg"][0], b=h["sector_deg"][1])
    if h["code"] == "privacy_mask_sector":
        return t("sim.priv.privacy_mask_sector", **sector, l=h["sector_rel_deg"][0],
                 r=h["sector_rel_deg"][1])
    return t("sim.priv.review_placement", **sector)


def _effect(e: dict | None) -> str:
    """What applying a fix does (:func:`assessments.engine.privacy_geometry.fix_effects`)."""
    if e is None:
        return t("sim.priv.no_fix")
    (cam0, cam1), (f0, f1) = e["camera_covered_m2"], e["coverage_fraction"]
    return t("sim.priv.effect", cam0=cam0, cam1=cam1, pct0=100 * f0, pct1=100 * f1)


def _effects(sim) -> list:
    """The fixes' effects, kept on the model while its cameras stay the same (the privacy
    list is recomputed exactly when they change): a page run without an edit pays
    nothing."""
    key = tuple(sim.cameras.values())
    cached = getattr(sim.model, "_privacy_fix_effects", None)
    if cached is None or cached[0] != key:
        cached = (key, fix_effects(sim.model, sim.privacy))
        sim.model._privacy_fix_effects = cached
    return cached[1]


def draw_privacy(edits: Edits, plan: dict, sim) -> None:
    """The privacy tab."""
    key = edits.key
    st.caption(t("sim.priv.intro"))
    cams = plan.get("cameras") or []
    cam_row = {str(c["id"]): i for i, c in enumerate(cams)}
    feats = (plan.get("buildings") or {}).get("features") or []
    n_homes = sum(1 for f in feats if is_home(f.get("properties")))
    st.markdown(t("sim.priv.n_homes", n=n_homes))
    if feats:
        homes_key = key(f"homes_{edits.nonce}")
        ids = [building_id(f, i) for i, f in enumerate(feats)]
        hc = st.columns([1, 3])
        hc[0].button(t("sim.priv.all_homes"), key=key("all_homes"), on_click=set_homes,
                     args=(edits, homes_key, True))
        hc[1].multiselect(t("sim.priv.pick"), ids, placeholder=t("common.choose"), select_all=False,
                          default=[i for i, f in zip(ids, feats) if is_home(f.get("properties"))],
                          key=homes_key, on_change=set_homes, args=(edits, homes_key))
    if n_homes == 0:
        st.info(t("sim.priv.no_homes"))
    elif not sim.privacy:
        st.success(t("sim.priv.none"))
    else:
        effects = _effects(sim)
        st.dataframe(pd.DataFrame([{
            t("sim.priv.col.camera"): h["camera_id"],
            t("sim.priv.col.area"): round(h["area_m2"], 1),
            t("sim.priv.col.homes"): ", ".join(h["building_ids"][:6]) +
            (" …" if len(h["building_ids"]) > 6 else ""),
            t("sim.priv.col.suggestion"): _suggestion(h),
            t("sim.priv.col.effect"): _effect(e)} for h, e in zip(sim.privacy, effects)]),
            hide_index=True, width="stretch", key=key("priv_df"), placeholder="")
        st.caption(t("sim.priv.mask_note"))
        for h in sim.privacy:
            if h["camera_id"] not in cam_row:
                continue
            idx = cam_row[h["camera_id"]]
            change = fix_change(h, privacy_masks_deg=cams[idx].get("privacy_masks_deg") or [])
            if not change:      # review_placement: nothing to apply automatically
                continue
            st.button(t("sim.priv.apply", id=h["camera_id"]), key=key(f"fix_{h['camera_id']}"),
                      on_click=edits.apply_delta,
                      args=("cameras", {"edited_rows": {idx: change}}))
    for c in cams:
        if not c.get("privacy_masks_deg"):
            continue
        mc = st.columns([4, 1])
        mc[0].caption(t("sim.priv.masks", id=c["id"], sectors="、".join(
            f"{a:g}°〜{b:g}°" for a, b in c["privacy_masks_deg"])))
        mc[1].button(t("sim.priv.clear_masks"), key=key(f"unmask_{c['id']}"),
                     on_click=edits.apply_delta, args=("cameras", {"edited_rows": {
                         cam_row[str(c["id"])]: {"privacy_masks_deg": None}}}))
