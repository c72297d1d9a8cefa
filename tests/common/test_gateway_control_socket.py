"""Two gateways on one host must not share gunicorn's control socket (issue 14): its
default path is one per user ($HOME/.gunicorn/gunicorn.ctl), so starting a second gateway
replaced the first's and stopping it deleted it. The gateway's gunicorn settings turn it
off, or put it at the path given for this instance."""
import runpy
from pathlib import Path

CONF = str(Path(__file__).resolve().parents[2] / "gateway" / "gunicorn.conf.py")


def settings(monkeypatch, **env):
    monkeypatch.delenv("CARNET_GATEWAY_CONTROL_SOCKET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_no_control_socket_unless_asked(monkeypatch):
    found = settings(monkeypatch)
    assert found["control_socket_disable"] is True
    assert "control_socket" not in found


def test_each_instance_has_its_own_control_socket(monkeypatch, tmp_path):
    first = settings(monkeypatch, CARNET_GATEWAY_CONTROL_SOCKET=str(tmp_path / "a.ctl"))
    second = settings(monkeypatch, CARNET_GATEWAY_CONTROL_SOCKET=str(tmp_path / "b.ctl"))
    assert first["control_socket"] != second["control_socket"]
    assert "control_socket_disable" not in first
