"""Where the shared material lives: ``../shared`` beside the checkout (always so in CI).

``RE_SHARED_DIR`` points elsewhere when a checkout is kept somewhere else.  A missing sample
is a test failure, never a skip: the parsers and renderers must be checked against real Junos
replies on every run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RE_SHARED_DIR") or REPO.parent / "shared")
SAMPLES = SHARED / "junos" / "samples"
CHAPTER = SHARED / "seed" / "junos-host-redundancy-chapter.txt"


def sample_path(name: str) -> Path:
    """Return the path of the golden sample ``name``; fail the test when it is missing."""
    path = SAMPLES / name
    if not path.is_file():
        pytest.fail(f"golden sample {name} not found in {SAMPLES} (set RE_SHARED_DIR to the "
                    "directory holding junos/samples)", pytrace=False)
    return path


def sample_text(name: str) -> str:
    """Return the text of the golden sample ``name`` (see :func:`sample_path`)."""
    return sample_path(name).read_text()


#: Where system daemons live, searched after PATH (a user's PATH often lacks them).
SBIN_DIRS = ("/usr/sbin", "/sbin", "/usr/local/sbin")


def require_tool(name: str, package: str) -> str:
    """Return the path of the command-line tool ``name`` (looked up in PATH, then in
    :data:`SBIN_DIRS`: daemons such as ``sshd`` live there).

    Without it the calling test module is skipped on a developer machine, and fails in CI (the
    ``CI`` environment variable set, as ``.ci/run`` does, which installs ``package``)."""
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *SBIN_DIRS])
    path = shutil.which(name, path=search)
    if path:
        return path
    why = f"{name!r} is not installed (Debian package {package}; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(why, pytrace=False)
    pytest.skip(why, allow_module_level=True)
