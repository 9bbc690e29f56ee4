"""Build Clearline, compiling the modules every dialog step runs with mypyc (part of mypy).

The compiled modules are the same Python source, made into C extensions: a cold dialog
step takes about half the CPU instructions (README, "Performance"). Without mypy, or with
``CLEARLINE_PURE=1``, the same modules run as plain Python.

An editable install builds the extensions beside the sources. In compat mode, as
./test.sh and ./run.sh install (``pip install -e . --config-settings editable_mode=compat``:
the project folder on the path, so Python finds the shared library there), it builds them
again only when a source is newer (about two minutes on two cores); ``tests/conftest.py``
stops a run whose build is stale.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
GROUP = "clearline"  # the shared library: clearline__mypyc.<platform>.so
# The rules and the dialog engine (tools, checks and the channels stay plain Python).
COMPILED = [
    "rules/__init__.py", "rules/assessment.py", "rules/codes.py", "rules/confirm.py",
    "rules/contacts.py", "rules/counties.py", "rules/decide.py", "rules/facts.py",
    "rules/sections.py",
    "dialogs/__init__.py", "dialogs/answers.py", "dialogs/catalog.py", "dialogs/engine.py",
    "dialogs/flow.py", "dialogs/reader.py", "dialogs/sayback.py", "dialogs/sizes.py",
    "dialogs/sms.py", "dialogs/understand.py", "dialogs/verdict.py",
]


def built_in_place() -> bool:
    """An in-place build is here and newer than every compiled source (and this file)."""
    libraries = list(ROOT.glob(f"{GROUP}__mypyc.*"))
    if not libraries:
        return False
    built = min(p.stat().st_mtime for p in libraries)
    sources = [ROOT / path for path in COMPILED] + [ROOT / "setup.py"]
    return all(p.stat().st_mtime < built for p in sources)


def nothing_to_build() -> bool:
    """The install's metadata steps (no extension is built in them), or an editable install
    in compat mode whose in-place build is up to date."""
    commands = set(sys.argv[1:])
    if commands & {"egg_info", "dist_info"} and not commands & {"bdist_wheel", "build_ext",
                                                                "editable_wheel"}:
        return True
    return "editable_wheel" in commands and "compat" in commands and built_in_place()


def compiled() -> list:
    """The C extensions, or none: ``CLEARLINE_PURE`` set, mypy missing, or nothing to build
    now. Each is optional: where no C compiler works, the install goes on and the modules
    run as plain Python."""
    if os.environ.get("CLEARLINE_PURE") or nothing_to_build():
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    extensions = mypycify(["--ignore-missing-imports", *COMPILED], opt_level="3",
                          group_name=GROUP)
    for extension in extensions:
        extension.optional = True
    return extensions


setup(ext_modules=compiled())
