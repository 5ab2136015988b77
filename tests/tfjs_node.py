"""Real TensorFlow.js 4.22 in Node.js for the tests that check lstmkit against it.

`tfjs_package()` installs TF.js into <repo>/.tfjs with tests/js/install.sh (npm) when missing and
returns the package folder; without node/npm the test is skipped, or fails when CI or
LSTMKIT_REQUIRE_TFJS says the real-TF.js checks must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PREFIX = REPO / ".tfjs"  # npm --prefix: node_modules/ lives here
PACKAGE = PREFIX / "node_modules" / "@tensorflow" / "tfjs"


def ensure_tfjs() -> None:
    """Install TF.js if missing (once per machine); skip or fail where node/npm are absent."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI") or os.environ.get("LSTMKIT_REQUIRE_TFJS"):
            pytest.fail("node and npm are needed for the TF.js checks (tests/js/install.sh).")
        pytest.skip("node/npm not installed: the real TF.js checks cannot run here")
    done = subprocess.run(
        ["bash", str(REPO / "tests" / "js" / "install.sh")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode:
        pytest.fail(f"installing TF.js failed:\n{done.stdout}\n{done.stderr}")


def tfjs_package() -> Path:
    """The installed @tensorflow/tfjs package folder, installing it first when missing."""
    ensure_tfjs()
    return PACKAGE
