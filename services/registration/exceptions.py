"""Registration's typed errors (registered so they cross RPC as themselves)."""
