#!/bin/bash
# Drive `make run` (tools/run) through a pseudo-terminal as a person would:
# wait for the banner and a prompt, run a pipeline, interrupt a sleep with
# ^C, run cowdemo, and power off; QEMU must then exit with status 0.
# Prints TAP; exits non-zero on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-$root/build}
exec python3 - "$root/tools/run" <<'PY'
import os, pty, select, sys, time

run = sys.argv[1]
n = 0
failed = 0

def tap(ok, desc, diag=""):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, desc), flush=True)
    if not ok:
        failed += 1
        for line in diag.splitlines()[-15:]:
            print("#   " + line, flush=True)

pid, fd = pty.fork()
if pid == 0:
    os.execv(run, [run])

buf = b""
def expect(pattern, timeout_s):
    """Read until pattern appears in the output since the last match."""
    global buf
    deadline = time.time() + timeout_s
    while pattern.encode() not in buf:
        left = deadline - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            buf += data
    buf = buf[buf.index(pattern.encode()) + len(pattern):]
    return True

def send(text):
    global buf
    buf = b""
    os.write(fd, text.encode())

def recent():
    return buf.decode(errors="replace")

tap(expect("Try: cowdemo", 60), "make run boots to the banner that points at cowdemo", recent())
send("\r")
tap(expect("# ", 20), "a shell prompt appears", recent())
send("echo pipe-ok-abc | tr a-c x-z\r")  # the answer, xyz, is not in what we type
tap(expect("pipe-ok-xyz", 20), "a pipeline through tr runs on the terminal", recent())
send("sleep 100\r")
time.sleep(1.0)
send("\x03")
send("echo ctrlc-$((40+2))\r")
tap(expect("ctrlc-42", 15), "^C interrupts sleep 100 and the shell takes commands again", recent())
send("vi /tmp/vi-test\r")
time.sleep(1.5)
send("ihello from vi\x1b")
time.sleep(0.5)
send(":wq\r")
time.sleep(1.0)
send("cat /tmp/vi-test | tr a-z A-Z\r")
tap(expect("HELLO FROM VI", 20), "vi opens a file, inserts text, saves and quits", recent())
send("sleep 2 &\r")
time.sleep(0.3)
send("jobs\r")
tap(expect("Running", 10), "a background job shows in jobs", recent())
send("fg; echo fg-$((6*7))\r")
tap(expect("fg-42", 20), "fg waits for the job and returns to the prompt", recent())
send("sleep 100\r")
time.sleep(1.0)
send("\x1a")
tap(expect("Stopped", 10), "^Z stops the foreground job and the shell reports it", recent())
send("kill -9 %1\r")
time.sleep(0.5)
send("cat &\r")
time.sleep(1.0)
send("jobs\r")
tap(expect("Stopped", 10), "a background read of the terminal stops the job (SIGTTIN)", recent())
send("kill -9 %2 %1 2>/dev/null; echo killed-$((2+3))\r")
tap(expect("killed-5", 10), "the stopped job can be killed", recent())
send("cowdemo 4\r")
tap(expect("copy", 60) and expect("# ", 30), "cowdemo runs and explains copy-on-write", recent())
send("poweroff\r")
status = None
deadline = time.time() + 30
while time.time() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            os.read(fd, 4096)
        except OSError:
            pass
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
tap(status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
    "poweroff switches QEMU off with status 0 (%r)" % (status,))
print("1..%d" % n)
sys.exit(1 if failed else 0)
PY
