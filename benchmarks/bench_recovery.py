"""Recovery: reopening the workspace after repeated SIGKILLs in the middle of saves.

The case of issue "Hostile inputs, faults and two tabs": a workspace with 3 plans of
4,000 buildings each; a child process saves in a loop (each save changes one building's
``is_home`` and the plan's title, so every save stores a new ``buildings`` part and keeps
the previous one for the plan's history) and is killed with SIGKILL at a random moment,
11 times. After each kill the workspace is opened twice in this process with an empty part
cache (as a restarted server would), listed, and every plan loaded: the recovery (DuckDB
replays the killed writer's WAL) and the next start (every part read from the file). The
script prints both times, the storage reads alone (the plans' rows and parts, without
parsing), the file and WAL sizes left by the kill and the machine load, and checks that
every plan holds at least its last reported save.

Before schema version 4, DuckDB stored the parts ZSTD-compressed as one stream per 2,048
rows, and reading one part decompressed every part stored before it: the reopen grew with
the kept history (0.9 s → 51 s over 11 kills in the issue). ``tests/test_recovery.py`` runs
a smaller version of the same loop.

Usage::

    python benchmarks/bench_recovery.py [--kills 11] [--buildings 4000] [--saves 20]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scenes import district  # noqa: E402
from datasets import queries  # noqa: E402
from datasets import workspace as W  # noqa: E402

#: The saving child: plan ``ids[n % len(ids)]`` gets title ``rev-<n>`` and building
#: ``n % len(buildings)`` flips ``is_home``; with ``layer_chars`` > 0 its ``map_layers``
#: also become a new layer of that many characters of coordinates (a large imported layer,
#: cheap to save). Prints ``<plan id> <revision> <n>`` only after the save returned
#: (committed).
WRITER = textwrap.dedent("""
    import json, random, sys
    from datasets.workspace import Workspace
    ws = Workspace(sys.argv[1])
    ids = sorted(p["id"] for p in ws.list_plans())
    n, layer_chars = int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(1)
    body = json.dumps([[round(139.9 + rnd.random() / 100, 6), round(35.8 + rnd.random() / 100, 6)]
                       for _ in range(layer_chars // 24 + 1)])[:layer_chars]

    def edit(k):
        def fn(p):
            p["project"]["title"] = f"rev-{k}"
            b = p["buildings"]
            feats = list(b["features"])
            f = feats[k % len(feats)]
            props = dict(f["properties"], is_home=not f["properties"].get("is_home", False))
            feats[k % len(feats)] = dict(f, properties=props)
            p["buildings"] = dict(b, features=feats)
            if layer_chars:
                p["map_layers"] = {"name": f"rev-{k}", "coordinates": body}
        return fn

    while True:
        n += 1
        saved = ws.update_plan(ids[n % len(ids)], edit(n))
        print(ids[n % len(ids)], saved["_revision"], n, flush=True)
""")


def make_workspace(path: Path, *, n_plans: int = 3, n_buildings: int = 4000) -> list[str]:
    """A new workspace at ``path`` with ``n_plans`` district plans; their ids, sorted."""
    for suffix in ("", ".wal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    ws = W.Workspace(path)
    try:
        for seed in range(1, n_plans + 1):
            ws.add_plan(district(seed=seed, n_buildings=n_buildings, n_cameras=20))
        return sorted(p["id"] for p in ws.list_plans())
    finally:
        ws.close()


def file_sizes(path: Path) -> tuple[int, int]:
    """Sizes of the workspace file and its WAL [bytes]."""
    return tuple(Path(f"{path}{s}").stat().st_size if Path(f"{path}{s}").exists() else 0
                 for s in ("", ".wal"))


def reopen(path: Path) -> dict:
    """Open the workspace as a restarted server would (empty part cache), list and load
    every plan. Returns the plans by id, ``seconds`` (open + list + load) and
    ``storage_seconds`` (reading the plans' rows and parts again, without parsing; the
    best of 3, as the machine is shared)."""
    W._BLOBS.clear()
    start = time.perf_counter()
    ws = W.Workspace(path)
    try:
        plans = {row["id"]: ws.get_plan(row["id"]) for row in ws.list_plans()}
        seconds = time.perf_counter() - start
        cur = ws._con.cursor()
        storage_seconds = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for plan_id in plans:
                row = queries.run(cur, "workspace/get_plan", id=plan_id, owner="")
                for key in W._refs_of(row.loc[0, "blobs"]):
                    queries.run(cur, "workspace/get_blob", hash=key)
            storage_seconds = min(storage_seconds, time.perf_counter() - start)
    finally:
        ws.close()
    return {"plans": plans, "seconds": seconds, "storage_seconds": storage_seconds}


def kill_writer(path: Path, counter: int, *, min_saves: int, rng: random.Random,
                max_extra_s: float = 0.5, layer_chars: int = 0) -> list[tuple[str, int, int]]:
    """Start the writer, let it report ``min_saves`` saves, wait a random moment and
    SIGKILL it; returns its reported saves ``(plan id, revision, n)``."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(counter),
                             str(layer_chars)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    reported: list[tuple[str, int, int]] = []

    def read():
        for line in proc.stdout:
            plan_id, revision, n = line.split()
            reported.append((plan_id, int(revision), int(n)))

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 300
    while len(reported) < min_saves and time.monotonic() < deadline \
            and proc.poll() is None:
        time.sleep(0.01)
    time.sleep(rng.uniform(0, max_extra_s))  # somewhere inside a save (or between two)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join()
    return reported


def check_saves(plans: dict, last: dict, ids: list[str], in_flight: int) -> None:
    """Every plan holds its last reported save ``last[id] = (revision, n)``, or the one
    save cut by the kill (``n = in_flight``, committed but not yet reported)."""
    for plan_id, (revision, n) in last.items():
        stored = plans[plan_id]
        if stored["_revision"] == revision:
            assert stored["project"]["title"] == f"rev-{n}", (plan_id, stored["project"])
        else:
            assert stored["_revision"] == revision + 1, (plan_id, stored["_revision"], revision)
            assert ids[in_flight % len(ids)] == plan_id
            assert stored["project"]["title"] == f"rev-{in_flight}"


def crash_loop(path: Path, *, kills: int, n_buildings: int, min_saves: int, seed: int = 0,
               max_extra_s: float = 0.5, layer_chars: int = 0, report=None) -> list[dict]:
    """Build the workspace and run ``kills`` write-and-SIGKILL rounds. After each kill the
    workspace is opened twice: the recovery (``recovery_seconds``: DuckDB replays the killed
    writer's WAL, whose rows it then reads from memory) and the next start (``seconds``,
    ``storage_seconds``: every part read from the file, as after any restart). Returns one
    record per round (index 0: before the first kill)."""
    ids = make_workspace(path, n_buildings=n_buildings)
    rng = random.Random(seed)
    last: dict[str, tuple[int, int]] = {}
    counter = 0
    first = reopen(path)
    records = [dict(kill=0, saves=0, seconds=first["seconds"],
                    storage_seconds=first["storage_seconds"], sizes=file_sizes(path),
                    recovery_seconds=first["seconds"])]
    if report:
        report(records[-1])
    for kill in range(1, kills + 1):
        reported = kill_writer(path, counter, min_saves=min_saves, rng=rng,
                               max_extra_s=max_extra_s, layer_chars=layer_chars)
        assert reported, "the writer never saved"
        for plan_id, revision, n in reported:
            last[plan_id] = (revision, n)
        counter = reported[-1][2] + 1       # the save cut by the kill may have used n + 1
        sizes = file_sizes(path)
        recovered = reopen(path)                     # replays the WAL of the killed writer
        check_saves(recovered["plans"], last, ids, in_flight=reported[-1][2] + 1)
        got = reopen(path)                           # the next start: every part on file
        assert got["plans"] == recovered["plans"]
        for plan_id, plan in got["plans"].items():
            assert len(plan["buildings"]["features"]) == n_buildings
            # what survived is the next round's baseline (a cut save may have committed)
            title = plan["project"]["title"]
            if title.startswith("rev-"):
                last[plan_id] = (plan["_revision"], int(title.removeprefix("rev-")))
        records.append(dict(kill=kill, saves=len(reported), seconds=got["seconds"],
                            storage_seconds=got["storage_seconds"], sizes=sizes,
                            recovery_seconds=recovered["seconds"]))
        if report:
            report(records[-1])
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=11)
    parser.add_argument("--buildings", type=int, default=4000)
    parser.add_argument("--saves", type=int, default=20,
                        help="saves reported before each kill (then a random wait)")
    args = parser.parse_args()

    def report(r):
        db, wal = r["sizes"]
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"kill {r['kill']:2d}: {r['saves']:3d} saves, recovery open "
              f"{r['recovery_seconds']:5.2f} s, reopen {r['seconds']:5.2f} s "
              f"(storage reads {r['storage_seconds']:6.3f} s); before them: file "
              f"{db / 2**20:6.1f} MiB, WAL {wal / 2**20:5.1f} MiB; load {load}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        print(f"3 plans × {args.buildings} buildings, {args.kills} SIGKILLs, "
              f"≥ {args.saves} saves each; {os.cpu_count()} cores")
        path = Path(tmp) / "ws.duckdb"
        records = crash_loop(path, kills=args.kills, n_buildings=args.buildings,
                             min_saves=args.saves, report=report)
        print(f"file at the end: {file_sizes(path)[0] / 2**20:.1f} MiB")
    after_10 = records[min(10, len(records) - 1)]
    print(f"reopen after kill 1: {records[1]['seconds']:.2f} s, after kill "
          f"{after_10['kill']}: {after_10['seconds']:.2f} s (target ≤ 2 s); "
          "every plan held its last reported save")


if __name__ == "__main__":
    main()
