"""The AVX2 matmul kernel alone: the work tree's against an earlier revision's (default 772ac93^, before session 29's
change), one thread, on the three shapes of e5's matrices at 62 tokens (README "Training", docs/experiments/e5-avx2/).

Builds matmul.c with the work tree's native/e5/e5.c and the earlier revision's AVX2 section (from its
`#define AVX2_TARGET` to the VNNI kernel's comment) renamed to mm_avx2_before; random weights and activations.

    .venv-rasa/bin/python docs/experiments/e5-avx2/matmul.py [--rev REV]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rev", default="772ac93^")
    args = parser.parse_args()
    before = subprocess.run(["git", "show", f"{args.rev}:native/e5/e5.c"], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout
    section = before[before.index("#define AVX2_TARGET"):before.index("/* AVX-512 VNNI: all 16")]
    section = section.split("\n", 1)[1].replace("tile_avx2", "tile_avx2_before").replace("mm_avx2", "mm_avx2_before")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "before.h").write_text(section)
        for name in ("e5.c", "e5.h"):
            (folder / name).write_text((ROOT / "native/e5" / name).read_text())
        (folder / "matmul.c").write_text((HERE / "matmul.c").read_text())
        binary = folder / "matmul"
        subprocess.run(["gcc", "-mavx2", "-mfma", "-O3", "-funroll-loops", "-ffast-math", "-fopenmp", "-o", str(binary),
                        str(folder / "matmul.c"), "-lm"], check=True)
        for shape in ("384 384 62", "1536 384 62", "384 1536 62"):
            print(subprocess.run([str(binary), *shape.split()], check=True, capture_output=True, text=True).stdout, end="")


if __name__ == "__main__":
    main()
