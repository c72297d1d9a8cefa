"""The passes service's use cases, one function per RPC (``def debit_pass(ctx, org_id, …)``),
one module per topic: ``passes`` (sale, grant, expiry, reads), ``pass_uses`` (debit, credit),
``reports``, ``bundles``, ``memberships``, ``revocation`` (voided invoices). Each opens its
units of work, asks peers before any write transaction, calls the rules in ``domain/`` and
emits its events (``contract/events.py``) in the transaction of the change."""
