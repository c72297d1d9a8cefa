"""The registration service's contract: the only part of it another service, the gateway or a client
may import (docs/architecture.md).

- `schemas`: the marshmallow schemas of its RPC arguments and results;
- `errors`: its typed errors (each with the API's error code), rebuilt as themselves across RPC;
- `events`: the events it publishes, their payloads and versions.

Nothing here may import the service's domain, adapters or entry points.
"""
