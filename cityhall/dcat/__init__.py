"""DCAT-AP 3 output of the catalog and harvesting of other CKAN and DCAT-AP catalogs."""
