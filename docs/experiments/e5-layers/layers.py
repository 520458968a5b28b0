"""The classifier with e5's first N of 12 layers (and at most M tokens a text), on cross-fitted development stories.

A cheaper e5 for the training time on machines without AMX (README "Training"). Session 29 built the engine from a
changed copy of native/e5/e5.c; since session 30 our engine has e5_set_layers and e5_set_max_tokens, which
nlu.embeddings applies from its LAYERS and MAX_TOKENS: this script sets those two, then runs scripts/cross_fit.py's
five folds and nlu.triage.decide with bot/config.yml's settings, as docs/experiments/cross-fit/oof_errors.py scores
the shipped model. Prints counts only and the embedding time.

    .venv-rasa/bin/python docs/experiments/e5-layers/layers.py --layers 8 [--max-tokens 48]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=0, help="0: every token")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    sys.path.insert(0, str(ROOT / "docs/experiments/cross-fit"))
    import cross_fit  # noqa: E402  (puts bot/ on the path)
    from oof_errors import print_scores  # noqa: E402
    from real_data import cases  # noqa: E402

    from nlu import embeddings, triage  # noqa: E402

    embeddings.LAYERS, embeddings.MAX_TOKENS = args.layers, args.max_tokens  # before the model is loaded

    dev = cases("dev")
    examples = cross_fit.training_examples()
    started = time.perf_counter()
    embed = cross_fit.kept_embeddings([m.get("text") for m in examples])
    seconds = time.perf_counter() - started
    rankings, colleague = cross_fit.rankings(dev, 5, settings=None, examples=examples, embed=embed)
    config = cross_fit.component_config("nlu.abcd.ABCDTriage")
    results = [triage.decide(c["text"], r, config, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
    print(f"e5 with {args.layers} layers, at most {args.max_tokens or 'all'} tokens: {len(examples)} training texts embedded in {seconds:.0f} s (two threads)")
    print_scores(dev, results)
    # the tuner's second D-recall bar: the dev cases of the rounds since the cue rules were last written from dev errors
    from real_sources import ROUND
    from tune_triage import FRESH_FROM_ROUND, fresh_files, fresh_indices, fresh_patterns
    from tune_triage import ROOT as REPO

    paths = sorted((REPO / "tests/nlu/real").glob("dev*.jsonl"))
    fresh = fresh_indices(paths, fresh_files(fresh_patterns(FRESH_FROM_ROUND, ROUND), paths))
    threats = [i for i in fresh if dev[i]["label"] == "D"]
    found = sum(results[i]["label"] == "D" for i in threats)
    print(f"fresh dev cases (rounds {FRESH_FROM_ROUND}-{ROUND}): {len(fresh)}; D recall {found} of {len(threats)}")


if __name__ == "__main__":
    main()
