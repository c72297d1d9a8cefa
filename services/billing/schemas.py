"""Marshmallow contracts of billing's RPC methods and events."""
