"""Choose the ABCD decision's calibration and thresholds on the real-world development set.

Scores the development cases once by cross-fitting (scripts/cross_fit.py: each fold by the shipped classifier
fitted without it, since the dev cases are training data too), takes the temperature with the best likelihood
of the gold labels (calibration; 1.0 unless another fits better by MIN_TEMPERATURE_GAIN), then replays the decision (nlu.triage,
pure Python) over a grid of D threshold (for C, and for A and B), incident mass, acute threshold, the acute intent
the "threat + nu" rule needs (threat_now_min_acute), "D when no incident", cue_min_prob and d_cue_min_prob. First
leaves out every setting under make eval-nlu's floors on the synthetic sets (EVAL_NLU_FLOORS; it stops when none keeps
them, since then the model, not the decision, must change, unless --allow-under-floors), then every setting that takes
one of the dialogue's own written examples for acute danger (dialogue_texts: greetings, questions, answers; the fewest
such when none keeps them at none; round 31). Keeps the settings with
D recall >= --min-d-recall and false acute <= --max-false-acute, and D recall >= --min-fresh-d-recall on the dev
cases of the rounds since the cue rules were last written from dev errors (--fresh, FRESH_FROM_ROUND), then tries the D threshold for an insult with no D
word (d_threshold_insult) on those, keeping a value where it loses no threat on dev; of those, the ones that keep the synthetic held-out
sets (--guard, heldout9 and heldout10: only their macro-F1 and D recall are read) at issue 9's goals, when any does.
Prints the best, ordered by macro-F1 over A-D plus not-an-incident recall; ties by acute recall, then the fewest
false acute. When no setting keeps that D recall (rounds 8 and 10), the settings with the highest D recall any
setting reaches are ranked instead: safety first, never the best macro-F1 at a lower D recall (the same for the
fresh cases' bar). Then a table for the
colleague model's threshold. Never reads the blind set.
Usage: python scripts/tune_triage.py --model models/meldhulp.tar.gz [--dev 'tests/nlu/real/dev*.jsonl']
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import sys
import time

import cross_fit
import yaml
from evaluate_nlu import real_report, scores
from real_data import read_jsonl
from real_sources import ROUND

from nlu_model import ROOT, load, parse_all, ranking_of

GRID = {
    "temperature": [0.7, 0.85, 1.0, 1.5],
    "d_threshold": [0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3],
    "d_threshold_ab": [None, 0.1, 0.15, 0.2, 0.3],  # for A and B; only values above d_threshold are tried
    "incident_mass": [0.4, 0.5, 0.6, 0.7],
    "acute_threshold": [0.2, 0.3, 0.4, 0.5],
    # the acute intent the "threat + nu" rule needs; at acute_threshold or above the rule adds nothing (it is off:
    # round 11 chose 0.2 with acute_threshold 0.2; round 12 chose 0.1, on again)
    "threat_now_min_acute": [0.0, 0.1, 0.2],
    "d_when_no_incident": [0.3, 0.4, 1.0],
    "cue_min_prob": [0.0, 0.05],
    # a D cue counts only when the model gives D this much, unless it speaks to someone or its sentence says it
    # happened to the person (nlu.triage.cue_counts; session 18: on round 14's cross-fitted dev, with round 13's other
    # settings, 0.01 made 45 instead of 80 not-an-incident messages D and lost no threat; 0.02 lost one;
    # docs/experiments/decision-edge/); 0.0: every D cue counts, as before. Round 15 adds 0.03 and 0.05 (round 14's
    # dev: no threat lost, fewer messages taken for D; proposed in round 14's closing note, added before round 15's
    # tuning ran and before its blind set was scored)
    "d_cue_min_prob": [0.0, 0.01, 0.03, 0.05],
    # off in the grid; tried in a second pass (INSULT_GRID) on the settings the first pass keeps
    "d_threshold_insult": [None],
}
# The D threshold for a message labelled C by an insult cue with no D word in it (nlu.triage; added in round 16, before
# its tuning ran and before its blind set was scored). A second pass, not a grid axis: the grid would take about three
# times as long (the pass costs little while few settings reach the D-recall bar: 192 in round 15). Only values above
# the setting's d_threshold are tried; a value is kept only where it loses no threat the setting without it found on
# dev (it can only lower D recall).
INSULT_GRID = [0.1, 0.15, 0.2, 0.3]

# make eval-nlu's floors per synthetic set (the Makefile's --set SET:MIN_F1:MIN_D_RECALL; a test keeps them equal): a
# setting under one of them fails CI, so it is never ranked (session 34: every setting of round 29's narrow grid left
# heldout10 at D recall 0.950, under its 0.96, and the tuner ranked them without a word)
EVAL_NLU_FLOORS = {"tests/nlu/heldout9.jsonl": (0.88, 0.95), "tests/nlu/heldout10.jsonl": (0.90, 0.96)}

# The cue rules (bot/nlu/cues.py, cue_words.py, spelling.py) were last written from dev errors in session 26 (b8d1e1e),
# before the dev files of round 22 (dev_r21retired, dev_r22e, dev_r22f) were read. Whoever writes cue rules from dev
# errors again raises this to the next round: the dev cases read then are no longer fresh.
FRESH_FROM_ROUND = 22


def dialogue_texts() -> list[str]:
    """The written examples of the dialogue's own intents (greeting, thanks, questions about the procedure and the
    bot, answers to its questions; bot/data/nlu/*.yml without the incident files): what people type to the bot that
    is not a story. None may be taken for acute danger. Round 31's first tuning chose a setting (acute_threshold 0.2)
    under which "Wat moet ik nu doen?", typed at the summary in the end-to-end probe, was acute danger (0.24 to that
    model) and got the 112 message; a few written examples are acute whatever the thresholds (the model puts acute
    danger on top of them): the fewest is kept. Only acute danger is counted, not a text taken for an incident. Training data, so parsed by the
    shipped model itself, not cross-fitted: the texts are the dialogue's, the check is the decision's."""
    texts = []
    for path in sorted((ROOT / "bot/data/nlu").glob("*.yml")):
        if path.name.startswith("incidents"):
            continue
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in item and not item["intent"].startswith("incident_") and item["intent"] != "acute_danger":
                texts += [re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                          for line in item["examples"].splitlines() if line.strip().startswith("- ")]
    return texts


# A temperature other than 1.0 (no scaling) must fit dev better than 1.0 by at least this (mean negative log-likelihood).
# Round 31: 1.5 fitted by 0.001 (0.225 against 0.226) and, with "D when no incident" 0.3, its flatter probabilities made
# "Wat moet ik nu doen?" a D story (0.24 acute danger to the model): calibration that buys nothing only moves the edges.
MIN_TEMPERATURE_GAIN = 0.005


def choose_temperature(likelihood: dict[float, float]) -> float:
    """The temperature with the best likelihood on dev, unless 1.0 is within MIN_TEMPERATURE_GAIN of it."""
    best = min(likelihood, key=likelihood.__getitem__)
    if 1.0 in likelihood and likelihood[1.0] - likelihood[best] < MIN_TEMPERATURE_GAIN:
        return 1.0
    return best


def keep_calm(rows: list[tuple[dict, dict]], acute_count) -> list[tuple[dict, dict]]:
    """The settings that take the fewest of the dialogue's own examples for acute danger (`acute_count(config)`),
    none when any setting manages that (a cue rule alone can call a text acute whatever the settings)."""
    counts = [acute_count(c) for c, _ in rows]
    fewest = min(counts, default=0)
    kept = [row for row, n in zip(rows, counts, strict=True) if n == fewest]
    print(f"{len(kept)} of {len(rows)} settings take {fewest} of the dialogue's written examples for acute danger")
    return kept


def fresh_patterns(first: int, current: int) -> list[str]:
    """The dev files of rounds `first` to `current`: each round's new dev files and the dev share of the blind set
    retired at its start."""
    return [f"tests/nlu/real/{name}" for n in range(first, current + 1)
            for name in (f"dev_r{n}[a-z].jsonl", f"dev_r{n - 1}retired.jsonl")]


def default_fresh(first: int, current: int) -> list[str]:
    """fresh_patterns without the current round's new-dev pattern when it has no new dev files yet (round 31 had only
    its retired blind set). An earlier round's missing files still stop the tuner (fresh_files), as does a pattern
    given with --fresh that names none."""
    new_dev = f"tests/nlu/real/dev_r{current}[a-z].jsonl"
    return [p for p in fresh_patterns(first, current) if p != new_dev or any(ROOT.glob(p))]


def fresh_files(patterns: list[str], paths: list) -> set:
    """The development files the fresh patterns name (relative to the repository). ValueError when a pattern names no
    file or names a file that is not among `paths` (the development files read)."""
    matched = {pattern: set(ROOT.glob(pattern)) for pattern in patterns}
    files = set().union(*matched.values())
    if not all(matched.values()) or not files <= set(paths):
        raise ValueError("each --fresh pattern must name development files (--fresh '' for no fresh bar)")
    return files


def fresh_indices(paths: list, fresh_paths: set) -> list[int]:
    """The positions, in read_jsonl(*paths), of the cases read from `fresh_paths`."""
    return [i for i, path in enumerate(p for p in paths for _ in read_jsonl(p)) if path in fresh_paths]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--dev", default="tests/nlu/real/dev*.jsonl")
    # The margin over the goal of 0.97, decided before round 7's blind set was scored: the blind sets with a dev
    # number to compare came in at dev -0.016 (round 3), +0.020 (round 5) and -0.043 (round 6, 0.978 -> 0.935); a
    # blind set of ~95 threats moves by about 0.035 either way by chance alone.
    # Session 32, before round 27's blind set was committed or scored: 0.99. With 0.985 (rounds 22-26) the blind sets
    # came in below dev by 0.022, 0.002, 0.014, 0.018 and 0.030 (mean 0.017): 0.963, 0.983, 0.971, 0.967 and 0.955,
    # under the goal in three of five; a bar at the goal plus the mean gap (0.987), rounded up. A bar at the mean gap
    # still misses about half the time by chance; the worst gap (0.030) would need 1.0. Rounds 8-21 often did not
    # reach 0.985 on dev: when no setting reaches the bar, the settings with the highest D recall are ranked
    # (keep_safe), which is the D-recall-first ranking. Session 33, after round 28's blind set was committed, written
    # down while its tuning ran with this default and before its result: kept at 0.99 (round 27 with it: blind D
    # recall 0.992 and macro-F1 0.851, under its goal; with 0.985 round 26 met macro-F1 and missed D recall). Missing a
    # threat stays the worst error; the same bar two rounds in a row also shows how far one blind set moves from dev
    # by chance.
    parser.add_argument("--min-d-recall", type=float, default=0.99)
    # Session 27, before round 23's tuning and before its blind set was committed: the bar above is measured on dev
    # cases the cue rules were partly written from. Round 22 met it only thanks to rules fitted to the dev cases they
    # were read from (docs/experiments/cue-verbs: 0.975 with the round's old rules, 0.985 with the new; no change on
    # the 218 dev cases nobody read, 50 of 52), and its blind set gave 0.963. So D recall must also reach the goal
    # itself (no margin: about 100 threats, one miss is 0.01) on the fresh dev cases: those of the rounds since the
    # cue rules were last written from dev errors (FRESH_FROM_ROUND). Empty: no fresh bar.
    parser.add_argument("--fresh", default=",".join(default_fresh(FRESH_FROM_ROUND, ROUND)))
    parser.add_argument("--min-fresh-d-recall", type=float, default=0.97)
    # The same for false acute (goal at most 0.02), decided before round 9's blind set was scored: blind sets came
    # in above dev (round 7: 0.014 -> 0.037, round 8: 0.014 -> 0.020), never below. 0.015 was too small: rounds 9 and
    # 10 came in at 0.033 from 0.015 (README "Classifier"); 0.01 from round 11 on, with threat_now_min_acute in the
    # grid (the "threat + nu" rule made most of dev's false acute; round 11 chose 0.2, which turns it off).
    parser.add_argument("--max-false-acute", type=float, default=0.01)
    # Issue 9: the synthetic held-out sets (written from the protocols' wording) must stay at macro-F1 >= 0.92 and D
    # recall >= 0.97 together. A guard, not a target: a setting that breaks it is left out; only these two numbers
    # are read, never the sets' errors (round 11: the dev-best setting gave 0.915, README "Classifier"). Once it
    # leaves a setting out, the synthetic sets' scores are no longer independent of the choice.
    parser.add_argument("--guard", default="tests/nlu/heldout9.jsonl,tests/nlu/heldout10.jsonl")
    parser.add_argument("--guard-min-f1", type=float, default=0.92)
    parser.add_argument("--guard-min-d-recall", type=float, default=0.97)
    parser.add_argument("--allow-under-floors", action="store_true",
                        help="rank all settings when none keeps make eval-nlu's floors (default: stop; CI would fail)")
    # The development cases are training data too (round 12): each is scored by the classifier fitted without its
    # fold (scripts/cross_fit.py); the shipped model, fitted on all of them, scores only the synthetic sets here.
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--top", type=int, default=10)
    # Session 30: a narrow run when there is no hour for the whole grid (the classifier changed and round 25's blind
    # set waited): only these axes take the grid's values, the others keep bot/config.yml's
    parser.add_argument("--vary", default="", help="comma-separated grid axes to try (default: all)")
    # The colleague model's threshold: the lowest whose false flags are at most this share of the other dev messages
    # (session 25, while round 21's blind set was collected, before it was committed or scored). In rounds 12-20 it
    # was the lowest with no false flag at all, a rule that climbs as dev grows (0.9 in rounds 12-15, 0.98 in round
    # 20: one resident's story flagged in 3,877 moved it) and found 82 of 328 on dev and 4 of 36 on round 20's blind
    # set. A flag from the model alone only adds a hedged message ("Is de ander een collega-ambtsdrager? Dan geldt
    # dit: ... Is de ander geen collega? Dan geldt het advies hierna.", bot/actions/triage.py); it never drops
    # "melden verplicht" (the cue rule's flag can).
    parser.add_argument("--max-colleague-false", type=float, default=0.001,
                        help="a fraction (0.001 = 0.1 %%) of the dev messages whose other person is not a colleague "
                             "(not-an-incident messages included: they are never flagged)")
    args = parser.parse_args()
    started = time.monotonic()
    paths = sorted(ROOT.glob(args.dev))
    if any("blind" in path.name for path in paths) or "blind" in args.guard:
        parser.error("the blind set is never used for tuning")
    cases = read_jsonl(*paths)
    patterns = [pattern for pattern in args.fresh.split(",") if pattern]
    try:
        fresh_paths = fresh_files(patterns, paths)
    except ValueError as error:
        parser.error(str(error))
    fresh = fresh_indices(paths, fresh_paths)
    if patterns and not any(cases[i]["label"] == "D" for i in fresh):
        parser.error("the fresh dev cases have no threat: the fresh bar cannot be measured (--fresh '' for none)")
    print(f"fresh dev cases (not read when the cue rules were written): {len(fresh)}, "
          f"{sum(cases[i]['label'] == 'D' for i in fresh)} threats, in " + ", ".join(sorted(p.name for p in fresh_paths)))
    agent = load(args.model)  # for the synthetic held-out sets (not in the training data) and bot/ on the path
    rankings, colleague_probabilities = cross_fit.rankings(cases, args.folds)
    parsed: dict[str, tuple[list, list]] = {}  # a synthetic set's cases and rankings, parsed once for both uses

    def synthetic_set(path: str) -> tuple[list, list]:
        if path not in parsed:
            set_cases = read_jsonl(ROOT / path)
            parsed[path] = (set_cases, [ranking_of(p) for p in parse_all(agent, [c["text"] for c in set_cases])])
        return parsed[path]

    guard_sets = [synthetic_set(path) for path in args.guard.split(",") if path]
    guard_cases = [case for set_cases, _ in guard_sets for case in set_cases]
    guard_rankings = [ranking for _, set_rankings in guard_sets for ranking in set_rankings]

    import functools

    from nlu import cues, triage  # after load(): bot/ is on the path

    # The cue rules are pure functions of the text: computed once per case, not once per setting.
    for name in ("find_cues", "is_acute", "is_happening_now", "is_colleague", "medium", "is_persistent"):
        setattr(cues, name, functools.lru_cache(maxsize=None)(getattr(cues, name)))

    # Temperature by likelihood of the gold label (five-way: A, B, C, D, not an incident)
    def nll(temperature: float) -> float:
        total = 0.0
        for case, ranking in zip(cases, rankings, strict=True):
            cal, mass = triage.calibrated(triage.category_probabilities(ranking), temperature)
            p = cal[case["label"]] if case["label"] else 1.0 - mass
            total -= math.log(max(p, 1e-6))
        return total / len(cases)

    likelihood = {t: nll(t) for t in GRID["temperature"]}
    print("temperature by likelihood on dev: " + "  ".join(f"T={t}: {v:.3f}" for t, v in likelihood.items()))
    # Calibration first: the temperature whose probabilities fit the development set best (the decision's
    # thresholds then mean what they say); the thresholds are chosen for that temperature.
    grid = {**GRID, "temperature": [choose_temperature(likelihood)]}
    if args.vary:
        try:
            grid = narrow(grid, args.vary.split(","), cross_fit.component_config("nlu.abcd.ABCDTriage"))
        except ValueError as error:
            parser.error(str(error))
        print("grid: " + json.dumps(grid))
    configs = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    configs = [c for c in configs if c["d_threshold_ab"] is None or c["d_threshold_ab"] > c["d_threshold"]]
    def synthetic_scores(set_cases: list, set_rankings: list, config: dict) -> tuple[float, float]:
        """Macro-F1 and D recall of the decision on synthetic cases (only these two numbers are read)."""
        labels = [triage.decide(c["text"], r, config)["label"] for c, r in zip(set_cases, set_rankings, strict=True)]
        report = scores([c["label"] for c in set_cases], labels)
        return report["macro_f1"], report["per_label"]["D"]["recall"]

    def holds_the_floors(config: dict) -> bool:
        """make eval-nlu's floors, set by set."""
        return all(f1 >= min_f1 and d_recall >= min_d_recall
                   for path, (min_f1, min_d_recall) in EVAL_NLU_FLOORS.items()
                   for f1, d_recall in [synthetic_scores(*synthetic_set(path), config)])

    rows, floors_held = keep_floors(list(zip(configs, _replay_on_all_cores(cases, rankings, configs, fresh), strict=True)),
                                    holds_the_floors)
    if not floors_held and not args.allow_under_floors:
        parser.exit(2, "stopped: change the model (or rank anyway with --allow-under-floors)\n")
    dialogue = dialogue_texts()
    dialogue_rankings = [ranking_of(p) for p in parse_all(agent, dialogue)]
    rows = keep_calm(rows, lambda config: sum(triage.decide(t, r, config)["acute"]
                                              for t, r in zip(dialogue, dialogue_rankings, strict=True)))
    ok, max_false_acute = keep_safe(rows, args.min_d_recall, args.min_fresh_d_recall, args.max_false_acute)
    # Second pass: each kept setting with an insult threshold; kept only where it loses no threat its setting found
    pairs = [({**c, "d_threshold_insult": v}, base) for c, base in ok for v in INSULT_GRID if v > c["d_threshold"]]
    extra = [c for c, _ in pairs]
    replayed = _replay_on_all_cores(cases, rankings, extra, fresh) if extra else []
    kept = [(c, r) for (c, base), r in zip(pairs, replayed, strict=True)
            if r["d_recall"] >= base["d_recall"] and r["fresh_d_recall"] >= base["fresh_d_recall"]
            and r["false_acute"] <= max_false_acute and (not floors_held or holds_the_floors(c))]
    print(f"d_threshold_insult (second pass): {len(kept)} of {len(extra)} settings lose no threat")
    ok += kept

    def guard_scores(config: dict) -> tuple[float, float]:
        """The synthetic sets' macro-F1 and D recall, together."""
        return synthetic_scores(guard_cases, guard_rankings, config)

    def keeps_the_guard(config: dict) -> bool:
        f1, d_recall = guard_scores(config)
        return f1 >= args.guard_min_f1 and d_recall >= args.guard_min_d_recall

    if guard_cases:
        guarded = [(c, r) for c, r in ok if keeps_the_guard(c)]
        print(f"{len(guarded)} of these {len(ok)} keep the synthetic held-out sets at macro-F1 >= {args.guard_min_f1} "
              f"and D recall >= {args.guard_min_d_recall}")
        if guarded:
            ok = guarded
        else:
            print("no setting keeps the synthetic sets at the issue's goals: ranked without them")

    def rank(row: tuple[dict, dict]) -> tuple[float, float, float]:
        rep = row[1]
        return (-(rep["macro_f1"] + rep["null_recall"]), -rep["acute_recall"], rep["false_acute"])

    best = sorted(ok, key=rank)[: args.top]  # stable: full ties stay in the grid's order
    for config, rep in best:
        guard = " (synthetic sets {:.3f} / D {:.3f})".format(*guard_scores(config)) if guard_cases else ""
        print(json.dumps(config), f"macro-F1 {rep['macro_f1']:.3f}  D recall {rep['d_recall']:.3f} "
              f"(fresh {rep['fresh_d_recall']:.3f}, {rep['fresh_d_caught']} of {rep['fresh_d']})  acute {rep['acute_recall']:.3f}  false acute {rep['false_acute']:.3f}  null {rep['null_recall']:.3f}"
              + guard)
    _colleague_thresholds(cases, rankings, colleague_probabilities, best[0][0], args.max_colleague_false)
    print(f"took {(time.monotonic() - started) / 60:.1f} minutes")
    return 0


def narrow(grid: dict, vary: list[str], shipped: dict) -> dict:
    """The grid with only the `vary` axes (and the temperature, chosen by likelihood) taking its values; every other
    axis keeps the shipped setting (bot/config.yml's; None where it has none, as the grid's "off"), but the insult
    threshold stays off, as in the whole grid: the second pass tries it (round 25's narrow run kept it at the shipped
    0.2, so its second pass compared 0.3 with 0.2, not with off, and repeated the 672 settings at 0.2)."""
    vary = [axis.strip() for axis in vary]
    if not set(vary) <= set(grid):
        raise ValueError(f"--vary takes grid axes: {', '.join(grid)}")
    return {axis: values if axis in vary or axis in ("temperature", "d_threshold_insult") else [shipped.get(axis)]
            for axis, values in grid.items()}


def keep_floors(rows: list[tuple[dict, dict]], holds) -> tuple[list[tuple[dict, dict]], bool]:
    """The settings whose decision keeps make eval-nlu's floors on the synthetic sets (`holds(config)`), before any
    D-recall bar, and whether any does. When none does, the decision cannot mend it (the model must change): all are
    returned with False, and it is said (main() stops there unless --allow-under-floors)."""
    kept = [(c, r) for c, r in rows if holds(c)]
    if not kept:
        print("NO SETTING KEEPS make eval-nlu's FLOORS on the synthetic sets: CI would fail with any of them")
        return rows, False
    print(f"{len(kept)} of {len(rows)} settings keep make eval-nlu's floors on the synthetic sets")
    return kept, True


def keep_safe(
    rows: list[tuple[dict, dict]], bar: float, fresh_bar: float, max_false_acute: float
) -> tuple[list[tuple[dict, dict]], float]:
    """The settings safe enough to rank: D recall >= `bar` on all dev, >= `fresh_bar` on the fresh dev cases (see
    --fresh) and false acute <= `max_false_acute`. Safety first when none is: when no setting reaches `bar`, those
    with the highest D recall on all dev any setting reaches; when none of those reaches `fresh_bar`, among them the
    ones with the highest on the fresh cases. All dev first: it holds the fresh cases too and more than thirteen times
    as many threats (1,304 against 96 in round 23), so one fresh miss does not outweigh several others. Never the best macro-F1 at a lower D recall.
    Returns the settings and the false-acute limit used (1.0 when no setting keeps it)."""
    if not any(r["false_acute"] <= max_false_acute for _, r in rows):
        print(f"no setting keeps false acute <= {max_false_acute}: all settings are ranked")
        max_false_acute = 1.0
    within = [(c, r) for c, r in rows if r["false_acute"] <= max_false_acute]
    safe = [(c, r) for c, r in within if r["d_recall"] >= bar]
    if not safe:
        print(f"no setting reaches D recall {bar} on dev")
        bar = max(r["d_recall"] for _, r in within)
        safe = [(c, r) for c, r in within if r["d_recall"] >= bar]
    ok = [(c, r) for c, r in safe if r["fresh_d_recall"] >= fresh_bar]
    if not ok:
        print(f"none of the {len(safe)} reaches D recall {fresh_bar} on the fresh dev cases")
        fresh_bar = max(r["fresh_d_recall"] for _, r in safe)
        ok = [(c, r) for c, r in safe if r["fresh_d_recall"] >= fresh_bar]
    print(f"{len(ok)} of {len(rows)} settings keep D recall >= {bar:.3f} on dev, >= {fresh_bar:.3f} on its fresh "
          f"cases, and false acute <= {max_false_acute}")
    return ok, max_false_acute


# the dev cases, their rankings and the fresh cases' indices, for the worker processes (inherited by fork)
_REPLAY: tuple[list, list, list[int]] = ([], [], [])


def _replay(config: dict) -> dict:
    from nlu import triage

    cases, rankings, fresh = _REPLAY
    results = [triage.decide(c["text"], r, config) for c, r in zip(cases, rankings, strict=True)]
    report = real_report(cases, results)
    return {**report, **d_recalls(cases, results, fresh)}


def d_recalls(cases: list[dict], results: list[dict], fresh: list[int]) -> dict:
    """D recall on all cases and on the fresh ones, unrounded (a bar compares them exactly: 1,284 of 1,304 is under
    0.985, though it prints as 0.985), and the fresh threats caught. No fresh threat (--fresh ''): the bar holds."""
    threats = [i for i, c in enumerate(cases) if c["label"] == "D"]
    fresh_threats = [i for i in fresh if cases[i]["label"] == "D"]
    caught = sum(results[i]["label"] == "D" for i in fresh_threats)
    return {"d_recall": sum(results[i]["label"] == "D" for i in threats) / len(threats) if threats else 1.0,
            "fresh_d": len(fresh_threats), "fresh_d_caught": caught,
            "fresh_d_recall": caught / len(fresh_threats) if fresh_threats else 1.0}


def _replay_on_all_cores(cases: list[dict], rankings: list, configs: list[dict], fresh: list[int]) -> list[dict]:
    """The decision replayed over the dev cases for each setting (pure Python): one worker process per core, forked
    after one replay filled the cue rules' caches (the grid takes about half the time on two cores)."""
    import multiprocessing

    global _REPLAY
    _REPLAY = (cases, rankings, fresh)
    first = _replay(configs[0])
    with multiprocessing.get_context("fork").Pool(len(os.sched_getaffinity(0))) as pool:
        return [first, *pool.map(_replay, configs[1:], chunksize=64)]


def _colleague_thresholds(
    cases: list[dict], rankings: list, probabilities: list, config: dict, max_false: float
) -> float:
    """The colleague flag at each threshold of the colleague model (with the best settings above): how many
    colleague stories it finds, and how many other messages it flags (a resident's incident, or a message
    taken for one). The row 1.01 is the cue rule alone. Prints and returns the threshold to ship: the lowest whose
    false flags are at most `max_false` of the other messages (or no more than the cue rule's alone)."""
    from nlu import triage

    others = sum(not c["colleague"] for c in cases)
    print(f"colleague model: {sum(c['colleague'] for c in cases)} colleague stories, {others} other messages")
    rows = []
    # finer steps near 1 from round 16 (0.9 flagged one resident's incident on its dev, 0.94 none)
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.92, 0.94, 0.96, 0.98, 1.01):
        cfg = {**config, "colleague_threshold": threshold}
        flags = [triage.decide(c["text"], r, cfg, p)["colleague"] for c, r, p in zip(cases, rankings, probabilities, strict=True)]
        found = sum(f and c["colleague"] for c, f in zip(cases, flags, strict=True))
        false = sum(f and not c["colleague"] for c, f in zip(cases, flags, strict=True))
        rows.append((threshold, false))
        print(f"  colleague_threshold {threshold}: found {found}, false flags {false} ({false / max(others, 1):.2%})")
    chosen = choose_colleague_threshold(rows, others, max_false)
    print(f"colleague_threshold to ship: {chosen} (the lowest with false flags at most {max_false:.1%} of the others)")
    return chosen


def choose_colleague_threshold(rows: list[tuple[float, int]], others: int, max_false: float) -> float:
    """The lowest threshold whose false flags are at most `max_false` of `others`, or at most the last row's
    (the cue rule alone, which the threshold cannot change)."""
    allowed = max(max_false * others, rows[-1][1])
    return min(threshold for threshold, false in rows if false <= allowed)


if __name__ == "__main__":
    sys.exit(main())
