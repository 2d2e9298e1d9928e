"""Geometry on plain WGS84 lat/long with shapely: boundaries, bounding boxes, point-in-area."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity


class GeometryError(ValueError):
    """A boundary that is not a valid WGS84 Polygon or MultiPolygon; the message says why."""


@dataclass(frozen=True, slots=True)
class BoundingBox:
    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float


def boundary_geometry(geojson: dict[str, Any]) -> BaseGeometry:
    kind = geojson.get("type")
    if kind not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(f"A boundary must be a GeoJSON Polygon or MultiPolygon, not {kind!r}.")
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, IndexError) as error:
        raise GeometryError(f"The boundary coordinates cannot be read: {error}.") from error
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-90 <= min_lat <= max_lat <= 90 and -180 <= min_lon <= max_lon <= 180):
        raise GeometryError("Boundary coordinates must be longitude -180..180 and latitude -90..90.")
    if not geometry.is_valid:
        raise GeometryError(f"The boundary is not a valid polygon: {explain_validity(geometry)}.")
    return geometry


def bounding_box(geojson: dict[str, Any]) -> BoundingBox:
    min_lon, min_lat, max_lon, max_lat = boundary_geometry(geojson).bounds
    return BoundingBox(min_lat, min_lon, max_lat, max_lon)


def contains(geojson: dict[str, Any], *, latitude: float, longitude: float) -> bool:
    return bool(boundary_geometry(geojson).covers(Point(longitude, latitude)))
