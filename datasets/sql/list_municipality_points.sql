-- Municipal-office points of every municipality (offline base layer of the initiative map). params: none
SELECT code, prefecture, name, lat, lon FROM municipalities ORDER BY code;
