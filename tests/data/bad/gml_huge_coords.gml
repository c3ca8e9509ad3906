<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:gml="http://www.opengis.net/gml">
<gml:boundedBy>
<gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/6697" srsDimension="3">
<gml:lowerCorner>35.865 139.9725 0</gml:lowerCorner>
<gml:upperCorner>35.87333 139.975 40</gml:upperCorner>
</gml:Envelope>
</gml:boundedBy>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_11_a">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-1</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">411</bldg:usage>
<bldg:measuredHeight uom="m">6.2</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>1e999 139.97500 0 35.86700 139.97510 0 35.86710 139.97510 0 35.86710 139.97500 0 1e999 139.97500 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_11_b">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-2</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">412</bldg:usage>
<bldg:measuredHeight uom="m">21.5</bldg:measuredHeight>
<bldg:lod1Solid><gml:Solid><gml:exterior><gml:CompositeSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>NaN NaN 3 35.86800 139.97620 3 35.86820 139.97620 3 35.86820 139.97600 3 NaN NaN 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>NaN NaN 24.5 35.86800 139.97620 24.5 35.86820 139.97620 24.5 35.86820 139.97600 24.5 NaN NaN 24.5</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>NaN NaN 3 35.86800 139.97620 3 35.86800 139.97620 24.5 NaN NaN 24.5 NaN NaN 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.86800 139.97620 3 35.86820 139.97620 3 35.86820 139.97620 24.5 35.86800 139.97620 24.5 35.86800 139.97620 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.86820 139.97620 3 35.86820 139.97600 3 35.86820 139.97600 24.5 35.86820 139.97620 24.5 35.86820 139.97620 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.86820 139.97600 3 NaN NaN 3 NaN NaN 24.5 35.86820 139.97600 24.5 35.86820 139.97600 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod1Solid>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_edge">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-3</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">店舗等併用住宅</bldg:usage>
<bldg:measuredHeight uom="m">9.0</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.86900 139.97495 0 35.86900 139.97505 0 35.86910 139.97505 0 35.86910 139.97495 0 35.86900 139.97495 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
</core:CityModel>
