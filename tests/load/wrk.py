"""wrk (Debian's `wrk` package), a load generator written in C: requests per second and latency
for a list of paths, one chosen at random for each request by a Lua script (wrk's documented
`request` and `done` hooks). The benchmark uses it when it is installed, since the Python
generator in generator.py runs out of CPU before a cache like nginx's does: it then measures
itself, not the server."""

import re
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.load.generator import LOOPBACK

SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""
RESULT = re.compile(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", re.M)


def available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(port: int, paths: list[str], seconds: float, connections: int) -> dict[str, float]:
    """Load `paths` on loopback `port` with `connections` keep-alive connections (two wrk
    threads) for `seconds`: requests per second, p50 and p99 in ms, answers that were not
    2xx or 3xx plus socket errors, and wrk's share of one CPU."""
    with tempfile.TemporaryDirectory(prefix="wrk-") as tmp:
        listed, script = Path(tmp) / "paths.txt", Path(tmp) / "random-paths.lua"
        listed.write_text("\n".join(paths) + "\n", encoding="utf-8")
        script.write_text(SCRIPT, encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script),
             f"http://{LOOPBACK}:{port}/"],
            env={"WRK_PATHS": str(listed), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = RESULT.search(done.stdout)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}{done.stderr}")
    requests, micros, p50, p99, bad_status, socket_errors = map(int, found.groups())
    duration = micros / 1e6
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "rate": requests / duration,
        "p50": p50 / 1000,
        "p99": p99 / 1000,
        "not 2xx": bad_status + socket_errors,
        "generator cpu": cpu / duration,
    }
