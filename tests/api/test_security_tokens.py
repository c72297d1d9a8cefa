"""Tokens cannot be forged (issue 11, 2): no secret is known from the source (without
CARNET_JWT_SECRET a random one is generated once into the var dir and shared by every
process; in production the processes refuse to start without one), and a token's lifetime
is capped on verification."""
import os
import stat
import subprocess
import sys
import time

from services.accounts.domain import api_keys
from services.common.config import ROOT
from tests.api.test_security_support import OLD_SOURCE_SECRET, extra_gateways, forge
from tests.support.client import error_of
from tests.support.stack import BIN

CENTURY = 100 * 365 * 24 * 3600


def key_id(org):
    return api_keys.parse(org.api_key)[0]


def test_without_a_secret_the_old_source_secret_opens_nothing(stack, new_org, tmp_path):
    org = new_org()
    var = tmp_path / "var"
    forged = forge(OLD_SOURCE_SECRET, sub=key_id(org), org=org.id, role="admin")
    with extra_gateways(stack, tmp_path, env={"CARNET_VAR_DIR": str(var)},
                        unset=("CARNET_JWT_SECRET",)) as (gateway,):
        error_of(gateway.with_token(forged).get(org.path("/staff")), 401, "unauthenticated")
        error_of(gateway.with_token(forged).post(org.path("/api-keys"), json={
            "role": "admin", "name": "intruder"}), 401, "unauthenticated")
    secret_file = var / "jwt_secret"
    assert secret_file.exists()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) >= 32 and secret != OLD_SOURCE_SECRET


def test_a_token_valid_for_a_century_is_refused(api, new_org, test_env):
    org = new_org()
    secret = test_env.env["CARNET_JWT_SECRET"]
    forever = forge(secret, sub=key_id(org), org=org.id, role="admin", lifetime=CENTURY)
    error_of(api.with_token(forever).get(org.path("/staff")), 401, "unauthenticated")
    # the same claims within the configured lifetime are accepted: only the length differs
    fine = forge(secret, sub=key_id(org), org=org.id, role="admin", lifetime=600)
    assert api.with_token(fine).get(org.path("/staff")).status_code == 200


def test_tokens_issued_in_the_future_or_without_dates_are_refused(api, new_org, test_env):
    org = new_org()
    secret = test_env.env["CARNET_JWT_SECRET"]
    later = forge(secret, sub=key_id(org), org=org.id, role="admin",
                  issued=int(time.time()) + 3600, lifetime=600)
    error_of(api.with_token(later).get(org.path("/staff")), 401, "unauthenticated")
    import jwt
    undated = jwt.encode({"sub": key_id(org), "org": org.id, "role": "admin", "cv": 0,
                          "exp": int(time.time()) + 600}, secret, algorithm="HS256")
    error_of(api.with_token(undated).get(org.path("/staff")), 401, "unauthenticated")


_SECRET_OF = ("import logging, sys; logging.basicConfig(level=logging.INFO); "
              "from services.common import config; print(config.jwt_secret())")


def test_the_secret_file_is_created_once_and_shared(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CARNET_JWT_SECRET"}
    env["CARNET_VAR_DIR"] = str(tmp_path)
    env.pop("CARNET_ENV", None)
    racers = [subprocess.Popen([sys.executable, "-c", _SECRET_OF], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(6)]
    outputs = [proc.communicate(timeout=60) for proc in racers]
    assert all(proc.returncode == 0 for proc in racers), outputs
    secrets_seen = {out.strip() for out, _ in outputs}
    assert len(secrets_seen) == 1, secrets_seen
    (secret,) = secrets_seen
    assert (tmp_path / "jwt_secret").read_text().strip() == secret
    assert stat.S_IMODE((tmp_path / "jwt_secret").stat().st_mode) == 0o600
    assert sum("generated a random token secret" in err for _, err in outputs) == 1
    assert list(tmp_path.iterdir()) == [tmp_path / "jwt_secret"]  # no temporary file left
    again = subprocess.run([sys.executable, "-c", _SECRET_OF], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.stdout.strip() == secret and "generated" not in again.stderr


def test_in_production_no_process_starts_without_a_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CARNET_JWT_SECRET"}
    env.update(CARNET_ENV="production", CARNET_VAR_DIR=str(tmp_path),
               AMQP_URI="amqp://guest:guest@127.0.0.1:1/",  # never reached
               CARNET_GATEWAY_BIND="127.0.0.1:0", CARNET_GATEWAY_WORKERS="1")
    commands = {
        "gateway": [str(BIN / "gunicorn"), "-c", str(ROOT / "gateway/gunicorn.conf.py"),
                    "gateway.wsgi:app"],
        "accounts": [str(BIN / "nameko"), "run", "--config", str(ROOT / "deploy/nameko.yaml"),
                     "services.accounts.service:AccountsService"],
    }
    for name, command in commands.items():
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode != 0, name
        assert "CARNET_JWT_SECRET is not set" in result.stdout + result.stderr, name
    assert not (tmp_path / "jwt_secret").exists()
