import spacy
from spacy.tokens import DocBin, Doc
look = spacy.load("models/spacy-nl")
gold = list(DocBin().from_disk("var/ud/corpus/nl_alpino-ud-dev.spacy").get_docs(look.vocab))
ok = n = okl = 0
for g in gold:
    d = look(Doc(look.vocab, words=[t.text for t in g]))
    for a, b in zip(g, d):
        n += 1; ok += a.lemma_ == b.lemma_; okl += a.lemma_.lower() == b.lemma_.lower()
print(f"lookup lemmatizer on Alpino dev (gold tokens): lemma acc {ok/n:.4f} (case-insensitive {okl/n:.4f}), {n} tokens")
