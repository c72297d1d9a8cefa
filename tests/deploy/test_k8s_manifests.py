"""deploy/k8s renders with kustomize and every object is valid offline: the built-in kinds
against the Kubernetes OpenAPI schemas (kubernetes-validate, strict: unknown fields fail),
the operators' custom resources against tests/deploy/operator_crds.py."""
import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.conftest import DEV_ONLY, OVERLAYS, k8s_name, procfile, render
from tests.deploy.operator_crds import SCHEMAS

KUBERNETES_VERSION = "1.33.0"  # the oldest Kubernetes release deploy/k8s targets
SECRET_KEYS = {"CARNET_JWT_SECRET", "ACCOUNTS_DATABASE_URL", "CATALOG_DATABASE_URL",
               "REGISTRATION_DATABASE_URL", "PASSES_DATABASE_URL", "BILLING_DATABASE_URL",
               "NOTIFICATIONS_DATABASE_URL", "GATEWAY_DATABASE_URL"}


def objects(overlay, kind=None):
    return [doc for doc in render(overlay) if kind is None or doc["kind"] == kind]


def by_name(overlay, kind):
    return {doc["metadata"]["name"]: doc for doc in objects(overlay, kind)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_offline(overlay):
    custom = 0
    for doc in objects(overlay):
        key = (doc["apiVersion"], doc["kind"])
        if key in SCHEMAS:
            jsonschema.validate(doc, SCHEMAS[key])
            custom += 1
        else:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert custom == 2


def test_the_validators_reject_a_wrong_field():
    """The checks above can fail: an invented field is refused by both validators."""
    deployment = dict(objects("base", "Deployment")[0])
    deployment["spec"] = dict(deployment["spec"], replica=2)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    cluster = objects("base", "Cluster")[0]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(cluster, spec=dict(cluster["spec"], instance=3)),
                            SCHEMAS[("postgresql.cnpg.io/v1", "Cluster")])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_deployment_per_process_with_the_procfile_command(overlay):
    deployments = by_name(overlay, "Deployment")
    expected = {k8s_name(name): argv for name, argv in procfile().items()
                if name not in DEV_ONLY}
    assert set(deployments) == set(expected)
    for name, argv in expected.items():
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["command"] == argv, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_resources_and_disruption_budgets(overlay):
    pdbs = {doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
            for doc in objects(overlay, "PodDisruptionBudget")}
    for name, deployment in by_name(overlay, "Deployment").items():
        pod = deployment["spec"]["template"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= \
            pod["metadata"]["labels"].items()
        (container,) = pod["spec"]["containers"]
        ports = {port["name"] for port in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["port"] in ports, (name, probe)
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert pod["metadata"]["labels"]["app.kubernetes.io/component"] in pdbs, name
    if overlay == "production":
        assert all("minAvailable" in doc["spec"]
                   for doc in objects(overlay, "PodDisruptionBudget"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_service_and_ingress_for_the_gateway(overlay):
    deployments = by_name(overlay, "Deployment")
    targets = {doc["spec"]["scaleTargetRef"]["name"]
               for doc in objects(overlay, "HorizontalPodAutoscaler")}
    assert targets == {"carnet-gateway", "carnet-registration", "carnet-billing"}
    assert targets <= set(deployments)
    (service,) = objects(overlay, "Service")
    gateway = deployments["carnet-gateway"]["spec"]["template"]
    assert service["spec"]["selector"].items() <= gateway["metadata"]["labels"].items()
    (ingress,) = objects(overlay, "Ingress")
    backends = {path["backend"]["service"]["name"] for rule in ingress["spec"]["rules"]
                for path in rule["http"]["paths"]}
    assert backends == {service["metadata"]["name"]}
    # the gateway also serves the pages (/shop/<org>, /desk/<org>): everything goes to it
    assert [path["path"] for rule in ingress["spec"]["rules"]
            for path in rule["http"]["paths"]] == ["/"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_come_from_a_secret_never_from_the_repository(overlay):
    assert objects(overlay, "Secret") == []  # created by the operator of the platform
    (config_map,) = objects(overlay, "ConfigMap")
    assert not SECRET_KEYS & set(config_map["data"])
    for name, deployment in by_name(overlay, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {item["name"]: item for item in container["env"]}
        assert env["CARNET_JWT_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == \
            "carnet-secrets"
        urls = [key for key in env if key.endswith("_DATABASE_URL")]
        assert urls, name
        for key in urls:
            assert "value" not in env[key]
            assert env[key]["valueFrom"]["secretKeyRef"] == {"name": "carnet-secrets",
                                                            "key": key}
        assert container["envFrom"] == [{"configMapRef": {"name": config_map["metadata"]
                                                          ["name"]}}]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_broker_and_database_come_from_their_operators(overlay):
    assert objects(overlay, "StatefulSet") == []
    (rabbit,) = objects(overlay, "RabbitmqCluster")
    (postgres,) = objects(overlay, "Cluster")
    if overlay == "production":
        assert rabbit["spec"]["replicas"] == 3 and postgres["spec"]["instances"] == 3
    created = " ".join(postgres["spec"]["bootstrap"]["initdb"]["postInitSQL"])
    for key in SECRET_KEYS - {"CARNET_JWT_SECRET", "ACCOUNTS_DATABASE_URL"}:
        database = "carnet_" + key.removesuffix("_DATABASE_URL").lower()
        assert f"CREATE DATABASE {database} " in created
