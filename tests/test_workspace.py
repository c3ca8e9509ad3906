"""Plans: create / switch / rename / duplicate / delete, JSON round trip, migration,
concurrent writers."""
from __future__ import annotations

import json
import threading

import duckdb
import pytest

from assessments.plan import (PLAN_VERSION, PlanFormatError, dump_plan_json, new_plan,
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
    assert ws.schema_version() == 2
    stored = ws.get_plan(old["id"])
    assert stored["name"] == "旧版の計画" and stored["_revision"] == 3
    saved = ws.update_plan(old["id"], lambda p: p["use_cases"].append("watch_children"))
    assert saved["_revision"] == 4 and ws.get_revision(old["id"], 3)["use_cases"] == []


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
