"""Who is inside an alert's areas: a bounding-box prefilter in SQL, then exact geometry in shapely.

Polygons are projected to a local plane in kilometres (equirectangular around the alert's centre:
at city scale the error is far below a metre per kilometre), prepared once, and tested against all
candidates in one vectorised call. CAP circles are compared by haversine distance, as the
reference sheet asks. A subscriber's own circle (point + radius) matches when it touches an area.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from cityhall.alerts.cap import parse_circle, parse_polygon

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 110.574
KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.320


@dataclass(frozen=True, slots=True)
class Box:
    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float

    def union(self, other: Box) -> Box:
        return Box(
            min(self.min_latitude, other.min_latitude),
            min(self.min_longitude, other.min_longitude),
            max(self.max_latitude, other.max_latitude),
            max(self.max_longitude, other.max_longitude),
        )


WORLD = Box(-90.0, -180.0, 90.0, 180.0)


def circle_box(latitude: float, longitude: float, radius_km: float) -> Box:
    """The bounding box of a circle on the ground (clamped to valid coordinates)."""
    d_lat = radius_km / KM_PER_DEGREE_LATITUDE
    cos_lat = max(0.01, math.cos(math.radians(latitude)))
    d_lon = radius_km / (KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * cos_lat)
    return Box(
        max(-90.0, latitude - d_lat),
        max(-180.0, longitude - d_lon),
        min(90.0, latitude + d_lat),
        min(180.0, longitude + d_lon),
    )


def points_box(points: Iterable[tuple[float, float]]) -> Box:
    latitudes, longitudes = zip(*points, strict=True)
    return Box(min(latitudes), min(longitudes), max(latitudes), max(longitudes))


def haversine_km(lat1: float, lon1: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    phi1, phi2 = math.radians(lat1), np.radians(lats)
    d_phi = phi2 - phi1
    d_lambda = np.radians(lons) - math.radians(lon1)
    a = np.sin(d_phi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class Footprint:
    """The union of an alert's areas, ready to test many subscribers at once."""

    def __init__(
        self, polygons: list[list[tuple[float, float]]], circles: list[tuple[float, float, float]]
    ) -> None:
        if not polygons and not circles:
            raise ValueError("An alert footprint needs at least one polygon or circle.")
        boxes = [points_box(points) for points in polygons] + [circle_box(*circle) for circle in circles]
        box = boxes[0]
        for other in boxes[1:]:
            box = box.union(other)
        self.box = box
        self.origin = ((box.min_latitude + box.max_latitude) / 2, (box.min_longitude + box.max_longitude) / 2)
        self.circles = circles
        self.planar: BaseGeometry | None = None
        if polygons:
            shapes = [Polygon(self._project_points(points)) for points in polygons]
            self.planar = shapely.union_all(shapes) if len(shapes) > 1 else shapes[0]
            shapely.prepare(self.planar)

    @classmethod
    def from_cap(cls, polygons: Iterable[str], circles: Iterable[str]) -> Footprint:
        return cls([parse_polygon(text) for text in polygons], [parse_circle(text) for text in circles])

    def _project(self, latitudes: np.ndarray, longitudes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lat0, lon0 = self.origin
        x = (longitudes - lon0) * KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(lat0))
        y = (latitudes - lat0) * KM_PER_DEGREE_LATITUDE
        return x, y

    def _project_points(self, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        lats = np.array([p[0] for p in points], dtype=float)
        lons = np.array([p[1] for p in points], dtype=float)
        xs, ys = self._project(lats, lons)
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    def circles_touching(self, latitudes: Any, longitudes: Any, radii_km: Any) -> np.ndarray:
        """For each subscriber circle (centre + radius): does it touch the footprint?"""
        lats = np.asarray(latitudes, dtype=float)
        lons = np.asarray(longitudes, dtype=float)
        radii = np.asarray(radii_km, dtype=float)
        result = np.zeros(len(lats), dtype=bool)
        if not len(lats):
            return result
        if self.planar is not None:
            xs, ys = self._project(lats, lons)
            result |= shapely.dwithin(self.planar, shapely.points(xs, ys), radii)
        for centre_lat, centre_lon, radius in self.circles:
            result |= haversine_km(centre_lat, centre_lon, lats, lons) <= radius + radii
        return result

    def overlaps_shape(self, geometry: BaseGeometry) -> bool:
        """Does an area given in (lon, lat), such as a district boundary, share ground with the
        footprint? Neighbours that only touch along an edge or at a corner do not."""
        polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
        for polygon in polygons:
            ring = [(lat, lon) for lon, lat in polygon.exterior.coords]
            projected = Polygon(self._project_points(ring))
            if self.planar is not None and self.planar.relate_pattern(projected, "T********"):
                return True
            for centre_lat, centre_lon, radius in self.circles:
                x, y = self._project(np.array([centre_lat]), np.array([centre_lon]))
                if projected.distance(shapely.Point(float(x[0]), float(y[0]))) < radius:
                    return True
        return False

    def contains_point(self, latitude: float, longitude: float) -> bool:
        return bool(self.circles_touching([latitude], [longitude], [0.0])[0])
