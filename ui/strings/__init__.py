"""All user-visible UI text, one module per area.

Each module defines ``STRINGS = {"area.key": ("日本語", "English")}``; :mod:`ui.i18n` merges
them. Keep every label here so a translator finds them in one place.
"""
from __future__ import annotations

import importlib
import pkgutil

LANGS = ("ja", "en")


def load_all() -> dict[str, tuple[str, str]]:
    """Merge ``STRINGS`` of every module in this package; duplicate keys are an error."""
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, value in getattr(module, "STRINGS", {}).items():
            if key in merged:
                raise ValueError(f"duplicate UI string key {key!r} in ui/strings/{info.name}.py")
            merged[key] = value
    return merged
