"""scripts/tune_triage.py: the colleague model's threshold is the lowest whose false flags stay within a share of
the other development messages, so it does not climb as the development set grows; the D-recall bars hold on all dev
and on the dev cases nobody read when the cue rules were written."""

import sys

import pytest
import tune_triage
from real_data import read_jsonl
from tune_triage import (
    EVAL_NLU_FLOORS,
    choose_colleague_threshold,
    d_recalls,
    fresh_indices,
    fresh_patterns,
    keep_floors,
    keep_safe,
    narrow,
)

# (threshold, false flags) as the tuner prints them for round 20's dev set (3,877 other messages, var/tune20.log)
ROUND20 = [(0.5, 18), (0.6, 16), (0.7, 8), (0.8, 3), (0.9, 1), (0.92, 1), (0.94, 1), (0.96, 1), (0.98, 0), (1.01, 0)]


def test_a_share_of_false_flags_allows_a_lower_threshold_than_none_at_all():
    assert choose_colleague_threshold(ROUND20, 3877, 0.001) == 0.8  # 3 of 3,877 is 0.08 %
    assert choose_colleague_threshold(ROUND20, 3877, 0.0) == 0.98  # the rule of rounds 13-20


def test_the_same_share_gives_the_same_threshold_on_a_larger_set():
    doubled = [(threshold, 2 * false) for threshold, false in ROUND20]
    assert choose_colleague_threshold(doubled, 2 * 3877, 0.001) == 0.8


def test_the_cue_rule_alone_is_always_allowed():
    rows = [(0.5, 40), (0.9, 10), (0.95, 10), (1.01, 10)]  # the cue rule alone flags 10 of 1,000 (over 0.1 %)
    assert choose_colleague_threshold(rows, 1000, 0.001) == 0.9


def test_false_flags_exactly_at_the_share_are_allowed():
    rows = [(0.5, 3), (0.8, 2), (0.9, 0), (1.01, 0)]
    assert choose_colleague_threshold(rows, 2000, 0.001) == 0.8  # 2 of 2,000 is 0.1 %
    assert choose_colleague_threshold(rows, 1999, 0.001) == 0.9


def _row(name: str, d: float, fresh: float, false_acute: float = 0.0) -> tuple[dict, dict]:
    return {"name": name}, {"d_recall": d, "fresh_d_recall": fresh, "false_acute": false_acute}


def _names(rows: list[tuple[dict, dict]]) -> list[str]:
    return [config["name"] for config, _ in rows]


def test_a_setting_that_reaches_the_bar_only_on_the_cases_the_rules_were_written_from_is_left_out():
    # round 22's choice: 0.985 on all dev, 50 of 52 (0.962) on the dev cases nobody read
    rows = [_row("round22", 0.985, 0.962), _row("lower", 0.988, 0.981), _row("unsafe", 0.975, 1.0)]
    ok, _ = keep_safe(rows, 0.985, 0.97, 0.01)
    assert _names(ok) == ["lower"]


def test_when_no_setting_reaches_the_fresh_bar_the_safest_on_the_fresh_cases_are_ranked():
    rows = [_row("a", 0.985, 0.943), _row("b", 0.99, 0.962), _row("c", 0.986, 0.962), _row("d", 0.98, 1.0)]
    ok, _ = keep_safe(rows, 0.985, 0.97, 0.01)
    assert _names(ok) == ["b", "c"]  # never "d": it misses the bar on all dev


def test_when_no_setting_reaches_the_dev_bar_the_highest_dev_recall_comes_first_then_the_fresh_cases():
    rows = [_row("a", 0.98, 0.9), _row("b", 0.98, 0.95), _row("c", 0.97, 1.0)]
    ok, _ = keep_safe(rows, 0.985, 0.97, 0.01)
    assert _names(ok) == ["b"]


def test_false_acute_limits_before_recall():
    rows = [_row("loud", 1.0, 1.0, false_acute=0.03), _row("calm", 0.985, 0.98, false_acute=0.005)]
    ok, limit = keep_safe(rows, 0.985, 0.97, 0.01)
    assert _names(ok) == ["calm"] and limit == 0.01


def test_no_setting_within_the_false_acute_limit_ranks_all():
    rows = [_row("a", 0.99, 0.98, false_acute=0.03), _row("b", 0.985, 0.97, false_acute=0.02)]
    ok, limit = keep_safe(rows, 0.985, 0.97, 0.01)
    assert _names(ok) == ["a", "b"] and limit == 1.0


def test_the_fresh_files_are_every_round_s_new_dev_and_retired_dev_since_the_rules_were_written():
    assert [p.rsplit("/", 1)[1] for p in fresh_patterns(22, 23)] == [
        "dev_r22[a-z].jsonl", "dev_r21retired.jsonl", "dev_r23[a-z].jsonl", "dev_r22retired.jsonl"]
    assert fresh_patterns(24, 23) == []  # rules written this round: nothing is fresh yet


def test_a_round_without_new_dev_files_keeps_its_retired_ones_fresh():
    paths = sorted(tune_triage.ROOT.glob("tests/nlu/real/dev*.jsonl"))
    assert [p.rsplit("/", 1)[1] for p in tune_triage.default_fresh(30, 31)] == [
        "dev_r30[a-z].jsonl", "dev_r29retired.jsonl", "dev_r30retired.jsonl"]  # no dev_r31e/f
    files = tune_triage.fresh_files(tune_triage.default_fresh(31, 31), paths)
    assert sorted(f.name for f in files) == ["dev_r30retired.jsonl"]
    # only the current round may have none: an earlier round's pattern stays, and names no file when one is missing
    assert "tests/nlu/real/dev_r99[a-z].jsonl" in tune_triage.default_fresh(99, 100)


def test_fresh_indices_follow_the_order_cases_are_read_in(tmp_path):
    files = {}
    for name, count in (("dev_a.jsonl", 2), ("dev_r23e.jsonl", 3), ("dev_z.jsonl", 1)):
        files[name] = tmp_path / name
        files[name].write_text("".join(f'{{"text": "{name} {i}", "label": null}}\n' for i in range(count)) + "\n")
    paths = sorted(files.values())
    cases = read_jsonl(*paths)
    fresh = fresh_indices(paths, {files["dev_r23e.jsonl"]})
    assert fresh == [2, 3, 4] and all(cases[i]["text"].startswith("dev_r23e") for i in fresh)


def test_d_recall_is_compared_unrounded_and_counted_on_the_fresh_cases():
    cases = [{"label": "D"}] * 1304 + [{"label": "C"}]
    results = [{"label": "D"}] * 1284 + [{"label": "C"}] * 21
    recalls = d_recalls(cases, results, fresh=[1283, 1284, 1285, 1304])
    assert recalls["d_recall"] < 0.985 and f"{recalls['d_recall']:.3f}" == "0.985"  # 1,284 of 1,304 misses the bar
    assert (recalls["fresh_d"], recalls["fresh_d_caught"]) == (3, 1)
    assert d_recalls(cases, results, fresh=[1304])["fresh_d_recall"] == 1.0  # no fresh threat: nothing to hold


@pytest.mark.parametrize("pattern", ["tests/nlu/real/dev_r999*.jsonl", "tests/nlu/real/train_r24e.jsonl"])
def test_a_fresh_pattern_that_names_no_development_file_stops_the_tuner(monkeypatch, capsys, pattern):
    monkeypatch.setattr(sys, "argv", ["tune_triage.py", "--model", "not read", "--fresh", f"tests/nlu/real/dev_r24e.jsonl,{pattern}"])
    with pytest.raises(SystemExit) as stopped:
        tune_triage.main()  # stops before it loads the model or fits anything
    assert stopped.value.code == 2
    assert "each --fresh pattern must name development files" in capsys.readouterr().err


def test_the_fresh_files_are_named_by_their_patterns_and_must_be_dev_files():
    paths = sorted(tune_triage.ROOT.glob("tests/nlu/real/dev*.jsonl"))
    files = tune_triage.fresh_files(["tests/nlu/real/dev_r24[a-z].jsonl", "tests/nlu/real/dev_r23retired.jsonl"], paths)
    assert sorted(f.name for f in files) == ["dev_r23retired.jsonl", "dev_r24e.jsonl", "dev_r24f.jsonl"]
    with pytest.raises(ValueError, match="must name development files"):
        tune_triage.fresh_files(["tests/nlu/real/train_r24e.jsonl"], paths)


def test_a_narrow_run_tries_only_the_named_axes_and_keeps_the_shipped_rest():
    grid = {"temperature": [1.0], "d_threshold": [0.05, 0.1], "incident_mass": [0.4, 0.6], "d_threshold_insult": [None]}
    shipped = {"temperature": 1.0, "d_threshold": 0.07, "incident_mass": 0.6, "d_threshold_insult": 0.2}
    # the insult threshold stays off, as in the whole grid: the second pass tries it against its setting without it
    assert narrow(grid, ["d_threshold "], shipped) == {"temperature": [1.0], "d_threshold": [0.05, 0.1],
                                                       "incident_mass": [0.6], "d_threshold_insult": [None]}
    with pytest.raises(ValueError, match="grid axes"):
        narrow(grid, ["d_treshold"], shipped)


def test_the_floors_are_make_eval_nlu_s():
    """The tuner leaves out what would fail CI: its floors are the Makefile's, set by set."""
    import re
    from pathlib import Path

    makefile = (Path(tune_triage.__file__).resolve().parents[1] / "Makefile").read_text()
    recipe = makefile.split("\neval-nlu:", 1)[1].split("\n\n", 1)[0]
    sets = {path: (float(f1), float(d)) for path, f1, d in re.findall(r"--set (\S+):([\d.]+):([\d.]+)", recipe)}
    assert sets == EVAL_NLU_FLOORS


def test_settings_under_the_floors_are_left_out_before_the_d_recall_bar(capsys):
    rows = [_row("best on dev, fails CI", 0.99, 0.99), _row("keeps the floors", 0.98, 0.98)]
    kept, held = keep_floors(rows, lambda config: config["name"] == "keeps the floors")
    assert [c["name"] for c, _ in kept] == ["keeps the floors"] and held
    assert [c["name"] for c, _ in keep_safe(kept, 0.99, 0.97, 0.01)[0]] == ["keeps the floors"]


def test_when_no_setting_keeps_the_floors_all_are_ranked_and_it_is_said(capsys):
    rows = [_row("a", 0.99, 0.99), _row("b", 0.98, 0.98)]
    assert keep_floors(rows, lambda config: False) == (rows, False)  # main() stops on this unless --allow-under-floors
    assert "CI would fail" in capsys.readouterr().out


def test_settings_that_take_the_dialogue_s_own_words_for_acute_danger_are_left_out():
    rows = [({"acute_threshold": t}, {}) for t in (0.2, 0.3, 0.4)]
    acute = {0.2: 3, 0.3: 0, 0.4: 0}  # as round 31's first tuning: 0.2 took three written examples for acute danger
    assert [c["acute_threshold"] for c, _ in tune_triage.keep_calm(rows, lambda c: acute[c["acute_threshold"]])] == [0.3, 0.4]
    # a cue rule alone can call a text acute whatever the settings: then the fewest
    assert len(tune_triage.keep_calm(rows, lambda c: 1)) == 3


def test_the_dialogue_s_written_examples_are_plain_text_without_stories():
    texts = tune_triage.dialogue_texts()
    assert "wat moet ik nu doen" in texts and "ik ben fractiemedewerkster in Maastricht" in texts  # entity markup gone
    assert len(texts) > 500 and not any("[" in t or "](" in t for t in texts)


def test_no_temperature_scaling_unless_it_fits_dev_clearly_better():
    assert tune_triage.choose_temperature({0.7: 0.266, 0.85: 0.240, 1.0: 0.226, 1.5: 0.225}) == 1.0  # round 31
    assert tune_triage.choose_temperature({0.7: 0.266, 1.0: 0.240, 1.5: 0.225}) == 1.5
    assert tune_triage.choose_temperature({0.7: 0.2, 1.5: 0.3}) == 0.7  # no 1.0 in the grid: the best
