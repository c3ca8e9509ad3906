"""The one Japanese font finder (reports.fonts): the JP face, no tofu, a clear error."""

import pytest
from fontTools.ttLib import TTCollection
from fpdf import FPDF

from reports import fonts

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def test_finder_returns_the_japanese_face_of_the_noto_collection():
    face = fonts.japanese_font()
    assert face.path == NOTO
    assert face.name == "Noto Sans CJK JP"
    # the index is the face whose family is the JP one (the collection also holds KR, SC,
    # TC, HK, whose kanji differ), read independently here from the name table
    names = [f["name"].getDebugName(1) for f in TTCollection(NOTO, lazy=True).fonts]
    assert names[face.index] == "Noto Sans CJK JP"
    assert "Noto Sans CJK KR" in names


def test_mincho_is_noto_serif_jp_and_bold_is_the_bold_file():
    m = fonts.japanese_font_mincho()
    assert m.name == "Noto Serif CJK JP"
    assert m.path.endswith("NotoSerifCJK-Regular.ttc")
    b = fonts.japanese_font(bold=True)
    assert b.path.endswith("NotoSansCJK-Bold.ttc") and b.name == "Noto Sans CJK JP"


@pytest.mark.parametrize("text", ["配置図防犯灯", "旭町一丁目", "見守りカメラ設置"])
@pytest.mark.parametrize("mincho", [False, True])
def test_no_tofu_distinct_characters_give_distinct_glyphs(text, mincho):
    font = fonts.pil_font(24, mincho=mincho)
    # U+E000 (private use) has no glyph in these fonts: it draws the .notdef box
    notdef = bytes(font.getmask("\ue000"))
    chars = sorted(set(text))
    glyphs = {ch: bytes(font.getmask(ch)) for ch in chars}
    # a font without kanji draws one and the same box for every character
    assert len(set(glyphs.values())) == len(chars)
    for ch, g in glyphs.items():
        assert g != notdef, ch
        assert sum(g) > 0, ch   # some ink


def test_pil_fonts_are_shared_per_size():
    assert fonts.pil_font(13) is fonts.pil_font(13)
    assert fonts.pil_font(13).size == 13


def test_missing_font_raises_the_clear_error(monkeypatch, tmp_path):
    # only an empty folder to search, as on a PC without any Japanese font
    monkeypatch.setattr(fonts, "font_dirs", lambda: [tmp_path])
    with pytest.raises(fonts.JapaneseFontMissing, match="fonts-noto-cjk") as err:
        fonts.japanese_font()
    assert "日本語フォントが見つかりません" in str(err.value)
    assert isinstance(err.value, ValueError)
    with pytest.raises(fonts.JapaneseFontMissing):
        fonts.pil_font(12)
    with pytest.raises(fonts.JapaneseFontMissing):
        fonts.add_fpdf_fonts(FPDF())


def test_windows_folder_and_face_by_name(monkeypatch, tmp_path):
    # A Windows-like folder holding only a Meiryo file: here a copy of the Noto collection
    # renamed, so the face is found by family name -> none of its names is "Meiryo" and it
    # is passed over; the mincho then falls back to the gothic, which is missing too.
    (tmp_path / "meiryo.ttc").write_bytes(open(NOTO, "rb").read())
    monkeypatch.setattr(fonts, "font_dirs", lambda: [tmp_path])
    with pytest.raises(fonts.JapaneseFontMissing):
        fonts.japanese_font()
    # the same file under a Noto name is found, face by family name
    (tmp_path / "opentype" / "noto").mkdir(parents=True)
    (tmp_path / "meiryo.ttc").rename(tmp_path / "opentype/noto/NotoSansCJK-Regular.ttc")
    face = fonts.japanese_font()
    assert face.name == "Noto Sans CJK JP" and face.path.startswith(str(tmp_path))
    # no serif installed: the mincho is the gothic
    assert fonts.japanese_font_mincho() == face


def test_fpdf_embeds_the_japanese_font_and_text_comes_back(tmp_path):
    import subprocess
    pdf = FPDF()
    fonts.add_fpdf_fonts(pdf)
    pdf.add_page()
    pdf.set_font("jp", size=12)
    pdf.cell(text="配置図 旭町一丁目")
    pdf.set_font("jp", "B", size=12)
    pdf.cell(text="防犯灯")
    pdf.set_font("jp-mincho", size=12)
    pdf.cell(text="明朝体")
    path = tmp_path / "f.pdf"
    path.write_bytes(bytes(pdf.output()))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                             check=True).stdout
    rows = [r for r in listing.splitlines() if "CJK" in r]
    assert len(rows) == 3   # regular, bold, serif
    assert all(" yes " in r for r in rows)   # emb column
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for word in ("配置図", "旭町一丁目", "防犯灯", "明朝体"):
        assert word in text
