"""The Dockerfile and the deploy/ examples, checked against the docs and the code so they
cannot drift (no container engine here: the image itself is not built)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from copilot_gateway.config_file import env_name
from copilot_gateway.settings import Settings
from copilot_gateway.spec.documents import load_spec
from docs_pages import page, section

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = DockerfileParser(path=str(ROOT / "Dockerfile"))
SETTING_VARIABLES = {env_name(name) for name in Settings.model_fields}


def instructions(kind: str) -> list[str]:
    return [step["value"] for step in DOCKERFILE.structure if step["instruction"] == kind]


def exec_form(value: str) -> str:
    """A JSON-array instruction (CMD, HEALTHCHECK's CMD) as the command line it runs."""
    return shlex.join(json.loads(value))


def documented_install_commands() -> list[str]:
    install = section(page("operating.md"), "Install")
    block = install[install.index("```sh\n") + 6 : install.index("```\n", install.index("```sh"))]
    lines = (line.split("#")[0].strip() for line in block.splitlines())
    return [line for line in lines if line]


def test_the_image_installs_and_starts_exactly_as_the_docs_say() -> None:
    install, serve = documented_install_commands()
    runs = [
        " ".join(arg for arg in shlex.split(run) if arg != "--no-cache-dir")
        for run in instructions("RUN")
    ]
    assert install in runs
    (command,) = instructions("CMD")
    assert exec_form(command) == serve


def test_the_image_runs_as_a_user_with_a_healthcheck_on_healthz() -> None:
    assert DOCKERFILE.baseimage.startswith("python:3.11-slim")
    (user,) = instructions("USER")
    assert user not in ("root", "0")
    assert any("--create-home --uid" in run and run.endswith(user) for run in instructions("RUN"))
    (healthcheck,) = instructions("HEALTHCHECK")
    probe = healthcheck[healthcheck.index("CMD") + 3 :].strip()
    assert "http://127.0.0.1:8080/healthz" in exec_form(probe)
    assert "/healthz" in load_spec("openai.yaml")["paths"]
    assert instructions("EXPOSE") == ["8080"]


def test_the_files_the_image_copies_build_a_complete_package(tmp_path: Path) -> None:
    stage = tmp_path / "image"
    for copy in instructions("COPY"):
        *sources, target = shlex.split(copy)
        for source in sources:
            into = stage / target / Path(source).name if target.endswith("/") else stage / target
            into.parent.mkdir(parents=True, exist_ok=True)
            copier = shutil.copytree if (ROOT / source).is_dir() else shutil.copy
            copier(ROOT / source, into)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(stage),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("copilot_gateway-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "copilot_gateway/openapi/openai.yaml" in names
    assert "copilot_gateway/emulator/app.py" in names
    assert "copilot_gateway/py.typed" in names  # its types reach its users (PEP 561)
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert (
        "copilot-gateway = copilot_gateway.cli:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


def kubernetes_objects() -> dict[str, dict]:
    documents = yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text())
    return {document["kind"]: document for document in documents}


def test_the_kubernetes_example_runs_replicas_behind_one_service_with_the_images_settings() -> None:
    objects = kubernetes_objects()
    deployment, service = objects["Deployment"], objects["Service"]
    assert deployment["spec"]["replicas"] > 1
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert str(container["ports"][0]["containerPort"]) == instructions("EXPOSE")[0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert str(pod["securityContext"]["runAsUser"]) in " ".join(instructions("RUN"))
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
    assert {item["name"] for item in container["env"]} <= SETTING_VARIABLES
    assert pod["terminationGracePeriodSeconds"] > Settings().shutdown_grace_seconds
    assert service["spec"]["selector"] == deployment["spec"]["template"]["metadata"]["labels"]


def test_the_compose_example_runs_replicas_behind_one_front_that_streams() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    gateway = compose["services"]["gateway"]
    assert gateway["deploy"]["replicas"] > 1
    assert set(gateway["environment"]) <= SETTING_VARIABLES | {"GITHUB_TOKEN"}
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_buffering off;" in nginx  # else SSE chunks arrive in batches
    limit = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert limit and int(limit.group(1)) * 1024 * 1024 == Settings().max_body_bytes


def test_the_examples_share_one_postgresql_and_one_redis_between_their_replicas() -> None:
    """Stored responses, keys and the ledger in PostgreSQL, limits, budgets and affinity in
    Redis: each example runs both and points every replica at them."""
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()))
    services = {d["metadata"]["name"] for d in documents if d["kind"] == "Service"}
    gateway = next(d for d in documents if d["metadata"]["name"] == "copilot-gateway")
    (container,) = gateway["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item.get("value", "") for item in container["env"]}
    assert urlsplit(env["GATEWAY_DATABASE_URL"]).hostname in services
    assert urlsplit(env["GATEWAY_REDIS_URL"]).hostname in services
    assert any(d["kind"] == "StatefulSet" for d in documents)  # PostgreSQL keeps a volume
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    environment = compose["services"]["gateway"]["environment"]
    for variable, service in (("GATEWAY_DATABASE_URL", "postgres"), ("GATEWAY_REDIS_URL", "redis")):
        default = environment[variable].split(":-", 1)[1]
        assert f"@{service}:" in default or f"//{service}:" in default
        assert service in compose["services"]["gateway"]["depends_on"]
    assert "yes" in compose["services"]["redis"]["command"]  # budgets survive a restart


@pytest.mark.parametrize("path", ["Dockerfile", "deploy/compose.yaml", "deploy/kubernetes.yaml"])
def test_deploy_files_name_only_real_settings(path: str) -> None:
    named = set(re.findall(r"\b(GATEWAY_[A-Z_]+)\b", (ROOT / path).read_text()))
    assert named <= SETTING_VARIABLES, named - SETTING_VARIABLES
