"""Named SQL statements, one per ``datasets/sql/**/*.sql`` file (aiosql's idea, no dependency).

Every file ``datasets/sql/<verb>_<noun>.sql`` becomes a function
``queries.<verb>_<noun>(cursor, **params) -> pandas.DataFrame`` that binds ``params`` as
``$name`` parameters; files in subfolders are reached as ``queries.sql("folder/name")``.
Values are always bound, never formatted into the text. Each file starts with a comment
naming its parameters, e.g. ``-- params: $prefecture, $keyword``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """The text of ``datasets/sql/<name>.sql`` (loaded once)."""
    path = (SQL_DIR / f"{name}.sql").resolve()
    if SQL_DIR.resolve() not in path.parents:
        raise ValueError(f"query name {name!r} leaves the sql folder")
    if not path.is_file():
        raise AttributeError(f"no query named {name!r} (expected {path})")
    return path.read_text(encoding="utf-8")


def param_names(name: str) -> set[str]:
    """The ``$parameters`` a statement uses (comments excluded)."""
    text = "\n".join(line.split("--", 1)[0] for line in sql(name).splitlines())
    return set(_PARAM.findall(text))


def run(cursor, name: str, /, **params):
    """Execute the named statement with bound parameters and return a DataFrame.

    Raises
    ------
    TypeError
        When a parameter is missing or unknown (named in the message).
    """
    wanted = param_names(name)
    missing = wanted - params.keys()
    extra = params.keys() - wanted
    if missing or extra:
        raise TypeError(f"query {name!r}: missing parameters {sorted(missing)}, "
                        f"unknown {sorted(extra)}")
    cursor.execute(sql(name), params or None)
    if cursor.description is None:
        return None
    return cursor.fetch_df()


def execute(cursor, name: str, /, **params) -> None:
    """Execute a statement that returns no rows (INSERT/UPDATE/DELETE/DDL)."""
    wanted = param_names(name)
    if wanted != params.keys():
        raise TypeError(f"query {name!r}: expected parameters {sorted(wanted)}, "
                        f"got {sorted(params)}")
    cursor.execute(sql(name), params or None)


def names() -> list[str]:
    """All top-level query names."""
    return sorted(p.stem for p in SQL_DIR.glob("*.sql"))


def __getattr__(name: str):
    if name.startswith("_") or not (SQL_DIR / f"{name}.sql").is_file():
        raise AttributeError(name)

    def query(cursor, /, **params):
        return run(cursor, name, **params)

    query.__name__ = name
    query.__doc__ = sql(name).split("\n", 1)[0].lstrip("- ")
    return query
