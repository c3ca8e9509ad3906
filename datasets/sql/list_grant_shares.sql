-- Payer shares of split schemes (東京都 etc.). params: none
SELECT * FROM grant_shares ORDER BY scheme_id, variant;
