"""Faults: the app is killed mid-save, the workspace is read-only or its disk is full, the
reference database is missing, corrupt or cannot be written, the workspace is locked.

Each fault must show a clear message in the user's language (never a traceback) and lose
nothing that was committed; a change that could not be saved stays in the session and is
saved by "もう一度保存する" once the fault is gone.

Root-only parts (a tiny tmpfs for "disk full" and a read-only remount) fall back to a
mocked write failure / ``chmod`` when the tests do not run as root.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from datasets import refdb
from datasets.workspace import Workspace, WorkspaceError

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PROJECT_PAGE = str(ROOT / "pages" / "project_plan.py")
SAMPLE = ROOT / "datasets" / "sample_district" / "plan.json"


# ----------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def tmpfs(path: Path, size: str = "2m"):
    """Mount a tiny tmpfs at ``path`` (root only); yields False when that is impossible."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        yield False
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True)
    if done.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(path)], capture_output=True)
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(directory: Path, leave_bytes: int = 4096) -> Path:
    """Fill the file system of ``directory`` up to ``leave_bytes``."""
    filler = directory / "filler.bin"
    stat = os.statvfs(directory)
    free = stat.f_bavail * stat.f_frsize
    with open(filler, "wb") as fh:
        try:
            fh.write(b"\0" * max(0, free - leave_bytes))
        except OSError:
            pass
    return filler


def texts(at) -> str:
    parts = [e.value for e in list(at.error) + list(at.warning) + list(at.info)]
    parts += [e.value for e in list(at.sidebar.error) + list(at.sidebar.warning)]
    parts += [c.value for c in at.sidebar.caption]
    return "\n".join(str(p) for p in parts)


def project_page(lang: str = "ja") -> AppTest:
    at = AppTest.from_file(PROJECT_PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def title_input(at):
    return next(w for w in at.text_input if w.key.startswith("pp_title@"))


def stored_title(path: Path) -> str:
    ws = Workspace(path)
    try:
        plan = ws.get_plan(ws.list_plans()[0]["id"])
    finally:
        ws.close()
    return plan["project"]["title"]


# ------------------------------------------------------------- SIGKILL in the middle of a save
WRITER = textwrap.dedent("""
    import json, sys
    from datasets.workspace import Workspace
    ws = Workspace(sys.argv[1])
    plan_id = ws.list_plans()[0]["id"]
    n = int(sys.argv[2])
    while True:
        n += 1
        saved = ws.update_plan(plan_id, lambda p: p["project"].update(title=f"rev-{n}"))
        print(saved["_revision"], n, flush=True)   # printed only after COMMIT returned
""")


def test_sigkill_during_saves_keeps_last_committed_state(tmp_path):
    """A writer process saving a 235 kB plan (the sample district) in a loop is killed with
    SIGKILL five times at different moments; each time the workspace opens and holds at least
    the last revision the writer had reported committed, with that revision's own text."""
    path = tmp_path / "ws.duckdb"
    ws = Workspace(path)
    plan = json.loads(SAMPLE.read_text(encoding="utf-8"))
    plan.pop("id", None)
    ws.add_plan(plan)
    ws.close()
    counter = 0
    for attempt in range(5):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(counter)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                env=dict(os.environ, PYTHONPATH=str(ROOT)))
        committed: list[tuple[int, int]] = []
        reader = threading.Thread(target=lambda: committed.extend(
            tuple(map(int, line.split())) for line in proc.stdout))
        reader.start()
        deadline = time.monotonic() + 30
        while len(committed) < 3 + 4 * attempt and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.013 * attempt)  # land at different points of a save
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join()
        assert committed, "the writer never committed"
        last_revision, last_n = committed[-1]
        ws = Workspace(path)  # opens (WAL replayed), no error
        stored = ws.get_plan(ws.list_plans()[0]["id"])
        # at least the last reported commit; at most one more (committed, not yet printed)
        assert stored["_revision"] in (last_revision, last_revision + 1)
        n = int(stored["project"]["title"].removeprefix("rev-"))
        assert stored["_revision"] - last_revision == n - last_n
        assert len(stored["buildings"]["features"]) == len(plan["buildings"]["features"])
        assert ws.get_revision(stored["id"], stored["_revision"] - 1)["project"]["title"] \
            == f"rev-{n - 1}" or n == 1
        ws.close()
        counter = n


@pytest.mark.browser
def test_sigkill_streamlit_server_mid_save_then_restart(tmp_path):
    """The real server: a session saves the title over and over (websocket, like a browser);
    the server gets SIGKILL mid-run; after a restart the page opens and shows the last title
    the UI had reported as saved (or the one being saved at the kill)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from load_sessions import Session
    from tests.browser import streamlit_server

    path = tmp_path / "ws.duckdb"
    reported: list[tuple[int, str]] = []
    with streamlit_server(path) as (url, proc):
        session = Session(url, "K")
        session.run()
        key = next(k for k in session.widgets if k.startswith("pp_title@"))
        stop = threading.Event()

        def edit():
            n = 0
            with contextlib.suppress(Exception):  # the connection dies with the server
                while not stop.is_set():
                    n += 1
                    value = f"タイトル {n}"
                    session.run([(session.widget(key), "string_value", value)], timeout_s=20)
                    revision = session.saved_revision()
                    if revision is not None:
                        reported.append((revision, value))

        thread = threading.Thread(target=edit)
        thread.start()
        deadline = time.monotonic() + 40
        while len(reported) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        thread.join(30)
    assert len(reported) >= 4
    last_revision, last_value = reported[-1]
    with streamlit_server(path) as (url, proc):  # restart on the same workspace
        session = Session(url, "after")
        session.run()
        assert session.exceptions == []
        assert any(k.startswith("pp_title@") for k in session.widgets)  # the page drew
        session.close()
    ws = Workspace(path)
    plan = ws.get_plan(ws.list_plans()[0]["id"])
    ws.close()
    n_last = int(last_value.split()[-1])
    assert plan["_revision"] >= last_revision
    # the stored title is the last reported one or the one whose save was cut by the kill
    assert plan["project"]["title"] in (last_value, f"タイトル {n_last + 1}")


# --------------------------------------------------------------------------- read-only file
def _make_read_only(directory: Path, mounted: bool) -> None:
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
    else:
        for p in directory.iterdir():
            p.chmod(0o444)
        directory.chmod(0o555)


def _make_writable(directory: Path, mounted: bool) -> None:
    if mounted:
        subprocess.run(["mount", "-o", "remount,rw", str(directory)], check=True)
    else:
        directory.chmod(0o755)
        for p in directory.iterdir():
            p.chmod(0o644)


@pytest.mark.parametrize("lang, words", [("ja", "読み取り専用"), ("en", "read-only")])
def test_read_only_workspace_shows_plans_and_refuses_changes(tmp_path, monkeypatch, lang,
                                                             words):
    directory = tmp_path / "ro"
    with tmpfs(directory) as mounted:
        if not mounted and os.geteuid() == 0:
            pytest.skip("root without mount: chmod does not stop root")
        path = directory / "ws.duckdb"
        ws = Workspace(path)
        plan = ws.create_plan("読み取り専用の計画")
        ws.update_plan(plan["id"], lambda p: p["project"].update(title="保存済みの事業名"))
        ws.close()
        monkeypatch.setenv("MIMAMORI_WORKSPACE", str(path))
        _make_read_only(directory, mounted)
        try:
            ro = Workspace(path)
            assert ro.read_only
            assert ro.get_plan(plan["id"])["project"]["title"] == "保存済みの事業名"
            with pytest.raises(WorkspaceError) as info:
                ro.update_plan(plan["id"], lambda p: p.update(name="x"))
            assert info.value.code == "read_only"
            ro.close()

            at = project_page(lang)
            assert words in texts(at)  # the banner
            assert title_input(at).value == "保存済みの事業名"  # the plan is shown
            title_input(at).input("新しい事業名").run()
            assert not at.exception
            assert words in "\n".join(e.value for e in at.error)
            # the translated reason only: never the database's English text or the path
            assert str(path) not in "\n".join(e.value for e in at.error)
            assert "1" in "\n".join(w.value for w in at.sidebar.warning)  # 1 pending change
        finally:
            _make_writable(directory, mounted)
        # the administrator fixed the file: "save again" stores the kept change
        at.button(key="_retry_saves").click().run()
        assert not at.exception
        assert at.session_state["_pending_saves"] == []
        from ui import state
        state._workspace.clear()
        assert stored_title(path) == "新しい事業名"


# ------------------------------------------------------------------------------ disk full
@pytest.mark.parametrize("lang, words", [("ja", "ディスクの空き容量"), ("en", "disk is full")])
def test_disk_full_keeps_the_change_and_saves_it_later(tmp_path, monkeypatch, lang, words):
    directory = tmp_path / "small"
    with tmpfs(directory, "2m") as mounted:
        path = directory / "ws.duckdb"
        monkeypatch.setenv("MIMAMORI_WORKSPACE", str(path))
        at = project_page(lang)
        before = stored_title(path) if not mounted else None
        filler = None
        if mounted:
            filler = fill(directory)
        else:  # mocked: DuckDB's message when the WAL cannot grow
            from datasets import queries
            real = queries.execute

            def full(cur, name, **params):
                if name == "workspace/update_plan":
                    raise duckdb.IOException('Could not write file "ws.duckdb.wal": '
                                             "No space left on device")
                return real(cur, name, **params)
            monkeypatch.setattr(queries, "execute", full)
        big = "長い説明文。" * 40_000  # 240 000 characters ≈ 720 kB of UTF-8
        title_input(at).input(big).run()
        assert not at.exception
        assert words in "\n".join(e.value for e in at.error)
        assert at.session_state["_pending_saves"]  # kept in the session
        assert title_input(at).value == big  # still on screen
        # space again
        if filler is not None:
            filler.unlink()
        else:
            monkeypatch.undo()
            monkeypatch.setenv("MIMAMORI_WORKSPACE", str(path))
        at.button(key="_retry_saves").click().run()
        assert not at.exception
        assert at.session_state["_pending_saves"] == []
        from ui import state
        ws = state._workspace(str(path))
        plan = ws.get_plan(ws.list_plans()[0]["id"])
        assert plan["project"]["title"] == big
        assert before in (None, "")


def test_workspace_write_failure_rolls_back_and_names_the_cause(tmp_path):
    # a failing COMMIT used to surface as "cannot rollback - no transaction is active";
    # the user must see the real cause
    directory = tmp_path / "tiny"
    with tmpfs(directory, "1m") as mounted:
        if not mounted:
            pytest.skip("needs root to mount a tmpfs")
        ws = Workspace(directory / "ws.duckdb")
        plan = ws.create_plan("a")
        filler = fill(directory, 8192)
        with pytest.raises(WorkspaceError) as info:
            ws.update_plan(plan["id"], lambda p: p.update(blob="x" * 300_000))
        assert info.value.code == "disk_full"
        assert "No space left" in str(info.value)
        assert "blob" not in ws.get_plan(plan["id"])  # unchanged
        filler.unlink()
        ws.update_plan(plan["id"], lambda p: p.update(name="b"))  # usable again
        assert ws.get_plan(plan["id"])["_revision"] == 2
        ws.close()


# ------------------------------------------------------------------- workspace locked / bad
def test_workspace_locked_by_another_process_shows_message(tmp_path, monkeypatch):
    path = tmp_path / "locked.duckdb"
    Workspace(path).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("ok", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setenv("MIMAMORI_WORKSPACE", str(path))
        for lang, words in (("ja", "作業ファイルを開けません"), ("en", "Cannot open the workspace")):
            at = AppTest.from_file(APP, default_timeout=60)
            at.session_state["lang"] = lang
            at.run()
            assert not at.exception
            assert words in at.error[0].value
    finally:
        holder.kill()
        holder.wait()


def test_workspace_that_is_not_a_database_shows_message(tmp_path, monkeypatch):
    path = tmp_path / "garbage.duckdb"
    path.write_bytes(b"this is not a duckdb file\n" * 100)
    monkeypatch.setenv("MIMAMORI_WORKSPACE", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "作業ファイルを開けません" in at.error[0].value
    assert path.read_bytes() == b"this is not a duckdb file\n" * 100  # untouched


# ------------------------------------------------------------------------- reference DB
def test_reference_db_missing_or_corrupt_is_rebuilt_from_csvs(tmp_path):
    directory = tmp_path / "ref"
    path = refdb.ensure_reference_db(directory)
    con = duckdb.connect(str(path), read_only=True)
    n_schemes = con.execute("SELECT count(*) FROM grant_schemes").fetchone()[0]
    con.close()
    # the CSV has one row per scheme (header excluded)
    import csv
    with open(ROOT / "datasets" / "grant_schemes.csv", encoding="utf-8", newline="") as fh:
        assert n_schemes == sum(1 for _ in csv.DictReader(fh)) > 0
    # corrupt: garbage over the whole file
    path.write_bytes(b"\x00garbage" * 1000)
    again = refdb.ensure_reference_db(directory)
    assert again == path
    con = duckdb.connect(str(again), read_only=True)
    assert con.execute("SELECT count(*) FROM grant_schemes").fetchone()[0] == n_schemes
    con.close()
    # missing: the whole folder removed
    import shutil
    shutil.rmtree(directory)
    con = refdb.connect(directory)
    assert con.execute("SELECT count(*) FROM grant_schemes").fetchone()[0] == n_schemes
    con.close()


@pytest.mark.parametrize("damage", ["corrupt", "unwritable"])
def test_app_runs_when_reference_db_is_damaged(tmp_path, monkeypatch, damage):
    from ui import state
    directory = tmp_path / "ref"
    if damage == "corrupt":
        directory.mkdir()
        digest = refdb.content_hash()
        (directory / f"reference-{digest[:16]}.duckdb").write_bytes(b"\xff" * 5000)
    else:  # the cache "folder" is a file: it cannot be created (even as root)
        directory.write_text("not a folder")
    monkeypatch.setenv("MIMAMORI_REFDB_DIR", str(directory))
    state._reference.clear()
    try:
        at = AppTest.from_file(str(ROOT / "pages" / "grants.py"), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        cur = state.ref_cursor()
        assert cur.execute("SELECT count(*) FROM grant_schemes").fetchone()[0] > 0
    finally:
        state._reference.clear()
