"""Raster backgrounds (assessments.plan.iotools.raster): GeoTIFF, PNG / JPEG + world file.

Fixtures are made here: a 40 × 30 GeoTIFF in EPSG:6677 (平面直角座標系 IX) near 柏市役所, a
PNG + .pgw in zone IX, a JPEG + .jgw in lat/lon. Expected corners come from pyproj's own
EPSG:6677 → JGD2011 transformation, written out independently of the reader.
"""
import io
import math
import struct
import zlib

import numpy as np
import pyproj
import pytest
import tifffile
from numpy.testing import assert_allclose
from PIL import Image, TiffImagePlugin, TiffTags

from assessments.engine.grid import Grid
from assessments.plan.iotools import Limits, RasterBackground, read_raster_background
from assessments.plan.iotools.raster import read_world_file

# 柏市役所 (35.8676 N, 139.9758 E) is at E 12,865.47 m, N −14,679.97 m in zone IX
# (origin 36° N, 139°50′ E); the fixtures start at the round numbers next to it.
E0, N0 = 12865.0, -14680.0
TO_LATLON = pyproj.Transformer.from_crs("EPSG:6677", "EPSG:6668", always_xy=True)


def plane_latlon(e, n):
    lon, lat = TO_LATLON.transform(e, n)
    return lat, lon


def gradient(h=30, w=40):
    """R = 6·col, G = 8·row, B = 100: linear, so bilinear resampling reproduces it."""
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = np.arange(w)[None, :] * 6
    img[..., 1] = np.arange(h)[:, None] * 8
    img[..., 2] = 100
    return img


def geotiff(img, *, epsg=6677, scale=2.0, tie=(E0, N0), point=False, geokeys=None,
            dtype=None):
    keys = geokeys or (1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 2 if point else 1,
                       3072, 0, 1, epsg)
    buf = io.BytesIO()
    tifffile.imwrite(buf, img if dtype is None else img.astype(dtype),
                     photometric="rgb" if img.ndim == 3 else "minisblack", extratags=[
                         (33550, "d", 3, (scale, scale, 0.0)),
                         (33922, "d", 6, (0.0, 0.0, 0.0, tie[0], tie[1], 0.0)),
                         (34735, "H", len(keys), keys)])
    return buf.getvalue()


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format=fmt, **kw)
    return buf.getvalue()


def world(A, D, B, E, C, F):
    return "\n".join(f"{v:.10f}" for v in (A, D, B, E, C, F)).encode()


def codes(res):
    return [p.code for p in res.problems]


# ---------------------------------------------------------------------------------------
# GeoTIFF
# ---------------------------------------------------------------------------------------
def test_geotiff_plane_zone_corners_rotation_and_pixels():
    res = read_raster_background({"kashiwa.tif": geotiff(gradient())})
    assert res.ok and res.problems == []
    bg = res.background
    assert bg.crs == "EPSG:6677" and res.meta["size_px"] == [40, 30]
    # 2 m pixels, upper-left corner at the tie point (PixelIsArea)
    assert bg.transform == (2.0, 0.0, E0, 0.0, -2.0, N0)
    # corners: the 80 m × 60 m sheet's plane coordinates through pyproj
    expected = [plane_latlon(E0, N0), plane_latlon(E0 + 80, N0),
                plane_latlon(E0 + 80, N0 - 60), plane_latlon(E0, N0 - 60)]
    assert_allclose([(la, lo) for lo, la in bg.corners_lonlat], expected, atol=1e-10)
    # north-up in zone IX is turned against the meridians by the grid convergence
    # γ ≈ Δλ·sin φ = (139.9758 − 139.8333)° · sin 35.8676° = 0.0835°: the top edge drops
    # 80 m · sin γ = 0.117 m eastwards, i.e. 0.117 / 110,950 m/° = 1.05e-6° of latitude
    (lo_w, la_w), (lo_e, la_e) = bg.corners_lonlat[:2]
    assert la_e - la_w == pytest.approx(-80 * math.sin(math.radians(0.0835)) / 110950,
                                        rel=0.02)
    # the centre of pixel [row 10, col 20] is at E0 + 41 m, N0 − 21 m
    col, row = bg.latlon_to_pixel(*plane_latlon(E0 + 41, N0 - 21))
    assert_allclose([col, row], [20.5, 10.5], atol=1e-6)
    assert bg.rgba[10, 20].tolist() == [120, 80, 100, 255]
    west, south, east, north = bg.bounds_lonlat
    assert west == pytest.approx(min(lo for lo, _ in bg.corners_lonlat), abs=1e-9)
    assert north == pytest.approx(max(la for _, la in bg.corners_lonlat), abs=1e-9)
    assert bg.pixel_size_m == pytest.approx(2.0, rel=1e-3)    # scale factor 0.9999 + ~1e-5


def test_geotiff_pixel_is_point_shifts_half_a_pixel():
    bg = read_raster_background({"p.tif": geotiff(gradient(), point=True)}).background
    # the tie point is the centre of pixel (0, 0): its corner is 1 m west and north of it
    assert bg.transform == (2.0, 0.0, E0 - 1.0, 0.0, -2.0, N0 + 1.0)


def test_geotiff_lzw_is_decoded_through_pillow():
    # LZW needs the optional imagecodecs in tifffile; Pillow's libtiff decodes it instead
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    for tag, value, kind in ((33550, (2.0, 2.0, 0.0), TiffTags.DOUBLE),
                             (33922, (0.0, 0.0, 0.0, E0, N0, 0.0), TiffTags.DOUBLE),
                             (34735, (1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 6677),
                              TiffTags.SHORT)):
        ifd[tag] = value
        ifd.tagtype[tag] = kind
    data = encode(gradient(), "TIFF", compression="tiff_lzw", tiffinfo=ifd)
    res = read_raster_background({"lzw.tif": data})
    assert res.ok, res.problems
    assert res.background.transform == (2.0, 0.0, E0, 0.0, -2.0, N0)
    assert res.background.rgba[10, 20].tolist() == [120, 80, 100, 255]


def test_geotiff_palette_and_nodata():
    idx = np.zeros((30, 40), np.uint8)
    idx[:, 20:] = 1
    cmap = np.zeros((3, 256), np.uint16)
    cmap[:, 1] = (65535, 0, 65535)        # magenta; entry 0 black
    buf = io.BytesIO()
    keys = (1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 6677)
    tifffile.imwrite(buf, idx, photometric="palette", colormap=cmap, extratags=[
        (33550, "d", 3, (2.0, 2.0, 0.0)), (33922, "d", 6, (0, 0, 0, E0, N0, 0)),
        (34735, "H", len(keys), keys)])
    bg = read_raster_background({"toshi.tif": buf.getvalue()}).background
    assert bg.rgba[5, 30].tolist() == [255, 0, 255, 255]
    assert bg.rgba[5, 5].tolist() == [0, 0, 0, 255]
    # GDAL_NODATA 0 on an RGB orthophoto: the black collar becomes transparent
    img = gradient()
    img[:, :2] = 0
    buf = io.BytesIO()
    tifffile.imwrite(buf, img, photometric="rgb", extratags=[
        (33550, "d", 3, (2.0, 2.0, 0.0)), (33922, "d", 6, (0, 0, 0, E0, N0, 0)),
        (34735, "H", len(keys), keys), (42113, "s", 2, "0")])
    bg = read_raster_background({"ortho.tif": buf.getvalue()}).background
    assert bg.rgba[3, 1, 3] == 0 and bg.rgba[3, 2, 3] == 255


def test_geotiff_with_world_file_and_without_georeference():
    plain = io.BytesIO()
    tifffile.imwrite(plain, gradient(), photometric="rgb")
    res = read_raster_background({"scan.tif": plain.getvalue()}, zone=9)
    assert res.fatal.code == "not_georeferenced"
    res = read_raster_background({"scan.tif": plain.getvalue(),
                                  "scan.tfw": world(2, 0, 0, -2, E0 + 1, N0 - 1)}, zone=9)
    assert res.ok and res.background.transform == (2.0, 0.0, E0, 0.0, -2.0, N0)
    assert res.meta["world_file"] == "scan.tfw"


def test_geotiff_downsampled_to_the_limit():
    res = read_raster_background({"k.tif": geotiff(gradient())},
                                 limits=Limits(max_background_px=16))
    bg = res.background
    # ceil(40 / 16) = 3 pixels a block: 40 // 3 × 30 // 3 = 13 × 10, 6 m pixels
    assert bg.shape == (10, 13)
    assert bg.transform == (6.0, 0.0, E0, 0.0, -6.0, N0)
    # block [0, 0] averages columns 0–2 and rows 0–2: R = 6·1 = 6, G = 8·1 = 8
    assert bg.rgba[0, 0].tolist() == [6, 8, 100, 255]
    assert "raster_downsampled" in codes(res) and res.ok
    assert res.problems[-1].value == "40 × 30 → 13 × 10"


def test_geotiff_refusals():
    assert read_raster_background({"u.tif": geotiff(gradient(), epsg=32767)}
                                  ).fatal.code == "unknown_crs"
    assert read_raster_background({"u.tif": geotiff(gradient(), epsg=65000)}
                                  ).fatal.code == "unknown_crs"
    dem = geotiff(np.full((30, 40), 12.5, np.float32))
    assert read_raster_background({"dem.tif": dem}).fatal.code == "elevation_raster"
    res = read_raster_background({"k.tif": geotiff(gradient())},
                                 limits=Limits(max_raster_pixels=1000))
    assert res.fatal.code == "too_many_pixels" and res.fatal.value == "40 × 30"
    assert read_raster_background({"k.tif": b"II*\x00garbage"}).fatal.code == \
        "unsupported_format"
    # a sheet 2,000 km north of zone IX's origin is not in Japan
    far = geotiff(gradient(), tie=(0.0, 2_000_000.0))
    assert read_raster_background({"far.tif": far}).fatal.code == "outside_japan"


# ---------------------------------------------------------------------------------------
# PNG / JPEG + world file
# ---------------------------------------------------------------------------------------
def test_png_world_file_zone_ix():
    png = encode(gradient(), "PNG")
    # 0.5 m pixels; lines 5–6 are the centre of the upper-left pixel: E0 + 0.25, N0 − 0.25
    pgw = world(0.5, 0, 0, -0.5, E0 + 0.25, N0 - 0.25)
    res = read_raster_background({"doro.png": png, "doro.pgw": pgw}, zone=9)
    assert res.ok and res.problems == []
    bg = res.background
    assert bg.crs == "EPSG:6677"
    assert_allclose(bg.transform, (0.5, 0.0, E0, 0.0, -0.5, N0), atol=1e-9)
    expected = [plane_latlon(E0, N0), plane_latlon(E0 + 20, N0),
                plane_latlon(E0 + 20, N0 - 15), plane_latlon(E0, N0 - 15)]
    assert_allclose([(la, lo) for lo, la in bg.corners_lonlat], expected, atol=1e-10)
    assert bg.rgba[29, 39].tolist() == [234, 232, 100, 255]
    # matched by stem, case-insensitively; other files are listed as unused
    res = read_raster_background({"DORO.PNG": png, "doro.pgw": pgw, "memo.txt": b"x",
                                  "other.pgw": pgw}, zone=9)
    assert res.ok and codes(res) == ["file_ignored"]
    assert res.problems[0].value == "memo.txt, other.pgw"


def test_png_zone_from_prj_and_missing_zone():
    png = encode(gradient(), "PNG")
    pgw = world(0.5, 0, 0, -0.5, E0 + 0.25, N0 - 0.25)
    res = read_raster_background({"doro.png": png, "doro.pgw": pgw})
    assert res.fatal.code == "zone_unknown"
    prj = pyproj.CRS.from_epsg(6677).to_wkt("WKT1_ESRI").encode()
    res = read_raster_background({"doro.png": png, "doro.pgw": pgw, "doro.prj": prj})
    assert res.ok and res.background.crs == "EPSG:6677"
    res = read_raster_background({"doro.png": png, "doro.pgw": pgw, "doro.prj": b"nonsense"})
    assert res.fatal.code == "unknown_crs"


def test_jpeg_world_file_lat_lon():
    img = np.zeros((30, 40, 3), np.uint8)
    img[:15, :20] = (255, 0, 0)
    img[:15, 20:] = (0, 255, 0)
    img[15:, :20] = (0, 0, 255)
    img[15:, 20:] = (255, 255, 255)
    jpg = encode(img, "JPEG", quality=95)
    # 1e-5° pixels from 139.97° E, 35.87° N: lines 5–6 = the first pixel's centre
    jgw = world(1e-5, 0, 0, -1e-5, 139.97 + 0.5e-5, 35.87 - 0.5e-5)
    res = read_raster_background({"ortho.jpg": jpg, "ortho.jgw": jgw})
    assert res.ok and codes(res) == ["crs_assumed"]
    bg = res.background
    assert bg.crs == "EPSG:6668"
    # west 139.97, south 35.87 − 30e-5, east 139.97 + 40e-5, north 35.87
    assert_allclose(bg.bounds_lonlat, (139.97, 35.8697, 139.9704, 35.87), atol=1e-12)
    for (r, c), colour in {(7, 10): (255, 0, 0), (7, 30): (0, 255, 0),
                           (22, 10): (0, 0, 255), (22, 30): (255, 255, 255)}.items():
        assert_allclose(bg.rgba[r, c, :3], colour, atol=12)
    # a zone given by the caller does not turn degrees into metres
    assert read_raster_background({"ortho.jpg": jpg, "ortho.jgw": jgw},
                                  zone=9).background.crs == "EPSG:6668"


def test_world_file_rotation_terms():
    # 30° rotation, 0.5 m pixels: A = 0.5 cos 30°, D = −0.5 sin 30°, B = −0.5 sin 30°,
    # E = −0.5 cos 30°; first pixel centre at (E0, N0)
    c, s = 0.5 * math.cos(math.radians(30)), 0.5 * math.sin(math.radians(30))
    png = encode(gradient(), "PNG")
    res = read_raster_background({"r.png": png, "r.wld": world(c, -s, -s, -c, E0, N0)}, zone=9)
    assert res.ok
    bg = res.background
    # upper-left corner = centre − ½(A + B, D + E); upper-right = that + 40·(A, D)
    ul = (E0 - 0.5 * (c - s), N0 - 0.5 * (-s - c))
    ur = (ul[0] + 40 * c, ul[1] - 40 * s)
    (lo0, la0), (lo1, la1) = bg.corners_lonlat[:2]
    assert_allclose([la0, lo0, la1, lo1], [*plane_latlon(*ul), *plane_latlon(*ur)],
                    atol=1e-10)


def test_world_file_parsing():
    assert read_world_file(b"1\n0\n0\n-1\n100.5\n200.5\n") == (1, 0, 100, 0, -1, 201)
    with pytest.raises(ValueError, match="6 numbers"):
        read_world_file("1\n0\n0\n-1\n100\n")
    with pytest.raises(ValueError, match="zero"):
        read_world_file("0\n0\n0\n-1\n100\n200\n")
    with pytest.raises(ValueError, match="not numbers"):
        read_world_file("a\nb\nc\nd\ne\nf\n")


def _png_header_only(w, h):
    """A PNG whose header says w × h (8-bit RGB) with one empty IDAT: nothing to decode."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_png_refusals():
    png = encode(gradient(), "PNG")
    pgw = world(0.5, 0, 0, -0.5, E0, N0)
    res = read_raster_background({"doro.png": png}, zone=9)
    assert res.fatal.code == "no_world_file" and res.fatal.value == "doro.png"
    res = read_raster_background({"doro.png": png, "plan.pgw": pgw}, zone=9)
    assert res.fatal.code == "no_world_file"           # a world file of another image
    res = read_raster_background({"doro.png": png, "doro.pgw": b"0.5\n0\n0\n-0.5\n"}, zone=9)
    assert res.fatal.code == "bad_world_file"
    # decompression bombs: sizes from the header, refused before any pixel is decoded —
    # 10,000² = 1e8 px (over the limit 89,478,485) and 100,000² (over Pillow's own 2×)
    for side in (10_000, 100_000):
        res = read_raster_background({"bomb.png": _png_header_only(side, side),
                                      "bomb.pgw": pgw}, zone=9)
        assert res.fatal.code == "too_many_pixels", side
    assert read_raster_background({"x.png": b"\x89PNG broken", "x.pgw": pgw},
                                  zone=9).fatal.code == "unsupported_format"
    assert read_raster_background({"a.png": png, "b.jpg": png}).fatal.code == "several_images"
    assert read_raster_background({"a.pgw": pgw}).fatal.code == "no_image"
    assert read_raster_background({"a.png": b""}).fatal.code == "empty"
    res = read_raster_background({"a.png": png, "a.pgw": pgw}, zone=9,
                                 limits=Limits(max_geo_bytes=100))
    assert res.fatal.code == "too_large"
    with pytest.raises(ValueError):
        read_raster_background({"a.png": png, "a.pgw": pgw}, zone=20)


# ---------------------------------------------------------------------------------------
# onto the simulation grid, and back from storage
# ---------------------------------------------------------------------------------------
def test_on_grid_warps_into_local_metres():
    bg = read_raster_background({"k.tif": geotiff(gradient())}).background
    lat_c, lon_c = plane_latlon(E0 + 40, N0 - 30)            # the sheet's centre
    g = Grid.from_bounds(lat_c, lon_c, -60, -60, 60, 60, 1.0)
    gi = bg.on_grid(g, max_px=1200)
    # pixels never finer than the image's own (2 m), the extent is the rotated sheet's
    assert gi.pixel_m == pytest.approx(bg.pixel_size_m)
    aeqd = pyproj.Transformer.from_crs(
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat_c} +lon_0={lon_c} +ellps=GRS80 "
                              "+units=m"), "EPSG:6677", always_xy=True)
    corners = [aeqd.transform(x, y, direction="INVERSE") for x, y in
               [(E0, N0), (E0 + 80, N0), (E0 + 80, N0 - 60), (E0, N0 - 60)]]
    assert gi.x_w_m == pytest.approx(min(x for x, _ in corners), abs=0.01)
    assert gi.y_n_m == pytest.approx(max(y for _, y in corners), abs=0.01)
    # each output pixel centre → plane (E, N) → source corner coordinates → R = 6·(col − ½)
    h, w = gi.rgba.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    e, n = aeqd.transform(gi.x_w_m + (xx + 0.5) * gi.pixel_m, gi.y_n_m - (yy + 0.5) * gi.pixel_m)
    col, row = (e - E0) / 2, (N0 - n) / 2
    inner = (col > 1) & (col < 39) & (row > 1) & (row < 29)
    assert inner.sum() > 900
    assert_allclose(gi.rgba[..., 0][inner], 6 * (col[inner] - 0.5), atol=1.0)
    assert_allclose(gi.rgba[..., 1][inner], 8 * (row[inner] - 0.5), atol=1.0)
    assert (gi.rgba[..., 3][inner] == 255).all()
    outside = (col < -0.5) | (col > 40.5) | (row < -0.5) | (row > 30.5)
    assert outside.any() and (gi.rgba[..., 3][outside] == 0).all()
    # a grid elsewhere: nothing to draw
    assert bg.on_grid(Grid.from_bounds(35.0, 139.0, -50, -50, 50, 50, 1.0), 1200) is None


def test_on_grid_reduces_to_max_px():
    bg = read_raster_background({"k.tif": geotiff(gradient())}).background
    lat_c, lon_c = plane_latlon(E0 + 40, N0 - 30)
    gi = bg.on_grid(Grid.from_bounds(lat_c, lon_c, -60, -60, 60, 60, 1.0), max_px=20)
    assert max(gi.rgba.shape[:2]) <= 20 and gi.pixel_m > 4.0


def test_png_round_trip_keeps_the_background():
    bg = read_raster_background({"k.tif": geotiff(gradient())}).background
    back = RasterBackground.from_png(bg.to_png(), bg.georef())
    assert np.array_equal(back.rgba, bg.rgba) and back.crs == bg.crs
    assert back.transform == bg.transform and back.source == bg.source
