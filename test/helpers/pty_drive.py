"""Drives a program through a real pseudo-terminal, as a person at a keyboard would.

Input (argv[1], JSON): {"argv": [...], "env": {...}, "cwd": "...",
                        "steps": [{"expect": "<regex>", "send": "<keys>", "timeout": 60}], "final_timeout": 600,
                        "cols": 160, "rows": 50}
Output (stdout, JSON): {"exit_code": N, "transcript": "<screen text without ANSI codes>", "failed_step": null | i}
"""
import fcntl
import json
import os
import pty
import struct
import termios
import re
import select
import sys
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def main() -> None:
    spec = json.loads(sys.argv[1])
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(spec.get("cwd", "."))
        os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
    # A real terminal has a size; without one, prompts wrap after every character.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", spec.get("rows", 50), spec.get("cols", 160), 0, 0))
    raw = b""
    seen = 0  # expectations match only output that arrived after the previous step

    def pump(timeout: float) -> bool:
        nonlocal raw
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        raw += chunk
        return True

    failed = None
    for index, step in enumerate(spec["steps"]):
        deadline = time.time() + step.get("timeout", 60)
        pattern = re.compile(step["expect"])
        matched = False
        alive = True
        while time.time() < deadline and alive:
            text = ANSI.sub("", raw.decode("utf-8", "replace"))
            found = pattern.search(text, seen)
            if found:
                seen = found.end()
                matched = True
                break
            alive = pump(0.2)
        if not matched:
            failed = index
            break
        time.sleep(step.get("delay", 0.3))
        os.write(fd, step["send"].encode())

    status = None
    deadline = time.time() + spec.get("final_timeout", 600)
    while time.time() < deadline and failed is None:
        alive = pump(0.5)
        done, waited = os.waitpid(pid, os.WNOHANG)
        if done:
            status = waited
            while select.select([fd], [], [], 0.1)[0] and pump(0):
                pass
            break
        if not alive:
            _, status = os.waitpid(pid, 0)
            break
    if status is None:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"exit_code": code, "transcript": ANSI.sub("", raw.decode("utf-8", "replace")), "failed_step": failed}))


if __name__ == "__main__":
    main()
