"""Static checks of the deployment files: no stack, no broker, no database needed."""
import shlex
import shutil
import subprocess

import pytest
import yaml

from services.common.config import ROOT

K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("base", "production")
DEV_ONLY = {"mail"}  # the Procfile's SMTP catcher: development only, never deployed


def procfile():
    """``{process: argv}`` from the Procfile, the one list of Carnet's processes."""
    out = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            out[name.strip()] = shlex.split(command)
    return out


_rendered = {}


def render(overlay):
    """``kubectl kustomize deploy/k8s/<overlay>``, parsed (cached per session)."""
    if overlay not in _rendered:
        kubectl = shutil.which("kubectl")
        if kubectl is None:
            pytest.fail("kubectl is needed to render deploy/k8s (apt-get install -y kubectl; "
                        ".ci/run installs it)")
        result = subprocess.run([kubectl, "kustomize", str(K8S / overlay)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        _rendered[overlay] = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return _rendered[overlay]


def k8s_name(process):
    return "carnet-" + process.replace("_", "-")
