"""Shared deployment: two logged-in users never see each other's plans; without login the
app behaves as a single-PC app (all sessions share the plans of owner ``""``).

Identities are faked with ``AppTest.user`` (what ``st.user`` returns after ``st.login``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace, WorkspaceError

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
ALICE = {"is_logged_in": True, "email": "alice@city.kashiwa.example", "name": "Alice"}
BOB = {"is_logged_in": True, "email": "bob@city.matsudo.example", "name": "Bob"}


def run_as(user: dict | None, *, lang: str = "ja", plan_id: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.user = user
    at.session_state["lang"] = lang
    if plan_id:
        at.session_state["plan_id"] = plan_id
    at.run()
    assert not at.exception, at.exception
    return at


def all_plans(path: Path) -> list[tuple[str, str]]:
    ws = Workspace(path)
    rows = ws._con.execute("SELECT owner, name FROM plans ORDER BY owner, name").fetchall()
    ws.close()
    return rows


SAMPLE = "サンプル：新座市モデル地区（PLATEAU）"  # every new owner also gets the sample plan


def test_two_users_see_only_their_own_plans(workspace_path):
    alice = run_as(ALICE)
    alice_id = alice.session_state["plan_id"]
    # Alice renames her plan in the sidebar
    alice.text_input(key=f"plan_rename_{alice_id}").input("柏市 秘密の計画")
    alice.button(key="plan_rename_btn").click().run()
    assert not alice.exception
    assert sorted(alice.sidebar.selectbox[0].options) == sorted(["柏市 秘密の計画", SAMPLE])

    bob = run_as(BOB)
    bob_id = bob.session_state["plan_id"]
    assert bob_id != alice_id
    # Bob's selector lists exactly his own first plan and sample, not Alice's plan
    assert sorted(bob.sidebar.selectbox[0].options) == sorted(["はじめての計画", SAMPLE])
    assert all_plans(workspace_path) == [("alice@city.kashiwa.example", SAMPLE),
                                         ("alice@city.kashiwa.example", "柏市 秘密の計画"),
                                         ("bob@city.matsudo.example", "はじめての計画"),
                                         ("bob@city.matsudo.example", SAMPLE)]
    # the logged-in user is named in the sidebar
    # (escaped for Markdown: "bob@city\\.matsudo\\.example" shows as the plain address)
    assert any(re.sub(r"\\(.)", r"\1", c.value) == "ログイン中：bob@city.matsudo.example"
               for c in bob.sidebar.caption)


def test_a_plan_id_of_another_user_is_not_opened(workspace_path):
    alice = run_as(ALICE)
    alice_id = alice.session_state["plan_id"]
    # Bob's session somehow carries Alice's plan id (a shared link, a stale session)
    bob = run_as(BOB, plan_id=alice_id)
    assert bob.session_state["plan_id"] != alice_id
    assert "柏市" not in " ".join(bob.sidebar.selectbox[0].options)


def test_workspace_calls_with_the_wrong_owner_fail(workspace_path):
    ws = Workspace(workspace_path)
    plan = ws.create_plan("Aの計画", owner="a@example.jp")
    assert ws.list_plans(owner="b@example.jp") == []
    assert ws.list_plans() == []  # nor to the single-PC owner ""
    with pytest.raises(WorkspaceError) as info:
        ws.get_plan(plan["id"], owner="b@example.jp")
    assert info.value.code == "not_found"
    with pytest.raises(WorkspaceError):
        ws.update_plan(plan["id"], lambda p: p.update(name="hijacked"), owner="b@example.jp")
    ws.delete_plan(plan["id"], owner="b@example.jp")  # deletes nothing
    with pytest.raises(WorkspaceError):
        ws.duplicate_plan(plan["id"], "copy", owner="b@example.jp")
    # an upload by B that carries A's plan id gets a fresh id: A's plan is never replaced
    stolen = dict(ws.get_plan(plan["id"], owner="a@example.jp"), name="B's upload")
    added = ws.add_plan(stolen, owner="b@example.jp")
    assert added["id"] != plan["id"]
    kept = ws.get_plan(plan["id"], owner="a@example.jp")
    assert (kept["name"], kept["_revision"]) == ("Aの計画", 1)
    ws.close()


@pytest.mark.parametrize("lang, button", [("ja", "ログイン"), ("en", "Log in")])
def test_login_required_shows_only_the_login_screen(workspace_path, monkeypatch, lang, button):
    monkeypatch.setenv("MIMAMORI_REQUIRE_LOGIN", "1")
    at = run_as({"is_logged_in": False}, lang=lang)
    assert [b.label for b in at.button] == [button]
    assert len(at.sidebar.selectbox) == 0  # no plan selector
    assert all_plans(workspace_path) == []  # nothing created for an anonymous visitor
    # logged in, the same deployment works normally
    at = run_as(ALICE, lang=lang)
    assert at.sidebar.selectbox[0].options
    assert {o for o, _ in all_plans(workspace_path)} == {"alice@city.kashiwa.example"}


def test_without_auth_all_sessions_share_the_single_pc_plans(workspace_path):
    # AppTest's default user ({"email": ...} without is_logged_in) = no auth configured
    first = run_as(None)
    second = run_as(None)
    assert first.session_state["plan_id"] == second.session_state["plan_id"]
    assert all_plans(workspace_path) == [("", "はじめての計画"), ("", SAMPLE)]
    assert [b.key for b in second.sidebar.button if b.key == "_logout_btn"] == []
