"""Small planar geometry helpers for the boundary build: Douglas–Peucker, centroids, point-in-polygon.

Coordinates are (lon, lat) degrees treated as planar; at Ukraine's latitudes and for
generalised boundaries that is accurate enough for map drawing and label points.
"""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]
Ring = list[Point]


def _perpendicular_distance(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - (x1 + t * dx)) ** 2 + (y - (y1 + t * dy)) ** 2) ** 0.5


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Simplify an open polyline, keeping both ends (iterative, so long rings do not recurse deeply)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, -1
        for i in range(first + 1, last):
            d = _perpendicular_distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep) if k]


def simplify_ring(ring: Sequence[Point], tolerance: float) -> Ring | None:
    """Simplify a closed ring; None when it collapses below a triangle (tiny islets)."""
    pts = list(ring[:-1]) if ring[0] == ring[-1] else list(ring)
    if len(pts) < 3:
        return None
    # Split at the vertex farthest from the first so both halves are open polylines.
    far = max(range(len(pts)), key=lambda i: (pts[i][0] - pts[0][0]) ** 2 + (pts[i][1] - pts[0][1]) ** 2)
    half1 = douglas_peucker(pts[: far + 1], tolerance)
    half2 = douglas_peucker(pts[far:] + [pts[0]], tolerance)
    out = half1[:-1] + half2
    if len(out) < 4 or abs(ring_area(out)) < tolerance * tolerance:
        return None
    return out


def ring_area(ring: Sequence[Point]) -> float:
    """Signed area (shoelace); positive when counter-clockwise."""
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def polygons_of(geometry: dict) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"not a polygon geometry: {geometry['type']}")


def centroid(geometry: dict) -> Point:
    """Area-weighted centroid of a (multi)polygon, holes subtracted."""
    total = cx = cy = 0.0
    for polygon in polygons_of(geometry):
        for k, ring in enumerate(polygon):
            a = ring_area(ring)
            sign = 1.0 if k == 0 else -1.0
            a = abs(a) * sign
            rx = ry = 0.0
            area2 = 0.0
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                cross = x1 * y2 - x2 * y1
                area2 += cross
                rx += (x1 + x2) * cross
                ry += (y1 + y2) * cross
            if area2 == 0:
                continue
            total += a
            cx += a * rx / (3.0 * area2)
            cy += a * ry / (3.0 * area2)
    if total == 0:
        raise ValueError("geometry has no area")
    return cx / total, cy / total


def _in_ring(p: Point, ring: Sequence[Point]) -> bool:
    x, y = p
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(geometry: dict, p: Point) -> bool:
    """Whether a point lies inside a (multi)polygon (even-odd rule, holes respected)."""
    for polygon in polygons_of(geometry):
        if _in_ring(p, polygon[0]) and not any(_in_ring(p, hole) for hole in polygon[1:]):
            return True
    return False
