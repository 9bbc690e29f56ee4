"""`clearline assess`: JSON in, the assessment as JSON out; bad JSON exits 2."""

from __future__ import annotations

import json
import subprocess
import sys

CMD = [sys.executable, "-m", "bot.cli", "assess"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_reads_stdin_and_prints_json() -> None:
    done = run(stdin='{"county": "LA", "offense": "11359", "conviction_date": 2009}')
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["outcome"] == "likely_cleared"
    assert result["relief"] == "dismissed"
    assert set(result) == {"outcome", "relief", "citations", "reasons", "missing", "confirm",
                           "other_relief", "caveats"}


def test_facts_flag() -> None:
    done = run("--facts", '{"court": "federal", "offense": "possession"}')
    assert done.returncode == 0
    assert json.loads(done.stdout)["outcome"] == "not_covered"


def test_bad_json_exits_2_with_one_line() -> None:
    done = run(stdin="{not json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "bad facts JSON" in done.stderr


def test_empty_input_says_what_to_give() -> None:
    for done in (run(stdin=""), run(stdin="  \n"), run("--facts", "")):
        assert done.returncode == 2
        assert done.stdout == ""
        assert "no facts given" in done.stderr and "--facts" in done.stderr
        assert "Expecting value" not in done.stderr


def test_json_that_is_not_an_object_exits_2() -> None:
    done = run("--facts", "[1, 2]")
    assert done.returncode == 2
