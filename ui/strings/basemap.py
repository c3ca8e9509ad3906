"""Base map on the simulation map and the map image: imported layers, background, terrain."""
from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "map.legend.title": ("地図", "Base map"),
    "map.layer.admin_areas": ("行政区画", "Administrative areas"),
    "map.layer.town_areas": ("町字の区域", "Town districts (chō, aza)"),
    "map.layer.water": ("水涯線（川・池など）", "Water lines (rivers, ponds)"),
    "map.layer.road_areas": ("道路の区域（PLATEAU）", "Road areas (PLATEAU)"),
    "map.layer.roads": ("道路", "Roads"),
    "map.layer.rail": ("鉄道", "Railways"),
    "map.layer.boundaries": ("行政界・町字界", "Municipal and town boundaries"),
    "map.layer.towns": ("町字名", "Town names"),
    "map.layer.contours": ("等高線（{interval} m 間隔）", "Contours ({interval} m interval)"),
    "map.sketch": ("作図中のエリア", "Area being drawn"),
    "map.note.fgd": ("出典：国土地理院 基盤地図情報", "Source: GSI Japan, Fundamental Geospatial Data"),
    "map.note.plateau": ("出典：国土交通省 Project PLATEAU", "Source: MLIT Japan, Project PLATEAU"),
    "map.note.background": ("背景図：{name}", "Background: {name}"),
    "map.note.terrain": ("地形：{name}", "Terrain: {name}"),
    "map.note.terrain_unnamed": ("標高データ", "elevation data"),
    "map.note.background_unreadable": ("背景図は保存されたデータを読めないため表示していません",
                                       "The background is not shown: its stored data cannot be read"),
    "map.note.terrain_unreadable": ("地形は保存された標高を読めないため表示していません",
                                    "The terrain is not shown: its stored heights cannot be read"),
}
