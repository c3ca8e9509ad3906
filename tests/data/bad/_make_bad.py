"""Write the small files of the bad-input corpus (run once; outputs are committed).

    python tests/data/bad/_make_bad.py

Every file is synthetic (no third-party content). Big hostile files (a million rows, zip
bombs, huge vertex counts) are generated at test time instead (tests/test_importers.py).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER_JA = "名称,緯度,経度,設置高さ,方位,俯角,画角\n"
ROWS_JA = "駅前交差点,35.7570,139.5530,5,90,15,90\n公園入口,35.7560,139.5520,4.5,180,12,103\n"


def w(name, data):
    (HERE / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def xlsx_with_cached(rows, formulas, *, hidden_first=False, merge=None):
    """An .xlsx whose formula cells carry cached values (as Excel saves them)."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    if hidden_first:
        hid = ws
        hid.title = "メモ"
        hid["A1"] = "この シートは 非表示"
        hid.sheet_state = "hidden"
        ws = wb.create_sheet("カメラ")
    else:
        ws.title = "カメラ"
    for r in rows:
        ws.append(r)
    for ref, (formula, _) in formulas.items():
        ws[ref] = formula
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    if not formulas:
        return buf.getvalue()
    zin = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                for ref, (_, cached) in formulas.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?',
                                  rf"\1<f>\2</f><v>{cached}</v>", text)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return out.getvalue()


def main():
    # --- CSV / text
    w("cp932_zenkaku_dms.csv", ("名称，緯度，経度，高さ\n".replace("，", ",") +
        "駅前,３５°４５′１２．３″,１３９°３３′１０″,５\n"
        "公園,35度45分12.3秒,139度33分10秒,４．５\n").encode("cp932"))
    w("utf8_bom.csv", b"\xef\xbb\xbf" + (HEADER_JA + ROWS_JA).encode("utf-8"))
    w("utf16_bom.csv", (HEADER_JA + ROWS_JA).encode("utf-16"))
    w("utf16le_nobom.tsv", (HEADER_JA + ROWS_JA).replace(",", "\t").encode("utf-16-le"))
    w("shift_jis.csv", (HEADER_JA + ROWS_JA).encode("shift_jis"))
    w("swapped_latlon.csv", "id,lat,lon\nA,139.5530,35.7570\nB,35.7560,139.5520\n")
    w("empty.csv", b"")
    w("header_only.csv", HEADER_JA)
    w("semicolon.csv", (HEADER_JA + ROWS_JA).replace(",", ";"))
    w("tab.tsv", (HEADER_JA + ROWS_JA).replace(",", "\t"))
    w("nan_inf.csv", "id,lat,lon,mount_height_m\nA,nan,139.55,5\nB,35.75,inf,5\n"
      "C,35.75,139.55,-inf\nD,35.75,139.55,5\n")
    w("outside_japan.csv", "id,lat,lon\nParis,48.8566,2.3522\nSydney,-33.86,151.21\n"
      "OK,35.75,139.55\n")
    w("binary.csv", bytes(range(256)) * 4)
    w("no_coordinates.csv", "名称,備考\nA,x\n")
    w("bad_dms.csv", "名称,緯度,経度\nA,35°75'12\",139°33'10\"\nB,35度45分,139度33分\n")
    w("injection.csv", "id,name,lat,lon\n=cmd|' /C calc'!A0,=HYPERLINK(\"x\"),35.75,139.55\n")
    w("address_only.csv", "名称,住所\n市役所,埼玉県新座市野火止1-1-1\n")
    w("plane_xy_zone9.csv", "名称,X,Y\n原点,0,0\n北1km,1000,0\n")
    w("title_row.csv", "防犯カメラ設置一覧（令和6年度）\n\n" + HEADER_JA + ROWS_JA)
    # --- Excel
    rows = [["名称", "緯度", "経度", "設置高さ"], ["駅前", 35.757, 139.553, 5],
            ["公園", None, 139.552, 4.5], ["学校", 35.758, 139.554, None]]
    w("formulas_cached.xlsx", xlsx_with_cached(rows, {"B3": ("=B2-0.001", 35.756),
                                                      "D4": ("=D2+1", 6)}))
    w("formulas_uncached.xlsx", xlsx_with_cached(rows, {}) if False else _uncached(rows))
    w("hidden_sheet.xlsx", xlsx_with_cached(rows[:2], {}, hidden_first=True))
    merged = [["設置主体", "名称", "緯度", "経度"], ["新座市", "A", 35.757, 139.553],
              [None, "B", 35.756, 139.552], [None, "C", 35.758, 139.554]]
    w("merged_cells.xlsx", xlsx_with_cached(merged, {}, merge="A2:A4"))
    w("renamed_csv.xlsx", (HEADER_JA + ROWS_JA).encode("cp932"))
    w("not_zip.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    w("encrypted_standin.xlsx", ole + "EncryptionInfo".encode("utf-16-le") + bytes(64)
      + "EncryptedPackage".encode("utf-16-le") + bytes(64))
    w("legacy.xls", ole + "Workbook".encode("utf-16-le") + bytes(64))
    w("damaged_zip.xlsx", b"PK\x03\x04" + bytes(100))
    # --- GeoJSON
    sq = [[139.5530, 35.7570], [139.5532, 35.7570], [139.5532, 35.7572], [139.5530, 35.7572],
          [139.5530, 35.7570]]
    import json

    def fc(*features):
        return json.dumps({"type": "FeatureCollection", "features": list(features)})

    def feat(geom, **props):
        return {"type": "Feature", "geometry": geom, "properties": props}
    bowtie = [[139.5530, 35.7570], [139.5532, 35.7572], [139.5532, 35.7570],
              [139.5530, 35.7572], [139.5530, 35.7570]]
    w("self_intersecting.geojson", fc(feat({"type": "Polygon", "coordinates": [bowtie]},
                                          height_m=6)))
    w("clockwise.geojson", fc(feat({"type": "Polygon", "coordinates": [sq[::-1]]},
                                   measuredHeight=9.5)))
    w("three_d.geojson", fc(feat({"type": "Polygon", "coordinates": [[p + [55.0] for p in sq]]},
                                 measuredHeight="12.3")))
    w("point_only.geojson", fc(feat({"type": "Point", "coordinates": sq[0]})))
    w("bad_json.geojson", '{"type": "FeatureCollection", "features": [')
    w("nan_coords.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature",'
      '"properties":{},"geometry":{"type":"Polygon","coordinates":[[[NaN,35.75],'
      '[139.55,35.75],[139.55,35.76],[NaN,35.75]]]}}]}')
    w("swapped.geojson", fc(feat({"type": "Polygon", "coordinates": [[p[::-1] for p in sq]]},
                                 height_m=3)))
    w("no_height_usage.geojson", fc(feat({"type": "Polygon", "coordinates": [sq]},
                                         usage="411"),
                                    feat({"type": "Polygon", "coordinates": [sq]},
                                         usage="402", height_m="abc")))
    w("not_geojson.json", '[1, 2, 3]')
    w("deep_nesting.geojson", "[" * 100_000 + "]" * 100_000)
    # --- CityGML
    w("xxe.gml", '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
      '\n<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0">&x;</core:CityModel>')
    w("billion_laughs.gml", '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
      '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
      '\n<lolz>&lol3;</lolz>')
    gml = (HERE.parent / "53395404_bldg_6697_op.gml").read_bytes()
    w("truncated.gml", gml[:20_000])
    w("no_buildings.gml", b'<?xml version="1.0"?><core:CityModel '
      b'xmlns:core="http://www.opengis.net/citygml/2.0"></core:CityModel>')


def _uncached(rows):
    """Formulas written by a program that did not calculate them (no cached value)."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    ws["B3"] = "=B2-0.001"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    main()
