"""Marshmallow contracts of registration's RPC methods and events."""
