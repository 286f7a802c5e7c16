"""Time a HubSpot sync of a large account against the local fake of HubSpot's API (tests/fakes), at the
account limits HubSpot documents (search: 5 requests a second; other endpoints: 100 per 10 s).

Usage: ``python bench/hubspot_sync.py [--contacts 30000]``. Prints the sync's time, its requests and the
429s the fake answered; the figures go into the issue notes. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake lives with the tests

from retropack.config import load_config
from retropack.flow import steps
from tests.fakes.hubspot_api import ALL_SCOPES, FakeHubSpot
from tests.fakes.portal import synthetic_portal

TOKEN = "bench-token"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=30_000)
    args = parser.parse_args()
    portal = synthetic_portal(args.contacts, start=datetime(2026, 1, 1, tzinfo=UTC), deals=500)
    os.environ["RETROPACK_HUBSPOT_TOKEN"] = TOKEN
    with tempfile.TemporaryDirectory() as tmp, FakeHubSpot(portal, tokens={TOKEN: set(ALL_SCOPES)}) as fake:
        config = Path(tmp) / "client.yaml"
        config.write_text(f"program: {{name: bench, start_month: 2026-01}}\ndata: {{path: data}}\n"
                          f"source: {{kind: hubspot, base_url: '{fake.url}'}}\n", encoding="utf-8")
        settings = load_config(config).settings
        report = steps.sync(settings, progress=lambda message: print(f"  {message}", flush=True))
        statuses = Counter((r.path.rsplit("/", 1)[-1] or r.path, r.status) for r in fake.requests)
        again = steps.sync(settings)
    print(f"\n{args.contacts:,} contacts, 500 deals: first sync {report.seconds:.1f} s, {report.requests} requests")
    print("  requests by endpoint and status: " + ", ".join(f"{path} {status}: {n}"
                                                            for (path, status), n in sorted(statuses.items())))
    print(f"  incremental sync with nothing changed: {again.seconds:.1f} s, {again.requests} requests")


if __name__ == "__main__":
    main()
