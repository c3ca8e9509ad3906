"""Edits of the シミュレーション page: saved at once, undoable, keyed by plan.

One :class:`Edits` per page run holds the current plan; every change goes through
:meth:`Edits.change`, which saves the plan (``ui.state.update_plan``) and keeps an undo stack
per plan in the session. Another tab may save the same plan meanwhile: a change is applied to
the latest stored plan, a table's edits per device id, and an undo reverts only this tab's
change (``assessments.plan.merge.three_way``). Widgets call the methods as callbacks, so a change is saved before
the run the click starts (one run, not two) and a run without a user edit saves nothing.
Tests and benchmarks queue edits in ``st.session_state`` (``sim.edit_queue``,
``sim.price_queue``, ``sim.import_queue``, ``sim.load_sample``, ``sim.inspect``);
:meth:`Edits.run_queued` applies them at the top of the run.
"""
from __future__ import annotations

import copy
from collections.abc import Callable

import duckdb
import numpy as np
import streamlit as st

from assessments.engine.dori import DORI_STANDARDS, plan_standard
from assessments.engine.grid import geojson_rings
from assessments.plan.iotools.columns import APPROXIMATE
from assessments.plan.merge import three_way
from assessments.programme import costs
from assessments.records import records
from ui import simulation as S
from ui import state
from ui.i18n import col, t
from ui.issues import plan_issue_text

#: The plan fields an undo restores.
SIM_FIELDS = ("area", "buildings", "cameras", "lights", "map_layers", "sample", "use_cases",
              "districts", "resolution_m", "target_height_m", "simulation", "background",
              "terrain", "pending_sites", "standard")
_MISSING = "__missing__"
#: Session key of the messages shown by the next run: ``[(kind, text, where)]``.
MESSAGES = "sim.messages"
#: Undo steps kept per plan.
UNDO_DEPTH = 30

#: kind → (preset table, preset widget, id prefix, factory, factory's id keyword)
DEVICES = {"cameras": ("camera_presets", "cam_preset", "C", S.camera_from_preset, "cid"),
           "lights": ("light_presets", "light_preset", "L", S.light_from_preset, "lid")}


# ---------------------------------------------------------------------------------------
# reference rows (cached; the table names are constants of this module)
# ---------------------------------------------------------------------------------------
@st.cache_data(ttl=600, show_spinner=False)
def presets(table: str) -> list[dict]:
    """Rows of a device preset table (``camera_presets`` / ``light_presets``); empty while
    the reference table is not built on this machine."""
    try:
        return records(state.ref_cursor().execute(f'SELECT * FROM "{table}"').fetch_df())
    except duckdb.Error:
        return []


@st.cache_data(ttl=600, show_spinner=False)
def use_cases() -> list[dict]:
    """The ``use_cases`` reference rows; empty while the table is not built."""
    try:
        return S.use_case_rows(state.ref_cursor())
    except duckdb.Error:
        return []


def use_case_ids(values, rows: list[dict]) -> list[str]:
    """``values`` as use-case ids of ``rows``, in order, once each.

    The multiselect holds ids; a browser that still shows the options of the other
    language sends their labels (``name_ja`` / ``name_en``), which are read back as their
    ids. Any other value is dropped: only ids are ever stored.
    """
    by_text = {r["id"]: r["id"] for r in rows}
    for r in rows:
        for text in (r.get("name_ja"), r.get("name_en")):
            if isinstance(text, str) and text:
                by_text.setdefault(text, r["id"])
    out: list[str] = []
    for v in values:
        uid = by_text.get(v) if isinstance(v, str) else None
        if uid is not None and uid not in out:
            out.append(uid)
    return out


def preset_by_id(table: str, preset_id: str | None) -> dict | None:
    """The preset ``preset_id`` of ``table``, else its first row (None when empty)."""
    rows = presets(table)
    return next((r for r in rows if r["id"] == preset_id), rows[0] if rows else None)


def preset_labels(table: str) -> dict[str, str]:
    """``{preset id: name in the user's language}``, unverified presets marked."""
    return {p["id"]: col(p, "name") + ("" if p.get("verified") else
                                        t("sim.preset.unverified")) for p in presets(table)}


# ---------------------------------------------------------------------------------------
# messages and issue texts
# ---------------------------------------------------------------------------------------
def message(kind: str, text: str, where: str = "page") -> None:
    """Show ``text`` with ``st.<kind>`` in the next run (or this one, when the place has
    not drawn its messages yet), at ``where``: ``"page"`` (above the map) or the tab the
    action came from (``"cameras"``, ``"lights"`` …: drawn by :func:`show_messages` there,
    beside the table or the form the message is about)."""
    st.session_state.setdefault(MESSAGES, []).append((kind, text, where))


def show_messages(where: str = "page", also=()) -> None:
    """Draw and forget the pending messages of ``where`` (and of the places in ``also``:
    tabs that are not open), in one container (whatever their number, the later elements
    keep their place)."""
    box = st.container()
    keep = []
    for kind, text, *place in st.session_state.get(MESSAGES) or []:
        if (place[0] if place else "page") in (where, *also):
            getattr(box, kind)(text)
        else:
            keep.append((kind, text, *place))
    st.session_state[MESSAGES] = keep


def issue_list(head: str, texts) -> str:
    """``head`` and a Markdown list of ``texts``, each shown as text (ids, values and
    names in them come from files and plans: never read as Markdown, HTML or LaTeX)."""
    return head + "\n\n" + "\n".join(f"- {state.md_escape(x)}" for x in texts)


# ---------------------------------------------------------------------------------------
# geometry helpers of new devices and areas
# ---------------------------------------------------------------------------------------
def area_centre(plan: dict) -> tuple[float, float]:
    """Centre of the bounding box of the plan's area, ``(lat, lon)`` [°]."""
    pts = np.concatenate([r for poly in geojson_rings(plan["area"]) for r in poly])
    return float((pts[:, 1].min() + pts[:, 1].max()) / 2), \
        float((pts[:, 0].min() + pts[:, 0].max()) / 2)


def with_model_price(device: dict, existing) -> dict:
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


class Edits:
    """The edits of the current plan for one run of the シミュレーション page.

    Parameters
    ----------
    plan : dict
        The current plan (``ui.state.current_plan()``); :meth:`run_queued` may replace it.
    """

    def __init__(self, plan: dict):
        self.plan = plan
        self.plan_id = plan["id"]
        self.view = state.current_view()     # what the page this object draws shows
        # the plan last saved by this object (spares reloading it after queued edits)
        self._saved: dict | None = None
        self._undo_key = f"sim.undo@{self.plan_id}"
        self._nonce_key = f"sim.nonce@{self.plan_id}"

    # ------------------------------------------------------------------------ keys
    @staticmethod
    def key(name: str) -> str:
        """Session key of the page's widget ``name`` (per plan and language)."""
        return state.widget_key("sim." + name)

    def session_key(self, name: str) -> str:
        """Session key of the page's non-widget state ``name`` (per plan; kept across a
        language switch: the inspected point, the last upload, the last map click)."""
        return f"sim.{name}@{self.plan_id}"

    @property
    def nonce(self) -> int:
        """Saves of this plan in this session: tables and map keyed by it start again from
        the saved plan after every save."""
        return st.session_state.get(self._nonce_key, 0)

    def _bump(self) -> None:
        st.session_state[self._nonce_key] = self.nonce + 1

    @property
    def undo_stack(self) -> list:
        return st.session_state.setdefault(self._undo_key, [])

    # --------------------------------------------------------------------- saving
    def stored_plan(self) -> dict:
        """A fresh copy of this plan as stored (a callback may run after the user has
        switched to another plan: its edit still goes to the plan it was drawn for)."""
        if self.plan_id == state.current_plan_id():
            return state.current_plan()
        return state.workspace().get_plan(self.plan_id, owner=state.owner())

    def change(self, fn: Callable[[dict], None], what: str, current: dict | None = None
               ) -> bool:
        """Save ``fn`` applied to the plan, undoably.

        Parameters
        ----------
        fn : callable
            ``fn(plan) -> None`` changes a copy of the stored plan.
        what : str
            The change in the user's language, for the undo button.
        current : dict, optional
            The caller's fresh copy of the current plan, if it has one (one load fewer).
        """
        if not state.on_screen(self.view, what):   # an older run's widget (a busy browser)
            return False
        before = _snapshot(current if current is not None else self.stored_plan())
        saved = state.update_plan(fn, plan_id=self.plan_id)
        if saved is None:
            return False
        self._saved = saved
        stack = self.undo_stack
        # the fields after the change too: an undo reverts this change alone (see undo);
        # a copy, since the saved plan becomes the page's plan (its large parts are frozen,
        # so copying is cheap)
        stack.append((what, before, copy.deepcopy(_snapshot(saved))))
        del stack[:-UNDO_DEPTH]
        self._bump()
        return True

    def undo(self) -> None:
        """Revert the last change of this tab, merged onto the latest stored plan.

        The change is undone as a three-way merge (base = the fields after the change,
        ours = before it, theirs = as stored now): what another tab saved since (a light it
        added, a use case it ticked) stays. A part the other tab changed too is left as
        stored, and the message names it.
        """
        stack = self.undo_stack
        if not stack:
            message("info", t("sim.nothing_to_undo"))
            return
        what, before, *rest = stack.pop()
        after = rest[0] if rest else None
        conflicts: list[tuple] = []

        def fn(p):
            if after is None:  # a step kept without the state after it: restore whole
                merged = _present(before)
            else:
                merged, found = three_way(_present(after), _present(before),
                                          _present(_snapshot(p)))
                conflicts[:] = found
            for k in SIM_FIELDS:
                if k in merged:
                    p[k] = merged[k]
                else:
                    p.pop(k, None)
        if state.update_plan(fn, plan_id=self.plan_id) is not None:
            self._bump()
            if conflicts:
                message("warning", t("sim.undone_partly", what=what,
                                     parts=state.conflict_parts(conflicts)))
            else:
                message("success", t("sim.undone", what=what))

    # ------------------------------------------------------------------- devices
    def apply_delta(self, kind: str, delta: dict) -> bool:
        """Apply a table delta (``st.data_editor`` format) to the plan's cameras or lights;
        an invalid result is not saved and the reasons are shown.

        The delta's row positions are those of the table as drawn (``self.plan``), which
        another tab may have changed since: the edited rows are read there, and the change
        is merged per device id onto the latest stored devices. A device the other tab
        changed in the same field (or deleted) refuses the edit (``ui.state.PlanConflict``)
        and the table starts again from the stored plan.
        """
        drawn = self.plan.get(kind) or []
        latest = self.stored_plan()
        # a new row's id is free in both the drawn and the stored rows
        known = [*drawn, *(latest.get(kind) or [])]
        new = S.apply_editor_delta(_typed_position(drawn, delta), delta,
                                   new_row=self._new_device(kind, latest, known))
        if kind == "lights":
            for light in new:  # one photometry: a typed intensity replaces lumens
                if light.get("intensity_cd") is not None and light.get("lumens") is not None:
                    light.pop("lumens")
                    light.pop("distribution", None)
        texts = [plan_issue_text(i, new) for i in S.device_issues(kind[:-1], new)]
        if texts:
            message("error", issue_list(t("sim.invalid"), texts), kind)
            self._bump()  # drop the rejected edit from the table
            return False
        refused = []

        def fn(q):
            merged, conflicts = three_way(drawn, new, q.get(kind) or [])
            # each side valid, together not (e.g. a shared id); the same list as the
            # checked one (nobody else changed these devices) needs no second check
            if not conflicts and merged != new and S.device_issues(kind[:-1], merged):
                conflicts = [()]
            if conflicts:
                refused.append(conflicts)
                raise state.PlanConflict([(kind, *c) for c in conflicts])
            q[kind] = merged
        ok = self.change(fn, t(f"sim.what.{kind}"), current=latest)
        if ok:
            message("success", t(f"sim.saved_{kind}"), kind)
        elif refused:
            self._bump()  # the table starts again from the stored devices
        return ok

    def on_table(self, kind: str, key: str) -> None:
        """Callback of a device table: apply its delta."""
        delta = st.session_state.get(key) or {}
        if any(delta.get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
            self.apply_delta(kind, delta)

    def _new_device(self, kind: str, p: dict, rows: list):
        """The row factory for a table's added rows: the chosen preset at the area's
        centre, overridden by what was typed, with the next free id and its model's price."""
        table, widget, prefix, make, id_kw = DEVICES[kind]
        preset = preset_by_id(table, st.session_state.get(self.key(widget)))

        def new_row(values):
            did = values.get("id") or S.next_id([r.get("id") for r in rows], prefix)
            lat, lon = area_centre(p)
            device = make(preset, lat=values.get("lat", lat), lon=values.get("lon", lon),
                          **{id_kw: str(did)})
            device.update(values)
            if kind == "cameras":
                device["id"] = str(device["id"])
            return with_model_price(device, rows)
        return new_row

    def set_model_prices(self, kind: str, prices: dict) -> bool:
        """Set ``unit_price_jpy`` of every camera / light of a model (``{model: 円}``)."""
        return self.change(lambda q: q.__setitem__(kind, costs.set_model_prices(q.get(kind),
                                                                              prices)),
                           t("sim.what.prices"))

    def place(self, kind: str, lat: float, lon: float, *, x: float, y: float,
              azimuth_deg: float) -> None:
        """Add a camera (``kind="camera"``, looking to ``azimuth_deg``) or a light at
        ``(lat, lon)`` [°] with the chosen preset; ``x``, ``y`` [m] for the message."""
        p = self.stored_plan()
        if kind == "camera":
            cid = S.next_id([r.get("id") for r in p.get("cameras") or []], "C")
            cam = S.camera_from_preset(preset_by_id("camera_presets", st.session_state.get(
                self.key("cam_preset"))), lat=lat, lon=lon, cid=cid, azimuth_deg=azimuth_deg)
            cam = with_model_price(cam, p.get("cameras"))
            if self.change(lambda q: q.setdefault("cameras", []).append(cam),
                           t("sim.what.place_camera", id=cid)):
                message("success", t("sim.placed_camera", id=cid, x=x, y=y))
        else:
            lid = S.next_id([r.get("id") for r in p.get("lights") or []], "L")
            light = S.light_from_preset(preset_by_id("light_presets", st.session_state.get(
                self.key("light_preset"))), lat=lat, lon=lon, lid=lid)
            light = with_model_price(light, p.get("lights"))
            if self.change(lambda q: q.setdefault("lights", []).append(light),
                           t("sim.what.place_light", id=lid)):
                message("success", t("sim.placed_light", id=lid))

    # --------------------------------------------------------------- whole scenes
    def load_sample(self) -> None:
        """Replace the scene by the bundled sample district."""
        parts = S.sample_district()

        def fn(p):
            for k in ("area", "buildings", "cameras", "lights", "resolution_m",
                      "target_height_m", "sample", "map_layers"):
                p[k] = copy.deepcopy(parts[k])
            if not (p.get("municipality") or {}).get("code"):
                p["municipality"] = parts["municipality"]
            if not p.get("use_cases"):
                p["use_cases"] = parts["use_cases"]
        if self.change(fn, t("sim.what.sample")):
            message("success", t("sim.loaded_sample"))

    def start_municipality(self, size_m: float) -> None:
        """Start an empty square area of ``size_m`` [m] around the municipal office."""
        mun = self.plan.get("municipality") or {}
        area = S.square_area(float(mun["lat"]), float(mun["lon"]), size_m=size_m)

        def fn(p):
            p.update(area=area, buildings={"type": "FeatureCollection", "features": []},
                     cameras=[], lights=[], resolution_m=1.0 if size_m <= 2000 else 2.0)
            if p.pop("sample", None) is not None:   # the sample's streets; an imported
                p.pop("map_layers", None)            # base map of the town stays
        if self.change(fn, t("sim.what.municipality")):
            message("success", t("sim.loaded_municipality", name=mun.get("name", "")))

    def set_use_cases(self, key: str, rows: list[dict], shown: list | None = None) -> None:
        """Callback of the use-case multiselect ``key``: save the chosen use cases as ids
        of ``rows`` (``use_case_ids``).

        ``shown`` holds the ids the multiselect showed before this change: only the ones
        the user added or removed are applied to the stored list, so a use case another
        tab ticked meanwhile stays (and unknown stored values too). Without it the
        choice replaces the stored list.
        """
        chosen = use_case_ids(st.session_state.get(key) or [], rows)
        if shown is None:
            self.change(lambda p: p.update(use_cases=chosen), t("sim.what.use_cases"))
            return
        added = [u for u in chosen if u not in shown]
        removed = {u for u in shown if u not in chosen}

        def fn(p):
            stored = [u for u in p.get("use_cases") or [] if u not in removed]
            p["use_cases"] = stored + [u for u in added if u not in stored]
        self.change(fn, t("sim.what.use_cases"))

    def set_standard(self, key: str) -> None:
        """Callback of the DORI-standard selectbox ``key``: save the plan's ``standard``
        (an edition of ``assessments.engine.dori``), undoably; the same edition saves
        nothing."""
        std = st.session_state.get(key)
        if std not in DORI_STANDARDS or std == plan_standard(self.stored_plan()):
            return
        self.change(lambda p: p.update(standard=std), t("sim.standard.what"))

    # ------------------------------------------------------------------- the run
    def run_queued(self, import_file: Callable[["Edits", str, str, bytes, str], bool]
                   ) -> dict:
        """Apply the queued edits (tests, benchmarks) and return the plan to draw.

        ``import_file(edits, kind, name, data, mode)`` imports a queued file.
        """
        nonce0 = self.nonce
        for item in st.session_state.pop("sim.edit_queue", None) or []:
            # a queued delta's positions are those of the stored rows, as the table would
            # draw them after the previous edit
            if self.apply_delta(item["kind"], item["delta"]):
                self.plan = self._saved
        for item in st.session_state.pop("sim.price_queue", None) or []:
            self.set_model_prices(item["kind"], {item["model"]: item["price"]})
        for item in st.session_state.pop("sim.import_queue", None) or []:
            import_file(self, item["kind"], item["name"], item["data"],
                        item.get("mode", "replace"))
        if st.session_state.pop("sim.load_sample", False):
            self.load_sample()
        ins = st.session_state.pop("sim.inspect", None)
        if ins:
            st.session_state[self.session_key("point")] = (float(ins["x_m"]),
                                                           float(ins["y_m"]))
            st.session_state[self.session_key("open_point")] = True   # as a click does
        pending = st.session_state.get(state.PENDING_KEY)
        if self.nonce != nonce0 or pending:
            # saved above (every saving path bumps the nonce): the saved plan when nothing
            # else was saved after it, else the stored one
            self.plan = (self._saved if self._saved is not None and not pending
                         else self.stored_plan())
        return self.plan


def _typed_position(rows: list, delta: dict) -> list:
    """``rows`` without the approximate-position mark on those whose latitude or longitude
    the table delta edits: a typed position is the user's own."""
    moved = {int(i) for i, c in (delta.get("edited_rows") or {}).items()
             if {"lat", "lon"} & set(c or {})}
    return [{k: v for k, v in r.items() if k != APPROXIMATE} if i in moved else r
            for i, r in enumerate(rows)]


def _present(snapshot: dict) -> dict:
    """The fields of a :func:`_snapshot` that the plan has (absent ones left out)."""
    return {k: v for k, v in snapshot.items() if v is not _MISSING}


def _snapshot(p: dict) -> dict:
    """The undoable fields of ``p`` — a fresh copy from ``state.current_plan()`` that
    nothing mutates afterwards, so no deep copy (2,000 buildings cost ≈ 0.1 s to copy)."""
    return {k: p[k] if k in p else _MISSING for k in SIM_FIELDS}
