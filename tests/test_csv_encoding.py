"""Camera / light tables in one encoding or mixed: a file whose lines are in different
encodings is refused with the first odd line, never stored as mojibake."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assessments.plan import iotools as im
from assessments.plan.iotools.text import mixed_encoding

ROOT = Path(__file__).resolve().parents[1]
HEADER = "名称,緯度,経度\n"
ROWS = "地点1,35.1,139.1\n地点2,35.2,139.2\n地点3,35.3,139.3\n"


def _codes(res):
    return [(p.row, p.code, p.value) for p in res.problems]


@pytest.mark.parametrize("data, encoding", [
    ((HEADER + ROWS).encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + (HEADER + ROWS).encode("utf-8"), "utf-8-sig"),
    ((HEADER + ROWS).encode("cp932"), "cp932"),
], ids=["utf8", "utf8_bom", "cp932"])
def test_one_encoding_throughout_is_read(data, encoding):
    res = im.read_point_table(data, "cameras.csv")
    assert res.ok and res.meta["encoding"] == encoding
    assert [r["name"] for r in res.rows] == ["地点1", "地点2", "地点3"]
    assert mixed_encoding(data) is None


def test_cp932_header_over_utf8_rows_is_refused_not_mojibake():
    # the whole file decodes only as CP932, which turns the UTF-8 「地点1」 into 「蝨ｰ轤ｹ1」;
    # three UTF-8 lines against one CP932 line: the file is UTF-8 and line 1 is the odd one
    data = HEADER.encode("cp932") + ROWS.encode("utf-8")
    assert data.decode("cp932").splitlines()[1] == "蝨ｰ轤ｹ1,35.1,139.1"   # what was stored
    res = im.read_point_table(data, "cameras.csv")
    assert not res.ok and res.rows == []
    assert _codes(res) == [(None, "mixed_encoding", "1")]
    assert mixed_encoding(data) == (1, "UTF-8", "Shift_JIS")


def test_utf8_header_over_cp932_rows_is_refused():
    # one UTF-8 line, three CP932 lines: the file is Shift_JIS, line 1 is UTF-8
    data = HEADER.encode("utf-8") + ROWS.encode("cp932")
    res = im.read_point_table(data, "cameras.csv")
    assert not res.ok and res.rows == []
    assert _codes(res) == [(None, "mixed_encoding", "1")]


def test_a_cp932_row_among_utf8_rows_names_its_line():
    # header and rows 1, 3 UTF-8 (3 lines), row 2 (file line 3) CP932
    lines = (HEADER + ROWS).splitlines(keepends=True)
    data = b"".join(ln.encode("cp932" if i == 2 else "utf-8") for i, ln in enumerate(lines))
    assert mixed_encoding(data) == (3, "UTF-8", "Shift_JIS")
    assert _codes(im.read_point_table(data, "lights.csv", kind="light")) == [
        (None, "mixed_encoding", "3")]


def test_utf8_bom_with_cp932_rows_names_the_line():
    # before: the BOM forced UTF-8, the decode failed and the message named no line
    data = codecs.BOM_UTF8 + HEADER.encode("utf-8") + ROWS.encode("cp932")
    assert _codes(im.read_point_table(data, "cameras.csv")) == [
        (None, "mixed_encoding", "1")]


def test_a_mixed_csv_named_xlsx_is_refused_as_mixed():
    # before the check, not even text: 「Excel（.xlsx）ファイルではありません」
    data = HEADER.encode("cp932") + ROWS.encode("utf-8")
    assert _codes(im.read_point_table(data, "cameras.xlsx")) == [
        (None, "renamed_csv", ""), (None, "mixed_encoding", "1")]


def test_ascii_lines_and_utf16_are_not_mixed():
    # an ASCII header carries no encoding: a CP932 file with an English header is CP932
    data = b"name,lat,lon\n" + ROWS.encode("cp932")
    assert mixed_encoding(data) is None
    assert [r["name"] for r in im.read_point_table(data, "c.csv").rows][0] == "地点1"
    assert mixed_encoding((HEADER + ROWS).encode("utf-16")) is None


@pytest.mark.parametrize("lang, words", [
    ("ja", ["cameras.csv は読み込めませんでした。計画は変更していません。",
            "ファイル: 1 行目の文字コードがほかの行と違います",
            "UTF-8（または Shift_JIS/CP932）で保存し直してください"]),
    ("en", ["cameras.csv could not be imported. The plan is unchanged.",
            "file: Line 1 is in another encoding than the rest of the file",
            "Save the whole file as UTF-8 (or Shift_JIS/CP932)"])], ids=["ja", "en"])
def test_page_refuses_the_mixed_file_in_both_languages(lang, words):
    at = AppTest.from_file(str(ROOT / "pages" / "simulate.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.session_state["sim.import_queue"] = [{
        "kind": "cameras", "name": "cameras.csv", "mode": "replace",
        "data": HEADER.encode("cp932") + ROWS.encode("utf-8")}]
    at.run()
    assert not at.exception, at.exception
    # as shown: the file's name and values are Markdown-escaped (「cameras\\.csv」)
    errors = "\n".join(re.sub(r"\\(.)", r"\1", e.value) for e in at.error)
    for w in words:
        assert w in errors, errors
    assert "蝨" not in errors
