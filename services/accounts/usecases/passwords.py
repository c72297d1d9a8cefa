"""Customers' passwords: signing in, changing one, and resetting a forgotten one by an
e-mailed link (docs/policies.md, docs/security.md).

Password reset: ``request_password_reset`` answers the same whether the e-mail exists or
not; for an account it stores a one-time token (its SHA-256 only, valid
``CARNET_PASSWORD_RESET_TTL_SECONDS``) and emits ``password_reset_requested`` with the link
(the notifications service sends it). A new request for the same account within
``CARNET_PASSWORD_RESET_MIN_INTERVAL`` seconds issues nothing (the same answer): at most
one e-mail per interval, whoever asks. ``confirm_password_reset`` sets the password and
uses up every token of the account.

Argon2 hashing runs before a write transaction opens, never inside it.
"""
import hashlib
import secrets
from datetime import timedelta

from services.common import config
from services.common.errors import InvalidInput

from ..adapters import passwords
from ..adapters.repositories import AccountRepository, AuditRepository, PasswordResetRepository
from ..contract import events, tokens
from ..contract.errors import (AccountNotFound, InvalidCredentials, InvalidResetToken,
                               WrongCurrentPassword)
from ..domain import people

BAD_CREDENTIALS = "the email or password is not correct"


def _reset_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(ctx, org_id, email, password) -> dict:
    with ctx.db.uow(readonly=True) as uow:
        account = AccountRepository(uow.session).by_email(org_id, people.normalize_email(email))
        account_id = account.id if account else None
        stored_hash = account.password_hash if account else None
        version = account.credential_version if account else 0
    # Unknown email, account without a password, wrong password: one answer.
    if not passwords.verify_password(stored_hash, password):
        raise InvalidCredentials(BAD_CREDENTIALS)
    return tokens.issue(config.jwt_secret(), subject=account_id, org_id=org_id,
                        role="customer", account_id=account_id, now=ctx.clock.now(),
                        ttl_seconds=config.token_ttl_seconds(), credential_version=version)


def change_password(ctx, org_id, account_id, data, require_current=True):
    """Set the account's password. The account's own customer proves the current one
    (``require_current``); staff set one without it. Every token issued before is then
    refused (the credential version grows)."""
    if require_current and not data["current_password"]:
        raise InvalidInput("the request is not valid",
                           {"current_password": ["is required to change your password"]})
    with ctx.db.uow(readonly=True) as uow:
        account = AccountRepository(uow.session).get(org_id, account_id)
        if account is None:
            raise AccountNotFound("no such account", {"account_id": account_id})
        stored_hash = account.password_hash
    if require_current and not passwords.verify_password(stored_hash,
                                                         data["current_password"]):
        raise WrongCurrentPassword("the request is not valid",
                                   {"current_password": ["is not correct"]})
    new_hash = passwords.hash_password(data["new_password"])  # outside the transaction
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        account = AccountRepository(uow.session).get_for_update(org_id, account_id)
        if require_current and account.password_hash != stored_hash:
            # changed by someone else since it was checked: check again
            raise WrongCurrentPassword("the request is not valid",
                                       {"current_password": ["is not correct"]})
        account.password_hash = new_hash
        account.credential_version = (account.credential_version or 0) + 1
        uow.emit(events.ACCOUNT_PASSWORD_CHANGED, {
            "org_id": org_id, "account_id": account_id,
            "credential_version": account.credential_version}, occurred_at=now)
        uow.commit()


def request_password_reset(ctx, org_id, email) -> dict:
    email = people.normalize_email(email)
    now = ctx.clock.now()
    ttl = int(config.env("CARNET_PASSWORD_RESET_TTL_SECONDS", "3600"))
    interval = int(config.env("CARNET_PASSWORD_RESET_MIN_INTERVAL", "60"))
    token = secrets.token_urlsafe(32)
    with ctx.db.uow() as uow:
        account = AccountRepository(uow.session).by_email(org_id, email)
        resets = PasswordResetRepository(uow.session)
        if account is not None and not resets.issued_since(
                account.id, now - timedelta(seconds=interval)):
            expires_at = now + timedelta(seconds=ttl)
            resets.add(org_id, account.id, _reset_hash(token), expires_at, now)
            base = config.env("CARNET_PUBLIC_URL", "http://localhost:8000").rstrip("/")
            uow.emit(events.PASSWORD_RESET_REQUESTED, {
                "org_id": org_id, "account_id": account.id, "email": account.email,
                "reset_url": f"{base}/shop/{org_id}/password-reset?token={token}",
                "expires_at": expires_at.isoformat()}, occurred_at=now)
            uow.commit()
    return {"status": "accepted"}


def confirm_password_reset(ctx, token, password) -> dict:
    password_hash = passwords.hash_password(password)  # before the transaction
    now = ctx.clock.now()
    refused = InvalidResetToken("this reset link is not valid or has expired; ask for "
                                "a new one", {"token": ["not valid"]})
    with ctx.db.uow() as uow:
        resets = PasswordResetRepository(uow.session)
        row = resets.by_hash_for_update(_reset_hash(token))
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise refused
        account = AccountRepository(uow.session).get_for_update(row.org_id, row.account_id)
        if account is None:
            raise refused
        account.password_hash = password_hash
        # a reset ends every session, like a password change (docs/security.md)
        account.credential_version = (account.credential_version or 0) + 1
        resets.use_up(row.account_id, now)
        AuditRepository(uow.session).add(row.org_id, "account", row.account_id,
                                         "password_reset", f"customer:{row.account_id}",
                                         None, None, now)
        uow.emit(events.PASSWORD_RESET_COMPLETED, {"org_id": row.org_id,
                                                   "account_id": row.account_id},
                 occurred_at=now)
        uow.commit()
    return {"status": "done"}
