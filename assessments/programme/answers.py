"""Stored self-assessment answers (準備度, プライバシー) read defensively: the one rule."""
from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["clean_entries"]


def clean_entries(answers: Mapping | None, field: str,
                  check: Callable[[object], object]) -> tuple[dict, list[str]]:
    """Answers whose ``field`` fails ``check`` treated as unanswered, and their ids.

    Parameters
    ----------
    answers : mapping of id → entry (dict), or None
        A plan's stored answers (``readiness.answers``, ``privacy.answers``).
    field : str
        The entry's field that must be valid (``"level"``, ``"status"``).
    check : callable
        Raises ``ValueError`` for a value that cannot be used.

    Returns
    -------
    (dict, list of str)
        The answers with that field set to None where ``check`` refused it (the entry's other
        fields kept), and the ids of those entries: a hand-edited or damaged plan file is
        shown, never refused. An empty field (None or "") is unanswered, not an error.
    """
    out, bad = {}, []
    for key, entry in (answers or {}).items():
        value = entry.get(field) if isinstance(entry, Mapping) else None
        if value is not None and value != "":
            try:
                check(value)
            except ValueError:
                entry = {**entry, field: None}
                bad.append(key)
        out[key] = entry
    return out, bad
