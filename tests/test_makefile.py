from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_stops_with_a_clear_message_when_no_python_is_new_enough(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    old_python = tmp_path / "bin" / "python3"
    old_python.parent.mkdir()
    old_python.write_text("#!/bin/sh\nexit 1\n")  # answers like an interpreter older than 3.12
    old_python.chmod(0o755)
    result = subprocess.run(
        ["make", "--no-print-directory", ".venv/bin/python", f"PYENV_ROOT={tmp_path / 'no-pyenv'}"],
        cwd=tmp_path, env={"PATH": f"{old_python.parent}:/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "IMS Console needs Python 3.12 or newer" in result.stderr
    assert not (tmp_path / ".venv").exists()
