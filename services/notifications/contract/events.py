"""The events notifications publishes: none. It only consumes the other services' events
(``service.py``'s ``TOLD``) and records what it sent in its own sent log
(``list_notices``)."""
PAYLOADS = {}
VERSIONS = {}
