"""Customer passwords (R1.2: an owner has an optional password).

Policy: 8 to 256 characters, not only spaces. Length is what matters; composition rules
push people towards predictable patterns (NIST SP 800-63B). Stored as argon2id hashes.
"""
from ..contract.credentials import MAX_LENGTH, MIN_LENGTH, policy_problems  # noqa: F401
