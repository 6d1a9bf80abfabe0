#!/usr/bin/env python3
"""Independent check of the polygons Aula returns: OGC validity as shapely (GEOS) judges it.

Usage: python3 scripts/ref_validity.py in.json out.json

in.json: {"features": [{"id": "...", "geometry": {"type": "Polygon" | "MultiPolygon", "coordinates": ...}}]},
GeoJSON geometries exactly as Aula writes them ([longitude, latitude], rings closed).
out.json: {"checked": n, "invalid": [{"id": "...", "reason": "..."}], "empty": [ids]}; reasons are
shapely's explain_validity text.
"""
import json
import sys

try:
    from shapely.geometry import shape
    from shapely.validation import explain_validity
except ImportError as error:  # the Swift test reports this text
    sys.stderr.write(f"shapely is missing ({error}); run: python3 -m pip install -r scripts/requirements-test.txt\n")
    sys.exit(3)


def main():
    with open(sys.argv[1]) as f:
        scene = json.load(f)
    invalid, empty = [], []
    for feature in scene["features"]:
        geometry = shape(feature["geometry"])
        if geometry.is_empty:
            empty.append(feature["id"])
        if not geometry.is_valid:
            invalid.append({"id": feature["id"], "reason": explain_validity(geometry)})
    with open(sys.argv[2], "w") as f:
        json.dump({"checked": len(scene["features"]), "invalid": invalid, "empty": empty}, f)


if __name__ == "__main__":
    main()
