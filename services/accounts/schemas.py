"""Marshmallow contracts of accounts's RPC methods and events."""
