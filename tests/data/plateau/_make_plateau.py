"""Write the hand-made PLATEAU CityGML fixtures of ``tests/test_plateau.py``.

After the published structure of 3D都市モデル標準製品仕様書 (bldg:Building with
lod0FootPrint / lod1Solid, measuredHeight, usage; tran:Road with lod1MultiSurface, or
TrafficArea lod2MultiSurface; EPSG:6697 posList lat lon height). Coordinates are invented
inside the 3rd meshes 53394611 (lat 35.675–35.68333, lon 139.7625–139.775) and 53394612
(lon 139.775–139.7875); no third-party content. Run ``python _make_plateau.py`` here.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0" \
xmlns:bldg="http://www.opengis.net/citygml/building/2.0" \
xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" \
xmlns:gen="http://www.opengis.net/citygml/generics/2.0" \
xmlns:gml="http://www.opengis.net/gml">
<gml:boundedBy>
<gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/6697" srsDimension="3">
<gml:lowerCorner>{s} {w} 0</gml:lowerCorner>
<gml:upperCorner>{n} {e} 40</gml:upperCorner>
</gml:Envelope>
</gml:boundedBy>
"""
TAIL = "</core:CityModel>\n"


def ring(lat0, lon0, lat1, lon1, z=0.0):
    """A closed rectangle, counter-clockwise in lon/lat, as a posList (lat lon h)."""
    pts = [(lat0, lon0), (lat0, lon1), (lat1, lon1), (lat1, lon0), (lat0, lon0)]
    return " ".join(f"{a:.5f} {o:.5f} {z:g}" for a, o in pts)


def polygon(pos):
    return ("<gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>"
            f"<gml:posList>{pos}</gml:posList>"
            "</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>")


def building(gid, bid, usage, height, box, *, solid=False):
    lat0, lon0, lat1, lon1 = box
    if solid:       # floor, roof and four walls of a box from 3.0 m to 3.0 m + height
        z0, z1 = 3.0, 3.0 + height
        faces = [ring(lat0, lon0, lat1, lon1, z0), ring(lat0, lon0, lat1, lon1, z1)]
        corners = [(lat0, lon0), (lat0, lon1), (lat1, lon1), (lat1, lon0), (lat0, lon0)]
        for (a0, o0), (a1, o1) in zip(corners, corners[1:]):
            faces.append(f"{a0:.5f} {o0:.5f} {z0:g} {a1:.5f} {o1:.5f} {z0:g} "
                         f"{a1:.5f} {o1:.5f} {z1:g} {a0:.5f} {o0:.5f} {z1:g} "
                         f"{a0:.5f} {o0:.5f} {z0:g}")
        geom = ("<bldg:lod1Solid><gml:Solid><gml:exterior><gml:CompositeSurface>"
                + "".join(polygon(f) for f in faces)
                + "</gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod1Solid>")
    else:
        geom = ("<bldg:lod0FootPrint><gml:MultiSurface>" + polygon(ring(*box))
                + "</gml:MultiSurface></bldg:lod0FootPrint>")
    return (f'<core:cityObjectMember>\n<bldg:Building gml:id="{gid}">\n'
            f'<gen:stringAttribute name="建物ID"><gen:value>{bid}</gen:value>'
            '</gen:stringAttribute>\n'
            f'<bldg:usage codeSpace="../../codelists/Building_usage.xml">{usage}</bldg:usage>\n'
            f'<bldg:measuredHeight uom="m">{height}</bldg:measuredHeight>\n'
            f"{geom}\n</bldg:Building>\n</core:cityObjectMember>\n")


def road(gid, codes, body):
    attrs = "".join(f'<tran:{k} codeSpace="../../codelists/Road_{k}.xml">{v}</tran:{k}>\n'
                    for k, v in codes.items())
    return (f'<core:cityObjectMember>\n<tran:Road gml:id="{gid}">\n{attrs}{body}\n'
            "</tran:Road>\n</core:cityObjectMember>\n")


def lod1(*rings):
    return ("<tran:lod1MultiSurface><gml:MultiSurface>" + "".join(polygon(r) for r in rings)
            + "</gml:MultiSurface></tran:lod1MultiSurface>")


def traffic_area(gid, function, pos):
    return (f'<tran:trafficArea><tran:TrafficArea gml:id="{gid}">'
            f'<tran:function codeSpace="../../codelists/TrafficArea_function.xml">{function}'
            "</tran:function><tran:lod2MultiSurface><gml:MultiSurface>" + polygon(pos)
            + "</gml:MultiSurface></tran:lod2MultiSurface></tran:TrafficArea></tran:trafficArea>")


EDGE = building("bldg_edge", "13101-bldg-3", "店舗等併用住宅", 9.0,
                (35.6790, 139.77495, 35.6791, 139.77505))
FILES = {
    "53394611_bldg_6697_op.gml": HEAD.format(s=35.675, w=139.7625, n=35.68333, e=139.775)
    + building("bldg_11_a", "13101-bldg-1", "411", 6.2, (35.6770, 139.7650, 35.6771, 139.7651))
    + building("bldg_11_b", "13101-bldg-2", "412", 21.5, (35.6780, 139.7660, 35.6782, 139.7662),
               solid=True)
    + EDGE + TAIL,
    "53394612_bldg_6697_op.gml": HEAD.format(s=35.675, w=139.775, n=35.68333, e=139.7875)
    + EDGE
    + building("bldg_12_a", "13101-bldg-4", "414", 30.0, (35.6770, 139.7800, 35.6771, 139.7801))
    + building("bldg_12_b", "13101-bldg-5", "415", 7.5, (35.6772, 139.7800, 35.6773, 139.7801))
    + building("bldg_12_c", "13101-bldg-6", "402", 12.0, (35.6774, 139.7800, 35.6775, 139.7801))
    + building("bldg_12_d", "13101-bldg-7", "413", 8.0, (35.6776, 139.7800, 35.6777, 139.7801))
    + TAIL,
    "53394611_tran_6697_op.gml": HEAD.format(s=35.675, w=139.7625, n=35.68333, e=139.775)
    + road("tran_r1", {"function": 4, "usage": 1},
           lod1(ring(35.6760, 139.7630, 35.6761, 139.7640)))
    # an L of two surfaces sharing the edge lat 35.6801, lon 139.7639–139.7640
    + road("tran_r2", {"function": 3},
           lod1(ring(35.6800, 139.7630, 35.6801, 139.7640),
                ring(35.6801, 139.7639, 35.6810, 139.7640)))
    # LOD2 only: 車道部 and 歩道部 side by side
    + road("tran_r3", {"function": 9020},
           traffic_area("tran_r3_a", 1000, ring(35.6770, 139.7700, 35.6771, 139.7705))
           + traffic_area("tran_r3_b", 2000, ring(35.6771, 139.7700, 35.67715, 139.7705)))
    # LOD0 only: the road network line, not a surface
    + road("tran_r4", {"function": 4},
           "<tran:lod0Network><gml:GeometricComplex><gml:element><gml:LineString>"
           "<gml:posList>35.6790 139.7630 0 35.6790 139.7640 0</gml:posList>"
           "</gml:LineString></gml:element></gml:GeometricComplex></tran:lod0Network>")
    + TAIL,
}

if __name__ == "__main__":
    for name, text in FILES.items():
        (HERE / name).write_text(text, encoding="utf-8")
