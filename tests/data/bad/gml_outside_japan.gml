<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:gml="http://www.opengis.net/gml">
<gml:boundedBy>
<gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/6697" srsDimension="3">
<gml:lowerCorner>48.865 2.3525 0</gml:lowerCorner>
<gml:upperCorner>48.87333 2.355 40</gml:upperCorner>
</gml:Envelope>
</gml:boundedBy>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_11_a">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-1</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">411</bldg:usage>
<bldg:measuredHeight uom="m">6.2</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86700 2.35500 0 48.86700 2.35510 0 48.86710 2.35510 0 48.86710 2.35500 0 48.86700 2.35500 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_11_b">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-2</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">412</bldg:usage>
<bldg:measuredHeight uom="m">21.5</bldg:measuredHeight>
<bldg:lod1Solid><gml:Solid><gml:exterior><gml:CompositeSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86800 2.35600 3 48.86800 2.35620 3 48.86820 2.35620 3 48.86820 2.35600 3 48.86800 2.35600 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86800 2.35600 24.5 48.86800 2.35620 24.5 48.86820 2.35620 24.5 48.86820 2.35600 24.5 48.86800 2.35600 24.5</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86800 2.35600 3 48.86800 2.35620 3 48.86800 2.35620 24.5 48.86800 2.35600 24.5 48.86800 2.35600 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86800 2.35620 3 48.86820 2.35620 3 48.86820 2.35620 24.5 48.86800 2.35620 24.5 48.86800 2.35620 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86820 2.35620 3 48.86820 2.35600 3 48.86820 2.35600 24.5 48.86820 2.35620 24.5 48.86820 2.35620 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86820 2.35600 3 48.86800 2.35600 3 48.86800 2.35600 24.5 48.86820 2.35600 24.5 48.86820 2.35600 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod1Solid>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_edge">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-3</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">店舗等併用住宅</bldg:usage>
<bldg:measuredHeight uom="m">9.0</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>48.86900 2.35495 0 48.86900 2.35505 0 48.86910 2.35505 0 48.86910 2.35495 0 48.86900 2.35495 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
</core:CityModel>
