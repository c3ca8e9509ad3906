<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:gml="http://www.opengis.net/gml">
<gml:boundedBy>
<gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/6697" srsDimension="3">
<gml:lowerCorner>35.675 139.7625 0</gml:lowerCorner>
<gml:upperCorner>35.68333 139.775 40</gml:upperCorner>
</gml:Envelope>
</gml:boundedBy>
<core:cityObjectMember>
<tran:Road gml:id="tran_r1">
<tran:function codeSpace="../../codelists/Road_function.xml">4</tran:function>
<tran:usage codeSpace="../../codelists/Road_usage.xml">1</tran:usage>
<tran:lod1MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67600 139.76300 0 35.67600 139.76400 0 35.67610 139.76400 0 35.67610 139.76300 0 35.67600 139.76300 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod1MultiSurface>
</tran:Road>
</core:cityObjectMember>
<core:cityObjectMember>
<tran:Road gml:id="tran_r2">
<tran:function codeSpace="../../codelists/Road_function.xml">3</tran:function>
<tran:lod1MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.68000 139.76300 0 35.68000 139.76400 0 35.68010 139.76400 0 35.68010 139.76300 0 35.68000 139.76300 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.68010 139.76390 0 35.68010 139.76400 0 35.68100 139.76400 0 35.68100 139.76390 0 35.68010 139.76390 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod1MultiSurface>
</tran:Road>
</core:cityObjectMember>
<core:cityObjectMember>
<tran:Road gml:id="tran_r3">
<tran:function codeSpace="../../codelists/Road_function.xml">9020</tran:function>
<tran:trafficArea><tran:TrafficArea gml:id="tran_r3_a"><tran:function codeSpace="../../codelists/TrafficArea_function.xml">1000</tran:function><tran:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67700 139.77000 0 35.67700 139.77050 0 35.67710 139.77050 0 35.67710 139.77000 0 35.67700 139.77000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod2MultiSurface></tran:TrafficArea></tran:trafficArea><tran:trafficArea><tran:TrafficArea gml:id="tran_r3_b"><tran:function codeSpace="../../codelists/TrafficArea_function.xml">2000</tran:function><tran:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.67710 139.77000 0 35.67710 139.77050 0 35.67715 139.77050 0 35.67715 139.77000 0 35.67710 139.77000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod2MultiSurface></tran:TrafficArea></tran:trafficArea>
</tran:Road>
</core:cityObjectMember>
<core:cityObjectMember>
<tran:Road gml:id="tran_r4">
<tran:function codeSpace="../../codelists/Road_function.xml">4</tran:function>
<tran:lod0Network><gml:GeometricComplex><gml:element><gml:LineString><gml:posList>35.6790 139.7630 0 35.6790 139.7640 0</gml:posList></gml:LineString></gml:element></gml:GeometricComplex></tran:lod0Network>
</tran:Road>
</core:cityObjectMember>
</core:CityModel>
