"""Shared schema, rules and queries of the league-building dashboard.

Pages, the ETL and the tests all go through this package: `db` owns the
connection, `sql/` holds the schema and the rules, `queries` returns polars
frames. Nothing here imports streamlit.
"""
