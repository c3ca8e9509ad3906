"""Reference database: built from the CSVs, rebuilt when one changes, queries bound."""
from __future__ import annotations


import duckdb
import pytest

from datasets import queries, refdb


def _copy_data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "schema.sql").write_text(
        "CREATE TABLE things (id VARCHAR PRIMARY KEY, value DOUBLE, source VARCHAR NOT NULL);\n",
        encoding="utf-8")
    (data / "things.csv").write_text("id,value,source\na,1.5,facts.md\n", encoding="utf-8")
    return data


def test_build_and_rebuild_when_csv_changes(tmp_path):
    data = _copy_data(tmp_path)
    cache = tmp_path / "cache"
    first = refdb.ensure_reference_db(cache, data)
    con = duckdb.connect(str(first), read_only=True)
    assert con.execute("SELECT value FROM things WHERE id = 'a'").fetchone()[0] == 1.5
    con.close()
    assert refdb.ensure_reference_db(cache, data) == first  # unchanged: no rebuild

    (data / "things.csv").write_text("id,value,source\na,2.5,facts.md\nb,3,seed\n",
                                     encoding="utf-8")
    second = refdb.ensure_reference_db(cache, data)
    assert second != first and not first.exists()
    con = duckdb.connect(str(second), read_only=True)
    assert con.execute("SELECT sum(value) FROM things").fetchone()[0] == 5.5
    # read-only: the app cannot change reference data
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM things")
    con.close()


def test_corrupt_database_is_rebuilt(tmp_path):
    data = _copy_data(tmp_path)
    cache = tmp_path / "cache"
    path = refdb.ensure_reference_db(cache, data)
    path.write_bytes(b"this is not a duckdb file" * 100)
    again = refdb.ensure_reference_db(cache, data)
    con = duckdb.connect(str(again), read_only=True)
    assert con.execute("SELECT count(*) FROM things").fetchone()[0] == 1
    con.close()


def test_csv_not_matching_schema_is_named(tmp_path):
    data = _copy_data(tmp_path)
    (data / "things.csv").write_text("id,val,source\na,1,x\n", encoding="utf-8")
    with pytest.raises(refdb.ReferenceDataError, match="things.csv"):
        refdb.ensure_reference_db(tmp_path / "cache", data)


def test_real_reference_data_loads(ref_cursor):
    kashiwa = queries.get_municipality(ref_cursor, code="122173")
    assert kashiwa.loc[0, "name"] == "柏市" and kashiwa.loc[0, "prefecture"] == "千葉県"
    prefectures = queries.list_prefectures(ref_cursor)
    assert len(prefectures) == 47 and prefectures.loc[0, "prefecture"] == "北海道"


def test_queries_bind_parameters_and_check_names(ref_cursor):
    # a value that would break formatted SQL is just a value when bound
    rows = queries.list_municipalities(ref_cursor, prefecture="x' OR '1'='1")
    assert rows.empty
    with pytest.raises(TypeError, match="prefecture"):
        queries.list_municipalities(ref_cursor)
    with pytest.raises(AttributeError):
        queries.no_such_query  # noqa: B018
    with pytest.raises(ValueError, match="leaves"):
        queries.sql("../schema")
