"""A second model for C against D only (session 21): does it separate them better than the five-way model's P(D)?

The decision (nlu.triage) makes a message labelled C a D from a D probability of d_threshold (0.05): C taken for D is
the largest loss on every dev and blind set. Here a binary logistic regression is fitted on the C and D training
examples alone (incident_c against incident_d and acute_danger; the shipped features, weights and C), cross-fitted on
the dev folds like scripts/cross_fit.py, and the decision replayed with it (and a threat model, D against every other
intent, the same way):
- base: bot/config.yml's decision, and its curve over the D threshold for C;
- and: D from C only when P(D) >= d_threshold AND the pair model's P(D | C or D) >= t (it can only take threats away);
- instead: for a message labelled C, a score >= t instead of P(D) >= d_threshold: P(D) itself (the same rule, as a
  check), the five-way model's P(D) / (P(C) + P(D)), the pair model's P(D | C or D), or the mean of those two.
Prints macro-F1 / D recall / not-an-incident recall / C taken for D for each. Dev only (dev errors may be read).
Run: .venv-rasa/bin/python docs/experiments/pairwise/cd_head.py   (cached in var/exp/pairwise_<key>.pkl)
"""
import hashlib
import pickle
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import cross_fit  # noqa: E402  (puts bot/ on the path)
import numpy as np  # noqa: E402
from evaluate_nlu import real_report  # noqa: E402
from real_data import cases, one_line  # noqa: E402
from real_sources import fold_of  # noqa: E402

from nlu import ensemble, triage  # noqa: E402

FOLDS = 5
PAIR = {"incident_c": 0, "incident_d": 1, "acute_danger": 1}
THREAT = {"incident_d": 1, "acute_danger": 1}  # D against everything else


def pair_fit(examples, config, embed, pair=PAIR):
    """A binary logistic regression on the examples whose intent `pair` maps to 0 or 1 (None: every example, 1 for the
    D intents), with the shipped features, weights, C and steps."""
    from sklearn.linear_model import LogisticRegression

    config = {**ensemble.TextLogisticRegression.get_default_config(), **config}
    chosen = [m for m in examples if pair is None or m.get("intent") in pair]
    texts = [m.get("text") for m in chosen]
    ngrams = ensemble._ngrams(config).fit(texts)
    x = ensemble.features(ngrams, texts, float(config["e5_scale"]), embed)
    y = [(pair or THREAT).get(m.get("intent"), 0) for m in chosen]
    w = [float(config["real_weight"]) if ensemble.is_real_world(m) else 1.0 for m in chosen]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=config["C"], max_iter=config["max_iter"]).fit(x, y, sample_weight=w)
    return ngrams, model, float(config["e5_scale"])


def cross_scores(dev):
    config = cross_fit.component_config(cross_fit.CLASSIFIER)
    examples = cross_fit.training_examples()
    cross_fit.check_the_setup(dev, examples)
    fold = [fold_of(c["source"], FOLDS) for c in dev]
    embed = cross_fit.kept_embeddings([m.get("text") for m in examples])
    rankings: list = [None] * len(dev)
    colleague: list = [None] * len(dev)
    pair = np.zeros(len(dev))
    threat = np.zeros(len(dev))
    for k in range(FOLDS):
        held_out = {one_line(c["text"]) for c, f in zip(dev, fold, strict=True) if f == k}
        kept = [m for m in examples if one_line(m.get("text")) not in held_out]
        index = [i for i, f in enumerate(fold) if f == k]
        texts = [dev[i]["text"] for i in index]
        model = ensemble.fit_model(kept, config, embed)
        for i, (row, p) in zip(index, ensemble.rank(model, texts, embed), strict=True):
            ranking = ensemble.blend([], row, 1.0)[: ensemble.RANKING_LENGTH]
            rankings[i], colleague[i] = [(r["name"], r["confidence"]) for r in ranking], p
        ngrams, clf, scale = pair_fit(kept, config, embed)
        pair[index] = clf.predict_proba(ensemble.features(ngrams, texts, scale, embed))[:, 1]
        ngrams, clf, scale = pair_fit(kept, config, embed, None)
        threat[index] = clf.predict_proba(ensemble.features(ngrams, texts, scale, embed))[:, 1]
        print(f"fold {k + 1} of {FOLDS}", flush=True)
    return rankings, colleague, pair, threat


def main() -> None:
    dev = cases("dev")
    # the scores depend on the dev cases (their sources make the folds), the training data, the classifier's settings
    # and the two binary models' classes (not on the code: delete var/exp/pairwise_*.pkl after a change of it)
    key = hashlib.sha256("".join(c["text"] + c["source"] for c in dev).encode()
                         + b"".join(p.read_bytes() for p in sorted((ROOT / "bot/data/nlu").glob("*.yml")))
                         + repr((cross_fit.component_config(cross_fit.CLASSIFIER), FOLDS, PAIR, THREAT)).encode()
                         ).hexdigest()[:12]
    cache = ROOT / f"var/exp/pairwise_{key}.pkl"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(cross_scores(dev)))
    rankings, colleague, pair, threat = pickle.loads(cache.read_bytes())
    config = cross_fit.component_config("nlu.abcd.ABCDTriage")
    gold = [c["label"] for c in dev]

    def line(name, results):
        rep = real_report(dev, results)
        c_as_d = sum(g == "C" and r["label"] == "D" for g, r in zip(gold, results, strict=True))
        print(f"{name:28s} macro-F1 {rep['macro_f1']:.3f}  D {rep['d_recall']:.3f}  null {rep['null_recall']:.3f}  "
              f"C->D {c_as_d}")

    def run(cfg, rule=None, t=None):
        # without the D threshold for C (A and B as in cfg): which messages the threshold makes D from C
        no_c = {**cfg, "d_threshold_ab": cfg["d_threshold_ab"] or cfg["d_threshold"], "d_threshold": 1.01,
                "d_threshold_insult": None}
        out = []
        for c, r, p, q in zip(dev, rankings, colleague, pair, strict=True):
            res = triage.decide(c["text"], r, cfg, p)
            if rule and res["label"] == "D" and q < t and triage.decide(c["text"], r, no_c, p)["label"] == "C":
                res = {**res, "label": "C"}  # the pair model says C: the threat question is still asked
            out.append(res)
        return out

    print(f"{len(dev)} dev cases; decision of bot/config.yml (d_threshold {config['d_threshold']})")
    line("base", run(config))
    for d in (0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3):
        line(f"base, D threshold {d}", run({**config, "d_threshold": d}))
    for d in (0.03, 0.05):
        for t in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4):
            line(f"and: D {d}, pair >= {t}", run({**config, "d_threshold": d}, "and", t))
    # instead: a message labelled C (not acute, no D cue) becomes D when a score reaches t; A and B as shipped
    no_c = {**config, "d_threshold_ab": config["d_threshold_ab"] or config["d_threshold"], "d_threshold": 1.01,
            "d_threshold_insult": None}
    held = [triage.decide(c["text"], r, no_c, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
    probs = [triage.calibrated(triage.category_probabilities(r), config["temperature"])[0] for r in rankings]
    ratio = [x["D"] / max(x["C"] + x["D"], 1e-9) for x in probs]
    scores = {"P(D)": [x["D"] for x in probs], "P(D)/(P(C)+P(D))": ratio, "pair": list(pair),
              "mean of ratio and pair": [(a + b) / 2 for a, b in zip(ratio, pair, strict=True)],
              "threat (D or not)": list(threat)}
    for name, score in scores.items():
        for t in (0.05, 0.07, 0.1, 0.15, 0.2, 0.3):
            line(f"instead: {name} >= {t}", [{**h, "label": "D"} if h["label"] == "C" and s >= t else h
                                             for h, s in zip(held, score, strict=True)])
    # the threat model for A, B and C alike, one threshold for all three (rounds 13-16 shipped P(D) >= 0.05 so)
    none = {**no_c, "d_threshold_ab": 1.01}
    plain = [triage.decide(c["text"], r, none, p) for c, r, p in zip(dev, rankings, colleague, strict=True)]
    for name, score in (("P(D)", scores["P(D)"]), ("threat (D or not)", list(threat))):
        for t in (0.03, 0.05, 0.07, 0.1, 0.15, 0.2):
            line(f"A, B, C: {name} >= {t}", [{**h, "label": "D"} if h["label"] in ("A", "B", "C") and s >= t else h
                                             for h, s in zip(plain, score, strict=True)])
    d_gold = [q for g, q in zip(gold, pair, strict=True) if g == "D"]
    c_gold = [q for g, q in zip(gold, pair, strict=True) if g == "C"]
    from sklearn.metrics import roc_auc_score

    five = [triage.calibrated(triage.category_probabilities(r), config["temperature"])[0]["D"] for r in rankings]
    mask = [g in ("C", "D") for g in gold]
    y = [g == "D" for g, m in zip(gold, mask, strict=True) if m]
    print(f"AUC C vs D on gold C/D: pair {roc_auc_score(y, [q for q, m in zip(pair, mask, strict=True) if m]):.4f}, "
          f"five-way P(D) {roc_auc_score(y, [q for q, m in zip(five, mask, strict=True) if m]):.4f} "
          f"({len(d_gold)} D, {len(c_gold)} C)")
    y_all = [g == "D" for g in gold]
    print(f"AUC D vs the rest on all dev: threat {roc_auc_score(y_all, threat):.4f}, five-way P(D) {roc_auc_score(y_all, five):.4f}")


if __name__ == "__main__":
    main()
