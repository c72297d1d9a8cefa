"""JSON schemas of the two operators' custom resources, for the fields Carnet's manifests use.

The CRDs themselves cannot be downloaded on the machines that run ``make test`` (no network
beyond package registries), so these are written by hand from the operators' documented
API references, and only cover what ``deploy/k8s`` sets:

- RabbitMQ Cluster Operator, ``rabbitmq.com/v1beta1`` ``RabbitmqCluster``
  (https://www.rabbitmq.com/kubernetes/operator/using-operator, API reference
  ``RabbitmqClusterSpec``);
- CloudNativePG, ``postgresql.cnpg.io/v1`` ``Cluster`` (https://cloudnative-pg.io/documentation/
  current/cloudnative-pg.v1/, ``ClusterSpec``, ``BootstrapInitDB``, ``StorageConfiguration``).

``additionalProperties: false`` everywhere we list fields: a misspelt or invented field fails,
as the real structural CRD schema would prune or reject it.
"""

QUANTITY = {"anyOf": [{"type": "integer", "minimum": 0},
                      {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$"}]}
RESOURCES = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "requests": {"type": "object", "additionalProperties": QUANTITY,
                     "propertyNames": {"enum": ["cpu", "memory", "ephemeral-storage"]}},
        "limits": {"type": "object", "additionalProperties": QUANTITY,
                   "propertyNames": {"enum": ["cpu", "memory", "ephemeral-storage"]}},
    },
}
METADATA = {
    "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                            "maxLength": 63},
                   "namespace": {"type": "string"},
                   "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                   "annotations": {"type": "object", "additionalProperties": {"type": "string"}}},
}


def _resource(api_version, kind, spec):
    return {
        "type": "object", "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {"apiVersion": {"const": api_version}, "kind": {"const": kind},
                       "metadata": METADATA, "spec": spec},
    }


RABBITMQ_CLUSTER = _resource("rabbitmq.com/v1beta1", "RabbitmqCluster", {
    "type": "object", "additionalProperties": False,
    "properties": {
        "replicas": {"type": "integer", "minimum": 0},
        "image": {"type": "string"},
        "imagePullSecrets": {"type": "array"},
        "service": {"type": "object", "additionalProperties": False,
                    "properties": {"type": {"enum": ["ClusterIP", "LoadBalancer", "NodePort"]},
                                   "annotations": {"type": "object"}}},
        "persistence": {"type": "object", "additionalProperties": False,
                        "properties": {"storageClassName": {"type": "string"},
                                       "storage": QUANTITY}},
        "resources": RESOURCES,
        "affinity": {"type": "object"},
        "tolerations": {"type": "array"},
        "terminationGracePeriodSeconds": {"type": "integer", "minimum": 0},
        "rabbitmq": {"type": "object", "additionalProperties": False,
                     "properties": {
                         "additionalPlugins": {"type": "array", "maxItems": 100,
                                               "items": {"type": "string",
                                                         "pattern": "^\\w+$"}},
                         "additionalConfig": {"type": "string", "maxLength": 100000},
                         "advancedConfig": {"type": "string", "maxLength": 100000},
                         "envConfig": {"type": "string", "maxLength": 100000}}},
        "tls": {"type": "object"},
        "override": {"type": "object"},
    },
})

CNPG_CLUSTER = _resource("postgresql.cnpg.io/v1", "Cluster", {
    "type": "object", "additionalProperties": False, "required": ["instances", "storage"],
    "properties": {
        "instances": {"type": "integer", "minimum": 1},
        "imageName": {"type": "string"},
        "description": {"type": "string"},
        "storage": {"type": "object", "additionalProperties": False,
                    "properties": {"size": QUANTITY, "storageClass": {"type": "string"},
                                   "resizeInUseVolumes": {"type": "boolean"}}},
        "resources": RESOURCES,
        "postgresql": {"type": "object", "additionalProperties": False,
                       "properties": {"parameters": {"type": "object",
                                                     "additionalProperties": {"type": "string"}},
                                      "pg_hba": {"type": "array", "items": {"type": "string"}}}},
        "bootstrap": {"type": "object", "additionalProperties": False,
                      "properties": {"initdb": {
                          "type": "object", "additionalProperties": False,
                          "properties": {
                              "database": {"type": "string"},
                              "owner": {"type": "string"},
                              "secret": {"type": "object", "required": ["name"],
                                         "properties": {"name": {"type": "string"}}},
                              "encoding": {"type": "string"},
                              "postInitSQL": {"type": "array", "items": {"type": "string"}},
                              "postInitApplicationSQL": {"type": "array",
                                                         "items": {"type": "string"}},
                          }}}},
        "monitoring": {"type": "object", "additionalProperties": False,
                       "properties": {"enablePodMonitor": {"type": "boolean"}}},
        "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
        "affinity": {"type": "object"},
    },
})

SCHEMAS = {("rabbitmq.com/v1beta1", "RabbitmqCluster"): RABBITMQ_CLUSTER,
           ("postgresql.cnpg.io/v1", "Cluster"): CNPG_CLUSTER}
