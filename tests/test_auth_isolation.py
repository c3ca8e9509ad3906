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
ISS = "https://accounts.example.jp"
ALICE = {"is_logged_in": True, "iss": ISS, "sub": "alice-0001", "email_verified": True,
         "email": "alice@city.kashiwa.example", "name": "Alice"}
BOB = {"is_logged_in": True, "iss": ISS, "sub": "bob-0002", "email_verified": True,
       "email": "bob@city.matsudo.example", "name": "Bob"}
#: The owner keys: issuer + subject (OIDC Core 1.0 §2), never the e-mail address
A_KEY, B_KEY = f"{ISS}|alice-0001", f"{ISS}|bob-0002"


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
    assert all_plans(workspace_path) == [(A_KEY, SAMPLE), (A_KEY, "柏市 秘密の計画"),
                                         (B_KEY, "はじめての計画"), (B_KEY, SAMPLE)]
    # the logged-in user is named in the sidebar by name (escaped for Markdown)
    assert any(re.sub(r"\\(.)", r"\1", c.value) == "ログイン中：Bob"
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
    assert {o for o, _ in all_plans(workspace_path)} == {A_KEY}


def test_without_auth_all_sessions_share_the_single_pc_plans(workspace_path):
    # AppTest's default user ({"email": ...} without is_logged_in) = no auth configured
    first = run_as(None)
    second = run_as(None)
    assert first.session_state["plan_id"] == second.session_state["plan_id"]
    assert all_plans(workspace_path) == [("", "はじめての計画"), ("", SAMPLE)]
    assert [b.key for b in second.sidebar.button if b.key == "_logout_btn"] == []


def test_the_same_email_from_another_account_sees_nothing(workspace_path):
    """An account of another subject carrying Alice's address unverified, or whose subject
    is her address, never sees her plans (the owner is issuer + subject)."""
    alice = run_as(ALICE)
    alice.text_input(key=f"plan_rename_{alice.session_state['plan_id']}").input("柏市 秘密の計画")
    alice.button(key="plan_rename_btn").click().run()
    for mallory in ({"is_logged_in": True, "iss": ISS, "sub": "mallory-9", "name": "M",
                     "email": ALICE["email"], "email_verified": False},
                    {"is_logged_in": True, "iss": ISS, "sub": ALICE["email"], "name": "M"},
                    {"is_logged_in": True, "iss": "https://other-issuer.example",
                     "sub": "alice-0001", "email": ALICE["email"], "email_verified": False}):
        at = run_as(mallory)
        assert "柏市 秘密の計画" not in " ".join(at.sidebar.selectbox[0].options), mallory
    assert ("柏市 秘密の計画" in [n for o, n in all_plans(workspace_path) if o == A_KEY])


def test_plans_saved_under_a_verified_email_move_to_the_account(workspace_path):
    """Plans an earlier version saved under the e-mail address: the account whose issuer
    verified that address gets them (once); an unverified one does not."""
    ws = Workspace(workspace_path)
    ws.create_plan("以前の計画", owner=ALICE["email"])
    ws.close()
    run_as({**ALICE, "email_verified": False})      # not verified: nothing moves
    assert ("以前の計画" in [n for o, n in all_plans(workspace_path) if o == ALICE["email"]])
    at = run_as(ALICE)
    assert "以前の計画" in at.sidebar.selectbox[0].options
    assert [n for o, n in all_plans(workspace_path) if o == ALICE["email"]] == []


def test_owner_keys(workspace_path):
    from ui.state import owner_id, verified_email
    assert owner_id({"iss": ISS, "sub": "x"}) == f"{ISS}|x"
    assert owner_id({"email": "a@b.jp"}) == ""          # no subject: not an owner
    assert verified_email({"email": "a@b.jp", "email_verified": "true"}) == "a@b.jp"
    assert verified_email({"email": "a@b.jp"}) == ""
    ws = Workspace(workspace_path)
    try:   # the single-PC owner "" is never moved to or from
        for old, new in (("", "x"), ("x", ""), ("x", "x")):
            with pytest.raises(ValueError):
                ws.reassign_owner(old, new)
    finally:
        ws.close()
