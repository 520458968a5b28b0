"""scripts/tune_triage.py: the colleague model's threshold is the lowest whose false flags stay within a share of
the other development messages, so it does not climb as the development set grows."""

from tune_triage import choose_colleague_threshold

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
