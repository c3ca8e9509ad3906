"""MBTiles packages (assessments.plan.iotools.mbtiles) and the Web Mercator tile maths of
assessments.engine.grid. A tiny MBTiles with 2 × 2 PNG tiles at zoom 16 over 柏市役所 is
built here with sqlite3.
"""
import gzip
import io
import math
import sqlite3

import pytest
from numpy import array_equal as np_equal
from numpy.testing import assert_allclose
from PIL import Image

from assessments.engine.grid import (Grid, latlon_to_tile, tile_to_latlon,
                                     tile_to_web_mercator)
from assessments.plan.iotools import (ImportFileError, Limits, open_mbtiles, read_mbtiles,
                                      render_mbtiles)
from assessments.plan.iotools.mbtiles import tile_bounds

Z = 16
# 柏市役所 35.8676 N, 139.9758 E at zoom 16 (n = 2^16 = 65536):
# x = (139.9758 + 180) / 360 · n = 58249.82 → 58249
# y = (1 − ln(tan φ + sec φ) / π) / 2 · n = (1 − 0.671422 / π) / 2 · n = 25764.82 → 25764
X0, Y0 = 58249, 25764
COLOURS = {(X0, Y0): (255, 0, 0), (X0 + 1, Y0): (0, 255, 0),
           (X0, Y0 + 1): (0, 0, 255), (X0 + 1, Y0 + 1): (255, 255, 0)}


def lon_of(x, z=Z):
    """Web Mercator: λ = x / 2^z · 360 − 180."""
    return x / 2 ** z * 360 - 180


def lat_of(y, z=Z):
    """Web Mercator: φ = atan(sinh(π (1 − 2y / 2^z)))."""
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2 ** z))))


def png(colour, size=256):
    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, format="PNG")
    return buf.getvalue()


def build(path=None, *, fmt="png", tiles=None, scheme=None, metadata=True):
    con = sqlite3.connect(path or ":memory:")
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, "
                "tile_row integer, tile_data blob)")
    if metadata:
        rows = {"name": "柏市 背景図", "format": fmt, "minzoom": str(Z), "maxzoom": str(Z),
                "bounds": f"{lon_of(X0)},{lat_of(Y0 + 2)},{lon_of(X0 + 2)},{lat_of(Y0)}",
                "attribution": "柏市 都市計画課"}
        if scheme:
            rows["scheme"] = scheme
        con.executemany("INSERT INTO metadata VALUES (?, ?)", rows.items())
    if tiles is None:
        tiles = {k: png(c) for k, c in COLOURS.items()}
    for (x, y), data in tiles.items():
        row = y if scheme == "xyz" else 2 ** Z - 1 - y          # TMS: 2^z − 1 − y
        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (Z, x, row, data))
    con.commit()
    data = None if path else con.serialize()
    con.close()
    return data


def test_tile_maths():
    # zoom 1: tile (0, 0) starts at 180° W, 85.0511° N (= atan(sinh π)); (1, 1) at 0°, 0°
    assert_allclose(tile_to_latlon(0, 0, 1), (85.0511287798066, -180.0))
    assert_allclose(tile_to_latlon(1, 1, 1), (0.0, 0.0), atol=1e-12)
    assert_allclose(latlon_to_tile(0.0, 0.0, 1), (1.0, 1.0))
    x, y = latlon_to_tile(35.8676, 139.9758, Z)
    assert (int(x), int(y)) == (X0, Y0)
    assert_allclose(tile_to_latlon(x, y, Z), (35.8676, 139.9758), atol=1e-12)
    # EPSG:3857 spans ±π · 6,378,137 m = ±20,037,508.34 m
    assert_allclose(tile_to_web_mercator(0, 0, 0), (-20037508.342789244, 20037508.342789244))
    assert_allclose(tile_to_web_mercator(1, 1, 1), (0.0, 0.0), atol=1e-6)


def test_gsi_tiles_use_the_same_tile_numbers():
    from ui.map_view import gsi_tiles
    g = Grid.from_bounds(35.8676, 139.9758, -100, -100, 100, 100, 1.0)
    urls = [t["url"] for t in gsi_tiles(g, "pale")]
    # at zoom 18 (4× zoom 16) the centre is in tile x = 4 · 58249.82 = 232999.27,
    # y = 4 · 25764.82 = 103059.28
    assert len(urls) <= 48
    assert sum("/18/232999/103059." in u for u in urls) == 1, urls[:3]


def test_metadata_and_tms_rows(tmp_path):
    path = tmp_path / "kashiwa.mbtiles"
    build(path)
    with open_mbtiles(path) as mb:
        m = mb.metadata
        assert (m.name, m.format, m.minzoom, m.maxzoom, m.scheme) == \
            ("柏市 背景図", "png", 16, 16, "tms")
        assert m.attribution == "柏市 都市計画課"
        assert_allclose(m.bounds, (lon_of(X0), lat_of(Y0 + 2), lon_of(X0 + 2), lat_of(Y0)))
        # XYZ 16/X0/Y0 is stored at TMS row 65535 − 25764 = 39771
        assert mb.tile(Z, X0, Y0) == png(COLOURS[X0, Y0])
        assert mb.tile(Z, X0 + 1, Y0 + 1) == png(COLOURS[X0 + 1, Y0 + 1])
        assert mb.tile(Z, X0, 2 ** Z - 1 - Y0) is None
        assert mb.tile(Z, X0 + 5, Y0) is None
        # opened read-only (SQLite mode=ro)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            mb._con.execute("DELETE FROM tiles")
    # uploaded bytes: deserialised into memory, query_only
    with open_mbtiles(path.read_bytes()) as mb:
        assert mb.tile(Z, X0 + 1, Y0) == png(COLOURS[X0 + 1, Y0])
        with pytest.raises(sqlite3.OperationalError):
            mb._con.execute("DELETE FROM tiles")


def test_xyz_scheme_and_missing_metadata():
    with open_mbtiles(build(scheme="xyz")) as mb:
        assert mb.metadata.scheme == "xyz" and mb.tile(Z, X0, Y0) == png(COLOURS[X0, Y0])
    # without metadata rows: zooms from the tiles, format from the first tile's bytes
    with open_mbtiles(build(metadata=False)) as mb:
        assert (mb.metadata.format, mb.metadata.minzoom, mb.metadata.maxzoom) == ("png", 16, 16)
        assert mb.metadata.bounds is None


def test_render_the_four_tiles():
    # the box of the 2 × 2 tiles exactly: west λ(X0), north φ(Y0), east λ(X0 + 2), south φ(Y0 + 2)
    bbox = (lon_of(X0), lat_of(Y0 + 2), lon_of(X0 + 2), lat_of(Y0))
    res = read_mbtiles(build(), bbox)
    assert res.ok and res.problems == [] and res.meta["zoom"] == 16 and res.meta["tiles"] == 4
    bg = res.background
    assert bg.crs == "EPSG:3857" and bg.shape == (512, 512)
    # a pixel is 2π · 6,378,137 m / (2^16 · 256) = 2.388657 m of Web Mercator
    assert bg.transform[0] == pytest.approx(2.388657, abs=1e-6)
    assert bg.transform[4] == pytest.approx(-2.388657, abs=1e-6)
    assert_allclose(bg.bounds_lonlat, bbox, atol=1e-9)
    assert_allclose(tile_bounds(Z, X0, Y0), (lon_of(X0), lat_of(Y0 + 1), lon_of(X0 + 1),
                                             lat_of(Y0)))
    for (x, y), colour in COLOURS.items():
        r, c = (y - Y0) * 256 + 128, (x - X0) * 256 + 128
        assert bg.rgba[r, c].tolist() == [*colour, 255]
    with open_mbtiles(build()) as mb:          # the same from an open package
        assert np_equal(render_mbtiles(mb, bbox).background.rgba, bg.rgba)
    # the same on a simulation grid: red north-west, yellow south-east of the tiles' centre
    lat_c, lon_c = lat_of(Y0 + 1), lon_of(X0 + 1)
    gi = bg.on_grid(Grid.from_bounds(lat_c, lon_c, -300, -300, 300, 300, 1.0), 1200)
    h, w = gi.rgba.shape[:2]

    def at(x_m, y_m):
        return gi.rgba[int((gi.y_n_m - y_m) / gi.pixel_m), int((x_m - gi.x_w_m) / gi.pixel_m)]
    # a tile is 256 · 2.3887 · cos 35.87° = 495.8 m wide on the ground
    assert at(-200, 200).tolist() == [255, 0, 0, 255]
    assert at(200, -200).tolist() == [255, 255, 0, 255]


def test_render_part_of_a_tile_and_missing_tiles():
    # from the middle of tile X0 to the middle of X0 + 1, within row Y0: 256 × 128 px
    bbox = (lon_of(X0 + 0.5), lat_of(Y0 + 0.75), lon_of(X0 + 1.5), lat_of(Y0 + 0.25))
    bg = read_mbtiles(build(), bbox).background
    assert bg.shape == (128, 256)
    assert bg.rgba[64, 10].tolist() == [255, 0, 0, 255]
    assert bg.rgba[64, 200].tolist() == [0, 255, 0, 255]
    # one tile column more to the east: 2 of 6 tiles are not in the file
    bbox = (lon_of(X0), lat_of(Y0 + 2), lon_of(X0 + 3), lat_of(Y0))
    res = read_mbtiles(build(), bbox)
    assert res.ok and [(p.code, p.value) for p in res.problems] == [("missing_tiles", "2")]
    assert res.background.shape == (512, 768)
    assert res.background.rgba[100, 700, 3] == 0


def test_render_limits_and_zoom():
    bbox = (lon_of(X0), lat_of(Y0 + 2), lon_of(X0 + 2), lat_of(Y0))
    data = build()
    assert read_mbtiles(data, bbox, zoom=15).fatal.code == "out_of_range"
    assert read_mbtiles(data, bbox, limits=Limits(max_tiles=3)).fatal.code == "too_many_tiles"
    res = read_mbtiles(data, bbox, limits=Limits(max_background_px=128))
    # 512 px reduced by 4 (one 4 × 4 block per pixel), aspect kept
    assert res.background.shape == (128, 128) and "raster_downsampled" in \
        [p.code for p in res.problems]
    assert res.background.transform[0] == pytest.approx(4 * 2.388657, abs=1e-5)
    # 東京駅: none of the file's tiles
    assert read_mbtiles(data, (139.76, 35.67, 139.77, 35.68)).fatal.code == "no_tiles"
    with pytest.raises(ValueError):
        read_mbtiles(data, (140.0, 35.9, 139.9, 35.8))
    bad = build(tiles={(X0, Y0): b"\x89PNG broken", (X0 + 1, Y0): png((0, 255, 0))})
    res = read_mbtiles(bad, bbox)
    assert res.ok and ("bad_tile", "1") in [(p.code, p.value) for p in res.problems]


def test_refusals(tmp_path):
    vector = build(fmt="pbf", tiles={(X0, Y0): gzip.compress(b"\x1a\x00")})
    with pytest.raises(ImportFileError) as exc:
        open_mbtiles(vector)
    assert exc.value.code == "vector_tiles"
    # no format row, but the tile data is gzip: a vector tile all the same
    unnamed = build(fmt="", tiles={(X0, Y0): gzip.compress(b"\x1a\x00")})
    assert read_mbtiles(unnamed, (139.9, 35.8, 140.0, 35.9)).fatal.code == "vector_tiles"
    good = build()
    # damaged: the SQLite header kept, the pages overwritten
    corrupt = good[:100] + bytes(range(256)) * ((len(good) - 100) // 256 + 1)
    assert read_mbtiles(corrupt[:len(good)], (139.9, 35.8, 140.0, 35.9)).fatal.code == \
        "not_mbtiles"
    assert read_mbtiles(b"PK\x03\x04 a zip", (139.9, 35.8, 140.0, 35.9)).fatal.code == \
        "not_mbtiles"
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE other (a)")
    assert read_mbtiles(con.serialize(), (139.9, 35.8, 140.0, 35.9)).fatal.code == \
        "not_mbtiles"
    assert read_mbtiles(build(tiles={}), (139.9, 35.8, 140.0, 35.9)).fatal.code == "no_tiles"
    assert read_mbtiles(good, (139.9, 35.8, 140.0, 35.9),
                        limits=Limits(max_geo_bytes=1000)).fatal.code == "too_large"
    assert read_mbtiles(tmp_path / "absent.mbtiles", (139.9, 35.8, 140.0, 35.9)
                        ).fatal.code == "not_mbtiles"
