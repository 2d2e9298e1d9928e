"""The open data catalog: datasets, distributions, versions, search, the CKAN Action API."""
