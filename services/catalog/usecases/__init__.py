"""The catalog's use cases, one function per RPC, by topic: ``orgs`` (orgs and taxes),
``activities`` (programs, activities and their schedules), ``occurrences``, ``seats``
(seat conversions, R2.6), ``products`` (services, pass/bundle/membership types,
subscription plans), ``edits`` (audited edits of products). Each takes a
:class:`~.context.Context` first."""
