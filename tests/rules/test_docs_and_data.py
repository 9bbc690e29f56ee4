"""docs/rules.md follows the code; the county data matches shared/domain."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import rules
from rules import counties

ROOT = Path(__file__).resolve().parents[2]


def test_docs_list_the_rules_in_code_order() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\w+)$", text, flags=re.MULTILINE)
    assert headings == [rule.__name__ for rule in rules.RULES]


def test_every_rule_has_a_docstring_with_a_citation_or_source() -> None:
    # Read from the source: a compiled build (setup.py) keeps no docstrings at run time.
    tree = ast.parse((ROOT / "rules" / "decide.py").read_text(encoding="utf-8"))
    docs = {f.name: ast.get_docstring(f) for f in tree.body if isinstance(f, ast.FunctionDef)}
    cited = re.compile(r"HS \d|PC \d|WIC \d|proclamation|law brief")
    for rule in rules.RULES:
        doc = docs.get(rule.__name__)
        assert doc and cited.search(doc), rule.__name__


def test_all_58_counties_with_a_court() -> None:
    assert len(counties.county_names()) == 58
    assert all(c.court_url.startswith("http") for c in counties.COUNTIES.values())


def test_program_and_contact_files_name_real_counties() -> None:
    for name in ("programs.csv", "contacts.csv"):
        for row in counties._read_csv(name):
            assert row["county"] in counties.COUNTIES, (name, row["county"])


def test_county_data_is_the_shared_copy() -> None:
    shared = ROOT.parent / "shared" / "domain" / "counties.csv"
    if not shared.exists():
        pytest.skip("shared/domain is not beside this checkout")
    ours = ROOT / "rules" / "data" / "counties.csv"
    assert ours.read_bytes() == shared.read_bytes(), "copy shared/domain/counties.csv again"
