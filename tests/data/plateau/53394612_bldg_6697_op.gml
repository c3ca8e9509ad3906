<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:gml="http://www.opengis.net/gml">
<gml:boundedBy>
<gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/6697" srsDimension="3">
<gml:lowerCorner>35.675 139.775 0</gml:lowerCorner>
<gml:upperCorner>35.68333 139.7875 40</gml:upperCorner>
</gml:Envelope>
</gml:boundedBy>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_edge">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-3</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">店舗等併用住宅</bldg:usage>
<bldg:measuredHeight uom="m">9.0</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67900 139.77495 0 35.67900 139.77505 0 35.67910 139.77505 0 35.67910 139.77495 0 35.67900 139.77495 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_12_a">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-4</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">414</bldg:usage>
<bldg:measuredHeight uom="m">30.0</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67700 139.78000 0 35.67700 139.78010 0 35.67710 139.78010 0 35.67710 139.78000 0 35.67700 139.78000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_12_b">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-5</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">415</bldg:usage>
<bldg:measuredHeight uom="m">7.5</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67720 139.78000 0 35.67720 139.78010 0 35.67730 139.78010 0 35.67730 139.78000 0 35.67720 139.78000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_12_c">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-6</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">402</bldg:usage>
<bldg:measuredHeight uom="m">12.0</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67740 139.78000 0 35.67740 139.78010 0 35.67750 139.78010 0 35.67750 139.78000 0 35.67740 139.78000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="bldg_12_d">
<gen:stringAttribute name="建物ID"><gen:value>13101-bldg-7</gen:value></gen:stringAttribute>
<bldg:usage codeSpace="../../codelists/Building_usage.xml">413</bldg:usage>
<bldg:measuredHeight uom="m">8.0</bldg:measuredHeight>
<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67760 139.78000 0 35.67760 139.78010 0 35.67770 139.78010 0 35.67770 139.78000 0 35.67760 139.78000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>
</bldg:Building>
</core:cityObjectMember>
</core:CityModel>
