"""Recovery after crashes: reopening the workspace after repeated SIGKILLs mid-save stays as
fast as after the first one, and every plan keeps its last reported save.

The cause of the slowdown (issue "Hostile inputs, faults and two tabs": 0.9 s → 51 s over
11 kills): DuckDB compressed the plan parts (``plan_blobs.data``) with ZSTD as one stream per
2,048 rows, and reading one part decompressed the stream from its start, i.e. every part
stored before it — all the kept revisions' buildings. A restarted server reads the current
parts (the newest rows, at the end) with an empty cache, so the reopen grew with the history
that each round of saves added. Schema version 4 stores the parts uncompressed
(``datasets/migrations/004_blob_storage.sql``). The full-size case is
``benchmarks/bench_recovery.py``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_recovery import crash_loop  # noqa: E402
from datasets.workspace import MIGRATIONS_DIR, Workspace  # noqa: E402


def part_compressions(con) -> set[str]:
    """How DuckDB stores the text of the plan parts (one name per segment kind)."""
    rows = con.execute("SELECT DISTINCT compression FROM pragma_storage_info('plan_blobs') "
                       "WHERE column_name = 'data' AND segment_type = 'VARCHAR'").fetchall()
    return {r[0] for r in rows}


def test_reopen_after_six_kills_is_as_fast_as_after_one(tmp_path):
    """3 plans × 200 buildings and a large map layer (1.5 MB of coordinates, cheap to save:
    the same storage path as a district's buildings); a writer storing a new layer and
    flipping one building per save is killed 6 times, after ≥ 5 reported saves each
    (benchmarks/bench_recovery.py runs the issue's 10 kills of 3 × 4,000 buildings).

    After each kill the workspace is opened twice (the recovery, then the next start) and
    every plan holds its last reported save. Reading the three current parts after kill 6
    must cost at most twice what it cost after kill 1, plus 0.1 s. With the ZSTD column it
    grew with the history: after kill 6 about 6 × 6 = 36 kept layers (54 MB of text) lie
    before the current ones and each of the 3 reads decompressed them all (after kill 10,
    60 layers: 0.45 to 2 s in all on this shared 2-core machine, against 0.2 to 0.3 s after
    kill 1); stored
    uncompressed each read takes ≈ 10 ms. The whole next start (open, list, load and parse
    the 3 plans) must stay ≤ 2 × kill 1 + 0.5 s (old: 0.7 → 2.4 s)."""
    path = tmp_path / "ws.duckdb"
    try:
        records = crash_loop(path, kills=6, n_buildings=200, min_saves=5, max_extra_s=0.2,
                             layer_chars=1_500_000)
        first, tenth = records[1], records[6]
        assert sum(r["saves"] for r in records) >= 30         # the history really grew
        assert tenth["storage_seconds"] <= 2 * first["storage_seconds"] + 0.1, records
        assert tenth["seconds"] <= 2 * first["seconds"] + 0.5, records
        con = duckdb.connect(str(path), read_only=True)
        try:
            assert "ZSTD" not in part_compressions(con)
        finally:
            con.close()
    finally:  # ≈ 150 MB of plan parts: not kept among pytest's last three runs
        for suffix in ("", ".wal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_a_version_3_workspace_gets_its_parts_rewritten_uncompressed(tmp_path):
    """A workspace written with schema version 3 (parts in a ZSTD column) is upgraded on
    open: the same parts, byte for byte, now stored uncompressed; its plan loads unchanged."""
    path = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for n in (1, 2, 3):
        con.execute(next(MIGRATIONS_DIR.glob(f"00{n}_*.sql")).read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_version VALUES ($n)", {"n": n})
    con.close()
    ws = Workspace(path)                                   # writes v4 …
    feats = [{"type": "Feature", "id": f"B{i}", "properties": {"height_m": 3.0 + i % 7},
              "geometry": {"type": "Point", "coordinates": [139.97 + i * 1e-5, 35.86]}}
             for i in range(300)]
    plan = ws.add_plan({"version": 1, "name": "旧版",
                        "buildings": {"type": "FeatureCollection", "features": feats}})
    ws.close()
    # … so put the parts back into a v3 (ZSTD-compressed) table, as the old code stored them
    con = duckdb.connect(str(path))
    parts = con.execute("SELECT hash, data FROM plan_blobs ORDER BY hash").fetchall()
    con.execute("DROP TABLE plan_blobs")
    con.execute("CREATE TABLE plan_blobs (hash VARCHAR PRIMARY KEY, "
                "data VARCHAR USING COMPRESSION zstd NOT NULL)")
    con.executemany("INSERT INTO plan_blobs VALUES (?, ?)", parts)
    con.execute("DELETE FROM schema_version WHERE version = 4")
    con.execute("CHECKPOINT")
    assert part_compressions(con) == {"ZSTD"}
    con.close()

    ws = Workspace(path)
    try:
        assert ws.schema_version() == 4
        assert ws._con.execute("SELECT hash, data FROM plan_blobs ORDER BY hash") \
            .fetchall() == parts
        ws._con.execute("CHECKPOINT")
        assert "ZSTD" not in part_compressions(ws._con)
        got = ws.get_plan(plan["id"])
        assert json.dumps(got["buildings"]["features"]) == json.dumps(feats)
    finally:
        ws.close()
