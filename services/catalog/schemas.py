"""Marshmallow contracts of catalog's RPC methods and events."""
