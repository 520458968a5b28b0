"""scripts/real_sources.py --write-round: the record of a finished round (tests/nlu/real/README.md)."""

import json

import real_sources


def test_write_round_records_every_source_first_used_this_round_with_its_part(tmp_path, monkeypatch):
    monkeypatch.setattr(real_sources, "REAL", tmp_path)
    monkeypatch.setattr(real_sources, "ROUND", 2)
    real_sources.earlier_rounds.cache_clear()
    (tmp_path / "round1_sources.tsv").write_text("# round 1\nnos.nl/oud\ttrain\n", encoding="utf-8")
    cases = [{"text": "x", "source": "https://www.nos.nl/oud"}, {"text": "y", "source": "https://www.nos.nl/nieuw#kop"},
             {"text": "z", "source": "http://nos.nl/nieuw"}]
    (tmp_path / "train_a.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    try:
        out = real_sources.write_round()
        lines = out.read_text(encoding="utf-8").splitlines()
        expected = f"nos.nl/nieuw\t{real_sources.part_of('nos.nl/nieuw')}"  # while ROUND and REAL are the test's
    finally:
        real_sources.earlier_rounds.cache_clear()  # no cache of the test's rounds left for the next test
    assert out.name == "round2_sources.tsv" and lines[0].startswith("# Round 2")
    assert lines[1:] == [expected]


def test_a_source_has_one_cross_fitting_fold_whatever_its_spelling():
    sources = [f"https://nos.nl/artikel/{i}" for i in range(600)]
    folds = [real_sources.fold_of(s, 5) for s in sources]
    assert set(folds) == {0, 1, 2, 3, 4}
    assert min(folds.count(k) for k in range(5)) > 80  # a hash, not one fold for everything
    assert real_sources.fold_of("http://www.nos.nl/artikel/7#kop", 5) == real_sources.fold_of("https://nos.nl/artikel/7", 5)
