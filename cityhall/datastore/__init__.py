"""Tabular distributions loaded into queryable tables: datastore_search and datastore_search_sql."""
