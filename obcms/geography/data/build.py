"""Rebuild ``psgc.json.gz`` from the ``barangay`` package (offline PSGC data, MIT licence).

    pip install barangay && python -m obcms.geography.data.build

The package pulls pandas and friends, so it is not a dependency of obcms: this script turns
its ``barangay_flat.json`` into a compact fixture (one ``[psgc, parent, type, name]`` row per
place, gzipped) that ``load_geography`` reads with the standard library alone.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

FIXTURE = Path(__file__).with_name("psgc.json.gz")


def main() -> None:
    # Find the package's data without importing it (its __init__ imports pandas).
    spec = importlib.util.find_spec("barangay")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("build: the barangay package is not installed: pip install barangay")
    source = Path(spec.submodule_search_locations[0]) / "data" / "barangay_flat.json"
    places = json.loads(source.read_text(encoding="utf-8"))
    rows = sorted([p["psgc_id"], p["parent_psgc_id"], p["type"], p["name"]] for p in places)
    payload = json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode()
    FIXTURE.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"{FIXTURE}: {len(rows)} places, {FIXTURE.stat().st_size} bytes")


if __name__ == "__main__":
    main()
