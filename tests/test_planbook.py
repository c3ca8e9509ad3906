"""The plan book (計画書) PDF (reports/planbook.py): fonts, pages, header, page numbers,
money from the one arithmetic, 禁則."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from assessments.programme.costs import plan_costs
from assessments.programme.grants import plan_grant
from assessments.simulate import simulate
from reports.planbook import aim_point_m, plan_book_pdf
from reports.typesetting import wrap_japanese

ROOT = Path(__file__).resolve().parents[1]
SD = ROOT / "datasets" / "sample_district"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")


def _csv(name: str) -> list[dict]:
    with open(ROOT / "datasets" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def priced_sample() -> dict:
    """The sample district with prices, a running cost, a start year and the Tokyo
    見守り scheme chosen (numbers chosen so the totals are easy to check by hand)."""
    plan = json.loads((SD / "plan.json").read_text("utf-8"))
    plan["map_layers"] = {"streets": json.loads((SD / "streets.geojson").read_text("utf-8")),
                          "park": json.loads((SD / "park.geojson").read_text("utf-8"))}
    for cam in plan["cameras"]:
        cam["unit_price_jpy"] = 300_000
    plan["costs"] = {"years": 5,
                     "items": [{"category": "installation", "name": "設置工事",
                                "unit_price_jpy": 700_000, "quantity": 1}],
                     "running": [{"category": "electricity", "name": "電気料金",
                                  "annual_jpy": 60_000}]}
    plan["project"]["start_fy"] = 2026
    plan["grant"] = {"scheme_id": "tokyo_mimamori", "stage": "implementation"}
    plan["privacy"] = {"answers": {"P01": {"status": "todo", "owner": "安全安心課",
                                           "due": "2026-06"}},
                       "settings": {"retention_days": 14, "manager": "安全安心課長"}}
    return plan


# rows as reports.inputs.workbook_inputs gives them (texts of this test)
PRIVACY_ROWS = [
    {"item": "P01 設置目的の明確化", "status": "todo", "gap": "未対応",
     "action": "設置目的を運用要綱に明記する", "owner": "安全安心課", "due": "2026-06"},
    {"item": "P02 設置の表示", "status": "done", "evidence": "表示板の図案を作成済み"}]
READINESS_ROWS = [
    {"condition": "基本ビジョン", "question": "目的を文書にしたか", "level": 2,
     "max_level": 4, "gap": "レベル2（3以上が目安）", "action": "庁内で目的を共有する"}]
SOURCES = [{"title": "防犯カメラの設置及び運用に関するガイドライン", "publisher": "テスト県",
            "source": "https://example.org/guideline", "verified": False}]


@pytest.fixture(scope="module")
def book():
    """The PDF of the priced sample, its text per page, and what it was made from (one
    simulation for the module)."""
    plan = priced_sample()
    schemes, shares = _csv("grant_schemes.csv"), _csv("grant_shares.csv")
    sim = simulate(plan)
    data = plan_book_pdf(plan, schemes=schemes, shares=shares, today=dt.date(2026, 12, 7),
                         sim=sim, privacy_rows=PRIVACY_ROWS, readiness_rows=READINESS_ROWS,
                         sources=SOURCES)
    pages = []
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                              capture_output=True, check=True).stdout.decode("utf-8")
        pages = text.split("\f")[:-1]
    return {"plan": plan, "pdf": data, "pages": pages, "sim": sim,
            "grant": plan_grant(plan, schemes=schemes, shares=shares)}


def test_wrap_keeps_kinsoku():
    # every character 1 unit wide, 5 per line: 「あいうえ、お」 would put 「、」 at the
    # start of line 2; the line before gives up its last character instead (追い出し)
    lines = wrap_japanese("あいうえお、かきくけこ。", lambda s: len(s) <= 5)
    assert lines == ["あいうえ", "お、かきく", "けこ。"]
    assert not any(ln[0] in "、。」" for ln in lines if ln)
    # an opening bracket never ends a line: 「あいう（え」 → 「（」 moves down
    assert wrap_japanese("あいうえ（かき）", lambda s: len(s) <= 5) == ["あいうえ", "（かき）"]
    # a Latin run stays whole when it fits a line
    assert wrap_japanese("あいう ABCD", lambda s: len(s) <= 5) == ["あいう", "ABCD"]


def test_aim_point():
    class Cam:
        mount_height_m, tilt_deg = 5.0, 15.0
    # (5 − 1.5) / tan 15° = 3.5 / 0.267949 = 13.062 m
    assert aim_point_m(Cam, target_height_m=1.5) == pytest.approx(13.062, abs=1e-3)
    Cam.tilt_deg = 0.0
    assert aim_point_m(Cam, target_height_m=1.5) is None


@needs_poppler
def test_fonts_embedded(book):
    out = subprocess.run(["pdffonts", "-"], input=book["pdf"], capture_output=True)
    if out.returncode != 0:  # older pdffonts cannot read stdin
        path = Path(__file__).parent / "artifacts"
        path.mkdir(exist_ok=True)
        (path / "planbook.pdf").write_bytes(book["pdf"])
        out = subprocess.run(["pdffonts", str(path / "planbook.pdf")], capture_output=True)
    rows = out.stdout.decode().splitlines()[2:]
    jp = [r for r in rows if "CJKJP" in r.replace(" ", "")]
    assert len(jp) >= 2, rows          # ゴシック and 明朝
    assert all(" yes yes " in r for r in jp), jp   # embedded, subset


@needs_poppler
def test_pages_header_and_numbers(book):
    pages, plan, sim = book["pages"], book["plan"], book["sim"]
    n_cams = len(plan["cameras"])
    # cover + 概要 + 配置図 + 11 cameras + 夜間 + プライバシー + 準備度 + 事業費 + 交付金
    #   + 出典 = 3 + 11 + 6 = 20
    assert n_cams == 11
    assert len(pages) == 3 + n_cams + 6
    for i, page in enumerate(pages, start=1):
        assert f"- {i} / {len(pages)} -" in page, i
        assert plan["name"] in page, i     # cover title, header elsewhere
    assert "- 1 / 20 -" in pages[0]
    # one page per camera, in order, each naming its camera
    for k, cam in enumerate(sim.result["cameras"]):
        assert f"3-{k + 1}. カメラ {cam['id']}" in pages[3 + k]
    assert "配置図" in pages[2] and "縮尺 1:" in pages[2]


@needs_poppler
def test_money_from_the_one_arithmetic(book):
    text = "\n".join(book["pages"])
    c = plan_costs(book["plan"])
    # 11 cameras × 300,000 + 設置工事 700,000 = 3,300,000 + 700,000 = 4,000,000 円
    assert c.initial_jpy == 4_000_000
    assert "4,000,000 円" in book["pages"][1]            # 概要: 総事業費
    costs_page, grant_page = book["pages"][-3], book["pages"][-2]
    assert "総事業費（初期費用 計）" in costs_page and "4,000,000 円" in costs_page
    # 運用費 60,000 × 5 = 300,000; 1年目（令和8年度） = 4,000,000 + 60,000 = 4,060,000
    assert "令和8年度" in costs_page and "4,060,000 円" in costs_page
    assert "令和12年度" in costs_page                      # 5年目 = FY2030
    assert "4,300,000 円" in costs_page                    # 事業費合計
    g = book["grant"].amounts
    # 東京都 見守り (standard): basis 4,000,000 (300,000/台 is under the 600,000/台 cap);
    # 都 7/12 × 4,000,000 = 2,333,333.3 → 2,333,333 (under the 都 cap 3,000,000);
    # 区市町村 1/3 × 4,000,000 = 1,333,333; 団体 = 4,000,000 − 2,333,333 − 1,333,333
    # = 333,334; 交付金 (public payers) = 2,333,333 + 1,333,333 = 3,666,666
    assert g.grant_jpy == 3_666_666
    assert [round(sh["amount_jpy"]) for sh in g.shares] == [2_333_333, 1_333_333, 333_334]
    assert "3,666,666 円" in book["pages"][1]               # 概要
    assert f"{g.grant_jpy:,.0f} 円" in text
    assert f"{g.grant_jpy:,.0f} 円" in grant_page
    for sh in g.shares:                                    # 都 / 区市町村 / 団体
        assert f"{sh['amount_jpy']:,.0f} 円" in grant_page
        assert sh["payer_ja"] in grant_page


@needs_poppler
def test_privacy_and_readiness_pages(book):
    privacy, readiness = book["pages"][-5], book["pages"][-4]
    assert "未対応・一部対応の項目（1 件）" in privacy
    assert "設置目的を運用要綱に明記する" in privacy and "安全安心課長" in privacy
    assert "対応済み・対象外の項目（1 件）" in privacy and "表示板の図案を作成済み" in privacy
    assert "目的を文書にしたか" in readiness and "2/4" in readiness.replace(" ", "")


@needs_poppler
def test_no_line_starts_with_closing_punctuation(book):
    # 行頭禁則: pdftotext -raw gives the drawn lines; none may start with 、。」）
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=book["pdf"],
                          capture_output=True, check=True).stdout.decode("utf-8")
    bad = [ln for ln in text.splitlines() if ln.strip()[:1] in set("、。」）")]
    assert len(text.splitlines()) > 300 and bad == []


@needs_poppler
def test_sources_are_citations(book):
    src = book["pages"][-1]
    assert "東京都 地域における見守り活動支援事業" in src
    assert "https://webstore.iec.ch/en/publication/7353" in src
    assert "防犯カメラの設置及び運用に関するガイドライン（未確認）" in src
    assert "発行者：テスト県" in src and "https://example.org/guideline" in src
    assert "facts.md" not in src and ".csv" not in src


@needs_poppler
def test_no_scheme_and_plan_untouched(book):
    plan = copy.deepcopy(book["plan"])
    plan["grant"] = {"scheme_id": None}
    before = copy.deepcopy(plan)
    data = plan_book_pdf(plan, today=dt.date(2026, 4, 1), sim=book["sim"])
    assert plan == before
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")
    assert "補助制度が選ばれていません" in text
    assert "2026年4月1日（令和8年4月1日）" in text      # 作成日 on the cover
