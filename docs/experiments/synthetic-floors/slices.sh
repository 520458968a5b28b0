#!/usr/bin/env bash
# Session 35: which of round 29's held-back slices (g: the line between B and D, h: insult and ridicule, i: colleagues)
# costs the synthetic threats. Run from the repository root at e95f48e's parent (round 29's data, all three slices in
# tests/nlu/real/held_back/): trains round 29's data three times, each with two of the three slices, into
# var/exp/slices/<two letters>.tar.gz (about 5-9 minutes each), then restores bot/data/nlu/incidents_real.yml.
# Score each with: .venv-rasa/bin/python -u docs/experiments/synthetic-floors/synth_floors.py var/exp/slices/gh.tar.gz
set -e
R=tests/nlu/real
mkdir -p var/exp/slices
for v in gh gi hi; do
  for l in $(echo $v | fold -w1); do cp $R/held_back/train_r29$l.jsonl $R/held_back/dev_r29$l.jsonl $R/; done
  python3 scripts/real_data.py
  ( cd bot && ../.venv-rasa/bin/python -m patches.train --skip-validation --augmentation 0 --domain domain \
      --out ../var/exp/slices --fixed-model-name $v ) > var/exp/slices/train_$v.log 2>&1
  for l in g h i; do rm -f $R/train_r29$l.jsonl $R/dev_r29$l.jsonl; done
  echo "trained $v $(date)"
done
python3 scripts/real_data.py
