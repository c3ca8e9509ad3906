"""The read-only reference database, built from the CSV files in ``datasets/``.

The CSVs are the source of truth (reviewable in git, each row with its ``source``). On start
the app calls :func:`ensure_reference_db`, which builds a DuckDB file named after a hash of the
schema and every CSV; when any of them changes, the hash changes and a fresh database is built
next to the old one (atomic rename), so a stale or half-written database is never opened.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import duckdb

DATA_DIR = Path(__file__).resolve().parent
#: DDL files executed in this order. ``schema.sql`` holds every reference table.
SCHEMA_FILES = ("schema.sql",)
_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)",
                     re.IGNORECASE)


class ReferenceDataError(RuntimeError):
    """A CSV does not match its table in the schema (named in the message)."""


def schema_paths(data_dir: Path = DATA_DIR) -> list[Path]:
    """Existing schema files, in execution order."""
    return [data_dir / name for name in SCHEMA_FILES if (data_dir / name).is_file()]


def tables(data_dir: Path = DATA_DIR) -> list[str]:
    """Table names declared in the schema files, in declaration order."""
    names: list[str] = []
    for path in schema_paths(data_dir):
        text = "\n".join(line.split("--", 1)[0] for line in
                         path.read_text(encoding="utf-8").splitlines())
        names += _CREATE.findall(text)
    return names


def content_hash(data_dir: Path = DATA_DIR) -> str:
    """SHA-256 over the schema files and every table's CSV (names and bytes)."""
    digest = hashlib.sha256()
    files = schema_paths(data_dir) + [data_dir / f"{t}.csv" for t in tables(data_dir)]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def default_dir() -> Path:
    """Where reference databases are kept: ``$MIMAMORI_REFDB_DIR`` or a per-user cache."""
    env = os.environ.get("MIMAMORI_REFDB_DIR")
    if env:
        return Path(env)
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_CACHE_HOME") \
        or Path.home() / ".cache"
    return Path(base) / "mimamori"


def build(db_path: Path, data_dir: Path = DATA_DIR) -> None:
    """Create the reference database at ``db_path`` from the schema and CSVs.

    Raises
    ------
    ReferenceDataError
        When a table has no CSV or a CSV's columns differ from the table's.
    """
    con = duckdb.connect(str(db_path))
    try:
        for path in schema_paths(data_dir):
            con.execute(path.read_text(encoding="utf-8"))
        for table in tables(data_dir):
            csv = data_dir / f"{table}.csv"
            if not csv.is_file():
                raise ReferenceDataError(f"table {table}: missing {csv.name}")
            want = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $t "
                "ORDER BY ordinal_position", {"t": table}).fetchall()]
            got = [r[0] for r in con.execute(
                "DESCRIBE SELECT * FROM read_csv($p, header = true, all_varchar = true)",
                {"p": str(csv)}).fetchall()]
            if want != got:
                raise ReferenceDataError(
                    f"{csv.name}: columns {got} do not match table {table} {want}")
            try:
                con.execute(f'INSERT INTO "{table}" SELECT * FROM '  # table from schema
                            "read_csv($p, header = true, all_varchar = true)", {"p": str(csv)})
            except duckdb.Error as exc:
                raise ReferenceDataError(f"{csv.name}: {exc}") from None
        con.execute("CREATE TABLE _meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO _meta VALUES ('content_hash', $h)",
                    {"h": content_hash(data_dir)})
        con.execute("CHECKPOINT")
    finally:
        con.close()


def ensure_reference_db(directory: Path | None = None, data_dir: Path = DATA_DIR) -> Path:
    """Path of an up-to-date reference database, building it when needed.

    The file name carries the content hash, so a changed CSV yields a new file; older files
    in ``directory`` are removed. A corrupt file (unreadable, wrong hash) is rebuilt.
    """
    directory = Path(directory) if directory else default_dir()
    directory.mkdir(parents=True, exist_ok=True)
    digest = content_hash(data_dir)
    path = directory / f"reference-{digest[:16]}.duckdb"
    if path.is_file() and not _is_valid(path, digest):
        path.unlink(missing_ok=True)
        Path(str(path) + ".wal").unlink(missing_ok=True)
    if not path.is_file():
        fd, tmp = tempfile.mkstemp(prefix=".building-", suffix=".duckdb", dir=directory)
        os.close(fd)
        os.unlink(tmp)  # duckdb wants to create the file itself
        try:
            build(Path(tmp), data_dir)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
            Path(tmp + ".wal").unlink(missing_ok=True)
    for old in directory.glob("reference-*.duckdb"):
        if old != path:
            try:
                old.unlink()
            except OSError:
                pass  # still open elsewhere (Windows); removed next time
    return path


def _is_valid(path: Path, digest: str) -> bool:
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT value FROM _meta WHERE key = 'content_hash'").fetchone()
        finally:
            con.close()
    except (duckdb.Error, OSError):
        return False
    return bool(row) and row[0] == digest


def connect(directory: Path | None = None, data_dir: Path = DATA_DIR):
    """A read-only DuckDB connection to the current reference database."""
    return duckdb.connect(str(ensure_reference_db(directory, data_dir)), read_only=True)
