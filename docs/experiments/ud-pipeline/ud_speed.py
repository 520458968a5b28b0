import sys, time, spacy
from spacy.tokens import DocBin
nlp = spacy.load("var/ud/model/model-best")
docs = list(DocBin().from_disk("var/ud/corpus/nl_alpino-ud-dev.spacy").get_docs(nlp.vocab))
texts = [s.text for d in docs for s in d.sents] if False else [d.text for d in docs]
t0 = time.perf_counter(); n = 0
out = list(nlp.pipe(texts, batch_size=64)); dt = time.perf_counter() - t0
ntok = sum(len(d) for d in out)
print(f"UD Alpino dev: {len(texts)} docs (10 sents each, {ntok} tokens) in {dt:.1f}s -> {1000*dt/718:.2f} ms/sentence, {ntok/dt:.0f} tokens/s (nice 19, shared 2 cores)")
