"""Draft operating rules (reports/rules_draft.py): content, escaping, .docx round trip."""
from __future__ import annotations

import io
import shutil
import subprocess
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


def test_face_identification_draft_cites_its_sources_and_names_the_bill(items):
    plan = _plan(retention_days=30, manager="課長")
    plan["use_cases"] = ["face_identification", "watch_children"]
    md = rdr.build_markdown(plan, items)
    refs = md.split("## 参考（出典・閲覧日）")[1].split("## 要検討事項")[0]
    # the PPC Q&A on face identification, with publisher and the date it was read
    assert "Q1-14" in refs and "個人情報保護委員会（閲覧日 2026-12-07）" in refs
    assert r"https://www.ppc.go.jp/all\_faq\_index/faq1-q1-14\_/" in refs
    # only read and dated pages: every line carries its date
    lines = [line for line in refs.splitlines() if line.startswith("- ")]
    assert lines and all("（閲覧日 2026-12-07）" in line for line in lines)
    # the amendment is an open point described as a bill, never as law
    p29 = next(line for line in md.splitlines() if line.startswith("- P29 "))
    assert "改正案（2026年12月時点、成立を公式資料で確認できず）" in p29 and "現行法ではない" in p29
    assert "改正個人情報保護法" not in md and "改正法により" not in md
    # the face-identification article points to the PPC's points for private operators
    assert "個人情報保護委員会が民間事業者向けに示した顔識別機能付きカメラシステムの留意事項に準じて" in md
    text = _docx_text(rdr.build_docx(plan, items))
    assert "参考（出典・閲覧日）" in text and "https://www.ppc.go.jp/all_faq_index/faq1-q1-14_/" in text
    # without the checklist rows there is nothing to cite
    assert "## 参考" not in rdr.build_markdown(plan)


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


# --------------------------------------------------------------------------- .docx layout
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _fonts(style) -> dict:
    """The explicit font slots of a style's w:rFonts (``ascii``, ``eastAsia`` …)."""
    rfonts = style.element.rPr.find(f"{W}rFonts")
    return {k.removeprefix(W): v for k, v in rfonts.attrib.items()}


def test_docx_is_a4_with_japanese_margins():
    doc = Document(io.BytesIO(rdr.build_docx(_plan(retention_days=14, manager="課長"))))
    s = doc.sections[0]
    # A4 = 210 × 297 mm (JIS P 0138); python-docx Length.mm is EMU / 36000
    assert (round(s.page_width.mm, 1), round(s.page_height.mm, 1)) == (210.0, 297.0)
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin,
                                  s.right_margin)] == [30, 25, 30, 25]
    # 「- n -」: Word's PAGE field between the dashes
    footer = s.footer.paragraphs[0]
    assert footer.text.startswith("- ") and footer.text.endswith(" -")
    assert footer._p.find(f"{W}fldSimple").get(f"{W}instr") == "PAGE"


def test_docx_body_mincho_headings_black_gothic():
    doc = Document(io.BytesIO(rdr.build_docx(_plan(retention_days=14, manager="課長"))))
    normal = _fonts(doc.styles["Normal"])
    # the Japanese slot is what Japanese text is drawn with; no theme slot overrides it
    assert normal["eastAsia"] == "游明朝" and normal["ascii"] == "游明朝"
    assert not any(k.endswith("Theme") or k == "cstheme" for k in normal)
    assert doc.styles["Normal"].font.size.pt == 10.5
    fmt = doc.styles["Normal"].paragraph_format
    assert fmt.line_spacing.pt == 18 and fmt.line_spacing_rule == 4  # WD_LINE_SPACING.EXACTLY
    for name in ("Title", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        fonts = _fonts(style)
        assert fonts["eastAsia"] == "游ゴシック", name
        assert "eastAsiaTheme" not in fonts and "asciiTheme" not in fonts, name
        color = style.element.rPr.find(f"{W}color")
        # the template's blue (4F81BD accent1, 17365D text2) is gone: plain black, no theme
        assert color.get(f"{W}val") == "000000" and color.get(f"{W}themeColor") is None, name
    # the document's default language is Japanese (禁則, fallback fonts)
    lang = doc.styles.element.find(f"{W}docDefaults").find(f".//{W}lang")
    assert lang.get(f"{W}eastAsia") == "ja-JP"
    # the headings in the body use those styles
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles["第1条（目的）"] == "Heading 2"
    assert styles["防犯カメラの設置及び運用に関する要綱（案）"] == "Title"


@pytest.mark.skipif(not all(shutil.which(x) for x in ("soffice", "pdftotext", "pdffonts")),
                    reason="LibreOffice and poppler-utils are needed")
def test_docx_prints_japanese_through_libreoffice(tmp_path):
    """Slow (~5 s): LibreOffice converts the .docx to PDF."""
    src = tmp_path / "rules.docx"
    src.write_bytes(rdr.build_docx(_plan(retention_days=14, manager="市民生活部 防災安全課長")))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "rules.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = "".join(text.split())  # pdftotext spaces out mixed digits and kanji
    assert "第1条（目的）" in text and "第15条" in text
    assert "-1-" in text and "-2-" in text  # page numbers 「- n -」 in the footer
    assert "画像の保存期間は14日間とし" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    # a CJK face is embedded (name, then "emb" = yes): Noto Sans/Serif CJK, IPA, Yu …
    cjk = [line for line in fonts if any(k in line for k in ("CJK", "IPA", "Yu", "Mincho",
                                                               "Gothic"))]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info
