<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:gml="http://www.opengis.net/gml">
<gml:boundedBy>
<gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/6697" srsDimension="3">
<gml:lowerCorner>35.865 139.9725 0</gml:lowerCorner>
<gml:upperCorner>35.87333 139.975 40</gml:upperCorner>
</gml:Envelope>
</gml:boundedBy>
<core:cityObjectMember>
<tran:Road gml:id="tran_r1">
<tran:function codeSpace="../../codelists/Road_function.xml">4</tran:function>
<tran:usage codeSpace="../../codelists/Road_usage.xml">1</tran:usage>
<tran:lod1MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.86600 139.97300 0 35.86600 139.97400 0 35.86610 139.97400 0 35.86610 139.97300 0 35.86600 139.97300 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod1MultiSurface>
</tran:Road>
</core:cityObjectMember>
<core:cityObjectMember>
<tran:Road gml:id="tran_r2">
<tran:function codeSpace="../../codelists/Road_function.xml">3</tran:function>
<tran:lod1MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.87000 139.97300 0 35.87000 139.97400 0 35.87010 139.97400 0 35.87010 139.97300 0 35.87000 139.97300 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.87010 139.97390 0 35.87010 139.97400 0 35.87100 139.97400 0 35.87100 139.97390 0 35.87010 139.97390 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod1MultiSurface>
</tran:Road>
</core:cityObjectMember>
<core:cityObjectMember>
<tran:Road gml:id="tran_r3">
<tran:function codeSpace="../../codelists/Road_function.xml">9020</tran:function>
<tran:trafficArea><tran:TrafficArea gml:id="tran_r3_a"><tran:function codeSpace="../../codelists/TrafficArea_function.xml">1000</tran:function><tran:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.86700 139.97000 0 35.86700 139.97050 0 35.86710 139.97050 0 35.86710 139.97000 0 35.86700 139.97000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod2MultiSurface></tran:TrafficArea></tran:trafficArea><tran:trafficArea><tran:TrafficArea gml:id="tran_r3_b"><tran:function codeSpace="../../codelists/TrafficArea_function.xml">2000</tran:function><tran:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>35.86710 139.97000 0 35.86710 139.97050 0 35.86715 139.97050 0 35.86715 139.97000 0 35.86710 139.97000 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></tran:lod2MultiSurface></tran:TrafficArea></tran:trafficArea>
</tran:Road>
</core:cityObjectMember>
<core:cityObjectMember>
<tran:Road gml:id="tran_r4">
<tran:function codeSpace="../../codelists/Road_function.xml">4</tran:function>
<tran:lod0Network><gml:GeometricComplex><gml:element><gml:LineString><gml:posList>35.8690 139.9730 0 35.8690 139.9740 0</gml:posList></gml:LineString></gml:element></gml:GeometricComplex></tran:lod0Network>
</tran:Road>
</core:cityObjectMember>
</core:CityModel>
