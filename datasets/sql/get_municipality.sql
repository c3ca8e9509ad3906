-- One municipality by 地方公共団体コード. params: $code
SELECT code, prefecture, name, kana, lat, lon, website, source FROM municipalities
WHERE code = $code;
