"""``make test``: the suite once per database backend (SQLite and PostgreSQL).

    python -m tests.run [pytest args…]

``CARNET_TEST_DATABASES`` picks backends (default ``sqlite,postgresql``). PostgreSQL is
skipped with a warning when it is not reachable, unless ``CARNET_REQUIRE_POSTGRES=1``
(CI), where that is a failure.

``CARNET_TEST_PARALLEL=1`` runs the backends' passes at the same time (each has its own
RabbitMQ vhost, databases, ports and temporary folder), each into a log of its own that
is printed whole when both have ended: most of a pass is waiting on processes and round
trips, so two of them share this machine's two cores well (~12 min instead of ~20 here).
``.ci/run`` does; ``CARNET_TEST_PARALLEL=0`` runs them one after the other. (Parallel runs
were off for a while: under their load a registration instance restarted by a test once
answered ``MethodNotFound`` to every RPC. It was a stop that came while its consumers were
starting, which Nameko 2.14.1 does not handle; ``services/common/service.py: stop_safely``
does, and ``tests/common/test_stop_during_startup.py`` reproduces it.)
"""
import os
import subprocess
import sys
import tempfile
import time

from tests.support.environment import postgres_reachable


def _backends():
    backends = []
    for backend in os.environ.get("CARNET_TEST_DATABASES", "sqlite,postgresql").split(","):
        backend = backend.strip()
        if backend == "postgresql" and not postgres_reachable():
            if os.environ.get("CARNET_REQUIRE_POSTGRES") == "1":
                print("PostgreSQL is not reachable at 127.0.0.1:5432 and is required.")
                return None
            print("\n*** PostgreSQL is not reachable (CARNET_TEST_PG_URL): the PostgreSQL run "
                  "is SKIPPED. Start it to test against the production database. ***\n")
            continue
        backends.append(backend)
    return backends


def _one_after_the_other(backends, argv):
    failed = []
    for backend in backends:
        print(f"\n===== test suite on {backend} =====", flush=True)
        env = dict(os.environ, CARNET_TEST_DB=backend)
        if subprocess.call([sys.executable, "-m", "pytest", *argv], env=env) != 0:
            failed.append(backend)
    return failed


def _at_the_same_time(backends, argv):
    workdir = tempfile.mkdtemp(prefix="carnet-tests-")
    runs = {}
    for backend in backends:
        log = open(os.path.join(workdir, f"{backend}.log"), "w")
        env = dict(os.environ, CARNET_TEST_DB=backend)
        # own temporary folder (pytest's numbered folders are cleaned by whichever session
        # starts next) and no shared cache file written by both at once
        args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                f"--basetemp={os.path.join(workdir, backend)}", *argv]
        runs[backend] = (subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT),
                         log, time.monotonic())
        print(f"test suite on {backend}: started (log: {log.name})", flush=True)
    failed = []
    for backend, (proc, log, started) in runs.items():
        code = proc.wait()
        log.close()
        print(f"\n===== test suite on {backend} ({time.monotonic() - started:.0f} s, "
              f"exit {code}) =====", flush=True)
        with open(log.name, errors="replace") as out:
            sys.stdout.write(out.read())
        sys.stdout.flush()
        if code != 0:
            failed.append(backend)
    return failed


def main(argv):
    from carnet.cli import check_broker
    if check_broker():
        return 1
    backends = _backends()
    if backends is None:
        return 1
    parallel = os.environ.get("CARNET_TEST_PARALLEL") == "1" and len(backends) > 1
    failed = (_at_the_same_time if parallel else _one_after_the_other)(backends, argv)
    if failed:
        print(f"FAILED on: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
