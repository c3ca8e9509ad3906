"""Read-only JSON values, shared safely between plans, sessions and caches.

A district's buildings are megabytes of GeoJSON that stay the same across hundreds of
saves. The workspace stores them once by content hash (``datasets.workspace``) and hands
every reader the same parsed object; that is only safe if nobody can change it in place.
:func:`freeze` turns parsed JSON into :class:`FrozenDict` / :class:`FrozenList`: subclasses
of ``dict`` / ``list`` (so ``isinstance`` checks, ``json.dumps``, numpy and shapely read them
as usual) whose mutating methods raise ``TypeError``. A change is made by building a new
value (e.g. ``dict(feature, properties={...})``) and assigning it to the plan.

``copy.copy`` / ``copy.deepcopy`` return the value itself, as for any immutable value;
:func:`thaw` gives a plain, mutable deep copy when one is really needed.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict


def _read_only(self, *args, **kwargs):
    raise TypeError(f"{type(self).__name__} is read-only: build a new value and assign it "
                    "(assessments.plan.frozen)")


class _Immutable:
    """Copies of an immutable value are the value itself; pickling gives the plain type
    (``_plain``), as a session or a process boundary expects."""

    __slots__ = ()
    _plain: type = object

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (self._plain, (self._plain(self),))


class FrozenDict(_Immutable, dict):
    """A ``dict`` that cannot be changed. ``content_hash`` is the hash it is stored under
    (``None`` for values nested inside one)."""

    __slots__ = ("content_hash",)
    _plain = dict

    __setitem__ = __delitem__ = clear = pop = popitem = update = __ior__ = _read_only

    def setdefault(self, key, default=None):
        # reading code uses setdefault to fill a missing default; an existing key is a read
        if key in self:
            return self[key]
        return _read_only(self)


class FrozenList(_Immutable, list):
    """A ``list`` that cannot be changed."""

    __slots__ = ()
    _plain = list

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = sort = \
        reverse = __iadd__ = __imul__ = _read_only


def freeze(value, *, content_hash: str | None = None):
    """``value`` (parsed JSON: dicts, lists/tuples, scalars) as read-only containers.

    Already-frozen parts are reused, not copied. ``content_hash`` is set on a top-level
    :class:`FrozenDict`.
    """
    out = _freeze(value)
    if isinstance(out, FrozenDict) and content_hash is not None:
        if getattr(out, "content_hash", None) not in (None, content_hash) or out is value:
            out = FrozenDict(out)          # do not relabel a value shared elsewhere
        out.content_hash = content_hash
    return out


def _freeze(value):
    if isinstance(value, (FrozenDict, FrozenList)):
        return value
    if isinstance(value, dict):
        out = FrozenDict({k: _freeze(v) for k, v in value.items()})
        out.content_hash = None
        return out
    if isinstance(value, (list, tuple)):
        return FrozenList(_freeze(v) for v in value)
    return value


def thaw(value):
    """A plain, mutable deep copy of ``value`` (frozen or not)."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


def content_hash(value) -> str | None:
    """The storage hash of a frozen top-level value, else None."""
    return getattr(value, "content_hash", None) if isinstance(value, FrozenDict) else None


_TEXT_HASHES: OrderedDict = OrderedDict()
_TEXT_HASHES_LOCK = threading.Lock()


def text_hash(text: str) -> str:
    """sha256 (hex) of ``text``'s canonical JSON encoding (``json.dumps(text,
    ensure_ascii=False)``, the form the workspace stores), remembered per string object:
    the workspace hands every reader the same shared string for a stored IES file, so a
    page run hashes each file once, not once per light and run. The cache entry keeps the
    string alive, so its ``id`` cannot be reused while cached."""
    with _TEXT_HASHES_LOCK:
        hit = _TEXT_HASHES.get(id(text))
        if hit is not None and hit[0] is text:
            _TEXT_HASHES.move_to_end(id(text))
            return hit[1]
    value = hashlib.sha256(json.dumps(text, ensure_ascii=False).encode("utf-8")).hexdigest()
    with _TEXT_HASHES_LOCK:
        _TEXT_HASHES[id(text)] = (text, value)
        while len(_TEXT_HASHES) > 256:
            _TEXT_HASHES.popitem(last=False)
    return value
