<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:brid="http://www.opengis.net/citygml/bridge/2.0" xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" xmlns:frn="http://www.opengis.net/citygml/cityfurniture/2.0" xmlns:wtr="http://www.opengis.net/citygml/waterbody/2.0" xmlns:sch="http://www.ascc.net/xml/schematron" xmlns:veg="http://www.opengis.net/citygml/vegetation/2.0" xmlns:tun="http://www.opengis.net/citygml/tunnel/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:tex="http://www.opengis.net/citygml/texturedsurface/2.0" xmlns:gml="http://www.opengis.net/gml" xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:dem="http://www.opengis.net/citygml/relief/2.0" xmlns:app="http://www.opengis.net/citygml/appearance/2.0" xmlns:luse="http://www.opengis.net/citygml/landuse/2.0" xmlns:xAL="urn:oasis:names:tc:ciq:xsdschema:xAL:2.0" xmlns:uro="http://www.kantei.go.jp/jp/singi/tiiki/toshisaisei/itoshisaisei/iur/uro/1.4" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:smil20="http://www.w3.org/2001/SMIL20/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:smil20lang="http://www.w3.org/2001/SMIL20/Language" xmlns:pbase="http://www.opengis.net/citygml/profiles/base/2.0" xmlns:core="http://www.opengis.net/citygml/2.0" xmlns:grp="http://www.opengis.net/citygml/cityobjectgroup/2.0" xsi:schemaLocation="http://www.kantei.go.jp/jp/singi/tiiki/toshisaisei/itoshisaisei/iur/uro/1.4 http://www.kantei.go.jp/jp/singi/tiiki/toshisaisei/itoshisaisei/iur/schemas/uro/1.4/urbanObject.xsd 
http://www.opengis.net/citygml/2.0 http://schemas.opengis.net/citygml/2.0/cityGMLBase.xsd
http://www.opengis.net/citygml/landuse/2.0 http://schemas.opengis.net/citygml/landuse/2.0/landUse.xsd 
http://www.opengis.net/citygml/building/2.0 http://schemas.opengis.net/citygml/building/2.0/building.xsd 
http://www.opengis.net/citygml/transportation/2.0 http://schemas.opengis.net/citygml/transportation/2.0/transportation.xsd 
http://www.opengis.net/citygml/generics/2.0 http://schemas.opengis.net/citygml/generics/2.0/generics.xsd 
http://www.opengis.net/citygml/relief/2.0 http://schemas.opengis.net/citygml/relief/2.0/relief.xsd 
http://www.opengis.net/citygml/cityobjectgroup/2.0 http://schemas.opengis.net/citygml/cityobjectgroup/2.0/cityObjectGroup.xsd 
http://www.opengis.net/gml http://schemas.opengis.net/gml/3.1.1/base/gml.xsd">
<gml:boundedBy>
<gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/6697" srsDimension="3">
<gml:lowerCorner>35.75507883310183 139.55000927784877 51.619998931884766</gml:lowerCorner>
<gml:upperCorner>35.758585860559734 139.55640377812756 80.8700008392334</gml:upperCorner>
</gml:Envelope>
</gml:boundedBy>
<core:cityObjectMember>
<bldg:Building gml:id="uuid_EBE7C667-9BE2-4743-9D73-A6AF75ED2191">
<gen:stringAttribute name="建物ID">
<gen:value>11230-bldg-1549</gen:value>
</gen:stringAttribute>
<bldg:measuredHeight uom="m">3.9</bldg:measuredHeight>
<bldg:lod0FootPrint>
<gml:MultiSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75599827822895 139.55424111138112 55.03099822998047 35.75599736082363 139.55416272190755 55.03099822998047 35.75593138882101 139.5541639442503 55.03099822998047 35.755932306222675 139.55424233255337 55.03099822998047 35.75599827822895 139.55424111138112 55.03099822998047</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
</gml:MultiSurface>
</bldg:lod0FootPrint>
<bldg:lod1Solid>
<gml:Solid>
<gml:exterior>
<gml:CompositeSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75599827822895 139.55424111138112 55.03099822998047 35.755932306222675 139.55424233255337 55.03099822998047 35.75593138882101 139.5541639442503 55.03099822998047 35.75599736082363 139.55416272190755 55.03099822998047 35.75599827822895 139.55424111138112 55.03099822998047</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75599827822895 139.55424111138112 55.03099822998047 35.75599736082363 139.55416272190755 55.03099822998047 35.75599736082363 139.55416272190755 58.659998178482056 35.75599827822895 139.55424111138112 58.659998178482056 35.75599827822895 139.55424111138112 55.03099822998047</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75599736082363 139.55416272190755 55.03099822998047 35.75593138882101 139.5541639442503 55.03099822998047 35.75593138882101 139.5541639442503 58.659998178482056 35.75599736082363 139.55416272190755 58.659998178482056 35.75599736082363 139.55416272190755 55.03099822998047</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75593138882101 139.5541639442503 55.03099822998047 35.755932306222675 139.55424233255337 55.03099822998047 35.755932306222675 139.55424233255337 58.659998178482056 35.75593138882101 139.5541639442503 58.659998178482056 35.75593138882101 139.5541639442503 55.03099822998047</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.755932306222675 139.55424233255337 55.03099822998047 35.75599827822895 139.55424111138112 55.03099822998047 35.75599827822895 139.55424111138112 58.659998178482056 35.755932306222675 139.55424233255337 58.659998178482056 35.755932306222675 139.55424233255337 55.03099822998047</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75599827822895 139.55424111138112 58.659998178482056 35.75599736082363 139.55416272190755 58.659998178482056 35.75593138882101 139.5541639442503 58.659998178482056 35.755932306222675 139.55424233255337 58.659998178482056 35.75599827822895 139.55424111138112 58.659998178482056</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
</gml:CompositeSurface>
</gml:exterior>
</gml:Solid>
</bldg:lod1Solid>
<uro:extendedAttribute>
<uro:KeyValuePair>
<uro:key codeSpace="../../codelists/extendedAttribute_key.xml">2</uro:key>
<uro:codeValue codeSpace="../../codelists/extendedAttribute_key2.xml">2</uro:codeValue>
</uro:KeyValuePair>
</uro:extendedAttribute>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="uuid_7AF85369-BF73-48D7-BFAB-6052DCEDC7E3">
<gen:stringAttribute name="建物ID">
<gen:value>11230-bldg-1609</gen:value>
</gen:stringAttribute>
<bldg:measuredHeight uom="m">6.4</bldg:measuredHeight>
<bldg:lod0FootPrint>
<gml:MultiSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75816327708874 139.55051308449174 52.492000579833984 35.75811339459636 139.55053548827334 52.492000579833984 35.758120209430245 139.5505583549126 52.492000579833984 35.75810436115856 139.550565377739 52.492000579833984 35.758118532554874 139.55061265727187 52.492000579833984 35.75818417294251 139.55058312155188 52.492000579833984 35.75816327708874 139.55051308449174 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
</gml:MultiSurface>
</bldg:lod0FootPrint>
<bldg:lod1Solid>
<gml:Solid>
<gml:exterior>
<gml:CompositeSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75816327708874 139.55051308449174 52.492000579833984 35.75818417294251 139.55058312155188 52.492000579833984 35.758118532554874 139.55061265727187 52.492000579833984 35.75810436115856 139.550565377739 52.492000579833984 35.758120209430245 139.5505583549126 52.492000579833984 35.75811339459636 139.55053548827334 52.492000579833984 35.75816327708874 139.55051308449174 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75816327708874 139.55051308449174 52.492000579833984 35.75811339459636 139.55053548827334 52.492000579833984 35.75811339459636 139.55053548827334 58.89227056503296 35.75816327708874 139.55051308449174 58.89227056503296 35.75816327708874 139.55051308449174 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75811339459636 139.55053548827334 52.492000579833984 35.758120209430245 139.5505583549126 52.492000579833984 35.758120209430245 139.5505583549126 58.89227056503296 35.75811339459636 139.55053548827334 58.89227056503296 35.75811339459636 139.55053548827334 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.758120209430245 139.5505583549126 52.492000579833984 35.75810436115856 139.550565377739 52.492000579833984 35.75810436115856 139.550565377739 58.89227056503296 35.758120209430245 139.5505583549126 58.89227056503296 35.758120209430245 139.5505583549126 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75810436115856 139.550565377739 52.492000579833984 35.758118532554874 139.55061265727187 52.492000579833984 35.758118532554874 139.55061265727187 58.89227056503296 35.75810436115856 139.550565377739 58.89227056503296 35.75810436115856 139.550565377739 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.758118532554874 139.55061265727187 52.492000579833984 35.75818417294251 139.55058312155188 52.492000579833984 35.75818417294251 139.55058312155188 58.89227056503296 35.758118532554874 139.55061265727187 58.89227056503296 35.758118532554874 139.55061265727187 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75818417294251 139.55058312155188 52.492000579833984 35.75816327708874 139.55051308449174 52.492000579833984 35.75816327708874 139.55051308449174 58.89227056503296 35.75818417294251 139.55058312155188 58.89227056503296 35.75818417294251 139.55058312155188 52.492000579833984</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75816327708874 139.55051308449174 58.89227056503296 35.75811339459636 139.55053548827334 58.89227056503296 35.758120209430245 139.5505583549126 58.89227056503296 35.75810436115856 139.550565377739 58.89227056503296 35.758118532554874 139.55061265727187 58.89227056503296 35.75818417294251 139.55058312155188 58.89227056503296 35.75816327708874 139.55051308449174 58.89227056503296</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
</gml:CompositeSurface>
</gml:exterior>
</gml:Solid>
</bldg:lod1Solid>
<uro:extendedAttribute>
<uro:KeyValuePair>
<uro:key codeSpace="../../codelists/extendedAttribute_key.xml">2</uro:key>
<uro:codeValue codeSpace="../../codelists/extendedAttribute_key2.xml">2</uro:codeValue>
</uro:KeyValuePair>
</uro:extendedAttribute>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="uuid_AC7D5C3D-9B49-4A12-BFC8-D8A5F6F479B7">
<gen:stringAttribute name="建物ID">
<gen:value>11230-bldg-1763</gen:value>
</gen:stringAttribute>
<bldg:measuredHeight uom="m">3</bldg:measuredHeight>
<bldg:lod0FootPrint>
<gml:MultiSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75756912832836 139.55236987837435 53.07699966430664 35.757481464345 139.55238655277122 53.07699966430664 35.75748550466069 139.55241838632278 53.07699966430664 35.75757307761224 139.5524017122799 53.07699966430664 35.75756912832836 139.55236987837435 53.07699966430664</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
</gml:MultiSurface>
</bldg:lod0FootPrint>
<bldg:lod1Solid>
<gml:Solid>
<gml:exterior>
<gml:CompositeSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75756912832836 139.55236987837435 53.07699966430664 35.75757307761224 139.5524017122799 53.07699966430664 35.75748550466069 139.55241838632278 53.07699966430664 35.757481464345 139.55238655277122 53.07699966430664 35.75756912832836 139.55236987837435 53.07699966430664</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75756912832836 139.55236987837435 53.07699966430664 35.757481464345 139.55238655277122 53.07699966430664 35.757481464345 139.55238655277122 56.07699966430664 35.75756912832836 139.55236987837435 56.07699966430664 35.75756912832836 139.55236987837435 53.07699966430664</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.757481464345 139.55238655277122 53.07699966430664 35.75748550466069 139.55241838632278 53.07699966430664 35.75748550466069 139.55241838632278 56.07699966430664 35.757481464345 139.55238655277122 56.07699966430664 35.757481464345 139.55238655277122 53.07699966430664</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75748550466069 139.55241838632278 53.07699966430664 35.75757307761224 139.5524017122799 53.07699966430664 35.75757307761224 139.5524017122799 56.07699966430664 35.75748550466069 139.55241838632278 56.07699966430664 35.75748550466069 139.55241838632278 53.07699966430664</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75757307761224 139.5524017122799 53.07699966430664 35.75756912832836 139.55236987837435 53.07699966430664 35.75756912832836 139.55236987837435 56.07699966430664 35.75757307761224 139.5524017122799 56.07699966430664 35.75757307761224 139.5524017122799 53.07699966430664</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75756912832836 139.55236987837435 56.07699966430664 35.757481464345 139.55238655277122 56.07699966430664 35.75748550466069 139.55241838632278 56.07699966430664 35.75757307761224 139.5524017122799 56.07699966430664 35.75756912832836 139.55236987837435 56.07699966430664</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
</gml:CompositeSurface>
</gml:exterior>
</gml:Solid>
</bldg:lod1Solid>
<uro:extendedAttribute>
<uro:KeyValuePair>
<uro:key codeSpace="../../codelists/extendedAttribute_key.xml">2</uro:key>
<uro:codeValue codeSpace="../../codelists/extendedAttribute_key2.xml">2</uro:codeValue>
</uro:KeyValuePair>
</uro:extendedAttribute>
</bldg:Building>
</core:cityObjectMember>
<core:cityObjectMember>
<bldg:Building gml:id="uuid_0AC15FEC-BE99-4419-AB53-E31030161B1C">
<gen:stringAttribute name="建物ID">
<gen:value>11230-bldg-1560</gen:value>
</gen:stringAttribute>
<bldg:measuredHeight uom="m">6.0</bldg:measuredHeight>
<bldg:lod0FootPrint>
<gml:MultiSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75589977870525 139.55143006428239 53.34000015258789 35.755870504794046 139.55143868221424 53.34000015258789 35.75587579662478 139.55146597687195 53.34000015258789 35.75585507867224 139.55147202126966 53.34000015258789 35.75586155830174 139.55150539364865 53.34000015258789 35.75583975924561 139.55151166300752 53.34000015258789 35.755847136856914 139.55154436873607 53.34000015258789 35.75591784436627 139.55152344092414 53.34000015258789 35.75589977870525 139.55143006428239 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
</gml:MultiSurface>
</bldg:lod0FootPrint>
<bldg:lod1Solid>
<gml:Solid>
<gml:exterior>
<gml:CompositeSurface>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75589977870525 139.55143006428239 53.34000015258789 35.75591784436627 139.55152344092414 53.34000015258789 35.755847136856914 139.55154436873607 53.34000015258789 35.75583975924561 139.55151166300752 53.34000015258789 35.75586155830174 139.55150539364865 53.34000015258789 35.75585507867224 139.55147202126966 53.34000015258789 35.75587579662478 139.55146597687195 53.34000015258789 35.755870504794046 139.55143868221424 53.34000015258789 35.75589977870525 139.55143006428239 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75589977870525 139.55143006428239 53.34000015258789 35.755870504794046 139.55143868221424 53.34000015258789 35.755870504794046 139.55143868221424 59.30579996109009 35.75589977870525 139.55143006428239 59.30579996109009 35.75589977870525 139.55143006428239 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.755870504794046 139.55143868221424 53.34000015258789 35.75587579662478 139.55146597687195 53.34000015258789 35.75587579662478 139.55146597687195 59.30579996109009 35.755870504794046 139.55143868221424 59.30579996109009 35.755870504794046 139.55143868221424 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75587579662478 139.55146597687195 53.34000015258789 35.75585507867224 139.55147202126966 53.34000015258789 35.75585507867224 139.55147202126966 59.30579996109009 35.75587579662478 139.55146597687195 59.30579996109009 35.75587579662478 139.55146597687195 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75585507867224 139.55147202126966 53.34000015258789 35.75586155830174 139.55150539364865 53.34000015258789 35.75586155830174 139.55150539364865 59.30579996109009 35.75585507867224 139.55147202126966 59.30579996109009 35.75585507867224 139.55147202126966 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75586155830174 139.55150539364865 53.34000015258789 35.75583975924561 139.55151166300752 53.34000015258789 35.75583975924561 139.55151166300752 59.30579996109009 35.75586155830174 139.55150539364865 59.30579996109009 35.75586155830174 139.55150539364865 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.75583975924561 139.55151166300752 53.34000015258789 35.755847136856914 139.55154436873607 53.34000015258789 35.755847136856914 139.55154436873607 59.30579996109009 35.75583975924561 139.55151166300752 59.30579996109009 35.75583975924561 139.55151166300752 53.34000015258789</gml:posList>
</gml:LinearRing>
</gml:exterior>
</gml:Polygon>
</gml:surfaceMember>
<gml:surfaceMember>
<gml:Polygon>
<gml:exterior>
<gml:LinearRing>
<gml:posList>35.755847136856914 139.55154436873607 53.34000015258789 35.75591784436627 139.55152344092414 53.34000015258789 35.75591784436627 139.55152344092414 59.30579996109009 35.75584713685691