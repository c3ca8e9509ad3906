"""Draft operating rules (reports/rules_draft.py): content, escaping, .docx round trip."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from reports import rules_draft as rdr

DATA = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def items():
    return pd.read_csv(DATA / "privacy_items.csv", dtype=str, keep_default_na=False)


def _plan(**settings):
    return {"name": "柏の葉キャンパス駅周辺 見守り・人流計測", "municipality": {"name": "柏市"},
            "project": {"purpose": "駅周辺の犯罪の防止と安全の確保"},
            "use_cases": ["abnormal_behavior", "people_count"],
            "privacy": {"answers": {"P05": {"status": "done"}}, "settings": settings}}


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    body = "\n".join(p.text for p in doc.paragraphs)
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    return header + "\n" + body


def test_draft_contains_retention_and_manager(items):
    plan = _plan(retention_days=14, manager="市民生活部 防災安全課長", contact="防災安全課 04-7167-1111")
    md = rdr.build_markdown(plan, items)
    assert "画像の保存期間は14日間とし" in md
    assert "市民生活部 防災安全課長をもって充てる" in md
    assert md.startswith("# 防犯カメラの設置及び運用に関する要綱（案）")
    assert "【下書き】" in md and "法務担当課" in md  # marked as a draft for the legal section
    assert "この要綱は、柏市が" in md and "駅周辺の犯罪の防止と安全の確保を図る" in md
    # mixed mode: counting cameras delete video on the device
    assert "人数計測のみを行うカメラの映像は、カメラ内で解析した後直ちに消去" in md
    # police provision only on written request; provisions logged
    assert "書面により照会を受けたとき" in md and "提供先、日時、理由" in md
    # open points: missing settings and gaps; P05 is done so not listed
    assert "未記入: 設置場所" in md and "- P10 " in md and "- P05 " not in md
    text = _docx_text(rdr.build_docx(plan, items))
    assert "画像の保存期間は14日間とし" in text
    assert "市民生活部 防災安全課長をもって充てる" in text
    assert "【案】" in text and "第1条（目的）" in text


def test_articles_are_numbered_in_order():
    md = rdr.build_markdown(_plan(retention_days=7, manager="課長"))
    numbers = [int(line.split("第")[1].split("条")[0]) for line in md.splitlines()
               if line.startswith("## 第")]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 15


def test_missing_values_are_marked_to_fill_in():
    md = rdr.build_markdown(_plan())
    assert "【要記入：保存期間】日間" in md and "【要記入：管理責任者】をもって充てる" in md


def test_statistics_only_plan_keeps_no_video():
    plan = _plan(manager="課長")
    plan["use_cases"] = ["people_count"]
    md = rdr.build_markdown(plan)
    assert "映像は防犯カメラ内で解析した後直ちに消去し、保存しない" in md
    assert "要記入：保存期間" not in md


def test_face_identification_and_sharing_add_articles():
    plan = _plan(retention_days=30, manager="課長")
    plan["use_cases"] = ["face_identification"]
    md = rdr.build_markdown(plan)
    assert "（顔識別）" in md and "（共同利用）" in md
    assert "顔識別機能を用いること及びその目的を" in md
    assert "（顔識別）" not in rdr.build_markdown(_plan())


def test_user_text_is_escaped(items):
    plan = _plan(retention_days=14, manager="課長 <script>alert(1)</script> **太字** [x](http://e.x)",
                 locations="駅前\n# 見出し\x07")
    md = rdr.build_markdown(plan, items)
    assert "<script>" not in md and "&lt;script" in md
    assert r"\*\*太字\*\*" in md and r"\[x\](http://e.x)" in md
    assert "\n# 見出し" not in md and "駅前 \\# 見出し" in md and "\x07" not in md
    # the .docx keeps the literal text (python-docx escapes XML itself)
    text = _docx_text(rdr.build_docx(plan, items))
    assert "<script>alert(1)</script>" in text and "\x07" not in text


def test_english_draft_and_file_name():
    md = rdr.build_markdown(_plan(retention_days=14, manager="Safety section chief"), lang="en")
    assert md.startswith("# Guideline on the installation and operation of security cameras (draft)")
    assert "Images are kept for 14 days" in md and "[DRAFT]" in md
    assert rdr.file_name({"name": "a/b: c"}, "docx") == "運用要綱案_a_b_c.docx"
    with pytest.raises(ValueError, match="lang must be one of ja, en"):
        rdr.build_markdown(_plan(), lang="fr")
    with pytest.raises(ValueError, match="ext must be one of md, docx"):
        rdr.file_name({}, "pdf")


def test_legal_form_changes_the_title():
    md = rdr.build_markdown(_plan(legal_form="ordinance", retention_days=14, manager="課長"))
    assert md.startswith("# 防犯カメラの設置及び運用に関する条例（案）")
    assert "この条例は、柏市が" in md


def test_values_the_app_cannot_use_are_open_points_not_a_failure(items):
    # a plan saved with a display label as a use case, a label as the legal form and as a
    # status (what the language-switch bug stored): the draft keeps the known use case,
    # falls back to the default form and names each unusable value
    plan = _plan(retention_days=14, manager="課長", legal_form="規則")
    plan["use_cases"] = ["災害監視", "people_count"]
    plan["privacy"]["answers"] = {"P05": {"status": "一部"}}
    md = rdr.build_markdown(plan, items)
    assert md.startswith("# 防犯カメラの設置及び運用に関する要綱（案）")  # default: guideline
    uses = md.split("## 第3条")[1].split("## 第4条")[0]  # 第3条（利用目的）
    assert "(1) 人流計測（人数）" in uses and "(2)" not in uses and "要記入" not in uses
    assert "- 用途の値「災害監視」はこのアプリで扱えないため" in md
    assert "- 設定「定める形式」の保存値はこのアプリで扱えないため" in md
    assert "- P05 " in md  # an unreadable status counts as not answered
    en = rdr.build_markdown(plan, items, lang="en")
    assert "Use-case value “災害監視” is not one the app knows" in en
