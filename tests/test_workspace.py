"""Plans: create / switch / rename / duplicate / delete, JSON round trip, migration,
concurrent writers."""
from __future__ import annotations

import json
import threading

import duckdb
import pytest

from assessments.plan.document import (PLAN_VERSION, PlanFormatError, dump_plan_json, new_plan,
                              parse_plan_json)
from datasets.workspace import MIGRATIONS_DIR, Workspace, WorkspaceError

KASHIWA = {"code": "122173", "prefecture": "千葉県", "name": "柏市", "lat": 35.8676,
           "lon": 139.9758}


def test_create_list_get_rename_duplicate_delete(workspace_path):
    ws = Workspace(workspace_path)
    a = ws.create_plan("柏の葉キャンパス駅周辺 見守り・人流計測", municipality=KASHIWA)
    b = ws.create_plan("調布市 通学路")
    listed = {p["id"]: p for p in ws.list_plans()}
    assert set(listed) == {a["id"], b["id"]}
    assert listed[a["id"]]["municipality_name"] == "柏市"
    assert a["_revision"] == 1

    renamed = ws.rename_plan(a["id"], "  柏の葉 第2期  ")
    assert renamed["name"] == "柏の葉 第2期" and renamed["_revision"] == 2
    copy = ws.duplicate_plan(a["id"], "柏の葉 第2期（コピー）")
    assert copy["id"] not in (a["id"], b["id"])
    assert copy["municipality"] == KASHIWA and copy["name"] == "柏の葉 第2期（コピー）"

    ws.delete_plan(b["id"])
    assert {p["id"] for p in ws.list_plans()} == {a["id"], copy["id"]}
    with pytest.raises(WorkspaceError) as err:
        ws.get_plan(b["id"])
    assert err.value.code == "not_found"
    with pytest.raises(ValueError, match="empty"):
        ws.rename_plan(a["id"], "   ")


def test_plans_persist_across_reopen(workspace_path):
    ws = Workspace(workspace_path)
    plan = ws.create_plan("永続化テスト")
    ws.update_plan(plan["id"], lambda p: p["cameras"].append({"id": "C1", "lat": 35.0}))
    ws.close()
    again = Workspace(workspace_path)
    stored = again.get_plan(plan["id"])
    assert stored["cameras"] == [{"id": "C1", "lat": 35.0}]
    assert stored["_revision"] == 2
    # the revision before the change is kept in the history
    assert again.get_revision(plan["id"], 1)["cameras"] == []


def test_json_round_trip_keeps_everything(workspace_path):
    ws = Workspace(workspace_path)
    plan = ws.create_plan("共有テスト", municipality=KASHIWA)

    def edit(p):
        p["use_cases"] = ["abnormal_behavior", "people_count"]
        p["cameras"] = [{"id": "C1", "lat": 35.87, "lon": 139.97, "mount_height_m": 5.0}]
        p["privacy"]["settings"]["retention_days"] = 14
        p["x_custom_field"] = {"kept": True}  # unknown fields survive
    stored = ws.update_plan(plan["id"], edit)
    data = dump_plan_json({k: v for k, v in stored.items() if k != "_revision"})
    loaded = parse_plan_json(data)
    other = Workspace(workspace_path.with_name("other.duckdb"))
    imported = other.add_plan(loaded)
    for key in ("name", "municipality", "use_cases", "cameras", "privacy", "x_custom_field"):
        assert imported[key] == stored[key]
    assert imported["id"] == stored["id"]  # a new workspace keeps the id
    # uploading the same file again into the same workspace never overwrites: new id
    again = other.add_plan(parse_plan_json(data))
    assert again["id"] != imported["id"] and len(other.list_plans()) == 2


@pytest.mark.parametrize("payload, code", [
    (b"\x89PNG\r\n", "not_json"),
    (b"[1, 2, 3]", "not_object"),
    (b'{"name": "x"}', "bad_field"),
    (json.dumps({"version": PLAN_VERSION + 1, "name": "future"}).encode(), "unsupported_version"),
    (json.dumps({"version": 1, "name": "x", "cameras": "C1"}).encode(), "bad_field"),
    (b"{" * 100000, "not_json"),
])
def test_bad_plan_files_are_rejected_with_a_code(payload, code):
    with pytest.raises(PlanFormatError) as err:
        parse_plan_json(payload)
    assert err.value.code == code


def test_bom_and_minimal_plan_load():
    plan = parse_plan_json("\ufeff" + json.dumps({"version": 1, "name": "最小"}))
    assert plan["name"] == "最小" and plan["cameras"] == [] and plan["resolution_m"] == 1.0
    assert plan["id"]


def test_migration_from_version_1_keeps_plans(workspace_path):
    # a workspace written by the first release: schema version 1 only
    con = duckdb.connect(str(workspace_path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute((MIGRATIONS_DIR / "001_plans.sql").read_text())
    con.execute("INSERT INTO schema_version VALUES (1)")
    old = new_plan("旧版の計画")
    con.execute("INSERT INTO plans VALUES ($id, $name, $data, 3, $c, $u)",
                {"id": old["id"], "name": old["name"], "data": json.dumps(old),
                 "c": old["created_at"], "u": old["updated_at"]})
    con.close()

    ws = Workspace(workspace_path)
    assert ws.schema_version() == 4
    stored = ws.get_plan(old["id"])
    assert stored["name"] == "旧版の計画" and stored["_revision"] == 3
    saved = ws.update_plan(old["id"], lambda p: p["use_cases"].append("watch_children"))
    assert saved["_revision"] == 4 and ws.get_revision(old["id"], 3)["use_cases"] == []


def test_failed_migration_is_a_workspace_error_and_keeps_the_file(workspace_path):
    # a file whose "plans" table is not the app's (version 0): migration 001 cannot create
    # it; the app says it cannot open the workspace (translated), no database traceback
    con = duckdb.connect(str(workspace_path))
    con.execute("CREATE TABLE plans (x INTEGER)")
    con.execute("INSERT INTO plans VALUES (7)")
    con.close()
    with pytest.raises(WorkspaceError) as info:
        Workspace(workspace_path)
    assert info.value.code == "open_failed" and "schema version 1" in str(info.value)
    con = duckdb.connect(str(workspace_path))
    assert con.execute("SELECT * FROM plans").fetchall() == [(7,)]  # rolled back, kept
    con.close()


def test_concurrent_writers_lose_nothing(workspace_path):
    ws = Workspace(workspace_path)
    shared = ws.create_plan("共有")
    own = [ws.create_plan(f"個別{i}") for i in range(2)]
    n = 40

    def writer(k):
        for i in range(n):
            ws.update_plan(shared["id"], lambda p: p["cameras"].append({"id": f"T{k}-{i}"}))
            ws.update_plan(own[k]["id"], lambda p: p["lights"].append({"id": f"L{i}"}))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    final = ws.get_plan(shared["id"])
    ids = [c["id"] for c in final["cameras"]]
    assert len(ids) == 2 * n and len(set(ids)) == 2 * n  # every append survived
    assert final["_revision"] == 1 + 2 * n
    for k in range(2):
        assert [l["id"] for l in ws.get_plan(own[k]["id"])["lights"]] == \
            [f"L{i}" for i in range(n)]


def test_owners_do_not_see_each_others_plans(workspace_path):
    ws = Workspace(workspace_path)
    a = ws.create_plan("Aの計画", owner="a@example.jp")
    ws.create_plan("Bの計画", owner="b@example.jp")
    assert [p["name"] for p in ws.list_plans(owner="a@example.jp")] == ["Aの計画"]
    assert ws.has_plan(a["id"], owner="a@example.jp")
    assert not ws.has_plan(a["id"], owner="b@example.jp") and not ws.has_plan("nope")
    with pytest.raises(WorkspaceError):
        ws.get_plan(a["id"], owner="b@example.jp")
    with pytest.raises(WorkspaceError):
        ws.update_plan(a["id"], lambda p: p.update(name="乗っ取り"), owner="b@example.jp")
    assert ws.get_plan(a["id"], owner="a@example.jp")["name"] == "Aの計画"


def test_failed_change_leaves_plan_unchanged(workspace_path):
    ws = Workspace(workspace_path)
    plan = ws.create_plan("途中失敗")

    def broken(p):
        p["cameras"].append({"id": "C1"})
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        ws.update_plan(plan["id"], broken)
    stored = ws.get_plan(plan["id"])
    assert stored["cameras"] == [] and stored["_revision"] == 1


# ---------------------------------------------------------------------------------------
# large parts stored once by content hash (plan_blobs)
# ---------------------------------------------------------------------------------------
def _district_plan() -> dict:
    """A plan with the parts that are stored as blobs: 300 buildings, map layers and
    lights sharing one IES file (the benchmark scene's, 51 kB)."""
    from benchmarks.scenes import district
    plan = district(seed=1, size_m=300.0, n_buildings=300, n_cameras=10, n_lights=30)
    plan["map_layers"] = {"streets": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"道{i}"}, "geometry": {
            "type": "LineString", "coordinates": [[139.97, 35.87 + i * 1e-4],
                                                  [139.98, 35.87 + i * 1e-4]]}}
        for i in range(60)]}}
    plan["name"] = "区域"
    return plan


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _sizes(ws):
    con = ws._con
    return (con.execute("SELECT max(length(data)) FROM plans").fetchone()[0],
            con.execute("SELECT count(*), coalesce(sum(length(data)), 0) FROM plan_blobs")
            .fetchone())


def test_large_parts_are_stored_once_and_read_back_whole(workspace_path):
    from assessments.plan.frozen import FrozenDict
    from datasets import workspace as W
    original = _district_plan()
    n_ies = sum(1 for lt in original["lights"] if "ies" in lt)
    assert n_ies == 10
    ws = Workspace(workspace_path)
    saved = ws.add_plan(original)
    doc_chars, (n_blobs, blob_chars) = _sizes(ws)
    # buildings, map layers and the one IES text (10 lights share it): 3 blobs; the plan
    # document keeps references only: the 10 cameras, 30 lights without their IES text
    assert n_blobs == 3
    whole = len(_canonical({k: v for k, v in original.items()}))
    assert whole > 500_000 and doc_chars < 40_000 and blob_chars < whole - 400_000
    W._BLOBS.clear()                       # a new process: read from the file
    again = Workspace(workspace_path).get_plan(saved["id"])
    for key in ("buildings", "map_layers", "lights", "cameras", "area"):
        assert _canonical(again[key]) == _canonical(original[key]), key
    assert isinstance(again["buildings"], FrozenDict)
    with pytest.raises(TypeError, match="read-only"):
        again["buildings"]["features"][0]["properties"]["is_home"] = True
    # readers share one parsed copy
    assert Workspace(workspace_path).get_plan(saved["id"])["buildings"] is again["buildings"]


def test_a_save_that_keeps_the_buildings_writes_no_blob(workspace_path):
    ws = Workspace(workspace_path)
    plan = ws.add_plan(_district_plan())
    before = _sizes(ws)[1]
    saved = ws.update_plan(plan["id"], lambda p: p["cameras"][0].update(azimuth_deg=10.0))
    assert saved["cameras"][0]["azimuth_deg"] == 10.0
    assert _sizes(ws)[1] == before
    hist = ws._con.execute("SELECT length(data), blobs FROM plan_history").fetchall()
    assert len(hist) == 1 and hist[0][0] < 40_000 and len(hist[0][1]) == 3


def test_changed_buildings_keep_history_and_unused_blobs_go(workspace_path, monkeypatch):
    from datasets import workspace as W
    monkeypatch.setattr(W, "HISTORY_KEEP", 3)
    ws = Workspace(workspace_path)
    plan = ws.add_plan(_district_plan())
    first = plan["buildings"]

    def mark_home(p):   # the simulation page's way: a new collection
        feats = p["buildings"]["features"]
        p["buildings"] = dict(p["buildings"], features=[
            dict(feats[0], properties=dict(feats[0]["properties"], is_home=True)),
            *feats[1:]])
    saved = ws.update_plan(plan["id"], mark_home)
    assert saved["buildings"]["features"][0]["properties"]["is_home"] is True
    assert _sizes(ws)[1][0] == 4          # the old buildings are kept for revision 1
    assert _canonical(ws.get_revision(plan["id"], 1)["buildings"]) == _canonical(first)
    for k in range(3):                    # revision 1 leaves the kept history (3)
        ws.update_plan(plan["id"], lambda p, k=k: p.update(name=f"版{k}"))
    assert ws.get_revision(plan["id"], 1) is None
    assert _sizes(ws)[1][0] == 3          # … and with it the blob only it used
    assert ws.get_plan(plan["id"])["buildings"]["features"][0]["properties"]["is_home"]


def test_blobs_shared_by_plans_survive_deleting_one(workspace_path):
    ws = Workspace(workspace_path)
    a = ws.add_plan(_district_plan())
    b = ws.duplicate_plan(a["id"], "コピー")
    assert _sizes(ws)[1][0] == 3
    ws.delete_plan(a["id"])
    assert _sizes(ws)[1][0] == 3
    assert len(ws.get_plan(b["id"])["buildings"]["features"]) == 300
    ws.delete_plan(b["id"])
    assert _sizes(ws)[1][0] == 0


def test_a_plan_copied_to_another_workspace_carries_its_blobs(tmp_path):
    # the parsed-blob cache is per process, the blobs per file: a plan read from one
    # workspace and added to another must store its parts there too
    from datasets import workspace as W
    one, two = Workspace(tmp_path / "one.duckdb"), Workspace(tmp_path / "two.duckdb")
    plan = one.get_plan(one.add_plan(_district_plan())["id"])
    copied = two.add_plan(plan)
    W._BLOBS.clear()
    got = Workspace(tmp_path / "two.duckdb").get_plan(copied["id"])
    assert len(got["buildings"]["features"]) == 300
    assert _canonical(got["map_layers"]) == _canonical(plan["map_layers"])


def test_a_version_2_plan_with_inline_buildings_moves_them_out_on_save(workspace_path):
    con = duckdb.connect(str(workspace_path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for n in (1, 2):
        con.execute(next(MIGRATIONS_DIR.glob(f"00{n}_*.sql")).read_text())
        con.execute("INSERT INTO schema_version VALUES ($n)", {"n": n})
    old = _district_plan()
    old["id"] = "v2-plan"
    con.execute("INSERT INTO plans (id, name, data, revision, created_at, updated_at) "
                "VALUES ('v2-plan', $name, $data, 7, 'x', 'x')",
                {"name": old["name"], "data": json.dumps(old, ensure_ascii=False)})
    con.close()
    ws = Workspace(workspace_path)
    assert ws.schema_version() == 4
    assert len(ws.get_plan("v2-plan")["buildings"]["features"]) == 300
    ws.update_plan("v2-plan", lambda p: p.update(name="移行後"))
    assert _sizes(ws)[0] < 40_000 and _sizes(ws)[1][0] == 3
    assert _canonical(ws.get_revision("v2-plan", 7)["buildings"]) == \
        _canonical(old["buildings"])
    assert _canonical(ws.get_plan("v2-plan")["lights"]) == _canonical(old["lights"])


def test_a_blob_reference_inside_an_uploaded_plan_is_not_followed(workspace_path):
    # another plan's buildings must not be reachable by writing their hash into a file
    ws = Workspace(workspace_path)
    victim = ws.add_plan(_district_plan())
    (h,) = [r for r in ws._con.execute("SELECT blobs FROM plans").fetchone()[0]
            if ws._con.execute("SELECT data FROM plan_blobs WHERE hash = $h", {"h": r})
            .fetchone()[0].startswith('{"features"')]
    crafted = parse_plan_json(json.dumps({"version": 1, "name": "細工",
                                          "buildings": {"$blob": h}}))
    got = ws.get_plan(ws.add_plan(crafted)["id"])
    assert got["buildings"] == {"$blob": h}           # the literal value, not the blob
    assert len(ws.get_plan(victim["id"])["buildings"]["features"]) == 300


def test_an_old_plan_is_upgraded_when_read_and_opening_it_saves_nothing(workspace_path):
    # a plan saved by an older version: the camera price in simulation.unit_prices_jpy and a
    # stored copy of the total cost (grant.total_cost_jpy), written as that version wrote it
    ws = Workspace(workspace_path)
    plan = ws.add_plan(new_plan("旧版の費用"))
    old = {k: v for k, v in plan.items() if k != "_revision"}
    old["cameras"] = [{"id": "C1", "lat": 35.0, "lon": 139.0, "mount_height_m": 5.0,
                       "azimuth_deg": 0.0, "tilt_deg": 15.0, "hfov_deg": 90.0}]
    old["simulation"] = {"unit_prices_jpy": {"camera": 250_000, "pole": 90_000}}
    old["grant"] = {"scheme_id": None, "stage": "implementation", "total_cost_jpy": 6_249_000}
    ws._con.execute("UPDATE plans SET data = $data WHERE id = $id",
                    {"data": json.dumps(old, ensure_ascii=False), "id": plan["id"]})
    got = ws.get_plan(plan["id"])
    assert got["cameras"][0]["unit_price_jpy"] == 250_000       # moved onto the device
    assert got["simulation"] == {"unit_prices_jpy": {"pole": 90_000}}
    assert "total_cost_jpy" not in got["grant"]                 # derived, never stored
    assert got["_revision"] == plan["_revision"]                # reading saved nothing
    raw = json.loads(ws._con.execute("SELECT data FROM plans WHERE id = $id",
                                     {"id": plan["id"]}).fetchone()[0])
    assert raw["grant"]["total_cost_jpy"] == 6_249_000          # stored as it was ...
    saved = ws.update_plan(plan["id"], lambda p: p.update(name="保存後"))
    raw = json.loads(ws._con.execute("SELECT data FROM plans WHERE id = $id",
                                     {"id": plan["id"]}).fetchone()[0])
    assert "total_cost_jpy" not in raw["grant"]                 # ... until the next save
    assert raw["cameras"][0]["unit_price_jpy"] == 250_000 and saved["_revision"] == 2


def test_a_change_that_changes_nothing_writes_no_revision(workspace_path):
    # a widget callback that sends the value the plan already holds (a browser resending a
    # widget's state) must not add a revision or touch updated_at
    ws = Workspace(workspace_path)
    plan = ws.add_plan(new_plan("変更なし"))
    same = ws.update_plan(plan["id"], lambda p: p.update(name="変更なし"))
    assert same["_revision"] == plan["_revision"] == 1 and same["_unchanged"] is True
    assert ws.get_plan(plan["id"])["updated_at"] == plan["updated_at"]
    assert ws.get_revision(plan["id"], 1) is None          # no history row either
    changed = ws.update_plan(plan["id"], lambda p: p.update(use_cases=["people_count"]))
    assert changed["_revision"] == 2 and ws.get_revision(plan["id"], 1)["use_cases"] == []
    assert "_unchanged" not in changed


def test_a_save_that_changes_nothing_is_not_reported_as_saved(workspace_path):
    """The sidebar's 「✓ 保存しました（…、版 N）」 follows real saves only: a widget sending
    back the value the plan holds (a rerun after a plan or language switch) writes nothing
    and must not show it either."""
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from ui import state
        name = state.current_plan()["name"]
        if st.button("same", key="same"):
            state.update_plan(lambda p: p.update(name=name))
        if st.button("other", key="other"):
            state.update_plan(lambda p: p.update(name=name + "・改"))
        st.write(repr(st.session_state.get(state.SAVED_KEY)))

    at = AppTest.from_function(page).run()
    at.button(key="same").click().run()
    assert not at.exception and at.markdown[-1].value == "None"
    at.button(key="other").click().run()
    assert "'revision': 2" in at.markdown[-1].value
    # and the stored plan with the marker stripped
    ws = Workspace(workspace_path)
    stored = ws.get_plan(at.session_state["plan_id"])
    assert stored["_revision"] == 2 and "_unchanged" not in stored
