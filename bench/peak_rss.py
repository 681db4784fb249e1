"""Peak resident memory of this process, from /proc (VmHWM).

getrusage's `ru_maxrss` keeps the forking parent's peak across exec, so a child started by a big
parent would report the parent's size as its own.
"""

from __future__ import annotations

from pathlib import Path

# The same, as an expression for code run with `python -c`.
PEAK_RSS = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"


def peak_rss_kib() -> int:
    """This process's peak RSS in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")
