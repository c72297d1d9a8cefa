"""``carnet run``'s process runner: every Procfile entry in one terminal, restarted when it
dies, all stopped by Ctrl-C.

Honcho (what ``make run`` used before) stops every process as soon as one exits: one
service dying with the broker took the whole platform down. Here a process that exits is
started again after a back-off (1 s, doubling up to 30 s, back to 1 s once it has run for
a minute); the others keep running. Ctrl-C (SIGINT) or SIGTERM stops everything: SIGTERM to
each process group, SIGKILL after ``grace`` seconds.

Each line a process writes is printed as ``<time> <name> | <line>``; the runner's own
lines use the name ``runner``.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime

MIN_BACKOFF, MAX_BACKOFF, STABLE_AFTER = 1.0, 30.0, 60.0


def read_procfile(path):
    entries = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and ":" in line:
            name, command = line.split(":", 1)
            entries.append((name.strip(), command.strip()))
    return entries


class Process:
    def __init__(self, name, command):
        self.name, self.command = name, command
        self.popen = None
        self.started_at = 0.0
        self.backoff = MIN_BACKOFF
        self.restart_at = None


class Runner:
    def __init__(self, entries, cwd=None, env=None, out=None, grace=10.0):
        self.processes = [Process(name, command) for name, command in entries]
        self.cwd, self.env = cwd, env
        self.out = out or sys.stdout
        self.grace = grace
        self.width = max([len(p.name) for p in self.processes] + [len("runner")])
        self.stopping = threading.Event()
        self._print_lock = threading.Lock()

    def say(self, name, text):
        stamp = datetime.now().strftime("%H:%M:%S")
        with self._print_lock:
            self.out.write(f"{stamp} {name.ljust(self.width)} | {text}\n")
            self.out.flush()

    def _pump(self, process, stream):
        for raw in iter(stream.readline, b""):
            self.say(process.name, raw.decode(errors="replace").rstrip("\n"))
        stream.close()

    def start(self, process):
        # exec: the pid is the service's own (a signal reaches it, not a shell)
        process.popen = subprocess.Popen(
            ["/bin/sh", "-c", "exec " + process.command], cwd=self.cwd, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # Ctrl-C reaches the runner only; it stops the others
        process.started_at = time.monotonic()
        process.restart_at = None
        self.say("runner", f"started {process.name} (pid {process.popen.pid})")
        threading.Thread(target=self._pump, args=(process, process.popen.stdout),
                         daemon=True).start()

    def _check(self, process):
        now = time.monotonic()
        if process.restart_at is not None:
            if now >= process.restart_at:
                self.start(process)
            return
        code = process.popen.poll()
        if code is None:
            return
        if now - process.started_at >= STABLE_AFTER:
            process.backoff = MIN_BACKOFF
        self.say("runner", f"{process.name} (pid {process.popen.pid}) exited with code "
                           f"{code}; restarting it in {process.backoff:g} s")
        process.restart_at = now + process.backoff
        process.backoff = min(process.backoff * 2, MAX_BACKOFF)

    def run(self):
        previous = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for process in self.processes:
                self.start(process)
            while not self.stopping.wait(0.2):  # the runner's own polling tick
                for process in self.processes:
                    self._check(process)
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _on_signal(self, signum, _frame):
        self.stopping.set()

    def stop_all(self):
        running = [p for p in self.processes if p.popen and p.popen.poll() is None]
        if running:
            self.say("runner", "stopping " + ", ".join(p.name for p in running))
        for process in running:
            try:
                os.killpg(process.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.grace
        for process in running:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("runner", f"{process.name} did not stop in {self.grace:g} s: killed")
                try:
                    os.killpg(process.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.popen.wait()
