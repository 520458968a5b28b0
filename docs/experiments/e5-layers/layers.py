"""The classifier with e5's first N of 12 layers, on cross-fitted development stories (session 29).

A cheaper e5 for the training time on machines without AMX (README "Training"): our engine built from a copy of
native/e5/e5.c whose forward pass stops after N layers (mean pooling of layer N's states instead of the last one's),
then scripts/cross_fit.py's five folds and nlu.triage.decide with bot/config.yml's settings, as
docs/experiments/cross-fit/oof_errors.py scores the shipped model. The decision's settings were tuned for 12 layers:
a first look, not a decision. Prints counts only and the embedding time per text.

    .venv-rasa/bin/python docs/experiments/e5-layers/layers.py --layers 8
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "docs/experiments/e5-attend4"))
from compare import build_source  # noqa: E402  (builds an engine from a changed copy of e5.c)

LOOP = "    for (int l = 0; l < m->NL; l++) {\n        layer_t *ly = &m->layers[l];\n        QUANT(x, H);"


def build(layers: int, folder: Path) -> Path:
    source = (ROOT / "native/e5/e5.c").read_text()
    if source.count(LOOP) != 1:
        raise SystemExit("the forward pass's layer loop is not where this script expects it")
    return build_source(source.replace(LOOP, LOOP.replace("l < m->NL", f"l < m->NL && l < {layers}")), folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MELDHULP_E5_ENGINE"] = str(build(args.layers, Path(tmp)))  # read by nlu.embeddings at first use
        sys.path.insert(0, str(ROOT / "scripts"))
        sys.path.insert(0, str(ROOT / "docs/experiments/cross-fit"))
        import cross_fit  # noqa: E402  (puts bot/ on the path)
        from oof_errors import print_scores  # noqa: E402
        from real_data import cases  # noqa: E402

        from nlu import triage  # noqa: E402

        dev = cases("dev")
        examples = cross_fit.training_examples()
        started = time.perf_counter()
        embed = cross_fit.kept_embeddings([m.get("text") for m in examples])
        seconds = time.perf_counter() - started
        rankings, colleague = cross_fit.rankings(dev, 5, settings=None, examples=examples, embed=embed)
    config = cross_fit.component_config("nlu.abcd.ABCDTriage")
    results = [triage.decide(c["text"], r, config, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
    print(f"e5 with {args.layers} layers: {len(examples)} training texts embedded in {seconds:.0f} s (two threads)")
    print_scores(dev, results)


if __name__ == "__main__":
    main()
