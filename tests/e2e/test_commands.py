"""The documented commands a griffie can use: `make -s classify` and `make -s route`."""

from __future__ import annotations

import json
import subprocess

import pytest

import servers

pytestmark = pytest.mark.e2e


def make(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", *args], cwd=servers.ROOT, input=stdin, capture_output=True, text=True, timeout=300)


def test_classify_writes_one_json_line_per_input_in_order():
    lines = [
        {"text": "Hij zei heel rustig: ik weet waar je woont"},
        {"text": "Goedemorgen"},
        "dit is geen json",
        {"geen_text": 1},
        {"text": "Jullie beleid is een SCHANDE, riep hij door de zaal"},
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    done = make("classify", stdin=stdin)
    assert done.returncode == 0, done.stderr[-2000:]
    out = [json.loads(line) for line in done.stdout.splitlines()]  # stdout is JSON Lines only
    assert len(out) == 5
    assert out[0]["label"] == "D" and "ik weet waar je woont" in [c["text"] for c in out[0]["cues"]]
    assert out[1]["label"] is None
    assert "error" in out[2] and "error" in out[3]
    assert out[4]["label"] == "B"
    assert all(0.0 <= o.get("confidence", 0.0) <= 1.0 for o in out)


def test_route_prints_one_json_object():
    done = make("route", "MUNICIPALITY=Leiden", "ROLE=wethouder")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["contact"]["function"] == "gemeentesecretaris"
    assert "burgemeester" in [p["function"] for p in result["informs"]]
    assert result["section"] and result["support_lines"]


def test_route_with_an_unknown_role_says_so():
    done = make("route", "MUNICIPALITY=Leiden", "ROLE=bakker")
    assert done.returncode != 0
    assert "onbekende rol" in json.loads(done.stdout)["error"]
