"""The deployment files are valid: Kubernetes manifests against the API's schemas, and the
nginx configuration as nginx itself reads it."""

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from assistance.settings import PROJECT_ROOT

MANIFESTS = sorted((PROJECT_ROOT / "deploy" / "kubernetes").glob("*.yaml"))


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_is_valid_kubernetes(path):
    for document in documents(path):
        kubernetes_validate.validate(document, "1.28.0", strict=True)


def test_the_manifests_use_the_project_s_commands_and_settings():
    kinds = {d["kind"] for p in MANIFESTS for d in documents(p)}
    assert {"Deployment", "Service", "Ingress", "ConfigMap", "NetworkPolicy"} <= kinds
    commands = [c["command"] for p in MANIFESTS for d in documents(p) if d["kind"] == "Deployment"
                for c in d["spec"]["template"]["spec"]["containers"]]
    assert ["python", "-m", "desk"] in commands
    assert any(c[:3] == ["python", "-m", "servers.rasa_server"] for c in commands)
    ingress = next(d for p in MANIFESTS for d in documents(p) if d["kind"] == "Ingress")
    public = [path["path"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert "/webhooks/rest/webhook" in public and "/conversations" not in public


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is installed by scripts/ensure_debian.sh (make test-integration)")
def test_the_nginx_configuration_is_accepted_by_nginx(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("nginx_conf", PROJECT_ROOT / "scripts" / "nginx_conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = module.render(tmp_path, rasa=["127.0.0.1:5005", "127.0.0.1:5006"], desk=["127.0.0.1:5080"],
                           public_listen="127.0.0.1:18443", desk_listen="127.0.0.1:18444",
                           log_dir=tmp_path, rates={"webhook": 5, "socketio": 20, "desk": 10, "login": 20})
    result = subprocess.run(["/usr/sbin/nginx", "-t", "-c", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
