"""Load: concurrent sessions editing plans through Streamlit's websocket protocol.

Starts ``streamlit run app.py`` on 127.0.0.1 with a fresh workspace and drives N sessions
over the same websocket protocol the browser uses (``/_stcore/stream``, protobuf
``BackMsg``/``ForwardMsg``): each session sends the widget values a user would type and reads
back what the page shows. Sessions of the first group each create their own plan and then
edit its title over and over; two more sessions edit *the same* plan (one the title, the other
the applicant field). A save counts as "reported saved" when the sidebar shows
``✓ 保存しました（…、版 N）`` for that run and no error is shown.

Afterwards (server stopped) the workspace is opened and checked: it opens, every plan parses,
and for every reported save the stored revision N (current or in ``plan_history``) holds the
value the session typed. The server's RSS is sampled from ``/proc`` during the run.

Usage::

    python benchmarks/load_sessions.py [--sessions 10] [--shared 2] [--seconds 60]

Prints the figures (saves, reported saves, lost updates, latency percentiles, RSS). No
network access beyond 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning, module=__name__)

SAVED_RE = re.compile(r"(?:保存しました|Saved)（?\(?[^、,]*[、,]\s*(?:版|revision)\s*(\d+)")
PAGE = "project_plan"


class Session:
    """One browser tab, spoken to over the websocket (no browser)."""

    def __init__(self, url: str, name: str):
        self.name = name
        # entered as a context manager (websockets ≥ 16 deprecates the bare connection)
        self._conn = connect(url.replace("http://", "ws://") + "/_stcore/stream",
                             subprotocols=["streamlit"], max_size=None, open_timeout=30)
        self.ws = self._conn.__enter__()
        self.widgets: dict[str, str] = {}   # user key suffix -> widget id
        self.texts: list[str] = []          # alert / caption / markdown bodies of the last run
        self.exceptions: list[str] = []

    def close(self):
        self._conn.__exit__(None, None, None)

    def run(self, widget_values: list[tuple[str, str, object]] = (), timeout_s: float = 60):
        """One script run with ``[(widget_id, kind, value)]``; collects the page."""
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = ""
        rerun.page_name = PAGE
        for wid, kind, value in widget_values:
            state = rerun.widget_states.widgets.add()
            state.id = wid
            setattr(state, kind, value)
        self.ws.send(msg.SerializeToString())
        self.widgets, self.texts = {}, []
        deadline = time.monotonic() + timeout_s
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.widgets, self.texts = {}, []
            elif kind == "page_info_changed":
                pass
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                ek = el.WhichOneof("type")
                body = getattr(el, ek)
                wid = getattr(body, "id", "")
                if wid.startswith("$$ID-"):
                    self.widgets[wid.split("-", 2)[2]] = wid
                if ek == "exception":
                    self.exceptions.append(body.message)
                if ek in ("alert", "markdown", "toast") or hasattr(body, "body"):
                    self.texts.append(getattr(body, "body", ""))
            elif kind == "script_finished":
                # 0 = FINISHED_SUCCESSFULLY; others: rerun requested (st.rerun) -> keep reading
                if fwd.script_finished in (0, 3):
                    return

    def widget(self, suffix: str) -> str:
        for key, wid in self.widgets.items():
            if key == suffix or key.endswith(suffix):
                return wid
        raise KeyError(f"{self.name}: no widget {suffix!r} in {sorted(self.widgets)}")

    def saved_revision(self) -> int | None:
        if any("保存できません" in x or "Could not save" in x or "Cannot save" in x
               for x in self.texts):
            return None
        for text in self.texts:
            match = SAVED_RE.search(text)
            if match:
                return int(match.group(1))
        return None


def rss_kb(pid: int) -> int:
    """Resident set size of the process and its children [kB] (from /proc)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    except OSError:
        pass
    return total


def plan_id_of(session: Session) -> str:
    for key in session.widgets:  # "pp_title@<plan id>.<lang>" (ui.state.widget_key)
        if key.startswith("pp_title@"):
            return key[len("pp_title@"):].rsplit(".", 1)[0]
    raise RuntimeError(f"{session.name}: the project page did not draw; exceptions "
                       f"{session.exceptions[:1]}, texts {session.texts[:3]}")


def editor(url: str, name: str, *, field: str, create: bool, stop: threading.Event,
           log: list, errors: list, ready: threading.Barrier | None):
    """Edit ``field`` of a plan until ``stop``; append (plan_id, field, revision, value)."""
    try:
        s = Session(url, name)
        s.run()
        if create:
            s.run([(s.widget("plan_new_name"), "string_value", f"負荷試験 {name}"),
                   (s.widget("plan_new_btn"), "trigger_value", True)])
        pid = plan_id_of(s)
        if ready is not None:
            ready.wait(120)
        n = 0
        while not stop.is_set():
            n += 1
            value = f"{name} 編集{n} <b>&amp;</b>"
            t0 = time.perf_counter()
            s.run([(s.widget(f"pp_{field}@{pid}.ja"), "string_value", value)])
            dt = time.perf_counter() - t0
            rev = s.saved_revision()
            log.append({"session": name, "plan": pid, "field": field, "value": value,
                        "revision": rev, "seconds": dt})
            if s.exceptions:
                errors.append(f"{name}: exception shown: {s.exceptions[:1]}")
                s.exceptions.clear()
        s.close()
    except Exception as exc:  # reported by the caller; a load test must not hang
        errors.append(f"{name}: {type(exc).__name__}: {exc}")


def check_workspace(path: Path, log: list) -> dict:
    """Open the workspace after the run and compare with what the UI reported as saved."""
    from assessments.plan.document import normalise
    from datasets.workspace import Workspace
    ws = Workspace(path)
    con = ws._con
    plans = {r[0]: (json.loads(r[1]), r[2]) for r in
             con.execute("SELECT id, data, revision FROM plans").fetchall()}
    for plan, _ in plans.values():
        normalise(plan)  # raises on a corrupted document
    history = {(r[0], r[1]): json.loads(r[2]) for r in
               con.execute("SELECT plan_id, revision, data FROM plan_history").fetchall()}
    checked = lost = unverifiable = 0
    lost_rows = []
    for row in log:
        if row["revision"] is None:
            continue
        plan, current = plans.get(row["plan"], (None, None))
        if plan is None:
            lost += 1
            lost_rows.append(row)
            continue
        stored = plan if row["revision"] == current else history.get((row["plan"],
                                                                     row["revision"]))
        if stored is None:
            unverifiable += 1  # older than the kept history (HISTORY_KEEP revisions)
            continue
        checked += 1
        if (stored.get("project") or {}).get(row["field"]) != row["value"]:
            lost += 1
            lost_rows.append(row)
    # the last reported value of every (plan, field) must be the current one
    last: dict = {}
    for row in log:
        if row["revision"] is not None:
            last[(row["plan"], row["field"])] = row
    final_lost = sum(1 for (pid, field), row in last.items()
                     if (plans[pid][0].get("project") or {}).get(field) != row["value"])
    ws.close()
    return {"plans": len(plans), "checked": checked, "lost": lost, "final_lost": final_lost,
            "unverifiable_old": unverifiable, "lost_rows": lost_rows[:5]}


def run_load(*, sessions: int = 10, shared: int = 2, seconds: float = 60,
             workdir: Path | None = None, verbose: bool = True) -> dict:
    from tests.browser import streamlit_server
    workdir = Path(workdir or tempfile.mkdtemp(prefix="mimamori-load-"))
    ws_path = workdir / "load.duckdb"
    os.environ.setdefault("MIMAMORI_REFDB_DIR", str(workdir / "ref"))
    log: list = []
    errors: list = []
    rss: list[tuple[float, int]] = []
    stop = threading.Event()
    with streamlit_server(ws_path) as (url, proc):
        rss_start = rss_kb(proc.pid)
        # the shared plan: the first plan of the workspace, created by the first visit
        first = Session(url, "warmup")
        first.run()
        first.close()
        ready = threading.Barrier(sessions + shared + 1)
        threads = []
        fields = ["title", "applicant", "purpose", "issues", "target_state"]
        for i in range(shared):
            threads.append(threading.Thread(target=editor, args=(url, f"S{i + 1}"), kwargs=dict(
                field=fields[i % len(fields)], create=False, stop=stop, log=log,
                errors=errors, ready=ready)))
        for i in range(sessions):
            threads.append(threading.Thread(target=editor, args=(url, f"D{i + 1}"), kwargs=dict(
                field="title", create=True, stop=stop, log=log, errors=errors, ready=ready)))
        for th in threads[:shared]:  # shared sessions first: they land on the first plan
            th.start()
        time.sleep(1.0)
        for th in threads[shared:]:
            th.start()
        try:
            ready.wait(180)
        except threading.BrokenBarrierError:
            errors.append("sessions did not get ready")
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            rss.append((time.monotonic() - t0, rss_kb(proc.pid)))
            time.sleep(0.5)
        stop.set()
        for th in threads:
            th.join(60)
        rss.append((time.monotonic() - t0, rss_kb(proc.pid)))
        elapsed = time.monotonic() - t0
    result = check_workspace(ws_path, log)
    saves = [r for r in log if r["revision"] is not None]
    lat = sorted(r["seconds"] for r in log) or [0.0]
    shared_plans = {r["plan"] for r in log if r["session"].startswith("S")}
    values = [v for _, v in rss]
    half = [v for t, v in rss if t >= elapsed / 2] or values
    result.update(
        sessions=sessions + shared, seconds=round(elapsed, 1), runs=len(log),
        reported_saved=len(saves), not_reported=len(log) - len(saves),
        saves_per_s=round(len(saves) / elapsed, 1),
        latency_p50_s=round(statistics.median(lat), 3),
        latency_p95_s=round(lat[int(0.95 * (len(lat) - 1))], 3),
        shared_plan_ids=len(shared_plans),
        min_saves_per_session=min((sum(1 for r in saves if r["session"] == name)
                                   for name in {r["session"] for r in log}), default=0),
        sessions_with_saves=len({r["session"] for r in saves}),
        rss_start_mb=round(rss_start / 1024, 1), rss_peak_mb=round(max(values) / 1024, 1),
        rss_end_mb=round(values[-1] / 1024, 1),
        rss_second_half_growth_mb=round((max(half) - min(half)) / 1024, 1),
        errors=errors[:10])
    if verbose:
        for key, value in result.items():
            print(f"{key:28s} {value}")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--shared", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv)
    result = run_load(sessions=args.sessions, shared=args.shared, seconds=args.seconds)
    return 1 if (result["lost"] or result["final_lost"] or result["errors"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
