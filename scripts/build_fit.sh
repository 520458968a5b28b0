#!/usr/bin/env bash
# Builds the classifier's fit kernels (native/fit/fit.c) into models/fit/libfit.so, which bot/nlu/lbfgs.py loads when
# it exists (else numpy's and scipy's steps, with the same numbers). Nothing to do when the library is newer than its
# source. -ffp-contract=off: a product then a sum, as numpy and scipy compute them (no fused multiply-add), so the
# results are theirs bit for bit; the AVX-512 loop is chosen at run time, so one build runs on any x86-64.
set -euo pipefail
cd "$(dirname "$0")/.."
src=native/fit/fit.c
out=models/fit/libfit.so
if [[ -f $out && $out -nt $src && $out -nt scripts/build_fit.sh ]]; then
    exit 0
fi
if [[ $(uname -m) != x86_64 ]]; then
    # tested only on x86-64 (elsewhere scipy's own build may fuse its multiply-adds): numpy's and scipy's steps there
    echo "scripts/build_fit.sh: not x86-64, the fit uses numpy's and scipy's steps"
    exit 0
fi
mkdir -p "$(dirname "$out")"
# Into a new file, then renamed: a running process keeps the library it loaded.
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT  # no half-built file left behind when gcc fails
"${CC:-gcc}" -O3 -ffp-contract=off -fPIC -shared -o "$tmp" "$src"
chmod 755 "$tmp"  # mktemp makes it 0600
mv -f "$tmp" "$out"
echo "built $out"
