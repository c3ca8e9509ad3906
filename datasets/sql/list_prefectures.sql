-- Prefectures in 地方公共団体コード order. params: none
SELECT prefecture_code, prefecture FROM municipalities
GROUP BY prefecture_code, prefecture ORDER BY prefecture_code;
