"""Wait until a URL answers 200: `python scripts/wait_http.py URL [SECONDS]`."""

import sys
import time
import urllib.request

url, limit = sys.argv[1], float(sys.argv[2] if len(sys.argv) > 2 else 60)
deadline = time.monotonic() + limit
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
print(f"{url} did not answer within {limit:.0f} s", file=sys.stderr)
sys.exit(1)
