"""Fuzz every importer (hypothesis): random bytes and structure-aware mutations of a valid
file of each format.

The property, per importer: it returns its result, or raises its own documented error with
a message (``read_photometry``: ``PhotometryError``; every ``iotools`` reader and the
workbook reader: never, their problems are in the result), and nothing else; each example
within :data:`DEADLINE`. Each importer runs :data:`EXAMPLES` examples (≤ 20 s each). The
plan loader is fuzzed by tests/test_fuzz_plan.py.
"""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from assessments.engine.photometry import PhotometryError, read_photometry
from assessments.plan import iotools as imp
from reports.excel_import import ImportResult as WorkbookResult, read_workbook

BAD = Path(__file__).resolve().parent / "data" / "bad"
EXAMPLES = 200
#: per example: the slowest valid seed reads in ~0.3 s on 2 cores (the geodata ones)
DEADLINE = timedelta(seconds=3)
SETTINGS = settings(max_examples=EXAMPLES, deadline=DEADLINE, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: what a hostile or damaged file holds: numbers past their types, XML declarations and
#: entities, Markdown / HTML / LaTeX, separators and quotes, encodings' byte marks
TOKENS = [b"NaN", b"-inf", b"1e308", b"1e999", b"9" * 400, b"-0", b"0x10", b'"', b",", b";",
          b"\t", b"\n", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\x82\xa0",
          b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", b"&e;", b"<a>" * 50,
          b"]]>", b"<![CDATA[", b"[x](https://evil.example)", b"<img src=x>",
          b"$\\color{red}{X}$", "緯度".encode(), "経度".encode(), b"{", b"}", b"[" * 40,
          b"TILT=", b"PK\x03\x04"]


def _mutate(seed: bytes, ops) -> bytes:
    """``seed`` changed by ``ops``: (kind, position fraction, token index / length)."""
    out = bytearray(seed)
    for kind, where, k in ops:
        i = int(where * len(out))
        if kind == 0:                       # flip a byte
            if out:
                out[min(i, len(out) - 1)] ^= 1 + k % 255
        elif kind == 1:                     # insert a hostile token
            out[i:i] = TOKENS[k % len(TOKENS)]
        elif kind == 2:                     # cut here
            del out[i:]
        elif kind == 3:                     # delete a span
            del out[i:i + 1 + k % 64]
        else:                               # repeat a span
            out[i:i] = out[i:i + 1 + k % 200] * (1 + k % 5)
    return bytes(out)


OPS = st.lists(st.tuples(st.integers(0, 4), st.floats(0, 1), st.integers(0, 10_000)),
               min_size=1, max_size=6)


def mutations(seed: bytes):
    """Mutations of ``seed``, and random bytes."""
    return st.builds(_mutate, st.just(seed), OPS) | st.binary(max_size=2_000)


def zip_mutations(seed: bytes):
    """Structure-aware mutations of a zip (an .xlsx, a PLATEAU or FGD download): one member
    mutated, the package rebuilt; and byte mutations of the zip itself."""
    members = {i.filename: zipfile.ZipFile(io.BytesIO(seed)).read(i)
               for i in zipfile.ZipFile(io.BytesIO(seed)).infolist()}

    def rebuilt(name, ops, drop):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in members.items():
                if n == drop and n != name:
                    continue
                z.writestr(n, _mutate(data, ops) if n == name else data)
        return buf.getvalue()
    names = sorted(members)
    return (st.builds(rebuilt, st.sampled_from(names), OPS, st.sampled_from(names + [""]))
            | mutations(seed))


def seed(name: str) -> bytes:
    return (BAD / name).read_bytes()


def _is_result(res) -> None:
    assert isinstance(res, imp.ImportResult)
    for p in res.problems:      # each problem coded, with a message the page translates
        assert p.code in imp.PROBLEM_CODES and p.message, p


# ---------------------------------------------------------------------------- tables
@SETTINGS
@given(mutations(seed("utf8_bom.csv")) | mutations(seed("payload_text_fields.csv"))
       | mutations(seed("shift_jis.csv")))
def test_camera_csv(data):
    _is_result(imp.read_point_table(data, "c.csv", kind="camera", prefecture="千葉県"))


@SETTINGS
@given(zip_mutations(seed("formulas_cached.xlsx")))
def test_camera_xlsx(data):
    _is_result(imp.read_point_table(data, "c.xlsx", kind="camera"))


@SETTINGS
@given(mutations(seed("payload_lights.csv")) | zip_mutations(seed("lights.xlsx")))
def test_lights(data):
    name = "l.xlsx" if data[:2] == b"PK" else "l.csv"
    _is_result(imp.read_point_table(data, name, kind="light"))


# ---------------------------------------------------------------------------- geometry
@SETTINGS
@given(mutations(seed("buildings_payload_props.geojson")) | mutations(seed("clockwise.geojson")))
def test_buildings_geojson(data):
    _is_result(imp.read_buildings(data, "b.geojson"))


@SETTINGS
@given(mutations(seed("gml_payload_attrs.gml")))
def test_buildings_citygml(data):
    _is_result(imp.read_buildings(data, "53394611_bldg_6697_op.gml"))


@SETTINGS
@given(mutations(seed("area_ok.geojson")), st.sampled_from(["area", "districts"]))
def test_area_and_districts(data, kind):
    _is_result(imp.read_geojson(data, "a.geojson", kind=kind))


@SETTINGS
@given(zip_mutations(seed("plateau_ok.zip")))
def test_plateau(data):
    _is_result(imp.read_plateau(data, "plateau.zip"))


@SETTINGS
@given(mutations(seed("fgd_payload_names.xml")) | zip_mutations(seed("fgd_ok.zip")))
def test_fgd(data):
    name = "FG-GML-533967-town-20240101-0001." + ("zip" if data[:2] == b"PK" else "xml")
    _is_result(imp.read_fgd(data, name))


@SETTINGS
@given(mutations(seed("dem_ok.xml")))
def test_dem(data):
    _is_result(imp.read_terrain(data, "FG-GML-5339-67-48-DEM5A-20240101.xml"))


# ---------------------------------------------------------------------------- rasters
@SETTINGS
@given(mutations(seed("raster_ok.tif")))
def test_geotiff(data):
    _is_result(imp.read_raster_background({"bg.tif": data}, zone=9))


@SETTINGS
@given(mutations(seed("raster_ok.tif")))
def test_terrain_geotiff(data):
    _is_result(imp.read_terrain(data, "dem.tif"))


@SETTINGS
@given(mutations(seed("raster_png_ok.png")), mutations(seed("raster_png_ok.pgw")))
def test_png_and_world_file(png, world):
    _is_result(imp.read_raster_background({"bg.png": png, "bg.pgw": world}, zone=9))


@SETTINGS
@given(mutations(seed("mbtiles_ok.mbtiles")))
def test_mbtiles(data):
    # 柏市役所 ± 300 m, where the seed's four tiles lie
    _is_result(imp.read_mbtiles(data, (139.972, 35.865, 139.979, 35.870)))


# ---------------------------------------------------------------------------- others
@SETTINGS
@given(mutations(seed("ies_ok.ies")) | mutations(seed("ldt_ok.ldt")))
def test_photometry(data):
    try:
        read_photometry(data.decode("latin-1"))
    except PhotometryError as exc:
        assert str(exc)


@SETTINGS
@given(zip_mutations(seed("plan_workbook.xlsx")))
def test_workbook(data):
    res = read_workbook(data)
    assert isinstance(res, WorkbookResult)
    assert res.ok or res.errors


@pytest.mark.parametrize("name", ["utf8_bom.csv", "formulas_cached.xlsx", "clockwise.geojson",
                                  "gml_payload_attrs.gml", "plateau_ok.zip", "fgd_ok.zip",
                                  "dem_ok.xml", "raster_ok.tif", "mbtiles_ok.mbtiles",
                                  "ies_ok.ies", "plan_workbook.xlsx"])
def test_the_seeds_are_valid(name):
    """The mutations start from files each importer reads (else they would test only the
    first refusal)."""
    data = seed(name)
    if name.endswith(".ies"):
        assert read_photometry(data.decode()).candela.max() == 1000.0     # the file's peak
        return
    if name == "plan_workbook.xlsx":
        assert read_workbook(data).ok
        return
    res = (imp.read_point_table(data, name) if name.endswith((".csv", ".xlsx"))
           else imp.read_buildings(data, name) if name.endswith((".geojson", ".gml"))
           else imp.read_plateau(data, name) if name.startswith("plateau")
           else imp.read_fgd(data, name) if name.startswith("fgd")
           else imp.read_terrain(data, name) if name.startswith("dem")
           else imp.read_raster_background({name: data}, zone=9) if name.endswith(".tif")
           else imp.read_mbtiles(data, (139.972, 35.865, 139.979, 35.870)))
    assert res.ok, [p.as_dict() for p in res.problems]
