"""Table rows as plain dicts: the one conversion from DataFrames (or any rows) to records."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

__all__ = ["records", "is_missing", "plain_value"]


def is_missing(value) -> bool:
    """True for an empty cell: None, NaN, pandas' NA / NaT (anything unequal to itself)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, bytes, list, tuple, dict, set)) or getattr(value, "ndim", 0):
        return False  # a value, however empty: only scalars stand for a missing cell
    try:
        return bool(value != value)  # NaN-like scalars (pd.NA raises, numpy NaN is unequal)
    except (TypeError, ValueError):
        return True  # pd.NA: its truth value is ambiguous, and it only stands for "missing"


def records(rows: Iterable[Mapping] | object) -> list[dict]:
    """Rows as a list of new dicts with empty cells (NaN, NA, NaT) turned into ``None``.

    Parameters
    ----------
    rows : pandas.DataFrame or iterable of mappings
        A query result or rows already read.

    Returns
    -------
    list of dict
        Copies; the input is not changed.
    """
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        rows = rows.astype(object).to_dict("records")
    return [{k: (None if is_missing(v) else v) for k, v in dict(r).items()} for r in rows]


def plain_value(value):
    """A table cell as a plain Python value: a missing cell (:func:`is_missing`) → None, a
    numpy scalar → its Python number; anything else as it is."""
    if is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)) \
            and not getattr(value, "ndim", 0):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value
