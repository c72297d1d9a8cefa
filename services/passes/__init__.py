"""The passes service: ledgers of passes (punch cards), salon bundles and memberships
(docs/contracts.md "passes", docs/passes.md). Entry points in ``service.py``, use cases in
``usecases/``, rules in ``domain/``, I/O in ``adapters/``, what others may import in
``contract/``."""
