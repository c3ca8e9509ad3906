"""Workbook bombs: a few kB of .xlsx claiming a huge sheet is measured before openpyxl loads
it (``assessments.plan.iotools.xlsx_guard``) and refused with the limit it passes, in
seconds and bounded memory, on the camera import and on the 出力 page's import-back.

Each file is written here as XML into a zip (no big file in the repository). Each read runs
in a fresh process whose address space is capped at 2.5 GB, so the old code's 9.3 GB fails
fast with ``MemoryError`` instead of swapping the machine; the peak RSS is measured there.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assessments.plan import iotools as im
from datasets.workspace import Workspace
from assessments.plan.iotools.xlsx_guard import (PLAN_WORKBOOK, TABLE_WORKBOOK,
                                                 check_workbook, column_index, column_letter)

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

#: A camera table: header and two cameras (rows 1–3, columns A–D).
CAMERAS = [("名称", "緯度", "経度", "設置高さ"), ("C1", 35.757, 139.553, 5),
           ("C2", 35.756, 139.552, 4.5)]


def _rows_xml(rows=CAMERAS) -> str:
    def cell(ref, v):
        if isinstance(v, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
        return f'<c r="{ref}"><v>{v}</v></c>'
    return "".join(f'<row r="{i}">' + "".join(cell(f"{column_letter(j + 1)}{i}", v)
                                              for j, v in enumerate(r)) + "</row>"
                   for i, r in enumerate(rows, 1))


def _book(body: str, *, dimension="A1:D3", merges=(), sst_count=0,
          sheet_path="worksheets/sheet1.xml") -> bytes:
    """A one-sheet workbook 「カメラ」 whose sheetData is ``body`` (plus the merged ranges
    and a shared-string table of ``sst_count`` entries)."""
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(
        f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>") if merges else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
             f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData>{merged}</worksheet>')
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{OFFICE}.worksheet+xml"/>' + (
                '<Override PartName="/xl/sharedStrings.xml" '
                f'ContentType="{OFFICE}.sharedStrings+xml"/>' if sst_count else "")
            + "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/'
                       'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet '
                           'name="カメラ" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
            f'Target="{sheet_path}"/>' + (
                f'<Relationship Id="rId2" Type="{REL}/sharedStrings" '
                'Target="sharedStrings.xml"/>' if sst_count else "") + "</Relationships>",
        f"xl/{sheet_path}": sheet,
    }
    if sst_count:
        parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{MAIN}">' + "<si><t>a</t></si>"
                                         * sst_count + "</sst>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


def xfd_dimension() -> bytes:
    """Two cameras under a ``<dimension>`` claiming A1:XFD1048576, and an empty row 60,000:
    the old reader padded every row up to it to 16,384 cells (60,000 × 128 kB = 7.9 GB)."""
    return _book(_rows_xml() + '<row r="60000"/>', dimension="A1:XFD1048576")


def merged_99000_rows() -> bytes:
    """A range merged over 99,000 rows and out to XFD: openpyxl makes one cell object per
    merged cell (99,000 × 16,380 = 1.6 × 10⁹)."""
    return _book(_rows_xml(), merges=["E1:XFD99000"])


def cell_at_xfd40000() -> bytes:
    """One cell at XFD40000 (Excel writes the dimension to match): every row of the
    40,000 × 16,384 rectangle is built (6.6 × 10⁸ cells)."""
    return _book(_rows_xml() + '<row r="40000"><c r="XFD40000"><v>1</v></c></row>',
                 dimension="A1:XFD40000")


def plan_cell_at_xfd40000() -> bytes:
    """An exported plan workbook with one cell typed at XFD40000 of its カメラ配置 sheet
    (the 4th): the 出力 reader built the 40,000 × 16,384 rectangle twice and raised an
    empty ``MemoryError``."""
    from reports.excel import build_workbook
    from test_excel import sample_plan
    with zipfile.ZipFile(io.BytesIO(build_workbook(sample_plan()))) as zf:
        parts = {i: zf.read(i) for i in zf.infolist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts.items():
            if info.filename == "xl/worksheets/sheet4.xml":
                data = data.replace(b"</sheetData>", b'<row r="40000"><c r="XFD40000">'
                                    b"<v>1</v></c></row></sheetData>")
            zf.writestr(info, data)
    return buf.getvalue()


def merges_85000() -> bytes:
    """85,000 small merged ranges (435 kB): the 出力 reader was still at it after 600 s."""
    return _book(_rows_xml(), merges=[f"E{i}:F{i}" for i in range(1, 85_001)])


def strings_2m() -> bytes:
    """2,000,000 shared strings in 84 kB (no cell uses them)."""
    return _book(_rows_xml(), sst_count=2_000_000)


_READ = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (2_500 << 20, 2_500 << 20))
    from assessments.plan.iotools import read_point_table
    from reports.excel_import import read_workbook
    for name in sys.argv[3:]:
        data = open(name, "rb").read()
        start = time.perf_counter()
        try:
            if sys.argv[1] == "table":
                res = read_point_table(data, "cameras.xlsx", kind="camera")
                out = {"codes": [[p.code, p.value] for p in res.problems
                                 if p.severity == "error"], "rows": len(res.rows)}
            else:
                res = read_workbook(data)
                out = {"codes": [[m.code, m.sheet, m.params] for m in res.errors]}
        except MemoryError:
            out = {"raised": "MemoryError"}
        out["seconds"] = time.perf_counter() - start
        # the process's peak so far (VmHWM: this process's own, unlike ru_maxrss, which
        # keeps the parent's RSS at fork across exec): a bound for this file and those before
        with open("/proc/self/status") as f:
            out["peak_mb"] = next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024
        print(json.dumps(out, default=str), flush=True)
""")


def _read_in_child(path: str, files, root=ROOT) -> list[dict]:
    """Read each file on ``path`` (``table`` / ``export``) in one fresh, capped process."""
    done = subprocess.run([sys.executable, "-c", _READ, path, str(root), *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.strip().splitlines()[-len(files):]]


# what each file gives on each path: (builder, size bound [bytes], table, export);
# an expected result is the error codes with their values (the sheet, what it uses and the
# limit), or the number of cameras read
CASES = [
    # the dimension is not believed: the two cameras are read, as Excel would show them;
    # the 出力 reader stops at the empty row 60,000 (over its 50,000 rows)
    (xfd_dimension, 5_000, 2,
     [["xlsx_rows", "カメラ", {"found": "60,000", "limit": "50,000"}]]),
    # 99,000 rows > 50,000 on the 出力 path; XFD = column 16,384 > AMJ = 1,024 on both
    (merged_99000_rows, 5_000,
     [["xlsx_columns", "カメラ: XFD (16,384) > AMJ (1,024)"]],
     [["xlsx_columns", "カメラ", {"found": "XFD (16,384)", "limit": "AMJ (1,024)"}]]),
    (cell_at_xfd40000, 18_000,
     [["xlsx_columns", "カメラ: XFD (16,384) > AMJ (1,024)"]],
     [["xlsx_columns", "カメラ", {"found": "XFD (16,384)", "limit": "AMJ (1,024)"}]]),
    # every sheet is measured, not only the one read (the table reader reads 概要)
    (plan_cell_at_xfd40000, 40_000,
     [["xlsx_columns", "カメラ配置: XFD (16,384) > AMJ (1,024)"]],
     [["xlsx_columns", "カメラ配置", {"found": "XFD (16,384)", "limit": "AMJ (1,024)"}]]),
    # 85,000 ranges: the 10,001st passes the tables' limit, the 2,001st the plan's
    (merges_85000, 440_000,
     [["xlsx_merged_ranges", "カメラ: 10,001 > 10,000"]],
     [["xlsx_merged_ranges", "カメラ", {"found": "2,001", "limit": "2,000"}]]),
    # the table reader refuses the 2,000,000:1 part as a zip bomb (ratio over 200:1) before
    # the guard runs; the 出力 reader had no ratio check: strings are counted a 1 MB piece
    # at a time, so the count said is where the scan stopped: after the 3rd piece,
    # (3 × 1,048,576 bytes - 66 of <sst xmlns=…>) / 17 bytes a <si><t>a</t></si> = 185,039
    (strings_2m, 90_000,
     [["zip_bomb", "xl/sharedStrings.xml"]],
     [["xlsx_shared_strings", "", {"found": "185,039", "limit": "150,000"}]]),
]


@pytest.fixture(scope="module", params=["table", "export"])
def read_back(request, tmp_path_factory):
    """``(path, {builder name: what the child read})`` for every case of :data:`CASES`."""
    folder = tmp_path_factory.mktemp("bombs")
    files = []
    for make, size, *_ in CASES:
        data = make()
        assert len(data) <= size, make.__name__
        files.append(folder / f"{make.__name__}.xlsx")
        files[-1].write_bytes(data)
    out = _read_in_child(request.param, files)
    return request.param, {make.__name__: o for (make, *_), o in zip(CASES, out)}


@pytest.mark.parametrize("make, size, table, export", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_bomb_is_bounded_and_named(make, size, table, export, read_back):
    path, outs = read_back
    out = outs[make.__name__]
    assert "raised" not in out, out            # never a MemoryError
    expected = table if path == "table" else export
    if isinstance(expected, int):
        assert out["codes"] == [] and out["rows"] == expected, out
    else:
        assert out["codes"] == expected, out
    # the old code: 110 s or 9.3 GB; now seconds (30 s on a loaded 2-core machine)
    assert out["seconds"] < 30, out
    assert out["peak_mb"] < 500, out


def test_the_guard_counts_cells_rows_and_merges():
    """The counts behind the limits, on a sheet small enough to count by hand."""
    # rows 1–3 × columns A–D are used: 12 cells; a merge B5:C6 reaches row 6 (4 cells);
    # cells without a reference follow the previous one: row 7 holds A7, then 2 more → C7
    body = _rows_xml() + '<row r="7"><c r="A7"><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>'
    data = _book(body, merges=["B5:C6"])
    zf = zipfile.ZipFile(io.BytesIO(data))
    from dataclasses import replace
    # the used rectangle: last row 7 × last column D (4) = 28 cells
    assert check_workbook(zf, replace(TABLE_WORKBOOK, max_cells=28)) is None
    over = check_workbook(zf, replace(TABLE_WORKBOOK, max_cells=27))
    assert (over.code, over.sheet, over.found, over.limit) == ("cells", "カメラ", 28, 27)
    over = check_workbook(zf, replace(TABLE_WORKBOOK, max_rows=6))
    assert (over.code, over.found) == ("rows", 7)
    # merged cells: B5:C6 is 2 rows × 2 columns = 4
    over = check_workbook(zf, replace(TABLE_WORKBOOK, max_merged_cells=3))
    assert (over.code, over.found, over.limit) == ("merged_cells", 4, 3)
    # the reference-less cells of row 7 land in columns B and C, within D
    assert check_workbook(zf, replace(TABLE_WORKBOOK, max_columns=4)) is None
    assert column_index("XFD") == 16_384 and column_letter(1_024) == "AMJ"


@pytest.mark.parametrize("body, sheet_path", [
    # single quotes and spaces around "=" are XML too
    ("<row r = '40000'><c r='XFD40000'><v>1</v></c></row>", "worksheets/sheet1.xml"),
    # a character reference: &#88; is X
    ('<row r="40000"><c r="&#88;FD40000"><v>1</v></c></row>', "worksheets/sheet1.xml"),
    # a sheet part without .xml, which openpyxl opens by its relationship
    ('<row r="40000"><c r="XFD40000"><v>1</v></c></row>', "worksheets/data.bin"),
], ids=["quotes", "char_ref", "no_extension"])
def test_the_guard_reads_xml_as_the_parser_does(body, sheet_path):
    data = _book(_rows_xml() + body, sheet_path=sheet_path)
    over = check_workbook(zipfile.ZipFile(io.BytesIO(data)), TABLE_WORKBOOK)
    assert (over.code, over.sheet, over.found) == ("columns", "カメラ", 16_384)


def test_a_5000_digit_row_number_is_past_the_limit_not_a_traceback():
    # int() refuses over 4,300 digits (ValueError); any row number over 9 digits is
    # counted as 10⁹, past every limit
    digits = "9" * 5_000
    data = _book(_rows_xml() + f'<row r="{digits}"><c r="A{digits}"/></row>')
    over = check_workbook(zipfile.ZipFile(io.BytesIO(data)), TABLE_WORKBOOK)
    assert (over.code, over.found, over.limit) == ("rows", 10 ** 9, 100_100)


def test_an_exported_plan_is_within_the_plan_limits():
    """The limits leave room: a plan with 2,000 cameras reads back (35,000 cells)."""
    from reports.excel import build_workbook
    from test_excel import sample_plan
    plan = sample_plan()
    plan["cameras"] = [dict(plan["cameras"][i % 3], id=f"C{i + 1}") for i in range(2_000)]
    data = build_workbook(plan)
    assert check_workbook(zipfile.ZipFile(io.BytesIO(data)), PLAN_WORKBOOK) is None


def test_memory_error_is_said_not_unsupported(monkeypatch):
    """Should openpyxl still run out of memory, the import says so (never a traceback,
    never 「対応していない形式です」)."""
    def boom(*a, **k):
        raise MemoryError
    monkeypatch.setattr("openpyxl.load_workbook", boom)
    res = im.read_point_table(_book(_rows_xml()), "cameras.xlsx")
    assert [p.code for p in res.problems] == ["xlsx_memory"]
    from reports.excel_import import read_workbook
    assert [m.code for m in read_workbook(_book(_rows_xml())).errors] == ["xlsx_memory"]


@pytest.mark.parametrize("lang, words", [
    ("ja", ["このファイルは取り込めません。計画は変更していません。",
            "「カメラ配置」シートが上限を超える列まで使われています（XFD (16,384) 列、"
            "上限 AMJ (1,024) 列）。"]),
    ("en", ["This file cannot be imported. The plan is unchanged.",
            "Sheet 'カメラ配置' uses columns beyond the limit (column XFD (16,384); "
            "limit AMJ (1,024))."])], ids=["ja", "en"])
def test_export_page_names_the_limit(lang, words, workspace_path):
    """An exported plan with one cell at XFD40000 uploaded on the 出力 page: a translated
    refusal naming the sheet and the limit, no traceback, the plan unchanged."""
    from tests.pagetest import run_page_on_plan
    from test_excel import sample_plan
    at, stored = run_page_on_plan(str(ROOT / "pages" / "export.py"), workspace_path,
                                  sample_plan(), lang=lang)
    at.file_uploader(key="export_upload").upload("plan.xlsx", plan_cell_at_xfd40000(), XLSX)
    at.run()
    assert not at.exception, at.exception
    # values from the file are Markdown-escaped (「\\(」); the text read is what is shown
    errors = "\n".join(e.value for e in at.error).replace("\\", "")
    for w in words:
        assert w in errors, errors
    assert not [b for b in at.button if b.key == "export_apply"]
    assert Workspace(workspace_path).get_plan(stored["id"])["cameras"] == stored["cameras"]


@pytest.mark.parametrize("lang, words", [
    ("ja", ["cameras.xlsx は読み込めませんでした。計画は変更していません。",
            "ファイル: 結合セルが多すぎます（カメラ: 10,001 > 10,000 個）。"]),
    ("en", ["cameras.xlsx could not be imported. The plan is unchanged.",
            "file: Too many merged cell ranges (カメラ: 10,001 > 10,000)."])],
    ids=["ja", "en"])
def test_camera_import_names_the_limit(lang, words):
    """The 435 kB workbook of 85,000 merged ranges on the シミュレーション page's camera
    import: refused with the limit, in the user's language."""
    at = AppTest.from_file(str(ROOT / "pages" / "simulate.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.session_state["sim.import_queue"] = [{
        "kind": "cameras", "name": "cameras.xlsx", "mode": "replace", "data": merges_85000()}]
    at.run()
    assert not at.exception, at.exception
    # values and file names from the file are Markdown-escaped: compare the text as shown
    errors = re.sub(r"\\(.)", r"\1", "\n".join(e.value for e in at.error))
    for w in words:
        assert w in errors, errors
