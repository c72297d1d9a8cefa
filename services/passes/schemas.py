"""Marshmallow contracts of passes's RPC methods and events."""
