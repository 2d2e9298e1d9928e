"""Open311 GeoReport v2 under /open311/v2/: plain Django views with the spec's own formats and errors."""
