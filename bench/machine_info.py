"""What every benchmark writes beside its figures: the machine it ran on and the commit."""

# ruff: noqa: S603, S607  (runs git)

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kib / 1024 / 1024:.1f} GiB RAM, {platform.system()} {platform.release()}"
    )


def commit() -> str:
    """The commit, marked when tracked files have uncommitted changes."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        # The results file itself is not a change to what was measured (make bench writes it
        # before the next benchmark runs).
        status = ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/RESULTS.md"]
        dirty = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    return out.stdout.strip() + (" (with uncommitted changes)" if dirty.strip() else "")
