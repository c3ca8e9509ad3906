"""Shared fixtures: every test gets its own workspace file; the reference DB is built once."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

ROOT = Path(__file__).resolve().parents[1]

# Tests that start a server or a browser, or that compare wall times within one run, share one
# pytest-xdist worker (``--dist loadgroup``): they then never compete with each other for the
# machine's cores, only with the quick unit tests running beside them.
SERIAL_MODULES = frozenset({
    "test_recovery", "test_hostile_xlsx", "test_memory_budget", "test_faults",
})


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        if item.get_closest_marker("browser") or module in SERIAL_MODULES:
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(scope="session", autouse=True)
def _reference_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("refdb")
    os.environ["MIMAMORI_REFDB_DIR"] = str(directory)
    yield directory


@pytest.fixture(autouse=True)
def workspace_path(tmp_path, monkeypatch):
    """A fresh workspace file for each test (``MIMAMORI_WORKSPACE``)."""
    path = tmp_path / "workspace.duckdb"
    monkeypatch.setenv("MIMAMORI_WORKSPACE", str(path))
    yield path


@pytest.fixture
def ref_cursor():
    """A cursor on the reference database built from datasets/*.csv."""
    from datasets import refdb
    con = refdb.connect()
    yield con.cursor()
    con.close()


@pytest.fixture
def media(monkeypatch):
    """Keep the media storages AppTest creates, so a download button's bytes can be read."""
    stores = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return stores
