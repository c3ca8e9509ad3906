"""Source data (CSV), schema, and DuckDB access: reference database and plan workspace."""
