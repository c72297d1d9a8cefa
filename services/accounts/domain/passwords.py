"""Customer passwords (R1.2: an owner has an optional password).

Policy: 8 to 256 characters, not only spaces. Length is what matters; composition rules
push people towards predictable patterns (NIST SP 800-63B). Stored as argon2id hashes.
"""
MIN_LENGTH = 8
MAX_LENGTH = 256


def policy_problems(password) -> list:
    """What is wrong with ``password`` (empty list: acceptable)."""
    if not isinstance(password, str):
        return ["must be a string"]
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if password and not password.strip():
        problems.append("must not be only spaces")
    return problems
