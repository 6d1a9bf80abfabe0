#!/usr/bin/env python3
"""Independent reference for Aula's camera coverage (City module), computed with shapely.

Usage: python3 scripts/coverage_reference.py in.json out.json

in.json is a ReferenceScene written by the Swift side: projected metres, buildings and areas as
even-odd ring lists, main streets as polylines, districts, cameras (x, y, heading degrees clockwise
from north, fov degrees, range metres).

Each camera's visible region is computed here by a different method from the Swift angular sweep:
the sector polygon minus the union of the "shadows" of every building wall within range (the
region behind a wall as seen from the camera). The visible regions are unioned and intersected
with main streets (by length) and with the open ground of courtyards and school grounds (the area
minus building footprints, by area), per district and city-wide.
"""
import json
import math
import sys
import time
from functools import reduce

try:
    from shapely.geometry import LineString, MultiLineString, Point, Polygon
    from shapely.ops import unary_union
    from shapely.strtree import STRtree
except ImportError as error:  # the Swift test reports this text
    sys.stderr.write(f"shapely is missing ({error}); run: python3 -m pip install -r scripts/requirements-test.txt\n")
    sys.exit(3)

ARC_STEP = 0.25  # degrees between vertices on arcs: finer than the Swift side, independently chosen


def even_odd(rings):
    """A polygon from rings read with the even-odd rule, as the Swift Polygon does."""
    polys = [Polygon(r).buffer(0) for r in rings if len(r) >= 3]
    if not polys:
        return Polygon()
    return reduce(lambda a, b: a.symmetric_difference(b), polys)


def unit(bearing):
    r = math.radians(bearing)
    return math.sin(r), math.cos(r)


def sector(cx, cy, heading, fov, rng):
    if fov >= 360:
        n = int(math.ceil(360 / ARC_STEP))
        return Polygon([(cx + rng * unit(360 * k / n)[0], cy + rng * unit(360 * k / n)[1]) for k in range(n)])
    start = heading - fov / 2
    n = max(1, int(math.ceil(fov / ARC_STEP)))
    pts = [(cx, cy)]
    for k in range(n + 1):
        dx, dy = unit(start + fov * k / n)
        pts.append((cx + rng * dx, cy + rng * dy))
    return Polygon(pts)


def shadow(cx, cy, a, b, reach):
    """The region behind wall a-b seen from (cx, cy), cut off at distance `reach` (> range)."""
    ba = math.atan2(a[0] - cx, a[1] - cy)
    bb = math.atan2(b[0] - cx, b[1] - cy)
    d = (bb - ba + math.pi) % (2 * math.pi) - math.pi
    steps = max(1, int(math.ceil(abs(d) / math.radians(5))))
    far = []
    for k in range(steps + 1):
        t = ba + d * k / steps
        far.append((cx + reach * math.sin(t), cy + reach * math.cos(t)))
    poly = Polygon([tuple(a)] + far + [tuple(b)])
    return poly if poly.is_valid else poly.buffer(0)


def visible_region(cam, buildings, tree):
    cx, cy, rng = cam["x"], cam["y"], cam["range"]
    here = Point(cx, cy)
    disc = here.buffer(rng)
    near = [buildings[i] for i in tree.query(disc)]
    if any(b.contains(here) for b in near):
        return Polygon()
    view = sector(cx, cy, cam["heading"], cam["fov"], rng)
    shadows = []
    for b in near:
        for ring in [b.exterior] + list(b.interiors) if isinstance(b, Polygon) else \
                [r for g in b.geoms for r in [g.exterior] + list(g.interiors)]:
            coords = list(ring.coords)
            for a, c in zip(coords, coords[1:]):
                if LineString([a, c]).distance(here) >= rng:
                    continue
                cross = (a[0] - cx) * (c[1] - cy) - (a[1] - cy) * (c[0] - cx)
                if abs(cross) < 1e-12:
                    continue
                shadows.append(shadow(cx, cy, a, c, 3 * rng))
    if shadows:
        view = view.difference(unary_union(shadows))
    return view


def lines_of(polylines):
    return [LineString(p) for p in polylines if len(p) >= 2]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    scene = json.load(open(src))
    started = time.perf_counter()
    buildings = [even_odd(b) for b in scene["buildings"]]
    buildings = [b for b in buildings if not b.is_empty]
    tree = STRtree(buildings)
    regions = [visible_region(c, buildings, tree) for c in scene["cameras"]]
    seen = unary_union([r for r in regions if not r.is_empty])
    built = unary_union(buildings)

    streets = unary_union(lines_of(scene["mainStreets"]))
    def open_ground(polys):
        return unary_union([even_odd(p) for p in polys]).difference(built)
    courtyards = open_ground(scene["courtyards"])
    schools = open_ground(scene["schoolGrounds"])
    lamps = unary_union([Point(p).buffer(scene["lampRadius"], quad_segs=64) for p in scene["lamps"]])

    def figures(region):
        out = {}
        for key, geom, measure in (("mainStreets", streets, "length"),
                                   ("courtyards", courtyards, "area"),
                                   ("schoolGrounds", schools, "area")):
            part = geom if region is None else geom.intersection(region)
            out[key] = {
                "total": getattr(part, measure),
                "covered": getattr(part.intersection(seen), measure),
                "lit": getattr(part.intersection(lamps), measure) if not lamps.is_empty else 0.0,
            }
        return out

    # A street along a district boundary belongs to the first district that has it (within 1 cm),
    # as in the Swift engine; shapely alone would count it for both neighbours.
    districts = []
    claimed = Polygon()
    for d in scene["districts"]:
        region = even_odd(d["rings"]).buffer(0.01)
        districts.append({"name": d["name"], "figures": figures(region.difference(claimed))})
        claimed = claimed.union(region)
    result = {
        "city": figures(None),
        "districts": districts,
        "visibleAreas": [r.area for r in regions],
        "seconds": time.perf_counter() - started,
    }
    json.dump(result, open(dst, "w"), indent=1)


if __name__ == "__main__":
    main()
