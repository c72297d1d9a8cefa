"""The services meet only through their contracts (.importlinter, docs/architecture.md).

``lint-imports`` (import-linter) builds the import graph of ``services``, ``gateway`` and
``bench`` and checks the contracts written in ``.importlinter``: no service imports another's
folder except its ``contract``; the gateway and bench see only contracts; inside a service
the layers go service → use cases → adapters → domain → contract; the domain does no I/O."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(cwd: Path):
    return subprocess.run([LINT, str(cwd / ".importlinter"), "--no-cache"],
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_every_import_contract_is_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " kept, 0 broken." in result.stdout, result.stdout


def copy_of_the_code(tmp_path: Path) -> Path:
    for folder in ("services", "gateway", "bench", "tests", "carnet"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "migrations", ".pytest-tmp", "*.db"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_a_service_importing_another_services_internals_is_refused(tmp_path):
    code = copy_of_the_code(tmp_path)
    with open(code / "services/catalog/service.py", "a") as module:
        module.write("\nfrom services.registration.domain import rules  # noqa\n")
    result = lint(code)
    assert result.returncode != 0
    assert "A service reaches another only through its contract BROKEN" in result.stdout
    assert "services.catalog.service -> services.registration.domain.rules" in result.stdout


def test_the_gateway_importing_a_services_adapters_is_refused(tmp_path):
    code = copy_of_the_code(tmp_path)
    with open(code / "gateway/rpc.py", "a") as module:
        module.write("\nfrom services.billing.adapters import models  # noqa\n")
    result = lint(code)
    assert result.returncode != 0
    assert "gateway is not allowed to import services.billing.adapters" in result.stdout


def test_a_domain_module_using_the_database_is_refused(tmp_path):
    code = copy_of_the_code(tmp_path)
    with open(code / "services/passes/domain/passes.py", "a") as module:
        module.write("\nfrom services.common import uow  # noqa\n")
    result = lint(code)
    assert result.returncode != 0
    assert "services.passes.domain is not allowed to import services.common.uow" in result.stdout
