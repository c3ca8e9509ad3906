-- Area, applicant types, domains and cost type per grant scheme. params: none
SELECT * FROM grant_scheme_scope ORDER BY scheme_id;
