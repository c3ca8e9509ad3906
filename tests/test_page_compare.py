"""事例比較 page under AppTest, both languages, with filters and selections."""
import json
from pathlib import Path

import pytest

from tests.pagetest import metric, run_page

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "compare_cases.py")


def run(lang="ja"):
    return run_page(PAGE, lang=lang)


@pytest.mark.parametrize("lang, title, count_label, cameras_label, cameras",
                         [("ja", "事例比較", "該当する取組", "見守りカメラ設置台数 (2017-10〜2019-03) (2019)", "1,475 台"),
                          ("en", "Compare initiatives", "Matching initiatives",
                           "Watch cameras installed (2017-10 to 2019-03) (2019)", "1,475 cameras")])
def test_page_both_languages(lang, title, count_label, cameras_label, cameras):
    at = run(lang)
    assert at.title[0].value == title
    # 2 super cities + 3 health-zone towns + 14 smart cities in datasets/initiatives.csv
    assert metric(at, count_label) == "19"
    # 加古川: 900 (FY2017) + 575 (FY2018) = 1,475 cameras (加古川市「見守りカメラ」のページ, KG1)
    assert metric(at, cameras_label) == cameras
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # map, heat map, crime bars
    # offline map: plain axes, no geo/tile traces (those download base maps)
    specs = [json.loads(c.proto.spec) for c in charts]
    assert not any(tr.get("type", "scatter") in ("scattergeo", "scattermap", "scattermapbox")
                   for sp in specs for tr in sp["data"])
    assert len(specs[0]["data"][0]["text"]) == 1916  # municipal offices as the base layer


def test_filters():
    at = run()
    at.selectbox(key="cc_pref.ja").select("千葉県").run()
    assert metric(at, "該当する取組") == "1"  # 柏の葉
    at.selectbox(key="cc_pref.ja").select_index(0).run()
    at.selectbox(key="cc_type.ja").select("super_city").run()
    assert metric(at, "該当する取組") == "2"  # つくば, 大阪
    at.selectbox(key="cc_type.ja").select_index(0).run()
    at.text_input(key="cc_text.ja").input("顔認証").run()
    # つくば, 大阪, 会津若松 (⚠️ note), 宇都宮, 前橋 mention face recognition
    assert metric(at, "該当する取組") == "5"
    at.text_input(key="cc_text.ja").input("").run()
    at.selectbox(key="cc_kw.ja").select("camera_sensor").run()
    # カメラ・センサー等 ● in the MLIT table: 仙北市, つくば市, 宇都宮市
    assert metric(at, "該当する取組") == "3"
    assert not at.exception


def test_side_by_side_and_heatmap():
    at = run()
    table = at.table[0].value
    cols = list(table.columns)
    assert cols == ["柏の葉スマートシティ", "つくばスーパーサイエンスシティ構想"]
    assert table.loc["1) 基本ビジョン", "つくばスーパーサイエンスシティ構想"] == "科学で新たな選択肢を、人々に多様な幸せを"
    assert table.loc["分類", "柏の葉スマートシティ"] == "スマートシティ"          # general row
    assert table.loc["タイプ", "柏の葉スマートシティ"] == "コンパクトシティ"     # seed §5(1)
    at.multiselect(key="cc_pick.ja").select("kakogawa").run()
    table = at.table[0].value
    assert table.shape[1] == 3
    assert table.loc["1) 基本ビジョン", "加古川市 見守りカメラ・スマートシティ"] == "— (出典の比較表に記載なし)"
    # keyword counts (seed MLIT table, 8 projects): カメラ・センサー等 3 projects
    counts = next(d.value for d in at.dataframe if "●の事業数" in d.value.columns)
    row = counts.set_index("キーワード")
    assert row.loc["カメラ・センサー等", "●の事業数"] == 3
    assert row.loc["移動・人流データ", "●の事業数"] == 5   # 札幌, 仙台, 仙北, つくば, 宇都宮
    # of the 3 camera projects, 2 also mark 防災? only 仙北 marks 防災 → 1
    assert row.loc["防災", "うち「カメラ・センサー等」も●"] == 1
    assert any("8 件のうち「カメラ・センサー等」に●: 3 件" in c.value for c in at.caption)
    at.radio(key="cc_heat_view.ja").set_value("pairs").run()
    assert not at.exception


def test_english_side_by_side():
    at = run("en")
    table = at.table[0].value
    assert "1) Basic vision" in table.index
    assert table.loc["Category", "Kashiwa-no-ha Smart City"] == "Smart city"
    assert table.loc["Type", "Kashiwa-no-ha Smart City"] == "Compact city"


def test_choices_survive_a_language_switch_as_ids():
    # the widgets hold ids (千葉県, kashiwanoha …) and show labels: after ja → en → ja the
    # same initiatives stay chosen (no label string comes back as a value)
    at = run()
    at.selectbox(key="cc_pref.ja").select("千葉県").run()
    at.multiselect(key="cc_pick.ja").select("kakogawa").run()
    at.radio(key="_lang_widget").set_value("en").run()
    assert not at.exception
    assert metric(at, "Matching initiatives") == "1"  # still 千葉県: 柏の葉
    assert at.multiselect(key="cc_pick.en").value == ["kashiwanoha", "tsukuba", "kakogawa"]
    assert "Kashiwa-no-ha Smart City" in at.table[0].value.columns
    at.radio(key="_lang_widget").set_value("ja").run()
    assert not at.exception
    assert metric(at, "該当する取組") == "1"
    assert list(at.table[0].value.columns)[0] == "柏の葉スマートシティ"
