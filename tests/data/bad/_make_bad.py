"""Write the small files of the bad-input corpus and its manifest (run once; outputs are
committed).

    python tests/data/bad/_make_bad.py

Every file is synthetic (no third-party content) and under 100 kB (deep_nesting.geojson:
200 kB). ``MANIFEST.csv`` gives each file's importer (the page uploader it goes through),
the expected outcome (``reject`` / ``accept`` / ``accept_with_warnings``), the problem code
the user is told and its message in Japanese and English (``ui/strings``), and for accepts
the number of items read. The page tests start from ``_baseline_plan.json``. Big hostile
files (a million rows, zip bombs, huge vertex counts, workbook bombs) are generated at test
time instead (tests/test_importers.py, tests/test_hostile_xlsx.py,
tests/test_hostile_geometry.py, tests/test_hostile_corpus.py).
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


# =========================================================================================
# The manifest and the rest of the corpus: every importer and page uploader
# =========================================================================================
import csv     # noqa: E402
import json    # noqa: E402
import sys     # noqa: E402

ROOT = HERE.parents[2]
DATA = HERE.parent
#: What a careless paste or an attacker puts in a text field: a link, a remote image (a
#: tracking pixel), HTML and LaTeX. None of it may render anywhere.
LINK = "[x](https://evil.example)"
IMG = "![x](https://evil.example/t.png)"
HTML = "<img src=https://evil.example/i.png>"
TEX = r"$\color{red}{X}$"
PAYLOADS = (LINK, IMG, HTML, TEX)
#: The area of the plan the page tests start from (``_baseline_plan.json``): 柏市役所
#: (35.8676 N, 139.9758 E), where the MBTiles, raster and DEM fixtures lie, and the 町字 of
#: tests/data/fgd (35.859–35.861 N, 139.9695–139.9715 E).
AREA = {"type": "Polygon", "coordinates": [[[139.969, 35.858], [139.978, 35.858],
                                            [139.978, 35.869], [139.969, 35.869],
                                            [139.969, 35.858]]]}
MANIFEST: list[dict] = []
#: the importers (= page uploaders) of the manifest's ``importer`` column
IMPORTERS = ("cameras", "lights", "buildings", "area", "districts", "basemap", "plateau",
             "terrain", "background", "mbtiles", "plan", "photometry", "workbook")
OUTCOMES = ("reject", "accept", "accept_with_warnings")


def reg(name, importer, outcome, code="", count="", note="", alone=None):
    """One manifest row: ``name`` (files of one upload joined by ``;``) through the
    uploader of ``importer`` gives ``outcome``, naming problem ``code`` (an importer's
    problem code, or a ``ui/strings`` key for what the page checks after the importer);
    ``count`` items for accepts; ``alone``: the importer function's own outcome when the
    page then refuses what it read (a duplicate id, data outside the plan's area)."""
    assert importer in IMPORTERS and outcome in OUTCOMES, (importer, outcome)
    assert alone in (None, *OUTCOMES)
    MANIFEST.append({"file": name, "importer": importer, "outcome": outcome, "code": code,
                     "count": count, "note": note, "importer_outcome": alone or outcome})


def put(name, data, importer, outcome, code="", count="", note="", alone=None):
    """Write ``name`` (< 100 kB) and register it."""
    w(name, data)
    assert (HERE / name).stat().st_size < 100_000, name
    reg(name, importer, outcome, code, count, note, alone)


# the first 43 files (main() above), as tests/test_importers.py expects them
OLD = {
    "cp932_zenkaku_dms.csv": ("accept_with_warnings", "encoding", 2),
    "utf8_bom.csv": ("accept", "", 2),
    "utf16_bom.csv": ("accept_with_warnings", "encoding", 2),
    "utf16le_nobom.tsv": ("accept_with_warnings", "delimiter", 2),
    "shift_jis.csv": ("accept_with_warnings", "encoding", 2),
    "swapped_latlon.csv": ("accept_with_warnings", "swapped_lat_lon", 2),
    "empty.csv": ("reject", "empty", ""), "header_only.csv": ("reject", "header_only", ""),
    "semicolon.csv": ("accept_with_warnings", "delimiter", 2),
    "tab.tsv": ("accept_with_warnings", "delimiter", 2),
    "nan_inf.csv": ("accept_with_warnings", "not_finite", 1),
    "outside_japan.csv": ("accept_with_warnings", "outside_japan", 1),
    "binary.csv": ("reject", "unknown_encoding", ""),
    "no_coordinates.csv": ("reject", "no_coordinates", ""),
    "bad_dms.csv": ("accept_with_warnings", "bad_dms", 1),
    "injection.csv": ("accept", "", 1),
    "address_only.csv": ("accept_with_warnings", "needs_geocoding", 0),
    "plane_xy_zone9.csv": ("accept", "", 2), "title_row.csv": ("accept", "", 2),
    "formulas_cached.xlsx": ("accept", "", 3),
    "formulas_uncached.xlsx": ("accept_with_warnings", "formula_not_calculated", 2),
    "hidden_sheet.xlsx": ("accept_with_warnings", "hidden_sheets_ignored", 1),
    "merged_cells.xlsx": ("accept_with_warnings", "merged_cells", 3),
    "renamed_csv.xlsx": ("accept_with_warnings", "renamed_csv", 2),
    "not_zip.xlsx": ("reject", "not_xlsx", ""),
    "encrypted_standin.xlsx": ("reject", "encrypted", ""),
    "legacy.xls": ("reject", "xls_legacy", ""), "damaged_zip.xlsx": ("reject", "bad_zip", ""),
    "self_intersecting.geojson": ("accept_with_warnings", "repaired", 1),
    "clockwise.geojson": ("accept", "", 1), "three_d.geojson": ("accept", "", 1),
    "point_only.geojson": ("reject", "no_buildings", ""),
    "bad_json.geojson": ("reject", "bad_json", ""),
    "nan_coords.geojson": ("reject", "not_finite", ""),
    "swapped.geojson": ("accept_with_warnings", "swapped_lat_lon", 1),
    "no_height_usage.geojson": ("accept_with_warnings", "bad_height", 2),
    "not_geojson.json": ("reject", "not_geojson", ""),
    "deep_nesting.geojson": ("reject", "bad_json", ""),
    "xxe.gml": ("reject", "xml_entities", ""),
    "billion_laughs.gml": ("reject", "xml_entities", ""),
    "truncated.gml": ("reject", "bad_xml", ""), "no_buildings.gml": ("reject", "no_buildings", ""),
}


def zipped(members, *, method=zipfile.ZIP_DEFLATED) -> bytes:
    """A .zip of ``{name: bytes}``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _test_module(name):
    """A generator of another test module (tests/test_*.py), reused, not copied."""
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import importlib
    return importlib.import_module(name)


def more():
    """The rest of the corpus: payloads, numbers, encodings, XML and zip attacks for every
    importer of the シミュレーション page, the 出力 page and the sidebar's plan upload."""
    for name, (outcome, code, n) in OLD.items():
        importer = ("cameras" if name.endswith((".csv", ".tsv", ".xlsx", ".xls"))
                    else "buildings")
        reg(name, importer, outcome, code, n)
    _tables()
    _workbooks()
    _geojson()
    _citygml()
    _fgd()
    _dem()
    _rasters()
    _mbtiles()
    _plans()
    _photometry()


def _tables():
    H = "id,lat,lon,mount_height_m,model,address\n"
    ok = "35.8676,139.9758,5"
    put("payload_text_fields.csv",
        H + "".join(f'"{p}",{ok},"{p.replace(chr(34), "")}","{p}"\n' for p in PAYLOADS),
        "cameras", "accept", "", 4, "payloads in id, model, address: stored, shown as text")
    put("payload_in_numbers.csv",
        "id,lat,lon,mount_height_m\n" + "".join(f'C{i},"{p}",139.9758,5\n'
                                                for i, p in enumerate(PAYLOADS, 1))
        + "C9,35.8676,139.9758,5\n",
        "cameras", "accept_with_warnings", "bad_dms", 1,
        "the bad values are quoted in the messages: as text")
    put("payload_header.csv", f'"{LINK}","{HTML}",lat,lon\nA,B,35.8676,139.9758\n',
        "cameras", "accept_with_warnings", "unmapped_columns", 1,
        "unknown columns named after payloads are ignored")
    put("payload_lights.csv", "id,lat,lon,mount_height_m,intensity_cd,model\n"
        + "".join(f'"{p}",{ok},300,"{p}"\n' for p in PAYLOADS),
        "lights", "accept", "", 4)
    put("formula_injection_all.csv", "id,lat,lon,model\n"
        '"=1+1",35.8676,139.9758,"+SUM(A1)"\n"-2+3",35.8676,139.9758,"@cmd"\n'
        '"\tTAB",35.8676,139.9758,"=HYPERLINK(""https://evil.example"")"\n',
        "cameras", "accept", "", 3, "stored as text; escaped again on export")
    put("duplicate_ids.csv", "id,lat,lon\nC1,35.8676,139.9758\nC1,35.8677,139.9759\n",
        "cameras", "accept_with_warnings", "duplicate_id", 2,
        "the second C1 is renamed C1-2 and named")
    put("huge_numbers.csv", "id,lat,lon,mount_height_m\nA,1e308,139.9758,5\n"
        "B,35.8676,1e999,5\nC,35.8676,139.9758," + "9" * 5000 + "\nD,35.8676,139.9758,5\n",
        "cameras", "accept_with_warnings", "not_finite", 1)
    put("negative_and_zero.csv", "id,lat,lon,mount_height_m,hfov_deg\n"
        "A,35.8676,139.9758,-5,90\nB,35.8676,139.9758,0,90\nC,35.8676,139.9758,5,0\n"
        "D,35.8676,139.9758,5,90\n", "cameras", "accept_with_warnings", "out_of_range", 1)
    put("hfov_270.csv", "id,lat,lon,hfov_deg\nA,35.8676,139.9758,270\nB,35.8676,139.9758,90\n",
        "cameras", "accept_with_warnings", "out_of_range", 1)
    put("resolution_ja_headers.csv", "名称,緯度,経度,解像度幅,解像度高さ\n"
        "A,35.8676,139.9758,2560,1440\n", "cameras", "accept", "", 1,
        "解像度幅/解像度高さ read as width_px/height_px")
    put("unclosed_quote.csv", "id,lat,lon\n" + "".join(
        f"C{i},35.867{i},139.9758\n" for i in range(1, 3)) + 'C3,"35.8673,139.9758\n'
        + "".join(f"C{i},35.867{i},139.9758\n" for i in range(4, 11)),
        "cameras", "accept_with_warnings", "unclosed_quote", 2,
        "the quote would swallow the 8 rows after it: they are named, not lost in silence")
    put("long_field.csv", "id,lat,lon,address\nA,35.8676,139.9758," + "x" * 90_000 + "\n",
        "cameras", "accept", "", 1)
    put("cp932_header_utf8_rows.csv", "名称,緯度,経度\n".encode("cp932")
        + "地点1,35.8676,139.9758\n".encode("utf-8"), "cameras", "reject", "mixed_encoding")
    put("euc_jp.csv", (HEADER_JA + "駅前,35.8676,139.9758,5,90,15,90\n").encode("euc_jp"),
        "cameras", "reject", "no_coordinates", "",
        "a short EUC-JP file is taken for CP932: refused with its header, not stored")
    put("invalid_utf8.csv", b"id,lat,lon\nA\xff\xfe\xc3,35.8676,139.9758\n",
        "cameras", "accept_with_warnings", "encoding", 1)
    put("nul_bytes.csv", b"id,lat,lon\nA\x00B,35.8676,139.9758\n\x00\x00\x00\n",
        "cameras", "accept", "", 1)
    put("only_newlines.csv", "\n\n\r\n\n", "cameras", "reject", "empty")
    put("bom_only.csv", b"\xef\xbb\xbf", "cameras", "reject", "empty")
    put("whitespace_only.csv", "   \n\t\n  ", "cameras", "reject", "empty")
    put("many_columns.csv", ",".join(f"c{i}" for i in range(3000)) + ",lat,lon\n"
        + ",".join("x" for _ in range(3000)) + ",35.8676,139.9758\n",
        "cameras", "accept_with_warnings", "unmapped_columns", 1)
    put("quoted_newline.csv", 'id,lat,lon,address\nA,35.8676,139.9758,"1行目\n2行目"\n',
        "cameras", "accept", "", 1)
    put("exponent_coords.csv", "id,lat,lon\nA,3.58676e1,1.399758e2\n", "cameras", "accept",
        "", 1)
    put("all_outside_japan.csv", "id,lat,lon\nParis,48.8566,2.3522\nNYC,40.71,-74.0\n",
        "cameras", "reject", "outside_japan")
    put("lat_out_of_range.csv", "id,lat,lon\nA,95,139.9758\nB,35.8676,200\n", "cameras",
        "reject", "outside_japan")
    put("dms_overflow.csv", "名称,緯度,経度\nA,35度99分,139度58分\nB,35度52分3秒,139度58分33秒\n",
        "cameras", "accept_with_warnings", "bad_dms", 1)
    put("long_id.csv", "id,lat,lon\n" + "I" * 5000 + ",35.8676,139.9758\n", "cameras",
        "accept", "", 1)
    put("duplicate_headers.csv", "id,緯度,緯度,経度\nA,35.8676,35.0,139.9758\n", "cameras",
        "accept_with_warnings", "unmapped_columns", 1)
    put("trailing_commas.csv", "id,lat,lon,,,\nA,35.8676,139.9758,,,\n", "cameras",
        "accept", "", 1)
    put("lights_nan_intensity.csv", "id,lat,lon,mount_height_m,intensity_cd\n"
        "A,35.8676,139.9758,5,nan\nB,35.8676,139.9758,5,inf\nC,35.8676,139.9758,5,-300\n"
        "D,35.8676,139.9758,5,300\n", "lights", "accept_with_warnings", "not_finite", 1)
    put("lights_huge_intensity.csv", "id,lat,lon,mount_height_m,intensity_cd\n"
        "A,35.8676,139.9758,5,1e300\nD,35.8676,139.9758,5,300\n", "lights",
        "accept_with_warnings", "out_of_range", 1)
    put("lights_header_only.csv", "id,lat,lon,mount_height_m,intensity_cd\n", "lights",
        "reject", "header_only")
    put("lights_binary.txt", bytes(range(256)) * 8, "lights", "reject", "unknown_encoding")
    put("png_named.csv", b"\x89PNG\r\n\x1a\n" + bytes(300), "cameras", "reject", "no_coordinates")
    put("utf16_no_bom_csv.txt", "id,lat,lon\nA,35.8676,139.9758\n".encode("utf-16-le"),
        "cameras", "accept_with_warnings", "encoding", 1)


def _xlsx(rows, *, title="カメラ", extra=None) -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    if extra:
        extra(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _patch_zip(data: bytes, fn) -> bytes:
    """``data`` (a zip) with every member passed through ``fn(name, bytes) -> bytes``."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, fn(item.filename, zin.read(item.filename)))
    return out.getvalue()


def _with_doctype(doctype: bytes, xml: bytes) -> bytes:
    """``xml`` with ``doctype`` (and its own XML declaration) in front."""
    return doctype + re.sub(rb"^<\?xml[^>]*\?>", b"", xml.lstrip())


def _workbooks():
    head = ["名称", "緯度", "経度", "設置高さ", "機種"]
    good = ["駅前", 35.8676, 139.9758, 5, "A"]
    put("payload_cells.xlsx", _xlsx([head] + [[p, 35.8676, 139.9758, 5, p] for p in PAYLOADS]),
        "cameras", "accept", "", 4)
    put("payload_sheet_title.xlsx", _xlsx([head, good], title="<img src=x>"), "cameras",
        "accept", "", 1, "a sheet named like HTML")
    put("payload_numbers.xlsx", _xlsx([head] + [[f"C{i}", p, 139.9758, 5, ""]
                                               for i, p in enumerate(PAYLOADS)] + [good]),
        "cameras", "accept_with_warnings", "bad_dms", 1)
    put("nan_inf_cells.xlsx", _xlsx([head, ["A", "nan", 139.9758, 5, ""],
                                     ["B", 35.8676, "inf", 5, ""],
                                     ["C", 35.8676, 139.9758, 1e308, ""], good]),
        "cameras", "accept_with_warnings", "not_finite", 1)
    macro = _patch_zip(_xlsx([head, good]), lambda n, b: b.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        if n == "[Content_Types].xml" else b)
    put("macro.xlsm", macro, "cameras", "accept", "", 1, "cells read, macros never run")
    whole = _xlsx([head, good])
    put("truncated.xlsx", whole[: len(whole) // 2], "cameras", "reject", "bad_zip")
    put("empty_file.xlsx", b"", "cameras", "reject", "empty")
    put("empty_workbook.xlsx", _xlsx([]), "cameras", "reject", "empty")
    put("header_only.xlsx", _xlsx([head]), "cameras", "reject", "header_only")
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    put("xxe_sheet.xlsx", _patch_zip(whole, lambda n, b: _with_doctype(doctype, b)
                                     if n.startswith("xl/worksheets/") else b),
        "cameras", "reject", "xml_entities")
    lol = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    put("billion_laughs_strings.xlsx", _patch_zip(whole, lambda n, b: _with_doctype(lol, b)
                                                  if n == "xl/workbook.xml" else b),
        "cameras", "reject", "xml_entities")
    members = {i.filename: zipfile.ZipFile(io.BytesIO(whole)).read(i)
               for i in zipfile.ZipFile(io.BytesIO(whole)).infolist()}
    put("zip_slip.xlsx", zipped({**members, "../../../../tmp/evil.txt": b"x"}),
        "cameras", "accept", "", 1, "a member outside the package is never written anywhere")
    put("zip_not_workbook.xlsx", zipped({"hello.txt": b"hello"}), "cameras", "reject", "not_xlsx")
    put("lights.xlsx", _xlsx([["名称", "緯度", "経度", "設置高さ", "光度"],
                              ["L", 35.8676, 139.9758, 5, 300], ["M", 35.8676, 139.9758, 5, -1]],
                             title="照明"), "lights", "accept_with_warnings", "out_of_range", 1)
    # workbook bombs of tests/test_hostile_xlsx.py (each a few kB)
    hx = _test_module("test_hostile_xlsx")
    put("bomb_xfd_dimension.xlsx", hx.xfd_dimension(), "cameras", "accept", "", 2,
        "tests/test_hostile_xlsx.py xfd_dimension(): the claimed XFD dimension is not believed")
    for name, make in (("bomb_merged_99000_rows.xlsx", "merged_99000_rows"),
                       ("bomb_cell_at_xfd40000.xlsx", "cell_at_xfd40000")):
        put(name, getattr(hx, make)(), "cameras", "reject", "xlsx_columns", "",
            f"tests/test_hostile_xlsx.py {make}()")
    _plan_workbooks()


def _baseline_plan() -> dict:
    return json.loads((HERE / "_baseline_plan.json").read_text(encoding="utf-8"))


def _plan_workbooks():
    """Workbooks of the 出力 page: the baseline plan's own workbook, edited."""
    sys.path[:0] = [str(ROOT)]
    from openpyxl import load_workbook
    from reports.excel import build_workbook
    book = build_workbook(_baseline_plan())

    def edited(fn) -> bytes:
        wb = load_workbook(io.BytesIO(book))
        fn(wb)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def cell(ws, key, header):
        hdr = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "カメラID")
        col = next(c for c in range(1, ws.max_column + 1) if ws.cell(hdr, c).value == header)
        row = next(r for r in range(hdr + 1, ws.max_row + 1) if ws.cell(r, 1).value == key)
        return ws.cell(row, col)
    put("plan_workbook.xlsx", book, "workbook", "accept", "", 0, "the plan's own: no changes")

    def payload_lat(wb):
        cell(wb["カメラ配置"], "C1", "緯度 [°]").value = LINK
    put("plan_workbook_payload_lat.xlsx", edited(payload_lat), "workbook", "reject",
        "not_a_number", "", "the cell's text is quoted: as text")

    def payload_model(wb):
        cell(wb["カメラ配置"], "C1", "機種").value = IMG + HTML + TEX
    put("plan_workbook_payload_model.xlsx", edited(payload_model), "workbook", "accept", "", 1)

    def paris(wb):
        cell(wb["カメラ配置"], "C1", "緯度 [°]").value = 48.8566
        cell(wb["カメラ配置"], "C1", "経度 [°]").value = 2.3522
    put("plan_workbook_paris.xlsx", edited(paris), "workbook", "reject", "sim.issue.outside_japan")

    def nan(wb):
        cell(wb["カメラ配置"], "C1", "設置高さ [m]").value = "nan"
    put("plan_workbook_nan.xlsx", edited(nan), "workbook", "reject", "not_a_number")

    def huge(wb):
        cell(wb["カメラ配置"], "C1", "設置高さ [m]").value = 1e308
    put("plan_workbook_huge.xlsx", edited(huge), "workbook", "reject", "out_of_range")

    def no_sheet(wb):
        wb.remove(wb["カメラ配置"])
    put("plan_workbook_no_camera_sheet.xlsx", edited(no_sheet), "workbook", "reject",
        "missing_sheet")

    def title(wb):
        wb["概要"].title = "<img src=x>"
    put("plan_workbook_renamed_sheet.xlsx", edited(title), "workbook",
        "accept_with_warnings", "unknown_sheet", 0)
    put("plan_workbook_not_zip.xlsx", b"not a workbook at all", "workbook", "reject", "not_xlsx")
    put("plan_workbook_legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "workbook", "reject", "xls_or_encrypted")
    put("plan_workbook_xxe.xlsx", _patch_zip(book, lambda n, b: _with_doctype(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b)
        if n == "xl/workbook.xml" else b), "workbook", "reject", "xml_entities")


def _fc(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False)


def _feat(geom, **props):
    return {"type": "Feature", "geometry": geom, "properties": props}


def _square(lon=139.9755, lat=35.8675, d=0.0002):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat],
                                                [lon + d, lat + d], [lon, lat + d],
                                                [lon, lat]]]}


def _geojson():
    sq = _square()
    put("buildings_payload_props.geojson",
        _fc(*[_feat(_square(139.9750 + i * 0.0003), id=p, name=p, usage=p, height_m=6)
              for i, p in enumerate(PAYLOADS)]), "buildings", "accept", "", 4)
    put("buildings_duplicate_ids.geojson", _fc(_feat(sq, id="B1"), _feat(_square(139.976),
                                                                       id="B1")),
        "buildings", "accept_with_warnings", "default_height", 2)
    put("buildings_huge_coords.geojson", _fc(_feat({"type": "Polygon", "coordinates": [[
        [1e308, 35.86], [139.97, 1e308], [139.98, 35.87], [1e308, 35.86]]]})),
        "buildings", "reject", "outside_japan")
    put("buildings_string_coords.geojson", _fc(_feat({"type": "Polygon", "coordinates": [[
        ["139.97", "35.86"], ["x", "y"], ["139.98", "35.87"], ["139.97", "35.86"]]]})),
        "buildings", "reject", "invalid_geometry")
    put("buildings_null_geometry.geojson", _fc({"type": "Feature", "geometry": None,
                                               "properties": {}}, _feat(sq, height_m=5)),
        "buildings", "accept_with_warnings", "not_polygon", 1)
    put("buildings_empty.geojson", _fc(), "buildings", "reject", "no_buildings")
    put("buildings_utf16.geojson", _fc(_feat(sq, name="建物")).encode("utf-16"), "buildings",
        "accept_with_warnings", "default_height", 1)
    put("buildings_cp932.geojson", _fc(_feat(sq, name="建物")).encode("cp932"), "buildings",
        "accept_with_warnings", "default_height", 1)
    put("buildings_bom.geojson", b"\xef\xbb\xbf" + _fc(_feat(sq)).encode(), "buildings",
        "accept_with_warnings", "default_height", 1)
    put("buildings_geometry_collection.geojson", _fc(_feat({
        "type": "GeometryCollection", "geometries": [sq]})), "buildings", "reject", "not_polygon")
    put("buildings_huge_height.geojson", _fc(_feat(sq, height_m=1e9),
                                             _feat(_square(139.976), height_m=float("1e308"))),
        "buildings", "accept_with_warnings", "bad_height", 2)
    put("buildings_negative_height.geojson", _fc(_feat(sq, height_m=-5)), "buildings",
        "accept_with_warnings", "bad_height", 1)
    put("buildings_nested_coordinates.geojson", '{"type":"FeatureCollection","features":[{'
        '"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":'
        + "[" * 30 + "1" + "]" * 30 + "}}]}", "buildings", "reject", "invalid_geometry")
    put("buildings_outside_japan.geojson", _fc(_feat(_square(2.35, 48.85))), "buildings",
        "reject", "outside_japan")
    put("buildings_feature_only.geojson", json.dumps(_feat(sq, height_m=4)), "buildings",
        "accept", "", 1)
    put("buildings_open_ring.geojson", _fc(_feat({"type": "Polygon", "coordinates": [
        sq["coordinates"][0][:-1]]})), "buildings", "accept_with_warnings", "default_height",
        1)
    put("buildings_two_points_ring.geojson", _fc(_feat({"type": "Polygon", "coordinates": [[
        [139.97, 35.86], [139.98, 35.87]]]})), "buildings", "reject", "invalid_geometry")
    put("buildings_duplicate_keys.geojson", '{"type":"FeatureCollection","type":"x",'
        '"features":[]}', "buildings", "reject", "not_geojson")
    put("buildings_big_int.geojson", '{"type":"FeatureCollection","features":[{"type":'
        '"Feature","properties":{"height_m":' + "9" * 5000 + '},"geometry":'
        + json.dumps(sq) + "}]}", "buildings", "reject", "bad_json", "",
        "Python's JSON refuses integers of over 4,300 digits")
    gh = _test_module("test_hostile_geometry")
    put("star_40.geojson", gh.geojson(gh.star(40, lon0=139.9758, lat0=35.8676)), "buildings",
        "reject", "too_many_crossings", "", "tests/test_hostile_geometry.py star(40)")
    put("star_600.geojson", gh.geojson(gh.star(600, lon0=139.9758, lat0=35.8676)),
        "buildings", "reject", "too_many_crossings", "", "tests/test_hostile_geometry.py star(600)")
    put("comb_2000.geojson", gh.geojson(gh.comb(2000, lon0=139.9758, lat0=35.8676)),
        "buildings", "reject", "outline_too_intricate", "", "tests/test_hostile_geometry.py comb(2000)")
    # the area
    put("area_ok.geojson", _fc(_feat(AREA)), "area", "accept", "", 1)
    put("area_outside_japan.geojson", _fc(_feat(_square(2.35, 48.85, 0.01))), "area",
        "reject", "outside_japan")
    put("area_point.geojson", _fc(_feat({"type": "Point", "coordinates": [139.97, 35.86]})),
        "area", "reject", "not_polygon")
    put("area_star.geojson", gh.geojson(gh.star(600, lon0=139.9758, lat0=35.8676)), "area",
        "reject", "too_many_crossings")
    put("area_nan.geojson", '{"type":"Polygon","coordinates":[[[NaN,35.86],[139.98,35.86],'
        '[139.98,35.87],[NaN,35.86]]]}', "area", "reject", "not_finite")
    put("area_whole_japan.geojson", _fc(_feat(_square(130.0, 31.0, 12.0))), "area", "reject",
        "sim.issue.too_large", "", "a grid of 10^12 cells", alone="accept")
    put("area_payload_props.geojson", _fc(_feat(AREA, name=LINK, description=IMG)), "area",
        "accept", "", 1)
    put("area_empty.geojson", _fc(), "area", "reject", "no_area")
    # districts
    put("districts_payload_names.geojson", _fc(
        _feat(_square(139.9745, 35.8665, 0.001), name=LINK + IMG),
        _feat(_square(139.9757, 35.8665, 0.001), name=HTML + TEX)), "districts", "accept",
        "", 2, "district names are shown in tables and the workbook")
    put("districts_no_names.geojson", _fc(_feat(_square(139.9745, 35.8665, 0.001))),
        "districts", "accept", "", 1)
    put("districts_outside_japan.geojson", _fc(_feat(_square(2.35, 48.85, 0.01), name="P")),
        "districts", "reject", "outside_japan")
    put("districts_bad_json.geojson", '{"type": "FeatureCollection", "features": [{"type"',
        "districts", "reject", "bad_json")
    put("districts_points.geojson", _fc(_feat({"type": "Point",
                                               "coordinates": [139.97, 35.86]}, name="A")),
        "districts", "reject", "not_polygon")
    put("districts_star.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "星"}, "geometry": {
            "type": "Polygon", "coordinates": [gh.star(600, lon0=139.9758, lat0=35.8676)]}}]}),
        "districts", "reject", "too_many_crossings")


def _kashiwa(text: str) -> str:
    """tests/data/plateau's Tokyo mesh 53394611 moved into the baseline plan's area."""
    return (text.replace("35.67", "35.86").replace("35.68", "35.87")
            .replace("139.76", "139.97").replace("139.77", "139.97"))


def _citygml():
    from xml.sax.saxutils import escape
    seed = _kashiwa((DATA / "plateau" / "53394611_bldg_6697_op.gml").read_text(
        encoding="utf-8"))
    tran = _kashiwa((DATA / "plateau" / "53394611_tran_6697_op.gml").read_text(
        encoding="utf-8")).encode()
    put("gml_payload_attrs.gml", seed.replace("13101-bldg-1", escape(LINK + IMG))
        .replace("13101-bldg-2", escape(HTML)).replace("13101-bldg-3", escape(TEX))
        .replace(">411<", ">" + escape(LINK) + "<"), "buildings", "accept", "", 3)
    put("gml_external_dtd.gml", seed.replace('<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE core:CityModel SYSTEM '
        '"https://evil.example/x.dtd">'), "buildings", "reject", "xml_entities")
    put("gml_parameter_entity.gml", '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM '
        '"https://evil.example/p.dtd"> %p;]>\n<core:CityModel xmlns:core='
        '"http://www.opengis.net/citygml/2.0"/>', "buildings", "reject", "xml_entities")
    put("gml_xinclude.gml", seed.replace("<core:cityObjectMember>",
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" '
        'parse="text"/><core:cityObjectMember>', 1), "buildings", "accept", "", 3,
        "XInclude is never processed")
    put("gml_huge_coords.gml", seed.replace("35.86700 139.97500", "1e999 139.97500")
        .replace("35.86800 139.97600", "NaN NaN"), "buildings", "accept_with_warnings", "not_finite",
        1)
    put("gml_outside_japan.gml", seed.replace("35.8", "48.8").replace("139.97", "2.35"),
        "buildings", "reject", "outside_japan")
    put("gml_deep_nesting.gml", '<?xml version="1.0"?>\n<core:CityModel xmlns:core='
        '"http://www.opengis.net/citygml/2.0">' + "<a>" * 10_000 + "</a>" * 10_000
        + "</core:CityModel>", "buildings", "reject", "bad_xml")
    put("gml_utf16.gml", seed.replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16"), "buildings", "accept", "", 3)
    put("gml_cp932_declared_utf8.gml", seed.replace("bldg_11_a", "建物").encode("cp932"),
        "buildings", "reject", "bad_xml")
    put("gml_binary.gml", bytes(range(256)) * 4, "buildings", "reject", "bad_xml")
    put("gml_empty.gml", b"", "buildings", "reject", "empty")
    put("gml_tran_only.gml", tran, "buildings", "reject", "not_bldg")
    put("gml_negative_height.gml", seed.replace(">6.2<", ">-6.2<").replace(">21.5<", ">1e308<"),
        "buildings", "accept_with_warnings", "bad_height", 3)
    mesh = "udx/bldg/53394611_bldg_6697_op.gml"
    put("plateau_ok.zip", zipped({mesh: seed.encode(), "udx/tran/53394611_tran_6697_op.gml":
                                  tran}), "plateau", "accept_with_warnings", "not_polygon", 3)
    put("plateau_buildings.zip", zipped({mesh: seed.encode()}), "buildings", "accept", "", 3)
    put("plateau_zip_slip.zip", zipped({"../../../../tmp/53394611_bldg_6697_op.gml":
                                        seed.encode()}), "plateau", "accept", "", 3,
        "a member named outside the folder is read in memory, never written")
    put("plateau_zip_bomb.zip", zipped({mesh: b"<a>" + b" " * 40_000_000 + b"</a>"}),
        "plateau", "reject", "zip_bomb")
    put("plateau_nested_zip.zip", zipped({"inner.zip": zipped({"inner2.zip": zipped(
        {mesh: seed.encode()})})}), "plateau", "reject", "no_gml_in_zip")
    put("plateau_not_zip.zip", b"PK\x03\x04" + bytes(200), "plateau", "reject", "bad_zip")
    put("plateau_empty_zip.zip", zipped({}), "plateau", "reject", "no_gml_in_zip")
    put("plateau_xxe_member.zip", zipped({mesh: (
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0">&x;'
        '</core:CityModel>').encode()}), "plateau", "reject", "xml_entities")
    put("plateau_payload_names.zip", zipped({
        "udx/bldg/53394612_bldg_6697_op<img src=x>.gml": seed.encode(),
        mesh: seed.replace("13101-bldg-1", escape(IMG)).encode()}),
        "plateau", "accept_with_warnings", "duplicate_across_files", 3,
        "member names are quoted in messages")
    put("plateau_truncated.gml", seed[: len(seed) // 2], "plateau", "reject", "bad_xml")
    put("plateau_other_models.zip", zipped({"udx/luse/53394611_luse_6697_op.gml":
                                            b"<x/>"}), "plateau", "reject", "no_features")


def _fgd():
    from xml.sax.saxutils import escape
    town = (DATA / "fgd" / "FG-GML-533967-town-20240101-0001.xml").read_text(encoding="utf-8")
    blda = (DATA / "fgd" / "FG-GML-533967-BldA-20240101-0001.xml").read_text(encoding="utf-8")
    put("fgd_payload_names.xml", town.replace("東武野田線", escape(LINK + IMG))
        .replace("大堀川", escape(HTML + TEX)), "basemap", "accept_with_warnings",
        "ignored_features", "", "names show in the map's hovers and the 町字 list")
    put("fgd_xxe.xml", blda.replace('<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE Dataset [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]>').replace("<fid>", "<fid>&x;", 1), "basemap", "reject",
        "xml_entities")
    put("fgd_external_dtd.xml", blda.replace('<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE Dataset SYSTEM '
        '"https://evil.example/fgd.dtd">'), "basemap", "reject", "xml_entities")
    put("fgd_truncated.xml", blda[: len(blda) // 2], "basemap", "reject", "bad_xml")
    put("fgd_nan_coords.xml", blda.replace("35.8592 139.9706", "NaN 139.9706")
        .replace("35.8594 139.9710", "inf inf"), "basemap", "reject", "not_finite")
    put("fgd_outside_japan.xml", blda.replace("35.85", "48.85").replace("139.97", "2.35"),
        "basemap", "reject", "outside_japan")
    put("fgd_huge_numbers.xml", blda.replace("35.8592 139.9706", "1e308 139.9706", 1),
        "basemap", "reject", "outside_japan")
    put("fgd_wrong_root.xml", '<?xml version="1.0"?><html><body>' + escape(LINK)
        + "</body></html>", "basemap", "reject", "not_fgd")
    put("fgd_binary.xml", bytes(range(256)) * 4, "basemap", "reject", "bad_xml")
    put("fgd_zip_bomb.zip", zipped({"FG-GML-533967-BldA-20240101-0001.xml":
                                    b"<a>" + b" " * 40_000_000 + b"</a>"}), "basemap",
        "reject", "zip_bomb")
    put("fgd_zip_slip.zip", zipped({"../../FG-GML-533967-BldA-20240101-0001.xml":
                                    blda.encode()}), "basemap", "accept", "", "",
        "a member named outside the folder is read in memory, never written")
    put("fgd_empty_zip.zip", zipped({}), "basemap", "reject", "no_gml_in_zip")
    put("fgd_payload_member.zip", zipped({f"{HTML}.xml": blda.encode()}), "basemap",
        "accept", "", "", "a member name quoted in messages")
    put("fgd_ok.zip", zipped({"FG-GML-533967-BldA-20240101-0001.xml": blda.encode(),
                              "FG-GML-533967-town-20240101-0001.xml": town.encode()}),
        "basemap", "accept_with_warnings", "ignored_features", "")
    gh = _test_module("test_hostile_geometry")
    ring = "\n".join(f"{lat:.7f} {lon:.7f}" for lon, lat in gh.star(600, lon0=139.9708,
                                                                      lat0=35.8593))
    star = blda.split("<gml:interior>")[0].replace(
        "35.8592 139.9706\n35.8592 139.9710\n35.8594 139.9710\n35.8594 139.9706\n"
        "35.8592 139.9706", ring) + "</gml:PolygonPatch>\n</gml:patches>\n</gml:Surface>\n" \
        "</area>\n<type>普通建物</type>\n</BldA>\n</Dataset>\n"
    put("fgd_star_building.xml", star, "basemap", "reject", "too_many_crossings", "",
        "tests/test_hostile_geometry.py star(600) as a BldA")


def _dem():
    west = (DATA / "dem" / "FG-GML-5339-67-48-DEM5A-20240101-west.xml").read_text(
        encoding="utf-8")
    put("dem_ok.xml", west, "terrain", "accept", "", "")
    put("dem_nan_values.xml", west.replace("地表面,12.50", "地表面,NaN")
        .replace("地表面,13.00", "地表面,inf"), "terrain", "reject", "bad_dem", "")
    put("dem_huge_grid.xml", west.replace("<gml:high>4 3</gml:high>",
                                          "<gml:high>99999999 99999999</gml:high>"),
        "terrain", "reject", "too_many_cells")
    put("dem_negative_grid.xml", west.replace("<gml:high>4 3</gml:high>",
                                              "<gml:high>-4 -3</gml:high>"), "terrain",
        "reject", "bad_dem")
    put("dem_huge_heights.xml", west.replace("地表面,12.00", "地表面,1e308"), "terrain",
        "reject", "bad_dem")
    put("dem_truncated.xml", west[: len(west) // 2], "terrain", "reject", "bad_xml")
    put("dem_xxe.xml", west.replace('<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Dataset [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]>').replace("<mesh>", "<mesh>&x;"), "terrain", "reject",
        "xml_entities")
    put("dem_outside_japan.xml", west.replace("35.", "48.").replace("139.", "2."), "terrain",
        "reject", "outside_japan")
    put("dem_payload_type.xml", west.replace("5mメッシュ（標高）", LINK + IMG), "terrain",
        "accept", "", "")
    put("dem_zip_bomb.zip", zipped({"FG-GML-5339-67-48-DEM5A-20240101.xml":
                                    b"<a>" + b" " * 40_000_000 + b"</a>"}), "terrain",
        "reject", "zip_bomb")
    put("dem_not_tiff.tif", b"II*\x00" + bytes(100), "terrain", "reject", "bad_tiff")
    put("dem_wrong_magic.tif", b"\x89PNG\r\n\x1a\n" + bytes(100), "terrain", "reject", "bad_tiff")
    put("dem_empty.xml", b"", "terrain", "reject", "empty")


def _rasters():
    rt = _test_module("test_raster")
    img = rt.gradient(20, 30)
    tif = rt.geotiff(img)
    png = rt.encode(img, "PNG")
    put("raster_ok.tif", tif, "background", "accept", "", "")
    put("raster_truncated.tif", tif[: len(tif) // 3], "background", "reject", "unsupported_format")
    put("raster_wrong_magic.tif", b"GIF89a" + bytes(200), "background", "reject", "unsupported_format")
    put("raster_huge_header.png", rt._png_header_only(200_000, 200_000), "background",
        "reject", "too_many_pixels", "", "a PNG header claiming 4·10^10 pixels")
    put("raster_png_no_world.png", png, "background", "reject", "no_world_file")
    # an image and its world file: one upload of two files
    for stem, ext, image, world, outcome, code, alone in (
            ("raster_png_ok", "pgw", png, rt.world(2.0, 0, 0, -2.0, rt.E0 + 1, rt.N0 - 1),
             "accept", "", None),
            ("raster_nan_world", "pgw", png, b"nan\n0\n0\nnan\ninf\n-inf\n", "reject", "bad_world_file",
             None),
            ("raster_payload_world", "pgw", png, (LINK + "\n" + IMG + "\n0\n0\n0\n0\n").encode(),
             "reject", "bad_world_file", None),
            ("raster_zero_world", "pgw", png, b"0\n0\n0\n0\n0\n0\n", "reject", "bad_world_file", None),
            ("raster_latlon_paris", "pgw", png, rt.world(0.0001, 0, 0, -0.0001, 2.35, 48.85),
             "reject", "sim.geo.outside", "accept"),
            ("raster_jpeg_truncated", "jgw", rt.encode(img, "JPEG")[:200],
             rt.world(2.0, 0, 0, -2.0, rt.E0 + 1, rt.N0 - 1), "reject", "unsupported_format", None)):
        image_name = f"{stem}.{'jpg' if ext == 'jgw' else 'png'}"
        w(image_name, image)
        w(f"{stem}.{ext}", world)
        reg(f"{image_name};{stem}.{ext}", "background", outcome, code, "", "", alone)
    put("raster_no_georeference.tif", _plain_tiff(img), "background", "reject", "not_georeferenced")
    put("raster_unknown_epsg.tif", rt.geotiff(img, epsg=9999), "background", "reject", "unknown_crs")
    put("raster_huge_scale.tif", rt.geotiff(img, scale=1e300), "background", "reject", "outside_japan")
    put("raster_nan_scale.tif", rt.geotiff(img, scale=float("nan")), "background", "reject", "outside_japan")


def _plain_tiff(img) -> bytes:
    import tifffile
    buf = io.BytesIO()
    tifffile.imwrite(buf, img, photometric="rgb")
    return buf.getvalue()


def _mbtiles():
    mt = _test_module("test_mbtiles")
    import sqlite3
    import tempfile

    def build(sql=None, arg=None, **kw) -> bytes:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.mbtiles"
            mt.build(path, **kw)
            if sql:
                con = sqlite3.connect(path)
                con.execute(sql, () if arg is None else (arg,))
                con.commit()
                con.close()
            return path.read_bytes()
    ok = build()
    zooms = "UPDATE metadata SET value = ? WHERE name IN ('minzoom', 'maxzoom')"
    put("mbtiles_ok.mbtiles", ok, "mbtiles", "accept_with_warnings", "missing_tiles", "",
        "the area (+ 300 m) is larger than the 2 × 2 tiles")
    put("mbtiles_payload_metadata.mbtiles", build(
        "UPDATE metadata SET value = ? WHERE name IN ('attribution', 'name')",
        LINK + IMG + HTML + TEX), "mbtiles", "accept_with_warnings", "missing_tiles", "",
        "the attribution is printed on every map")
    put("mbtiles_vector.mbtiles", build(fmt="pbf"), "mbtiles", "reject", "vector_tiles")
    put("mbtiles_garbage_tiles.mbtiles", build(tiles={(mt.X0, mt.Y0): b"\x89PNG garbage",
                                                      (mt.X0 + 1, mt.Y0): b""}),
        "mbtiles", "reject", "no_tiles")
    put("mbtiles_not_sqlite.mbtiles", b"SQLite format 2\x00" + bytes(200), "mbtiles",
        "reject", "not_mbtiles")
    put("mbtiles_truncated.mbtiles", ok[: len(ok) // 2], "mbtiles", "reject", "not_mbtiles")
    put("mbtiles_empty.mbtiles", b"", "mbtiles", "reject", "not_mbtiles")
    put("mbtiles_no_tables.mbtiles", build("DROP TABLE tiles"), "mbtiles", "reject", "not_mbtiles")
    put("mbtiles_huge_zoom.mbtiles", build(zooms, "99999999999999999999"), "mbtiles",
        "accept_with_warnings", "missing_tiles", "",
        "a zoom past 30 is damage: the tiles' own zooms are used")
    put("mbtiles_inf_zoom.mbtiles", build(zooms, "inf"), "mbtiles", "accept_with_warnings",
        "missing_tiles", "", "zooms from the tiles when the metadata's are not numbers")
    put("mbtiles_png_bomb_tile.mbtiles", build(tiles={(mt.X0, mt.Y0): _test_module(
        "test_raster")._png_header_only(100_000, 100_000)}), "mbtiles", "reject", "no_tiles")
    put("mbtiles_elsewhere.mbtiles", build("UPDATE tiles SET tile_column = tile_column - 30000"),
        "mbtiles", "reject", "no_tiles")


def _plan(**changes) -> dict:
    plan = _baseline_plan()
    for k in ("id", "created_at", "updated_at"):
        plan.pop(k, None)
    plan.update(changes)
    return plan


def _dump(plan) -> str:
    return json.dumps(plan, ensure_ascii=False)


CAM = {"id": "C1", "lat": 35.8676, "lon": 139.9758, "mount_height_m": 5.0,
       "azimuth_deg": 90.0, "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920,
       "height_px": 1080}


def _plans():
    put("plan_ok.json", _dump(_plan()), "plan", "accept", "", 1)
    put("plan_payload_everywhere.json", _dump(_plan(
        name=LINK + IMG, municipality={"code": "122173", "prefecture": HTML, "name": TEX,
                                       "lat": 35.8676, "lon": 139.9758},
        project={"title": LINK, "purpose": IMG, "issues": HTML, "target_state": TEX},
        grant={"scheme_id": LINK, "stage": "implementation"},
        cameras=[dict(CAM, id=p, model=p, address=p) for p in PAYLOADS],
        privacy={"answers": {}, "settings": {"manager": IMG, "sign_text": HTML}})),
        "plan", "accept", "", 1, "every text field a payload")
    put("plan_5000_digits.json", _dump(_plan()).replace('"resolution_m": 4.0',
                                                        '"resolution_m": ' + "9" * 5000),
        "plan", "reject", "too_long_number")
    put("plan_nan.json", _dump(_plan(cameras=[dict(CAM)])).replace('"lat": 35.8676',
                                                                   '"lat": NaN'),
        "plan", "reject", "bad_field")
    put("plan_infinity.json", _dump(_plan(cameras=[dict(CAM)])).replace(
        '"mount_height_m": 5.0', '"mount_height_m": Infinity'), "plan", "reject", "bad_field")
    put("plan_deep.json", '{"version": 1, "x": ' + "[" * 200 + "]" * 200 + "}", "plan",
        "reject", "too_deep")
    put("plan_not_object.json", "[1, 2, 3]", "plan", "reject", "not_object")
    put("plan_version_99.json", _dump(_plan(version=99)), "plan", "reject",
        "unsupported_version")
    put("plan_truncated.json", _dump(_plan())[:300], "plan", "reject", "not_json")
    put("plan_empty.json", b"", "plan", "reject", "not_json")
    put("plan_binary.json", bytes(range(256)) * 4, "plan", "reject", "not_json")
    put("plan_utf16.json", _dump(_plan()).encode("utf-16"), "plan", "reject", "not_json")
    put("plan_no_area.json", _dump({k: v for k, v in _plan().items() if k != "area"}), "plan",
        "accept", "", 1, "a plan downloaded before its area was set")
    put("plan_duplicate_camera_ids.json", _dump(_plan(cameras=[dict(CAM), dict(CAM)])),
        "plan", "reject", "sim.issue.duplicate_id")
    put("plan_camera_paris.json", _dump(_plan(cameras=[dict(CAM, lat=48.8566, lon=2.3522)])),
        "plan", "reject", "sim.issue.outside_japan")
    put("plan_camera_hfov_270.json", _dump(_plan(cameras=[dict(CAM, hfov_deg=270)])), "plan",
        "reject", "sim.issue.out_of_range")
    put("plan_unknown_use_case.json", _dump(_plan(use_cases=["no_such_use_case", LINK])),
        "plan", "accept", "", 1)
    put("plan_string_numbers.json", _dump(_plan(cameras=[dict(CAM, lat="35.8676",
                                                              mount_height_m="五")])),
        "plan", "reject", "sim.issue.not_a_number")
    put("plan_huge_grid.json", _dump(_plan(area=_square(130.0, 31.0, 12.0), resolution_m=1.0)),
        "plan", "reject", "sim.issue.too_large", "", "a grid of 10^12 cells")
    put("plan_negative_resolution.json", _dump(_plan(resolution_m=-1)), "plan", "reject", "sim.issue.out_of_range")
    put("plan_area_nan.json", _dump(_plan()).replace("[139.969, 35.858]", "[NaN, 35.858]", 1),
        "plan", "reject", "bad_field")
    gh = _test_module("test_hostile_geometry")
    put("plan_area_star.json", _dump(_plan(area={"type": "Polygon", "coordinates": [
        gh.star(600, lon0=139.9758, lat0=35.8676)]})), "plan", "reject", "sim.issue.self_intersecting")
    put("plan_long_name.json", _dump(_plan(name="名" * 30_000)), "plan",
        "accept_with_warnings", "name_shortened", 1, "a name cut to the limit is said")
    put("plan_many_cameras.json", _dump(_plan(cameras=[dict(CAM, id=f"C{i}") for i in
                                                      range(1, 401)])), "plan", "accept",
        "", 1)
    put("plan_light_negative_intensity.json", _dump(_plan(lights=[
        {"id": "L1", "lat": 35.8676, "lon": 139.9758, "mount_height_m": 5,
         "intensity_cd": -300}])), "plan", "reject", "sim.issue.out_of_range")
    put("plan_light_two_photometries.json", _dump(_plan(lights=[
        {"id": "L1", "lat": 35.8676, "lon": 139.9758, "mount_height_m": 5,
         "intensity_cd": 300, "lumens": 1000, "distribution": "wide"}])), "plan", "reject", "sim.issue.photometry_count")
    put("plan_bom.json", b"\xef\xbb\xbf" + _dump(_plan()).encode(), "plan", "accept", "", 1)
    put("plan_duplicate_keys.json", '{"version": 1, "version": 2, "name": "x"}', "plan",
        "reject", "unsupported_version")


IES_HEAD = "IESNA:LM-63-2002\n[TEST] corpus\n[MANUFAC] Mimamori tests\nTILT=NONE\n"


def _ies(line10="1 1000 1.0 4 1 1 2 0.1 0.1 0.0", line11="1.0 1.0 10",
         v="0 30 60 90", h="0", cd="1000 800 400 0", head=IES_HEAD) -> str:
    return f"{head}{line10}\n{line11}\n{v}\n{h}\n{cd}\n"


def _photometry():
    ph = _test_module("test_photometry")
    put("ies_ok.ies", _ies(), "photometry", "accept", "", 1)
    put("ies_payload_keywords.ies", _ies(head=f"IESNA:LM-63-2002\n[TEST] {LINK}\n"
                                              f"[LUMINAIRE] {IMG} {HTML} {TEX}\nTILT=NONE\n"),
        "photometry", "accept", "", 1, "keywords are never shown as Markdown")
    put("ies_nan_count.ies", _ies(line10="1 1000 1.0 nan 1 1 2 0.1 0.1 0.0"), "photometry",
        "reject", "bad_ies")
    put("ies_inf_count.ies", _ies(line10="1 1000 1.0 4 inf 1 2 0.1 0.1 0.0"), "photometry",
        "reject", "bad_ies")
    put("ies_huge_count.ies", _ies(line10="1 1000 1.0 100000000 100000000 1 2 0.1 0.1 0.0"),
        "photometry", "reject", "bad_ies")
    put("ies_nan_multiplier.ies", _ies(line10="1 1000 nan 4 1 1 2 0.1 0.1 0.0"),
        "photometry", "reject", "bad_ies")
    put("ies_huge_multiplier.ies", _ies(line10="1 1000 1e300 4 1 1 2 0.1 0.1 0.0"),
        "photometry", "reject", "bad_ies")
    put("ies_negative_multiplier.ies", _ies(line10="1 1000 -1 4 1 1 2 0.1 0.1 0.0"),
        "photometry", "reject", "bad_ies")
    put("ies_negative_candela.ies", _ies(cd="1000 -800 400 0"), "photometry", "reject",
        "bad_ies")
    put("ies_nan_candela.ies", _ies(cd="1000 nan 400 0"), "photometry", "reject", "bad_ies")
    put("ies_truncated.ies", _ies()[:60], "photometry", "reject", "bad_ies")
    put("ies_no_tilt.ies", _ies().replace("TILT=NONE\n", ""), "photometry", "reject",
        "bad_ies")
    put("ies_binary.ies", bytes(range(256)).decode("latin-1") * 4, "photometry", "reject",
        "bad_ies")
    put("ies_angles_descending.ies", _ies(v="90 60 30 0"), "photometry", "reject", "bad_ies")
    put("ies_empty.ies", "", "photometry", "reject", "bad_ies")
    ldt = ph._ldt(1, 4, 90, 3, 45, [0, 90, 180, 270], [0, 45, 90], [300, 200, 0])
    put("ldt_ok.ldt", ldt, "photometry", "accept", "", 1)
    lines = ldt.split("\n")

    def ldt_with(i, value):
        out = list(lines)
        out[i] = value
        return "\n".join(out)
    put("ldt_nan_count.ldt", ldt_with(3, "nan"), "photometry", "reject", "bad_ies")
    put("ldt_huge_count.ldt", ldt_with(5, "99999999"), "photometry", "reject", "bad_ies")
    put("ldt_inf_flux.ldt", ldt_with(28, "inf"), "photometry", "reject", "bad_ies")
    put("ldt_truncated.ldt", "\n".join(lines[:30]), "photometry", "reject", "bad_ies")
    put("ldt_payload_names.ldt", ldt_with(0, LINK).replace("lum name", IMG + HTML + TEX),
        "photometry", "accept", "", 1)


def write_manifest():
    """``MANIFEST.csv``: every corpus file's expectation, with the problem's message in
    both languages as ``ui/strings`` has it (the literal part before its first field)."""
    sys.path[:0] = [str(ROOT)]
    from ui.strings import load_all
    strings = load_all()
    names = {n for r in MANIFEST for n in r["file"].split(";")}
    on_disk = {p.name for p in HERE.iterdir() if not p.name.startswith(("_", "MANIFEST"))}
    assert names == on_disk, (on_disk - names, names - on_disk)
    with (HERE / "MANIFEST.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, ["file", "importer", "outcome", "code", "message_key",
                                  "message_ja", "message_en", "count", "importer_outcome",
                                  "note"], lineterminator="\n")
        out.writeheader()
        for r in sorted(MANIFEST, key=lambda r: (r["importer"], r["file"])):
            key = message_key(r["importer"], r["code"], r["outcome"]) if r["code"] else ""
            ja, en = strings.get(key, ("", "")) if key else ("", "")
            out.writerow({**r, "message_key": key, "message_ja": fragment(ja),
                          "message_en": fragment(en)})


def message_key(importer: str, code: str, outcome: str) -> str:
    """The ``ui/strings`` key of problem ``code`` of ``importer``."""
    if "." in code:         # a page's own check after the importer: its key
        return code
    if importer == "plan":  # a refusal, or a note on a plan read
        return ("plan.import_error." if outcome == "reject" else "plan.") + code
    if importer == "photometry":
        return "sim.issue." + code
    if importer == "workbook":
        return "export.msg." + code
    return "sim.imp." + code


def fragment(text: str) -> str:
    """The longest literal part of a message template (between its ``{fields}``)."""
    parts = re.split(r"\{[^}]*\}", text)
    return max(parts, key=len).strip() if parts else ""


if __name__ == "__main__":
    main()
    more()
    write_manifest()
