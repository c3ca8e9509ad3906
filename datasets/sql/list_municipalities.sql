-- Municipalities (and wards) of one prefecture. params: $prefecture
SELECT code, prefecture, name, kana, lat, lon FROM municipalities
WHERE prefecture = $prefecture ORDER BY code;
