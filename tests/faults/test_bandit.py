"""A static security scan (bandit) of our code: no medium or high finding, unless the line
says why with ``# nosec <test id>  # <reason>``; and no ``# nosec`` without a reason."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["rules", "dialogs", "bot"]
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)$", re.IGNORECASE)
JUSTIFIED = re.compile(r"^:?\s*B\d{3}(\s*,\s*B\d{3})*\s+#\s*\w+(\W+\w+){2,}")


def bandit(*paths: str) -> dict:
    """bandit's JSON report on ``paths`` (every severity; ``# nosec`` lines honoured), with
    the project's settings (``[tool.bandit]`` in pyproject.toml)."""
    done = subprocess.run(
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", *paths, "-f", "json",
         "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


def test_no_medium_or_high_finding():
    report = bandit(*PACKAGES)
    assert not report["errors"], report["errors"]
    found = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_severity']}: "
             f"{r['issue_text']}" for r in report["results"]
             if r["issue_severity"] in ("MEDIUM", "HIGH")]
    assert not found, "\n".join(found)
    assert report["metrics"]["_totals"]["loc"] > 1000  # it really read our code


def test_every_nosec_names_the_check_and_gives_a_reason():
    bare = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = NOSEC.search(line)
                if match and not JUSTIFIED.match(match.group("rest").strip()):
                    bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "write '# nosec B123  # why it is safe here':\n" + "\n".join(bare)


def test_the_scan_does_find_problems(tmp_path):
    """The scan above can fail: a shell command built from input is a high finding."""
    sample = tmp_path / "sample.py"
    sample.write_text("import subprocess\n\n\ndef run(name):\n"
                      "    subprocess.call('ls ' + name, shell=True)\n")
    report = bandit(str(sample))
    assert any(r["issue_severity"] == "HIGH" for r in report["results"])
    assert NOSEC.search("x = 1  # nosec") and not JUSTIFIED.match("")
    assert JUSTIFIED.match("B104  # compared to show a URL, not bound to")
