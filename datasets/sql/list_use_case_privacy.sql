-- Privacy items (assessment engineer's privacy_items) triggered by one use case. params: $use_case_id
SELECT id, sort_order, title_ja, title_en, basis_kind
FROM privacy_items
WHERE applies_to = 'all' OR list_contains(string_split(applies_to, ';'), $use_case_id)
ORDER BY sort_order;
