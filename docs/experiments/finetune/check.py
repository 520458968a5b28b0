"""The TensorFlow upper layers on the engine's cached states give the engine's own embedding (cosine ~1)."""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
import numpy as np, tensorflow as tf
from ft_lib import Engine, upper_model, batches
K = int(sys.argv[1]) if len(sys.argv) > 1 else 10
eng = Engine()
texts = ["nee", "Hij zei dat hij me zou vinden en mijn huis in brand zou steken.",
         "Ik ben boos over het parkeerbeleid van de gemeente, jullie luisteren nooit naar ons!",
         "Een man stond vanavond voor mijn deur en schreeuwde dat ik een landverrader ben. Hij staat er nog steeds."]
st = [eng.states(t, K) for t in texts]
up = upper_model(K, eng)
for idx, x, m in batches(st, list(range(len(texts))), 4):
    e = up(tf.constant(x), tf.constant(m)).numpy()
for t, v in zip(texts, e):
    ref = eng.embed(t)
    print(round(float(v @ ref), 5), len(t))
