"""API keys of admins and staff, and the tokens they are exchanged for (docs/http-api.md "Auth")."""
from services.common import config

from ..adapters.repositories import AccountRepository, ApiKeyRepository, api_key_dict
from ..adapters.models import ApiKey
from ..contract import events, tokens
from ..contract.errors import ApiKeyNotFound, InvalidApiKey, LastAdminKey
from ..domain import api_keys


def create_api_key(ctx, org_id, data) -> dict:
    new = api_keys.generate()
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        ApiKeyRepository(uow.session).add(ApiKey(
            id=new.id, org_id=org_id, name=data["name"], role=data["role"],
            secret_hash=new.secret_hash, created_at=now))
        uow.commit()
    return {"id": new.id, "name": data["name"], "role": data["role"], "api_key": new.api_key,
            "created_at": now.isoformat()}


def token_for_api_key(ctx, api_key) -> dict:
    parsed = api_keys.parse(api_key)
    if parsed is None:
        raise InvalidApiKey("the API key is not valid")
    key_id, secret = parsed
    with ctx.db.uow(readonly=True) as uow:
        key = ApiKeyRepository(uow.session).get(key_id)
        found = (key.secret_hash, key.org_id, key.role) \
            if key is not None and key.revoked_at is None else None
    # Unknown, revoked, wrong secret: one answer.
    if found is None or not api_keys.verify(secret, found[0]):
        raise InvalidApiKey("the API key is not valid")
    _, key_org, role = found
    return tokens.issue(config.jwt_secret(), subject=key_id, org_id=key_org, role=role,
                        now=ctx.clock.now(), ttl_seconds=config.token_ttl_seconds(),
                        credential_version=0)


def list_api_keys(ctx, org_id, limit, cursor) -> dict:
    """The org's keys, oldest first, revoked ones included; never a secret."""
    with ctx.db.uow(readonly=True) as uow:
        keys, next_cursor = ApiKeyRepository(uow.session).list(org_id, limit, cursor)
        return {"items": [api_key_dict(k) for k in keys], "next_cursor": next_cursor}


def revoke_api_key(ctx, org_id, key_id) -> dict:
    """Revoke a key (idempotent: a revoked key stays revoked, its first date kept). Its
    tokens are refused by the gateway within its credential cache's TTL. The org's last
    unrevoked admin key is kept (``last_admin_key``)."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = ApiKeyRepository(uow.session)
        # Admin keys first, in id order, then the key: two revocations at once lock in
        # the same order, and the second counts what the first left.
        admins = repo.active_admin_ids_for_update(org_id)
        key = repo.get_for_update(org_id, key_id)
        if key is None:
            raise ApiKeyNotFound("no such API key", {"key_id": key_id})
        if key.revoked_at is None:
            if key.role == "admin" and admins == [key.id]:
                raise LastAdminKey(
                    "this is the organisation's last admin key; create another admin "
                    "key before revoking it", {"key_id": key_id})
            key.revoked_at = now
            uow.emit(events.API_KEY_REVOKED, {"org_id": org_id, "key_id": key_id,
                                              "role": key.role,
                                              "revoked_at": now.isoformat()}, occurred_at=now)
        result = api_key_dict(key)
        uow.commit()
    return result


def credential_state(ctx, org_id, subject) -> dict:
    """``{version}``: the ``cv`` a token of ``subject`` (an API key or an account of
    ``org_id``) must carry to be accepted; ``None`` when the key is revoked or the
    subject unknown. Asked by the gateway, which caches the answer a few seconds."""
    version = None
    with ctx.db.uow(readonly=True) as uow:
        if subject.startswith(api_keys.ID_PREFIX + "_"):
            key = ApiKeyRepository(uow.session).get(subject)
            if key is not None and key.org_id == org_id and key.revoked_at is None:
                version = 0
        else:
            account = AccountRepository(uow.session).get(org_id, subject)
            if account is not None:
                version = account.credential_version
    return {"version": version}
