# Subprocess: start a program, read its output through a pipe, get its exit code.
# Save it as subprocess_demo.py: a file named subprocess.py would hide Python's own module.
import subprocess
import sys

CHILD = r"""
import sys, time
lines, code = int(sys.argv[1]), int(sys.argv[2])
print("ready", flush=True)
for k in range(1, lines + 1):
    print(f"line {k}/{lines}", flush=True)
    time.sleep(0.05)
if code:
    print(f"failing on purpose with exit code {code}", file=sys.stderr)
sys.exit(code)
"""


def run_child(lines, code):
    p = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(lines), str(code)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    for line in p.stdout:  # lines arrive as the child writes them
        print("parent got:", line.rstrip())
    p.wait()
    print(f"exit code {p.returncode}; stderr: {p.stderr.read().strip()!r}")


if __name__ == "__main__":
    run_child(5, 0)
    run_child(3, 3)  # a failing child reports its code and its error
