"""A town's own geodata on the シミュレーション page: base map, terrain, area, homes."""

STRINGS: dict[str, tuple[str, str]] = {
    "sim.tab.geo": ("地図・範囲・住宅", "Map, area, homes"),
    "sim.geo.start": ("町の地図データから始める", "Start from the town's map data"),
    "sim.click.home": ("住宅を指定", "Marks a home"),
    "sim.click.area": ("範囲を囲む", "Draws the area"),
    "sim.click.help.inspect": ("クリックした地点で各カメラに人物がどう映るかを表示します。",
                               "Shows how each camera records a person at the point."),
    "sim.click.help.place": ("地図をクリックした位置に置きます。機種と向きはクリック操作の右のボタンで選びます。",
                             "A click on the map places it there; choose the model and direction with the button right of the click modes."),
    "sim.click.help.home": ("建物をクリックすると住宅の指定を切り替えます（「地図・範囲・住宅」タブでまとめて指定）。",
                            "A click on a building switches it between home and not (rules on the Map, area, homes tab)."),
    "sim.click.help.area": ("囲みたい範囲の角を順にクリックし、「地図・範囲・住宅」タブで確定します。",
                            "Click the corners of the area in turn, then use it on the Map, area, homes tab."),
    # import kinds (the 読み込み・書き出し tab)
    "sim.io.kind.basemap": ("基盤地図情報 基本項目（道路・建物・町字、GML / .zip）",
                            "GSI base map, basic items (roads, buildings, towns; GML / .zip)"),
    "sim.io.kind.plateau": ("PLATEAU 3D都市モデル（建物・道路、CityGML / .zip）",
                            "PLATEAU city model (buildings, roads; CityGML / .zip)"),
    "sim.io.kind.terrain": ("地形（基盤地図情報 数値標高モデル / GeoTIFF）",
                            "Terrain (GSI digital elevation model / GeoTIFF)"),
    "sim.io.kind.background": ("背景図（GeoTIFF、PNG・JPEG とワールドファイル）",
                               "Background map (GeoTIFF, PNG / JPEG with world file)"),
    "sim.io.kind.mbtiles": ("オフライン地図タイル（MBTiles）", "Offline map tiles (MBTiles)"),
    "sim.geo.file.basemap": ("基盤地図情報のファイル", "GSI base map file"),
    "sim.geo.file.plateau": ("PLATEAU のファイル", "PLATEAU file"),
    "sim.geo.file.terrain": ("標高のファイル", "Elevation file"),
    "sim.geo.file.background": ("画像とワールドファイル（まとめて選択）",
                                "Image and world file (choose both)"),
    "sim.geo.file.mbtiles": ("MBTiles ファイル", "MBTiles file"),
    "sim.geo.help.basemap": (
        "国土地理院の基盤地図情報ダウンロードサービスで入手した基本項目の GML（FG-GML-…xml）、"
        "またはダウンロードした .zip をそのまま選びます。道路縁・軌道・水涯線・行政区画・町字は"
        "地図に、建築物は建物（見通しを遮る）として読み込みます。建物の高さは後から種別ごとに"
        "設定できます。",
        "A basic-items GML file (FG-GML-…xml) from the GSI download service, or the downloaded "
        ".zip as it is. Road edges, rail, water lines, boundaries and towns go on the map; "
        "buildings become buildings that block the view. Set their heights by type afterwards."),
    "sim.geo.help.plateau": (
        "PLATEAU の CityGML（udx/bldg、udx/tran の .gml）、またはダウンロードした .zip "
        "（複数メッシュ可）。建物の用途（住宅・共同住宅など）があれば住宅として扱います。",
        "PLATEAU CityGML (.gml of udx/bldg, udx/tran) or the downloaded .zip (several meshes "
        "at once). Buildings with a dwelling usage count as homes."),
    "sim.geo.help.terrain": (
        "基盤地図情報 数値標高モデル（DEM5A / 5B / 10B の GML、または .zip）、または緯度経度の"
        "GeoTIFF。坂や丘による見通しの遮りを計算し、地図に陰影と等高線で示します。",
        "A GSI elevation model (DEM5A / 5B / 10B GML, or a .zip), or a lat/lon GeoTIFF. "
        "Slopes and hills then block the view, and the map shows them shaded with contours."),
    "sim.geo.help.background": (
        "都市計画図・道路台帳図・オルソ写真など。GeoTIFF 1 つ、または画像（PNG / JPEG）と"
        "同じ名前のワールドファイル（.pgw / .jgw）を一緒に選びます。座標系は .prj、なければ"
        "都道府県の平面直角座標系とみなします。",
        "A town-planning map, road register map or orthophoto: one GeoTIFF, or an image "
        "(PNG / JPEG) together with its world file (.pgw / .jgw) of the same name. The "
        "coordinate system comes from a .prj, else the prefecture's plane rectangular zone."),
    "sim.geo.help.mbtiles": (
        "GIS で書き出したラスタのタイルパッケージ（.mbtiles）。対象範囲の部分を背景図として"
        "取り込みます（インターネット接続は不要です）。",
        "A raster tile package (.mbtiles) exported from GIS; the part over the area becomes "
        "the background map (no internet needed)."),
    "sim.geo.attribution": ("背景図の出典", "Background source"),
    "sim.geo.attribution_hint": ("例：〇〇市 都市計画図（令和5年）", "e.g. City planning map (2023)"),
    "sim.geo.fit_area": ("対象範囲をこのデータの範囲にする", "Make the area the data's extent"),
    "sim.geo.fit_area_help": (
        "オフにすると今の対象範囲のまま、データを重ねます（範囲の外のデータは読み込みません）。",
        "Off: keep the current area and lay the data over it (data outside it is refused)."),
    "sim.geo.needs_image": ("画像ファイル（.tif / .png / .jpg）も選んでください。",
                            "Also choose the image file (.tif / .png / .jpg)."),
    "sim.geo.mbtiles_needs_area": (
        "先に対象範囲を決めてください（タイルは対象範囲の部分だけを取り込みます）。",
        "Set the area first (only the tiles over the area are taken)."),
    "sim.geo.outside": (
        "データが計画の対象範囲の外にあります（データ：{data}／対象範囲：{area}）。"
        "別の地域のファイルでないか確認するか、「対象範囲をこのデータの範囲にする」をオンにして"
        "読み込み直してください。",
        "The data lies outside the plan's area (data: {data}; area: {area}). Check it is the "
        "right town's file, or turn on “Make the area the data's extent” and import again."),
    "sim.geo.terrain_too_large": (
        "標高データが大きすぎます（{limit:,} 点まで）。対象範囲を決めてから読み込むと、"
        "範囲の周りだけを取り込みます。",
        "The elevation data is too large (at most {limit:,} points). Set the area first: then "
        "only the part around it is taken."),
    "sim.geo.done": ("{name} を読み込みました：{what}。", "Imported {name}: {what}."),
    "sim.geo.done.buildings": ("建物 {n} 棟", "{n} buildings"),
    "sim.geo.done.roads": ("道路 {n} 本", "{n} road lines"),
    "sim.geo.done.rail": ("軌道 {n} 本", "{n} rail lines"),
    "sim.geo.done.water": ("水涯線 {n} 本", "{n} water lines"),
    "sim.geo.done.boundaries": ("境界線 {n} 本", "{n} boundary lines"),
    "sim.geo.done.admin_areas": ("行政区画 {n}", "{n} administrative areas"),
    "sim.geo.done.towns": ("町字 {n}", "{n} towns"),
    "sim.geo.done.town_areas": ("町字の区域 {n}", "{n} town areas"),
    "sim.geo.done.road_areas": ("道路の面 {n}", "{n} road areas"),
    "sim.geo.done.terrain": ("標高 {lo:.1f}〜{hi:.1f} m", "heights {lo:.1f}–{hi:.1f} m"),
    "sim.geo.done.background": ("背景図", "background map"),
    "sim.geo.area_from_data": ("対象範囲をデータの範囲にしました。",
                               "The area is now the data's extent."),
    # what the plan holds
    "sim.geo.loaded": ("読み込んだ地図データ", "Imported map data"),
    "sim.geo.loaded_none": (
        "まだありません。「読み込み・書き出し」タブで基盤地図情報・地形・背景図を読み込めます。",
        "None yet. Import a base map, terrain or background on the Import / export tab."),
    "sim.geo.loaded_layer": ("{layer} {n}", "{layer} {n}"),
    "sim.geo.loaded_background": ("背景図：{name}（出典：{attribution}）",
                                  "Background: {name} (source: {attribution})"),
    "sim.geo.loaded_terrain": ("地形：{name}", "Terrain: {name}"),
    "sim.geo.remove": ("削除", "Remove"),
    "sim.geo.heights_help": (
        "基盤地図情報の建物には高さがありません。種別ごとの高さ（見通しの計算に使います）を"
        "入力してください。",
        "GSI base-map buildings have no height: enter a height per type (used for the "
        "line of sight)."),
    "sim.geo.col.kind": ("建物の種別", "Building type"),
    "sim.geo.col.count": ("棟数", "Buildings"),
    "sim.geo.col.height": ("高さ [m]", "Height [m]"),
    # area
    "sim.geo.area": ("対象範囲", "Area"),
    "sim.geo.town": ("町字から選ぶ", "Choose a town (町字)"),
    "sim.geo.town_pick": ("町字を選んでください", "Choose a town"),
    "sim.geo.use_town": ("この町字を対象範囲にする", "Use this town as the area"),
    "sim.geo.no_towns": (
        "町字の区域がありません（基盤地図情報の行政区画・町字を読み込むと選べます）。",
        "No town areas (import the GSI base map's boundaries and towns to choose one)."),
    "sim.geo.use_map": ("読み込んだ地図の全体を対象範囲にする", "Use the whole imported map"),
    "sim.geo.sketch_help": (
        "「地図をクリックすると」で「範囲を囲む」を選び、囲みたい範囲の角を順にクリック"
        "します（いま {n} 点）。3 点以上で確定できます。",
        "Choose “Draws the area” under “Clicking the map” and click the corners of "
        "the area in turn ({n} so far); 3 or more can be used."),
    "sim.geo.use_sketch": ("囲んだ範囲を対象範囲にする", "Use the drawn area"),
    "sim.geo.clear_sketch": ("角を消す", "Clear corners"),
    "sim.geo.sketch_invalid": (
        "角の並びが範囲になりません（線が交差しています）。角を消して打ち直してください。",
        "The corners do not make an area (the edges cross). Clear them and click again."),
    "sim.geo.area_set_town": ("対象範囲を「{name}」にしました。", "The area is now {name}."),
    "sim.geo.area_set_map": ("対象範囲を読み込んだ地図の全体にしました。",
                             "The area is now the whole imported map."),
    "sim.geo.area_set_drawn": ("対象範囲を、打った {n} 点で囲む範囲にしました。",
                               "The area is now the shape of the {n} corners."),
    # homes
    "sim.geo.homes": ("住宅（プライバシーの確認に使います）", "Homes (for the privacy check)"),
    "sim.geo.homes_none": ("建物がありません。", "No buildings."),
    "sim.geo.homes_help": (
        "住宅 {n} 棟／建物 {total} 棟。「地図をクリックすると」で「住宅を指定」を選び、建物を"
        "クリックすると住宅の指定を切り替えます。まとめて指定することもできます。",
        "{n} of {total} buildings are homes. Choose “Marks a home” under “Clicking the map” "
        "and click a building to switch it, or use a rule below."),
    "sim.geo.home_kinds": ("この種別の建物を住宅に", "Buildings of these types are homes"),
    "sim.geo.home_kinds_apply": ("種別で指定", "Apply types"),
    "sim.geo.near_m": ("道路縁からの距離 [m]", "Distance from road edge [m]"),
    "sim.geo.near_apply": ("この距離以内の建物を住宅に", "Buildings within it are homes"),
    "sim.geo.near_no_roads": ("道路の線がありません（基盤地図情報を読み込んでください）。",
                              "No road lines (import the GSI base map)."),
    "sim.geo.all_homes": ("すべて住宅にする", "All are homes"),
    "sim.geo.no_homes": ("すべて住宅でないにする", "None are homes"),
    "sim.geo.usage_homes": ("用途で判定し直す", "Decide by usage again"),
    "sim.geo.usage_homes_help": (
        "手で付けた指定を消し、建物の用途（PLATEAU の住宅・共同住宅など）で判定します。",
        "Drop the choices made by hand and decide by the building's usage (PLATEAU "
        "dwelling codes)."),
    "sim.geo.homes_set": ("{n} 棟の住宅の指定を変えました。", "Changed {n} buildings."),
    "sim.geo.home_on": ("建物 {id} を住宅にしました。", "Building {id} is now a home."),
    "sim.geo.home_off": ("建物 {id} を住宅でないにしました。", "Building {id} is no longer a home."),
    "sim.geo.no_building_here": ("クリックした場所に建物がありません。",
                                 "There is no building where you clicked."),
    # undo labels
    "sim.what.area_town": ("対象範囲を{name}に", "area set to {name}"),
    "sim.what.area_map": ("対象範囲を地図全体に", "area set to the whole map"),
    "sim.what.area_drawn": ("対象範囲の描画", "drawing the area"),
    "sim.what.home_click": ("建物 {id} の住宅指定", "home mark of building {id}"),
    "sim.what.homes_rule": ("住宅のまとめて指定", "marking homes by a rule"),
    "sim.what.heights": ("建物の高さの変更", "building heights"),
    "sim.what.remove_layers": ("地図データの削除", "removing map layers"),
    "sim.what.remove_background": ("背景図の削除", "removing the background"),
    "sim.what.remove_terrain": ("地形の削除", "removing the terrain"),
}
