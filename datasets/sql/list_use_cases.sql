-- Video-DX use cases with the pixel density of their DORI level. params: none
SELECT u.*, t.value AS dori_px_per_m, t.name_ja AS dori_name_ja, t.name_en AS dori_name_en, t.source AS dori_source
FROM use_cases u
LEFT JOIN thresholds t ON t.kind IN ('dori_2014', 'iec_2025') AND t.key = u.dori_level
ORDER BY CASE u.id WHEN 'watch_elderly' THEN 1 WHEN 'watch_children' THEN 2 WHEN 'people_count' THEN 3
    WHEN 'people_attributes' THEN 4 WHEN 'abnormal_behavior' THEN 5 WHEN 'intrusion_flood' THEN 6
    WHEN 'crime_info_sharing' THEN 7 WHEN 'face_identification' THEN 8 WHEN 'dangerous_driving' THEN 9
    ELSE 10 END;
