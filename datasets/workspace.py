"""The workspace: the user's plans, saved in one DuckDB file.

Every change is saved at once in one transaction (no save button to forget). Writes in this
process are serialised per file, and each save applies the caller's change to the *latest*
stored version (read-modify-write inside the transaction), so two browser sessions editing the
same plan never lose each other's updates and never corrupt it. Earlier revisions are kept in
``plan_history`` (the last :data:`HISTORY_KEEP`).

Large parts of a plan (a district's buildings and map layers, the photometric files of
lights: :data:`BLOB_KEYS`, :data:`BLOB_FIELDS`) are stored once by content hash in
``plan_blobs``; the plan document holds ``{"$blob": hash}`` in their place. A save that
does not change them writes a few kilobytes instead of megabytes, and readers get one
shared, read-only parsed copy (``assessments.plan.frozen``) from a process-wide cache instead of
parsing them on every page run. Every method here takes and returns complete plans.

Schema changes are numbered files in ``datasets/migrations``; opening a workspace applies the
missing ones in a transaction, so an existing workspace is upgraded without losing plans.

After a crash DuckDB replays the WAL on open; nothing else is needed, and every committed save
is there. The parts are stored uncompressed (schema v4): with DuckDB's ZSTD, reading one part
decompressed every part stored before it, so each restart got slower as the history grew.
"""
from __future__ import annotations

import copy
import gc
import hashlib
import json
import os
import re
import threading
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import duckdb

from assessments.plan.frozen import content_hash, freeze, text_hash
from assessments.plan.document import (PLAN_VERSION, clean_name, new_plan, normalise, now_iso,
                                       upgrade)
from datasets import queries

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HISTORY_KEEP = 50
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
#: Top-level plan keys whose (object) value is stored as a blob when it is large.
BLOB_KEYS = ("buildings", "map_layers", "districts", "background", "terrain")
#: Text fields of the items of a plan list stored as blobs when large (IES files of lights).
BLOB_FIELDS = {"lights": ("ies",)}
#: Smaller parts stay inline in the plan document [characters of JSON].
BLOB_MIN_CHARS = 4096
#: The process-wide cache of parsed blobs holds at most this much JSON text [characters]
#: (parsed, a GeoJSON text takes roughly 5–10 × its size in memory).
BLOB_CACHE_CHARS = 48_000_000


class WorkspaceError(RuntimeError):
    """The workspace could not be read or written.

    ``code`` is one of ``not_found``, ``read_only``, ``disk_full``, ``write_failed``,
    ``open_failed``.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def default_path() -> Path:
    """``$MIMAMORI_WORKSPACE``, else a per-user data folder (``~/.local/share/mimamori``)."""
    env = os.environ.get("MIMAMORI_WORKSPACE")
    if env:
        return Path(env)
    base = os.environ.get("APPDATA") or os.environ.get("XDG_DATA_HOME") \
        or Path.home() / ".local" / "share"
    return Path(base) / "mimamori" / "workspace.duckdb"


def migrations() -> list[tuple[int, Path]]:
    """Numbered migration files ``NNN_name.sql`` in order."""
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _is_read_only_error(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in ("read-only", "readonly", "read only",
                                        "permission denied"))


def _loads(text: str) -> dict:
    """``json.loads`` with the cyclic GC paused: parsing a district plan (thousands of
    buildings, megabytes) creates ~10⁵ containers, and the collections that triggers walk
    every object the process holds — several times slower than the parse itself. JSON
    cannot contain cycles, so nothing is missed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(text)
    finally:
        if enabled:
            gc.enable()


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _is_ref(value) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("$blob"), str)


class _BlobCache:
    """Parsed blobs by hash, shared by every session of the process (least recently used
    out first). A blob's content never changes, so a cached value is never stale."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self._items: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: str, value, n_chars: int):
        with self._lock:
            if key in self._items:
                return self._items[key][0]
            self._items[key] = (value, n_chars)
            self._chars += n_chars
            while self._chars > self.max_chars and len(self._items) > 1:
                _, (_, n) = self._items.popitem(last=False)
                self._chars -= n
            return value

    def clear(self):
        with self._lock:
            self._items.clear()
            self._chars = 0


_BLOBS = _BlobCache(BLOB_CACHE_CHARS)


def _parse_blob(text: str, key: str):
    value = _loads(text)
    return freeze(value, content_hash=key) if isinstance(value, (dict, list)) else value


def _refs_of(value) -> set[str]:
    """The ``blobs`` column (a list, or NA for a row written before schema v3)."""
    return {str(h) for h in value} if hasattr(value, "__iter__") else set()


def _lock_for(path: str) -> threading.RLock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.RLock())


class Workspace:
    """Plans of one workspace file.

    Parameters
    ----------
    path : str or Path
        The DuckDB file; created (with its folder) when missing. ``":memory:"`` for tests.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        #: True when the file could only be opened read-only (read-only file or file system):
        #: plans can be read and exported, every write raises ``WorkspaceError("read_only")``.
        self.read_only = False
        try:
            self._con = duckdb.connect(self.path)
        except (duckdb.Error, OSError) as exc:
            if not (self.path != ":memory:" and Path(self.path).is_file()
                    and _is_read_only_error(str(exc))):
                raise WorkspaceError("open_failed",
                                     f"cannot open workspace {self.path}: {exc}") from None
            try:
                self._con = duckdb.connect(self.path, read_only=True)
            except (duckdb.Error, OSError) as exc2:
                raise WorkspaceError("open_failed",
                                     f"cannot open workspace {self.path}: {exc2}") from None
            self.read_only = True
        key = self.path if self.path == ":memory:" else str(Path(self.path).resolve())
        self._lock = _lock_for(key + f"#{id(self)}" if self.path == ":memory:" else key)
        if not self.read_only:
            self.migrate()

    # -- schema -----------------------------------------------------------------------------
    def schema_version(self) -> int:
        cur = self._con.cursor()
        if self.read_only:
            found = cur.execute("SELECT count(*) FROM information_schema.tables "
                                "WHERE table_name = 'schema_version'").fetchone()[0]
            if not found:
                return 0
        else:
            cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = cur.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def migrate(self) -> int:
        """Apply missing migrations; returns the schema version reached."""
        with self._lock:
            current = self.schema_version()
            for number, path in migrations():
                if number <= current:
                    continue
                cur = self._con.cursor()
                cur.execute("BEGIN TRANSACTION")
                try:
                    cur.execute(path.read_text(encoding="utf-8"))
                    cur.execute("INSERT INTO schema_version VALUES ($v)", {"v": number})
                    cur.execute("COMMIT")
                except (duckdb.Error, OSError) as exc:
                    try:  # a failed COMMIT has already ended the transaction
                        cur.execute("ROLLBACK")
                    except duckdb.Error:
                        pass
                    # the file keeps its previous version; the page says it cannot open it
                    raise WorkspaceError("open_failed", f"cannot update workspace {self.path} "
                                         f"to schema version {number}: {exc}") from None
                current = number
            return current

    def close(self) -> None:
        self._con.close()

    # -- reading ----------------------------------------------------------------------------
    def list_plans(self, *, owner: str = "") -> list[dict]:
        """Plans of ``owner``: ``[{id, name, revision, updated_at, municipality_name}]``."""
        frame = queries.run(self._con.cursor(), "workspace/list_plans", owner=owner)
        return frame.to_dict("records")

    def has_plan(self, plan_id: str, *, owner: str = "") -> bool:
        """Whether ``owner`` has a plan ``plan_id`` (without reading it)."""
        frame = queries.run(self._con.cursor(), "workspace/owns_plan", id=plan_id, owner=owner)
        return bool(int(frame.loc[0, "n"]))

    def get_plan(self, plan_id: str, *, owner: str = "") -> dict:
        """The stored plan, with ``_revision`` set to its revision number."""
        frame = queries.run(self._con.cursor(), "workspace/get_plan", id=plan_id, owner=owner)
        if frame.empty:
            raise WorkspaceError("not_found", f"no plan {plan_id!r}")
        plan = upgrade(self._resolve(self._con.cursor(), _loads(frame.loc[0, "data"]),
                                     _refs_of(frame.loc[0, "blobs"])))
        plan["_revision"] = int(frame.loc[0, "revision"])
        return plan

    def get_revision(self, plan_id: str, revision: int) -> dict | None:
        """An earlier saved revision of a plan, or None when it is no longer kept."""
        cur = self._con.cursor()
        frame = queries.run(cur, "workspace/get_history", plan_id=plan_id, revision=revision)
        if frame.empty:
            return None
        return upgrade(self._resolve(cur, _loads(frame.loc[0, "data"]),
                                     _refs_of(frame.loc[0, "blobs"])))

    # -- blobs ------------------------------------------------------------------------------
    def _blob(self, cur, key: str):
        value = _BLOBS.get(key)
        if value is None:
            frame = queries.run(cur, "workspace/get_blob", hash=key)
            if frame.empty:
                raise WorkspaceError("not_found",
                                     f"a stored plan part is missing ({key[:12]}…)")
            text = frame.loc[0, "data"]
            value = _BLOBS.put(key, _parse_blob(text, key), len(text))
        return value

    def _resolve(self, cur, doc: dict, refs: set[str]) -> dict:
        """The plan document with its blob references replaced by the (shared, read-only)
        values; ``doc`` is changed in place and returned. Only the references the row
        lists (``refs``, written by :meth:`_externalise`) are followed: a ``{"$blob": …}``
        inside an uploaded plan stays the literal value it is (and fails validation)."""
        def ref(value):
            return _is_ref(value) and value["$blob"] in refs
        if not refs:
            return doc
        for key in BLOB_KEYS:
            if ref(doc.get(key)):
                doc[key] = self._blob(cur, doc[key]["$blob"])
        for list_key, fields in BLOB_FIELDS.items():
            for item in doc.get(list_key) or ():
                if isinstance(item, dict):
                    for f in fields:
                        if ref(item.get(f)):
                            item[f] = self._blob(cur, item[f]["$blob"])
        return doc

    def _store_blob(self, cur, value, refs: set) -> dict | None:
        """The reference to ``value`` (stored in this workspace when new), or None when
        it is small enough to stay inline. A frozen value read from a blob, or a text
        already seen, is not encoded again."""
        key, text = content_hash(value), None
        if key is None and isinstance(value, str):
            if len(value) < BLOB_MIN_CHARS:
                return None
            key = text_hash(value)
        if key is None:
            text = _canonical(value)
            if len(text) < BLOB_MIN_CHARS:
                return None
            key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if key in refs:                     # e.g. the IES file of the 2nd light of a model
            return {"$blob": key}
        # the cache is per process, the blobs per workspace file: check this one has it
        stored = bool(int(queries.run(cur, "workspace/has_blob", hash=key).loc[0, "n"]))
        cached = _BLOBS.get(key) is not None
        if text is None and not (stored and cached):
            text = _canonical(value)
        if not stored:
            queries.execute(cur, "workspace/insert_blob", hash=key, data=text)
        if not cached:
            _BLOBS.put(key, freeze(value, content_hash=key)
                       if isinstance(value, (dict, list)) else value, len(text))
        refs.add(key)
        return {"$blob": key}

    def _externalise(self, cur, plan: dict) -> tuple[dict, list[str]]:
        """The document to store for ``plan`` (large parts replaced by references, stored
        as blobs when new) and the hashes it refers to. ``plan`` itself gets the shared
        read-only values in place of the large parts it held."""
        doc = {k: v for k, v in plan.items() if not k.startswith("_")}
        refs: set[str] = set()
        for key in BLOB_KEYS:
            if isinstance(doc.get(key), dict) and not _is_ref(doc[key]):
                ref = self._store_blob(cur, doc[key], refs)
                if ref is not None:
                    doc[key] = ref
                    plan[key] = _BLOBS.get(ref["$blob"]) or plan[key]
        for list_key, fields in BLOB_FIELDS.items():
            items = doc.get(list_key)
            if not isinstance(items, list):
                continue
            new_items = []
            for item in items:
                if isinstance(item, dict) and any(isinstance(item.get(f), str)
                                                  for f in fields):
                    item = dict(item)
                    for f in fields:
                        if isinstance(item.get(f), str):
                            ref = self._store_blob(cur, item[f], refs)
                            if ref is not None:
                                item[f] = ref
                new_items.append(item)
            doc[list_key] = new_items
        return doc, sorted(refs)

    # -- writing ----------------------------------------------------------------------------
    def _write(self, fn: Callable):
        """Run ``fn(cursor)`` in one transaction; any failure leaves the stored data as it
        was and raises :class:`WorkspaceError` (``read_only``, ``disk_full``,
        ``write_failed``; ``not_found`` from ``fn``)."""
        with self._lock:
            if self.read_only and not self._try_writable():
                raise WorkspaceError("read_only", f"the workspace {self.path} is read-only")
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    result = fn(cur)
                    cur.execute("COMMIT")
                except BaseException:
                    try:  # a failed COMMIT has already ended the transaction
                        cur.execute("ROLLBACK")
                    except duckdb.Error:
                        pass
                    raise
            except (duckdb.Error, OSError) as exc:
                text = str(exc)
                if _is_read_only_error(text):
                    code = "read_only"
                elif "no space left" in text.lower() or "disk full" in text.lower():
                    code = "disk_full"
                else:
                    code = "write_failed"
                if "invalidated" in text.lower():
                    self._reopen()
                raise WorkspaceError(code, f"could not save to {self.path}: {text}") from None
            return result

    def _try_writable(self) -> bool:
        """A workspace opened read-only becomes writable again once the administrator fixed
        the file or its file system (no restart needed)."""
        try:
            self._con.close()
            self._con = duckdb.connect(self.path)
        except (duckdb.Error, OSError):
            self._con = duckdb.connect(self.path, read_only=True)
            return False
        self.read_only = False
        self.migrate()
        return True

    def _reopen(self) -> None:
        """Reconnect after DuckDB invalidated the database (e.g. a failed write): the file
        holds the last committed state."""
        try:
            self._con.close()
        except duckdb.Error:
            pass
        try:
            self._con = duckdb.connect(self.path)
        except (duckdb.Error, OSError):
            self._con = duckdb.connect(self.path, read_only=True)
            self.read_only = True

    @staticmethod
    def _dump(plan: dict) -> str:
        clean = {k: v for k, v in plan.items() if not k.startswith("_")}
        return json.dumps(clean, ensure_ascii=False, sort_keys=True, allow_nan=False)

    def create_plan(self, name: str, *, municipality: dict | None = None,
                    owner: str = "") -> dict:
        """Create and store a new plan; returns it."""
        return self.add_plan(new_plan(name, municipality=municipality), owner=owner)

    def add_plan(self, plan: dict, *, owner: str = "", new_id: bool = False) -> dict:
        """Store a complete plan (e.g. an uploaded file) as a new plan.

        A plan whose id already exists in the workspace (any owner) gets a fresh id, so an
        upload never overwrites another plan.
        """
        plan = normalise(plan)
        plan.pop("_revision", None)
        plan.pop("_unchanged", None)

        def op(cur):
            taken = queries.run(cur, "workspace/plan_exists", id=str(plan.get("id", "")))
            if new_id or not plan.get("id") or int(taken.loc[0, "n"]):
                plan["id"] = str(uuid.uuid4())
            stamp = now_iso()
            plan.setdefault("created_at", stamp)
            plan["updated_at"] = stamp
            doc, refs = self._externalise(cur, plan)
            queries.execute(cur, "workspace/insert_plan", id=plan["id"], owner=owner,
                            name=plan["name"], data=self._dump(doc), blobs=refs,
                            created_at=plan["created_at"], updated_at=stamp)
            return plan["id"]

        plan_id = self._write(op)
        return self.get_plan(plan_id, owner=owner)

    def update_plan(self, plan_id: str, fn: Callable[[dict], None], *,
                    owner: str = "") -> dict:
        """Apply ``fn(plan)`` to the latest stored plan and save it in one transaction.

        ``fn`` mutates the dict it is given (a private copy). Returns the saved plan; when
        ``fn`` changed nothing, the stored plan with ``"_unchanged": True`` (no new
        revision was written).
        """
        def op(cur):
            frame = queries.run(cur, "workspace/get_plan", id=plan_id, owner=owner)
            if frame.empty:
                raise WorkspaceError("not_found", f"no plan {plan_id!r}")
            old_data = frame.loc[0, "data"]
            old_refs = sorted(_refs_of(frame.loc[0, "blobs"]))
            revision = int(frame.loc[0, "revision"])
            plan = upgrade(self._resolve(cur, _loads(old_data), set(old_refs)))
            fn(plan)
            plan = normalise(plan, inplace=True)  # our own parsed copy
            plan.pop("_revision", None)
            plan.pop("_unchanged", None)
            plan["id"] = plan_id
            plan["version"] = PLAN_VERSION
            previous = _loads(old_data)
            plan["updated_at"] = previous.get("updated_at")
            doc, refs = self._externalise(cur, plan)
            if doc == previous and refs == old_refs:
                # the change changed nothing (a widget sent the value it already had):
                # no new revision, no history row; the stored plan is the answer, marked
                # so the caller does not report a save
                plan["_revision"] = revision
                plan["_unchanged"] = True
                return plan
            stamp = now_iso()
            plan["updated_at"] = doc["updated_at"] = stamp
            queries.execute(cur, "workspace/insert_history", plan_id=plan_id,
                            revision=revision, data=old_data, blobs=old_refs, saved_at=stamp)
            queries.execute(cur, "workspace/prune_history", plan_id=plan_id,
                            keep_from=revision - HISTORY_KEEP + 1)
            queries.execute(cur, "workspace/update_plan", id=plan_id, owner=owner,
                            name=plan["name"], data=self._dump(doc), blobs=refs,
                            revision=revision, updated_at=stamp)
            # the revision just pruned may have held the last reference to a part
            queries.execute(cur, "workspace/delete_unused_blobs")
            plan["_revision"] = revision + 1
            return plan

        return self._write(op)

    def rename_plan(self, plan_id: str, name: str, *, owner: str = "") -> dict:
        new_name = clean_name(name)
        if not new_name:
            raise ValueError("a plan name cannot be empty")
        return self.update_plan(plan_id, lambda p: p.update(name=new_name), owner=owner)

    def duplicate_plan(self, plan_id: str, name: str, *, owner: str = "") -> dict:
        plan = copy.deepcopy(self.get_plan(plan_id, owner=owner))
        plan["name"] = clean_name(name) or plan["name"]
        plan.pop("created_at", None)
        return self.add_plan(plan, owner=owner, new_id=True)

    def reassign_owner(self, old: str, new: str) -> int:
        """Give every plan of owner ``old`` to ``new`` (in one transaction); returns how many
        plans ``old`` had. ``old`` and ``new`` must both be non-empty: the single-PC owner
        ``""`` is never moved to or from."""
        if not old or not new or old == new:
            raise ValueError("old and new owners must differ and be non-empty")
        n = len(self.list_plans(owner=old))
        if n:
            self._write(lambda cur: queries.execute(cur, "workspace/reassign_owner",
                                                    old=old, new=new))
        return n

    def delete_plan(self, plan_id: str, *, owner: str = "") -> None:
        def op(cur):
            queries.execute(cur, "workspace/delete_plan", id=plan_id, owner=owner)
            queries.execute(cur, "workspace/delete_history", plan_id=plan_id)
            queries.execute(cur, "workspace/delete_unused_blobs")
        self._write(op)
