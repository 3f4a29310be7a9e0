"""The commit an evaluation ran at, written into every report."""
from __future__ import annotations

import subprocess
from pathlib import Path


def git_revision(cwd: str | Path = ".") -> str | None:
    """The checked-out commit, with ``-dirty`` when tracked files changed; None outside git."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
