"""spaCy 3.4's CLI breaks on click 8.5 + typer 0.7 option parsing here, so call the same functions directly."""
import sys
from pathlib import Path
cmd = sys.argv[1]
if cmd == "convert":
    from spacy.cli.convert import convert
    convert(sys.argv[2], sys.argv[3], file_type="spacy", n_sents=10, converter="conllu", morphology=False)
elif cmd == "init-config":
    from spacy.cli.init_config import init_config
    from spacy import util
    cfg = init_config(lang="nl", pipeline=["tagger","morphologizer","trainable_lemmatizer","parser"], optimize="efficiency", gpu=False)
    cfg.to_disk(sys.argv[2])
elif cmd == "train":
    from spacy.cli.train import train
    # overrides as key=value pairs, e.g. paths.train=... training.max_steps=...
    ov = dict(a.split("=", 1) for a in sys.argv[3:])
    ov = {k: (int(v) if v.isdigit() else v) for k, v in ov.items()}
    train(sys.argv[2], output_path=Path("model"), overrides=ov)
