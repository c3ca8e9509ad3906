"""Write ``FG-GML-5339-67-37-DEM5A-hill.xml``: a hand-made 基盤地図情報 DEM5A mesh file
(FGD_GMLSchema.xsd Ver4, as ``tests/data/dem/``) under the town of ``tests/data/fgd/``.

Not survey data: 75 rows × 180 columns of 0.2″ cells from the south-west corner of 3次メッシュ
53396737 (35.858333333 N, 139.9625 E), heights 10 m plus a round hill of 8 m
(``10 + 8 · exp(−d² / (2 · 30²))``, ``d`` [m] from 35.8600 N, 139.9705 E, the centre of
the fixture's 町字 square), rounded to 0.01 m. Run ``python make_hill_dem.py`` to rewrite.
"""
import math
from pathlib import Path

LAT0, LON0, CELL = 35.858333333, 139.9625, 0.2 / 3600
ROWS, COLS = 75, 180
TOP_LAT, TOP_LON = 35.8600, 139.9705


def height(lat: float, lon: float) -> float:
    dy = (lat - TOP_LAT) * 111_000.0
    dx = (lon - TOP_LON) * 111_000.0 * math.cos(math.radians(TOP_LAT))
    return 10.0 + 8.0 * math.exp(-(dx * dx + dy * dy) / (2 * 30.0 ** 2))


def main() -> None:
    tuples = []
    for r in range(ROWS):                       # north row first (+x-y)
        lat = LAT0 + (ROWS - r - 0.5) * CELL
        for c in range(COLS):
            lon = LON0 + (c + 0.5) * CELL
            tuples.append(f"地表面,{height(lat, lon):.2f}")
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Hand-made test fixture after 基盤地図情報 数値標高モデル (FGD_GMLSchema.xsd Ver4, DEM5A),
     not survey data: written by make_hill_dem.py. -->
<Dataset xsi:schemaLocation="http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema FGD_GMLSchema.xsd"
	xmlns:gml="http://www.opengis.net/gml/3.2"
	xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
	xmlns:xlink="http://www.w3.org/1999/xlink"
	xmlns="http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema"
	gml:id="Dataset1">
  <gml:description>基盤地図情報メタデータ ID=fmdid:test-DEM5A-hill</gml:description>
  <gml:name>基盤地図情報ダウンロードデータ（GML版）テスト用</gml:name>
  <DEM gml:id="DEM001">
    <fid>fgoid:10-00100-15-DEM-hill</fid>
    <lfSpanFr gml:id="DEM001-1">
      <gml:timePosition>2024-01-01</gml:timePosition>
    </lfSpanFr>
    <devDate gml:id="DEM001-2">
      <gml:timePosition>2024-01-01</gml:timePosition>
    </devDate>
    <orgGILvl>0</orgGILvl>
    <orgMDId>test</orgMDId>
    <type>5mメッシュ（標高）</type>
    <mesh>53396737</mesh>
    <coverage gml:id="DEM001-3">
      <gml:boundedBy>
        <gml:Envelope srsName="fguuid:jgd2011.bl">
          <gml:lowerCorner>{LAT0:.9f} {LON0:.9f}</gml:lowerCorner>
          <gml:upperCorner>{LAT0 + ROWS * CELL:.9f} {LON0 + COLS * CELL:.9f}</gml:upperCorner>
        </gml:Envelope>
      </gml:boundedBy>
      <gml:gridDomain>
        <gml:Grid dimension="2" gml:id="DEM001-4">
          <gml:limits>
            <gml:GridEnvelope>
              <gml:low>0 0</gml:low>
              <gml:high>{COLS - 1} {ROWS - 1}</gml:high>
            </gml:GridEnvelope>
          </gml:limits>
          <gml:axisLabels>x y</gml:axisLabels>
        </gml:Grid>
      </gml:gridDomain>
      <gml:rangeSet>
        <gml:DataBlock>
          <gml:rangeParameters>
            <gml:QuantityList uom="DEM構成点"/>
          </gml:rangeParameters>
<gml:tupleList>
{chr(10).join(tuples)}
</gml:tupleList>
        </gml:DataBlock>
      </gml:rangeSet>
      <gml:coverageFunction>
        <gml:GridFunction>
          <gml:sequenceRule order="+x-y">Linear</gml:sequenceRule>
          <gml:startPoint>0 0</gml:startPoint>
        </gml:GridFunction>
      </gml:coverageFunction>
    </coverage>
  </DEM>
</Dataset>
"""
    Path(__file__).with_name("FG-GML-5339-67-37-DEM5A-hill.xml").write_text(text,
                                                                           encoding="utf-8")


if __name__ == "__main__":
    main()
