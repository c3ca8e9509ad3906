"""Three-way merge of plan documents: two edits of one plan made from the same starting copy.

Two browser tabs (or two users) draw a plan, edit their copy and save. Saving a whole stale
copy would undo what the other saved meanwhile; instead the change one side made
(``base`` → ``ours``) is replayed onto the latest stored plan (``theirs``) field by field,
and only a value both sides changed differently is a conflict.

The rules are those of a three-way merge of structured documents (as ``git merge`` does for
lines, here for JSON values):

- dicts merge per key;
- lists of dicts that each carry a unique ``"id"`` (cameras, lights) merge per id: the
  order of ``theirs``, then the ids ``ours`` added;
- any other value (a number, a text, a list without ids such as the KPIs or the schedule)
  is taken whole: ``ours`` when ``theirs`` is unchanged, ``theirs`` when ``ours`` is
  unchanged, either when both are equal, else a conflict.

References
----------
.. [1] S. Khanna, K. Kunal, B. C. Pierce, "A Formal Investigation of Diff3", FSTTCS 2007,
   LNCS 4855, pp. 485-496, doi:10.1007/978-3-540-77050-3_40.
"""
from __future__ import annotations

#: A key or id absent from one side (a field not there, a device deleted).
MISSING = object()


def three_way(base, ours, theirs) -> tuple[object, list[tuple]]:
    """Merge the change ``base`` → ``ours`` onto ``theirs``.

    Parameters
    ----------
    base : JSON value
        The plan (or part) both sides started from: the copy a tab drew.
    ours : JSON value
        ``base`` with this side's change.
    theirs : JSON value
        The latest stored value (``base`` with everything saved since by others).

    Returns
    -------
    merged : JSON value
        ``theirs`` with this side's change; at a conflict, ``theirs``' value is kept.
        :data:`MISSING` when the value is deleted. Unchanged parts are the inputs' own
        objects (not copied).
    conflicts : list of tuple
        The JSON path of each value both sides changed differently: dict keys and, inside
        a list of dicts with ids, the device's id (``("lights", "L2", "lat")``); ``()`` is
        the whole value. Empty when the merge is clean.

    Notes
    -----
    Per value, with ``b``, ``o``, ``t`` the three versions: ``o == t`` → ``o``;
    ``o == b`` → ``t``; ``t == b`` → ``o``; both dicts (or lists with ids) → per key (id);
    otherwise a conflict. A device deleted on one side and changed on the other is a
    conflict; one added on both sides with different values is one too.
    """
    conflicts: list[tuple] = []
    merged = _merge(base, ours, theirs, (), conflicts)
    return merged, conflicts


def _merge(b, o, t, path: tuple, conflicts: list):
    if o is t or _same(o, t):
        return o
    if _same(o, b):
        return t
    if _same(t, b):
        return o
    if b is not MISSING and all(isinstance(v, dict) for v in (b, o, t)):
        return _merge_dicts(b, o, t, path, conflicts)
    if b is not MISSING and all(_ids(v) is not None for v in (b, o, t)):
        return _merge_lists(b, o, t, path, conflicts)
    conflicts.append(path)
    return t


def _same(x, y) -> bool:
    if x is y:
        return True
    if x is MISSING or y is MISSING:
        return False
    return x == y


def _merge_dicts(b: dict, o: dict, t: dict, path: tuple, conflicts: list) -> dict:
    out = {}
    for k in [*t, *(k for k in o if k not in t)]:
        v = _merge(b.get(k, MISSING), o.get(k, MISSING), t.get(k, MISSING), path + (k,),
                   conflicts)
        if v is not MISSING:
            out[k] = v
    return out


def _ids(value) -> list | None:
    """The ids of a list of dicts that each carry a unique hashable ``"id"``, else None."""
    if not isinstance(value, list):
        return None
    ids = []
    for item in value:
        if not isinstance(item, dict) or "id" not in item:
            return None
        try:
            hash(item["id"])
        except TypeError:
            return None
        ids.append(item["id"])
    return ids if len(set(ids)) == len(ids) else None


def _merge_lists(b: list, o: list, t: list, path: tuple, conflicts: list) -> list:
    by_b, by_o, by_t = ({d["id"]: d for d in v} for v in (b, o, t))
    out = []
    for i in [*by_t, *(i for i in by_o if i not in by_t and i not in by_b)]:
        v = _merge(by_b.get(i, MISSING), by_o.get(i, MISSING), by_t.get(i, MISSING),
                   path + (i,), conflicts)
        if v is not MISSING:
            out.append(v)
    return out
