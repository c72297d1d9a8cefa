"""Notifications rules: which event tells whom what (``notices``), how it reads in French
and English (``templates``, ``formatting``). Plain Python, no I/O."""
