"""UI text of the rows without a location (住所だけの行) on the シミュレーション page
(``ui/sim_locate.py``): placing them at a 町字 or by an address lookup, and the devices whose
position is approximate."""
from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "sim.loc.title": ("位置が決まっていない行（{n} 件）", "Rows without a location ({n})"),
    "sim.loc.intro": (
        "住所だけで緯度・経度のない行です。配置するまでシミュレーションには入りません。"
        "町字の代表点に仮置きするか、インターネットで住所を検索して配置してください。",
        "These rows have an address but no latitude / longitude; they are not simulated "
        "until they are placed. Place them at the representative point of their town "
        "(町字) or look the addresses up on the internet."),
    "sim.loc.col.kind": ("種類", "Kind"),
    "sim.loc.col.id": ("ID", "ID"),
    "sim.loc.col.name": ("名称", "Name"),
    "sim.loc.col.address": ("住所", "Address"),
    "sim.loc.col.town": ("該当する町字", "Matching town (町字)"),
    "sim.loc.col.file": ("読み込んだファイル", "Imported from"),
    "sim.loc.town_none": ("（見つかりません）", "(not found)"),
    "sim.loc.towns_btn": ("町字の代表点に仮置き", "Place at the town's representative point"),
    "sim.loc.towns_help": (
        "住所の中から、読み込んだ基盤地図情報の町字（大字・町・丁目）の名前を探し、その区域の"
        "中心（区域がないときは町字の代表点）に置きます。インターネットは使いません。"
        "位置は概略なので、あとで正確な位置に直してください。",
        "Finds the name of an imported 基盤地図情報 town (大字・町・丁目) in each address and "
        "places the row at the centre of that town's area (or at its label point when there "
        "is no area). No internet is used. The position is approximate: correct it later."),
    "sim.loc.no_towns": (
        "町字のデータがないため使えません。この「読み込み・書き出し」タブで、町字を含む基盤地図情報 "
        "基本項目を読み込むと使えるようになります。",
        "Not available: the plan has no town (町字) data. Import 基盤地図情報 基本項目 that "
        "includes the towns in this Import / export tab to use it."),
    "sim.loc.consent": (
        "{n} 件の住所を、インターネット上の住所検索サービス「{service}」に送信することに同意します",
        "I agree to send {n} address(es) to the internet address lookup service "
        "“{service}”"),
    "sim.loc.consent_help": (
        "送るのは住所の文字だけです（名称や機種などは送りません）。{service} は OpenStreetMap "
        "財団が運営する外部のサービスで、送った住所は同財団のサーバーで処理されます。"
        "利用規約により 1 秒に 1 件ずつ送るため、{n} 件でおよそ {seconds} 秒かかります。",
        "Only the address text is sent (no names, models …). {service} is an external "
        "service run by the OpenStreetMap Foundation; the addresses are processed on its "
        "servers. Its usage policy allows one request per second, so {n} address(es) take "
        "about {seconds} s."),
    "sim.loc.geocode_btn": ("インターネットで住所を検索", "Look up the addresses on the internet"),
    "sim.loc.consent_first": (
        "住所を送信することに同意するチェックを入れてから検索してください。",
        "Tick the box agreeing to send the addresses before looking them up."),
    "sim.loc.discard_btn": ("位置が決まっていない行を削除", "Discard the rows without a location"),
    "sim.loc.what.towns": ("町字の代表点への仮置き", "placing rows at their towns"),
    "sim.loc.what.geocode": ("住所検索による配置", "placing rows by address lookup"),
    "sim.loc.what.discard": ("位置が決まっていない行の削除", "discarding rows without a location"),
    "sim.loc.placed_towns": (
        "{n} 件を町字の代表点に仮置きしました（位置は概略）。",
        "Placed {n} row(s) at their town's representative point (approximate position)."),
    "sim.loc.geocoded": (
        "{n} 件を住所検索で見つかった位置に置きました（位置は概略）。",
        "Placed {n} row(s) where the address lookup found them (approximate position)."),
    "sim.loc.still_pending": (
        "{n} 件は位置が決まらなかったため、一覧に残しています。",
        "{n} row(s) could not be placed and stay in the list."),
    "sim.loc.towns_none": (
        "どの行の住所にも、読み込んだ町字の名前が見つかりませんでした。行はそのまま残っています。",
        "No address contains the name of an imported town (町字). The rows are kept."),
    "sim.loc.geocode_none": (
        "住所検索で位置が見つかった行はありませんでした。行はそのまま残っています。",
        "The address lookup found none of the addresses. The rows are kept."),
    "sim.loc.offline": (
        "住所検索サービス「{service}」に接続できませんでした（{reason}）。インターネットに"
        "つながっているか確認してください。行はそのまま残っています。",
        "Could not reach the address lookup service “{service}” ({reason}). Check the "
        "internet connection. The rows are kept."),
    "sim.loc.discarded": (
        "位置が決まっていない {n} 行を削除しました。",
        "Discarded {n} row(s) without a location."),
    "sim.loc.approximate": (
        "次の機器は位置が概略です（町字の代表点や住所検索の結果に仮置き）：{ids}。"
        "現地の正確な位置に直してください。「カメラ」「防犯灯」タブの表で緯度・経度を直すと、"
        "「位置は概略」の印は消えます。地図をクリックして置き直した場合は、仮置きの機器を表から"
        "削除してください。",
        "The position of these devices is approximate (placed at a town's representative "
        "point or where the address lookup found them): {ids}. Correct them to the exact "
        "site: editing the latitude / longitude in the Cameras or Street lights table "
        "clears the approximate mark. If you place a device again by clicking the map, "
        "delete the approximate one from the table."),
    "sim.loc.imported_pending": (
        "{n} 行は住所だけで位置がないため、「読み込み・書き出し」タブの「位置が決まっていない"
        "行」に残しました。町字の代表点への仮置きか、インターネットでの住所検索で配置できます。",
        "{n} row(s) have an address but no location; they are kept under “Rows without a "
        "location” in the Import / export tab, to be placed at their town or by an address "
        "lookup on the internet."),
}
