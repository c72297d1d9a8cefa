"""The passes service: ledgers of passes (punch cards), salon bundles and memberships
(docs/contracts.md "passes"). Entry points in ``service.py``, rules in ``domain/``."""
