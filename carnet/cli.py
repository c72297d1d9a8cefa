"""The ``carnet`` command: run the platform, bootstrap an org, check the broker.

    carnet run                       all services, the gateway and a local SMTP catcher (one
                                     terminal; a process that dies is restarted, Ctrl-C
                                     stops them all)
    carnet bootstrap --org NAME --timezone TZ --currency CUR [--locale fr|en] [--json]
    carnet check-broker              exit 1 with instructions when RabbitMQ is not reachable
"""
import argparse
import json
import os
import socket
import sys
from urllib.parse import urlparse

from services.common import config

BROKER_HELP = """\
RabbitMQ is not reachable at {uri}.
Carnet's services talk over RabbitMQ. Start it, then run this again:
  - installed (Debian/Ubuntu):  sudo rabbitmq-server -detached     (or: sudo systemctl start rabbitmq-server)
  - not installed (Debian/Ubuntu): sudo apt-get install -y rabbitmq-server && sudo rabbitmq-server -detached
  - macOS (Homebrew):           brew install rabbitmq && brew services start rabbitmq
  - with Docker:                docker run -d --name rabbitmq -p 5672:5672 rabbitmq:3
Or point AMQP_URI at a broker you already have (AMQP_URI=amqp://user:pass@host:5672/).
"""


def broker_reachable(uri, timeout=2.0):
    parsed = urlparse(uri)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672),
                                      timeout=timeout):
            pass
    except OSError:
        return False
    try:  # a TCP answer is not enough: check the AMQP handshake and credentials too
        from kombu import Connection
        with Connection(uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception:
        return False
    return True


def check_broker(_args=None):
    uri = config.amqp_uri()
    if not broker_reachable(uri):
        sys.stderr.write(BROKER_HELP.format(uri=uri))
        return 1
    return 0


def bootstrap(args):
    from services.common.rpc import RpcPool

    if check_broker():
        return 1
    rpc = RpcPool(size=1, timeout=float(config.env("CARNET_RPC_TIMEOUT", "15")))
    try:
        org = rpc.call("catalog", "create_org", {
            "name": args.org, "timezone": args.timezone, "currency": args.currency,
            "locale": args.locale})
        key = rpc.call("accounts", "create_api_key", org["id"],
                       {"role": "admin", "name": "bootstrap admin"})
    except Exception as error:  # noqa: BLE001 - a command line reports, it does not crash
        sys.stderr.write(f"bootstrap failed: {error}\n"
                         "Are the services running? Start them with `make run`.\n")
        return 1
    finally:
        rpc.close()
    result = {"org_id": org["id"], "api_key": key["api_key"]}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"org {org['name']} created: org_id={result['org_id']}")
        print(f"admin API key (shown once, keep it safe): {result['api_key']}")
    return 0


def run(args):
    if check_broker():
        return 1
    procfile = str(config.ROOT / "Procfile")
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(config.var_dir() / "prometheus"))
    os.environ.setdefault("PYTHONWARNINGS", config.QUIET_WARNINGS)
    # the notifications service e-mails the local SMTP catcher (Procfile ``mail``), which
    # writes each message under var/mail/ (docs/notifications.md)
    mail_dir = os.environ.setdefault("CARNET_MAIL_DIR", str(config.var_dir() / "mail"))
    print(f"carnet: e-mails sent by notifications are written to {mail_dir}/ (.eml files)")
    print_health_ports()
    # the Procfile's commands (nameko, gunicorn) live beside this interpreter
    bin_dir = os.path.dirname(sys.executable)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.chdir(config.ROOT)
    from carnet.runner import Runner, read_procfile
    return Runner(read_procfile(procfile), cwd=str(config.ROOT), env=dict(os.environ)).run()


def print_health_ports():
    """Where each process answers /health/live, /health/ready and /metrics (docs/operations.md)."""
    host = config.health_host()
    print("carnet: gateway http://127.0.0.1:8000 (/health, /health/live, /metrics); services:")
    for name in config.HEALTH_PORTS:
        port = config.health_port(name)[0]
        print(f"  {name:<15} http://{host}:{port}/metrics  /health/ready  /health/live")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="carnet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bootstrap", help="create an org and its first admin API key")
    b.add_argument("--org", required=True)
    b.add_argument("--timezone", required=True, help="IANA name, e.g. America/Montreal")
    b.add_argument("--currency", required=True, help="ISO 4217, e.g. CAD")
    b.add_argument("--locale", default="fr", choices=["fr", "en"])
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=bootstrap)
    sub.add_parser("run", help="run every service and the gateway").set_defaults(func=run)
    sub.add_parser("check-broker", help="is RabbitMQ reachable?").set_defaults(func=check_broker)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
