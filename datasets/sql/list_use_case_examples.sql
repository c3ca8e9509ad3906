-- Real examples of the use cases. params: none
SELECT * FROM use_case_examples ORDER BY use_case_id, year NULLS LAST, example_id;
