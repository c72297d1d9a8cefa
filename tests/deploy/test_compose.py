"""docker-compose.yml and deploy/Dockerfile kept in step with the Procfile and deploy/k8s,
checked statically (no container daemon on the machines that run the tests)."""
import re
import shlex

import yaml

from services.common.config import ROOT
from tests.deploy.conftest import DEV_ONLY, k8s_name, procfile, render

SECRET_VARS = ("CARNET_JWT_SECRET", "_DATABASE_URL", "POSTGRES_PASSWORD")
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?+])?([^}]*)\}")


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def argv(command):
    return command if isinstance(command, list) else shlex.split(command)


def test_every_procfile_process_is_a_compose_service_with_the_same_command():
    services = compose()["services"]
    for name, command in procfile().items():
        assert name in services, name
        assert argv(services[name]["command"]) == command, name


def test_secrets_are_required_never_defaulted():
    """``${VAR:?message}`` (compose refuses to start without it), never ``${VAR:-default}``
    nor a literal value, for the JWT secret, the database URLs and PostgreSQL's password."""
    checked = 0
    for name, service in compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if not any(marker in key for marker in SECRET_VARS):
                continue
            found = INTERPOLATION.findall(str(value))
            assert found, f"{name}.{key} is a literal: {value}"
            for _var, operator, _rest in found:
                assert operator in (":?", "?"), f"{name}.{key} has a default: {value}"
            checked += 1
    assert checked >= 8 * len(set(procfile()) - DEV_ONLY)


def test_compose_and_kubernetes_run_the_same_commands_with_the_same_secrets():
    services = compose()["services"]
    deployments = {doc["metadata"]["name"]: doc for doc in render("base")
                   if doc["kind"] == "Deployment"}
    for name in set(procfile()) - DEV_ONLY:
        (container,) = deployments[k8s_name(name)]["spec"]["template"]["spec"]["containers"]
        assert container["command"] == argv(services[name]["command"]), name
        k8s_secrets = {item["name"] for item in container["env"]
                       if "secretKeyRef" in item.get("valueFrom", {})
                       and item["valueFrom"]["secretKeyRef"]["name"] == "carnet-secrets"}
        assert k8s_secrets <= set(services[name]["environment"]), name


def test_the_image_runs_as_the_user_the_pods_require():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    uid = int(re.search(r"useradd .*--uid (\d+)", dockerfile).group(1))
    assert re.search(r"^USER carnet$", dockerfile, re.M)
    for doc in render("base"):
        if doc["kind"] == "Deployment":
            assert doc["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid


def test_compose_probes_the_ports_the_services_listen_on():
    services = compose()["services"]
    deployments = {doc["metadata"]["name"]: doc for doc in render("base")
                   if doc["kind"] == "Deployment"}
    config_map = next(doc for doc in render("base") if doc["kind"] == "ConfigMap")
    for name in set(procfile()) - DEV_ONLY - {"gateway"}:
        port = services[name]["environment"]["CARNET_HEALTH_PORT"]
        assert port == config_map["data"]["CARNET_HEALTH_PORT"]
        assert f"127.0.0.1:{port}/health/ready" in " ".join(services[name]["healthcheck"]["test"])
        (container,) = deployments[k8s_name(name)]["spec"]["template"]["spec"]["containers"]
        assert container["ports"] == [{"name": "health", "containerPort": int(port)}]
    gateway = services["gateway"]
    assert gateway["environment"]["CARNET_GATEWAY_BIND"].endswith(":8000")
    assert "127.0.0.1:8000/health/live" in " ".join(gateway["healthcheck"]["test"])
