"""``python -m reports`` (reports/cli.py): documents from one plan, exit codes, no traceback;
and the reference inputs of the Excel plan (reports/inputs.py) the 出力 page shares."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from reports import excel as X
from reports.cli import main
from reports.inputs import READINESS_CONDITIONS, workbook_inputs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "sample_district" / "plan.json"
NAME = "サンプル地区（新座市・PLATEAU）"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _plan() -> dict:
    """The sample district with a chosen scheme and some answers, so the workbook's
    reference rows (scheme, readiness, privacy) are filled."""
    plan = json.loads(SAMPLE.read_text(encoding="utf-8"))
    plan["resolution_m"] = 2.0  # a quarter of the cells: the documents, not the figures
    plan["grant"] = {"scheme_id": "tokyo_mimamori", "stage": "implementation"}
    plan["readiness"] = {"answers": {"vision_1": {"level": 2, "evidence": "構想案"}}}
    plan["privacy"]["answers"] = {"P01": {"status": "todo", "owner": "防災安全課",
                                          "due": "2026-06"}}
    return plan


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "reports", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "plan.json"
    path.write_text(json.dumps(_plan(), ensure_ascii=False), encoding="utf-8")
    return path


def _main(capsys, *args) -> tuple[int, str]:
    """Exit status and stderr of the command line run in this process (argparse's own
    errors end in SystemExit)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def _no_traceback(proc):
    assert "Traceback" not in proc.stderr, proc.stderr


# ----------------------------------------------------------------------------- inputs
def test_workbook_inputs_joins_answers_to_reference_rows(ref_cursor):
    inputs = workbook_inputs(_plan(), ref_cursor)
    assert inputs.scheme["id"] == "tokyo_mimamori"
    # 東京都 地域における見守り活動支援事業: payer rows of the standard variant (都 / 区市町村 …)
    assert inputs.scheme_shares and all(r["scheme_id"] == "tokyo_mimamori"
                                        for r in inputs.scheme_shares)
    assert {"schemes", "shares", "calls", "sources", "readiness_rows",
            "privacy_rows"} == set(inputs.kwargs())
    # vision_1 answered at level 2 → gap 「レベル2（3以上が目安）」 under 基本ビジョン
    row = next(r for r in inputs.readiness_rows if r["evidence"] == "構想案")
    assert row["condition"] == READINESS_CONDITIONS["vision"] == "基本ビジョン"
    assert row["level"] == 2 and row["gap"] == "レベル2（3以上が目安）"
    # P01 todo → its gap label and the owner carried over
    (p,) = inputs.privacy_rows
    assert p["item"].startswith("P01 ") and p["status"] == "todo"
    assert p["gap"] == X.PRIVACY_STATUS_LABELS["todo"] and p["owner"] == "防災安全課"
    # the scheme's own page is among the sources
    assert any(s.get("source") == inputs.scheme["source"] for s in inputs.sources)


def test_workbook_inputs_without_answers(ref_cursor):
    plan = json.loads(SAMPLE.read_text(encoding="utf-8"))  # no scheme, no answers
    inputs = workbook_inputs(plan, ref_cursor)
    assert inputs.scheme is None and inputs.scheme_shares == []
    assert inputs.readiness_rows is None and inputs.privacy_rows is None
    assert len(inputs.schemes) > 10  # the whole grant_schemes table for the matcher


def test_workbook_inputs_on_a_database_without_tables():
    # a machine whose reference data is not built yet: no rows, no failure
    import duckdb
    inputs = workbook_inputs(_plan(), duckdb.connect().cursor())
    assert (inputs.schemes, inputs.shares, inputs.sources) == ([], [], [])
    assert inputs.scheme is None and inputs.readiness_rows is None
    assert inputs.privacy_rows is None


# --------------------------------------------------------------------------- outputs
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils needed")
def test_every_document_is_written_and_opens(plan_file, tmp_path):
    out = {k: tmp_path / f"out.{k}" for k in ("xlsx", "pdf", "png", "docx")}
    proc = _run(plan_file, "--xlsx", out["xlsx"], "--pdf", out["pdf"], "--map", out["png"],
                "--docx", out["docx"], "--paper", "A3", "--orientation", "portrait",
                "--dpi", "72")
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    wb = load_workbook(out["xlsx"])
    assert X.SHEETS["summary"] in wb.sheetnames and X.SHEETS["cameras"] in wb.sheetnames
    # the reference rows reached the workbook: readiness and privacy sheets exist
    assert X.SHEETS["readiness"] in wb.sheetnames and X.SHEETS["privacy"] in wb.sheetnames
    # the 11 cameras of the sample district are listed by id on the camera sheet
    cam_ids = {c.value for row in wb[X.SHEETS["cameras"]].iter_rows() for c in row
               if isinstance(c.value, str) and c.value.startswith("C")}
    assert {f"C{i}" for i in range(1, 12)} <= cam_ids
    assert out["png"].read_bytes().startswith(PNG_MAGIC)
    pdf = out["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(out["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert NAME in "".join(text.split())
    info = subprocess.run(["pdfinfo", str(out["pdf"])], capture_output=True,
                          text=True).stdout
    # A3 portrait = 297 × 420 mm = 841.9 × 1190.6 pt (1 pt = 25.4/72 mm)
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    w_pt, h_pt = (float(v) for v in size.split(":")[1].split("pts")[0].split(" x "))
    assert abs(w_pt - 841.9) < 1 and abs(h_pt - 1190.6) < 1
    doc = Document(io.BytesIO(out["docx"].read_bytes()))
    assert any(p.text == "第1条（目的）" for p in doc.paragraphs)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils needed")
def test_plan_book_gets_the_reference_data(plan_file, tmp_path, capsys):
    book = tmp_path / "book.pdf"
    code, err = _main(capsys, plan_file, "--book", book)
    assert code == 0, err
    text = "".join(subprocess.run(["pdftotext", str(book), "-"], capture_output=True,
                                  text=True, check=True).stdout.split())
    assert NAME in text
    # the plan's scheme reached the book through workbook_inputs (name_ja of the CSV row)
    assert "東京都地域における見守り活動支援事業" in text
    info = subprocess.run(["pdfinfo", str(book)], capture_output=True, text=True).stdout
    assert "(A4)" in info


def test_docx_alone_needs_no_simulation(tmp_path, capsys):
    # a plan without an area cannot be simulated, but its rules draft can be written
    plan = _plan()
    del plan["area"]
    src = tmp_path / "plan.json"
    src.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    code, err = _main(capsys, src, "--docx", tmp_path / "rules.docx")
    assert code == 0, err
    text = "\n".join(p.text for p in Document(str(tmp_path / "rules.docx")).paragraphs)
    assert "この要綱は、新座市が" in text and "画像の保存期間は14日間とし" in text


# ---------------------------------------------------------------------------- errors
def test_bad_plan_exits_2_naming_camera_and_field(tmp_path):
    plan = _plan()
    plan["cameras"][2]["tilt_deg"] = 200
    del plan["cameras"][3]["mount_height_m"]
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    xlsx = tmp_path / "out.xlsx"
    proc = _run(src, "--xlsx", xlsx, "--docx", tmp_path / "rules.docx")
    _no_traceback(proc)
    assert proc.returncode == 2
    assert "camera C3: tilt_deg = 200 is outside -90…90" in proc.stderr
    assert "camera C4: mount_height_m is missing" in proc.stderr
    # checked before anything is written: no partial set of documents
    assert not xlsx.exists() and not (tmp_path / "rules.docx").exists()


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),                                   # no such file
    ("\ufeff{\"version\": 1, \"cameras\": [", "not valid JSON"),  # BOM, cut short
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"version": 1, "cameras": {}}', "'cameras' must be a list"),
])
def test_unreadable_plan_exits_2(tmp_path, capsys, content, message):
    src = tmp_path / "plan.json"
    if content is not None:
        src.write_text(content, encoding="utf-8")
    code, err = _main(capsys, src, "--xlsx", tmp_path / "out.xlsx")
    assert code == 2 and message in err, err


def test_missing_plan_exits_2_without_traceback(tmp_path):
    proc = _run(tmp_path / "no_such_plan.json", "--map", tmp_path / "out.png")
    _no_traceback(proc)
    assert proc.returncode == 2 and "cannot read" in proc.stderr
    assert "no_such_plan.json" in proc.stderr


def test_nothing_to_write_and_bad_options_exit_2(plan_file, tmp_path, capsys):
    code, err = _main(capsys, plan_file)
    assert code == 2 and "nothing to write" in err
    code, err = _main(capsys, plan_file, "--pdf", tmp_path / "x.pdf", "--paper", "B4")
    assert code == 2 and "invalid choice: 'B4'" in err
    code, err = _main(capsys, plan_file, "--map", tmp_path / "x.png", "--dpi", "5000")
    assert code == 2 and "50–600" in err


def test_unwritable_output_exits_2(plan_file, tmp_path, capsys):
    code, err = _main(capsys, plan_file, "--docx", tmp_path / "no_such_dir" / "rules.docx")
    assert code == 2 and "cannot read or write" in err
