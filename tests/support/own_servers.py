"""A RabbitMQ and a PostgreSQL of a test's own, on other ports, to stop and start at will.

The machine's shared broker (5672) and PostgreSQL (5432) are used by other people and are
never restarted by a test. These servers live in a temporary folder and die with the test:

    broker = OwnRabbit(tmp_path / "rabbit"); broker.start()
    broker.stop(); broker.start()          # the same node, same port, same durable queues
    broker.close()

    pg = OwnPostgres(); pg.start()              # in a /tmp folder of its own
    pg.url("carnet_catalog")               # databases are created by the services
    pg.restart(); pg.close()

Both are started and awaited with their own tools (``rabbitmqctl await_startup``,
``pg_isready``); nothing here sleeps in place of a readiness check.
"""
import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.stack import free_port

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")


def _pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def own_servers_available():
    """Why these tests cannot run here, or None."""
    if not (RABBIT_BIN / "rabbitmq-server").exists():
        return "rabbitmq-server is not installed (/usr/lib/rabbitmq/bin)"
    return None


def own_postgres_available():
    if _pg_bin() is None:
        return "PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run PostgreSQL as"
    return None


class OwnRabbit:
    """One RabbitMQ node (``carnet-fault-<id>@localhost``) with its own cookie, ports,
    data and logs under ``workdir``; no plugins (no management listener)."""

    def __init__(self, workdir, cookie=None):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.node = f"carnet-fault-{secrets.token_hex(4)}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.proc = None
        self.log = open(self.dir / "server.log", "ab")
        secret, cookie = cookie, self.dir / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20).upper() if secret is None else secret)
        cookie.chmod(0o400)
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n")
        self.env = dict(
            os.environ, HOME=str(self.dir), RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1", RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.dir / "mnesia"), RABBITMQ_LOG_BASE=str(self.dir / "log"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.dir / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(self.dir / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(self.dir / "advanced.config"),
            RABBITMQ_PID_FILE=str(self.dir / "rabbit.pid"))

    @property
    def amqp_uri(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def ctl(self, *args, timeout=120):
        return subprocess.run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, *args],
                              env=self.env, cwd=self.dir, capture_output=True, text=True,
                              timeout=timeout)

    def start(self, timeout=100):
        self.proc = subprocess.Popen([str(RABBIT_BIN / "rabbitmq-server")], env=self.env,
                                     cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.await_startup(timeout)

    def await_startup(self, timeout=100):
        # await_startup fails at once until the node has registered with epmd: ask again
        deadline = time.monotonic() + timeout
        while True:
            left = max(1, int(deadline - time.monotonic()))
            result = self.ctl("await_startup", "--timeout", str(left), timeout=left + 30)
            if result.returncode == 0:
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"own RabbitMQ did not start: {result.stdout}"
                                   f"{result.stderr}\n{(self.dir / 'server.log').read_text()[-2000:]}")

    def stop(self):
        """A clean broker shutdown (what a restart or an upgrade does)."""
        if self.proc is None:
            return
        self.ctl("stop")
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def kill(self):
        """The node dies at once (``SIGKILL`` to its Erlang VM): what a crash, an OOM kill or
        a lost machine does. Its clients' connections are reset; nothing is handed over."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None

    def close(self):
        try:
            self.stop()
        finally:
            self.log.close()


class OwnRabbitCluster:
    """Three (``size``) :class:`OwnRabbit` nodes on this machine joined into one RabbitMQ
    cluster: one Erlang cookie for all (a cluster's nodes must share it), each with its own
    name, AMQP and distribution ports, data and logs (``RABBITMQ_NODENAME``,
    ``RABBITMQ_NODE_PORT``, ``RABBITMQ_DIST_PORT``, ``RABBITMQ_MNESIA_BASE``/``LOG_BASE``).
    The nodes boot together; every node but the first then joins it
    (``rabbitmqctl stop_app / join_cluster / start_app``)::

        cluster = OwnRabbitCluster(tmp_path / "cluster"); cluster.start()
        cluster.amqp_uri                    # "amqp://…:p1/;amqp://…:p2/;amqp://…:p3/"
        cluster.nodes[0].kill(); cluster.nodes[0].start()   # it rejoins by itself
        cluster.close()
    """

    def __init__(self, workdir, size=3):
        cookie = secrets.token_hex(20).upper()
        self.nodes = [OwnRabbit(Path(workdir) / f"node{i}", cookie=cookie) for i in range(size)]

    @property
    def amqp_uri(self):
        """Every node's address, ``;``-separated (kombu's failover list)."""
        return ";".join(node.amqp_uri for node in self.nodes)

    def start(self, timeout=150):
        procs = []
        for node in self.nodes:  # boot concurrently: each boot takes 10-25 s here
            node.proc = subprocess.Popen([str(RABBIT_BIN / "rabbitmq-server")], env=node.env,
                                         cwd=node.dir, stdout=node.log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            procs.append(node.proc)
        for node in self.nodes:
            node.await_startup(timeout)
        first = self.nodes[0].node
        for node in self.nodes[1:]:
            for step in (("stop_app",), ("join_cluster", first), ("start_app",)):
                result = node.ctl(*step)
                if result.returncode != 0:
                    raise RuntimeError(f"{node.node}: rabbitmqctl {' '.join(step)} failed: "
                                       f"{result.stdout}{result.stderr}")
            node.await_startup(timeout)
        wait_until(lambda: len(self.running_nodes()) == len(self.nodes), 60,
                   what="every node running in the cluster")

    def running_nodes(self, via=None):
        """The cluster's running nodes, as one live node (``via``) sees them."""
        node = via or next(n for n in self.nodes if n.proc is not None)
        result = node.ctl("cluster_status", "--formatter", "json")
        if result.returncode != 0:
            return []
        import json
        return json.loads(result.stdout).get("running_nodes", [])

    def ctl(self, *args, via=None):
        """``rabbitmqctl`` on a live node (the cluster's definitions are shared)."""
        node = via or next(n for n in self.nodes if n.proc is not None)
        return node.ctl(*args)

    def close(self):
        errors = []
        for node in reversed(self.nodes):
            try:
                node.kill()  # the data is thrown away with the folder: no clean stop needed
                node.log.close()
            except Exception as error:  # close the others anyway
                errors.append(error)
        if errors:
            raise errors[0]


class OwnPostgres:
    """A PostgreSQL cluster under ``workdir`` on a loopback port, trust auth, run as the
    ``postgres`` user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self):
        # its own folder under /tmp: pytest's temporary folders are private to root
        self.dir = Path(tempfile.mkdtemp(prefix="carnet-fault-pg-"))
        self.bin = _pg_bin()
        self.port = free_port()
        self.data = self.dir / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            shutil.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8")

    def _run(self, tool, *args, timeout=120):
        command = [str(self.bin / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, cwd=self.dir, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}{result.stderr}")
        return result

    def url(self, database="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self):
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=200 -c fsync=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"),
                  "-o", options, "-w", "-t", "90", "start")

    def stop(self, mode="fast"):
        """``fast``: what a restart does (sessions are ended, open transactions roll back)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self):
        return (self.data / "postmaster.pid").exists()

    def close(self):
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def wait_until(condition, timeout, interval=0.2, what="condition"):
    """Poll ``condition`` until it returns a truthy value (returned) or ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout} s")
        time.sleep(interval)  # polling interval of a condition with a deadline
