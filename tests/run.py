"""``make test``: the suite once per database backend (SQLite, then PostgreSQL).

    python -m tests.run [pytest args…]

``CARNET_TEST_DATABASES`` picks backends (default ``sqlite,postgresql``). PostgreSQL is
skipped with a warning when it is not reachable, unless ``CARNET_REQUIRE_POSTGRES=1``
(CI), where that is a failure.
"""
import os
import subprocess
import sys

from tests.support.environment import postgres_reachable


def main(argv):
    from carnet.cli import check_broker
    if check_broker():
        return 1
    backends = os.environ.get("CARNET_TEST_DATABASES", "sqlite,postgresql").split(",")
    failed = []
    for backend in backends:
        backend = backend.strip()
        if backend == "postgresql" and not postgres_reachable():
            if os.environ.get("CARNET_REQUIRE_POSTGRES") == "1":
                print("PostgreSQL is not reachable at 127.0.0.1:5432 and is required.")
                return 1
            print("\n*** PostgreSQL is not reachable (CARNET_TEST_PG_URL): the PostgreSQL run "
                  "is SKIPPED. Start it to test against the production database. ***\n")
            continue
        print(f"\n===== test suite on {backend} =====", flush=True)
        env = dict(os.environ, CARNET_TEST_DB=backend)
        code = subprocess.call([sys.executable, "-m", "pytest", *argv], env=env)
        if code != 0:
            failed.append(backend)
    if failed:
        print(f"FAILED on: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
