"""`make eval-real` and `make eval-nlu` fail below their floors (scripts/evaluate_nlu.py): a rate of false
answers is a ceiling, every other figure a floor."""

from evaluate_nlu import check_floors


def test_false_rates_are_ceilings_and_the_rest_floors():
    report = {"macro_f1": 0.80, "false_acute": 0.02, "colleague_false": 0.02, "colleague_recall": 0.36}
    checks = check_floors(report, ["macro_f1=0.79", "false_acute=0.03", "colleague_false=0.01", "colleague_recall=0.33"])
    assert [ok for ok, _ in checks] == [True, True, False, True]
    assert checks[2][1] == "FAIL colleague_false 0.020 (<= 0.01)"
