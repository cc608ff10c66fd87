"""The deploy examples run one Redis and point every replica's limits at it."""

from __future__ import annotations

from pathlib import Path

import yaml

from copilot_gateway.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_compose_replicas_share_the_bundled_redis_unless_told_another() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    gateway = services["gateway"]
    url = gateway["environment"]["GATEWAY_REDIS_URL"]
    assert url == "${GATEWAY_REDIS_URL:-redis://redis:6379/0}"
    assert "redis" in services and "redis" in gateway["depends_on"]
    assert Settings(redis_url=url[url.index("redis://") : -1]).redis_url  # type: ignore[arg-type]


def test_kubernetes_replicas_point_at_the_redis_service_it_defines() -> None:
    documents = list(yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text()))
    gateway = next(
        d
        for d in documents
        if d["metadata"]["name"] == "copilot-gateway" and d["kind"] == "Deployment"
    )
    (container,) = gateway["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    url = env["GATEWAY_REDIS_URL"]
    host, port = url.removeprefix("redis://").split("/")[0].split(":")
    service = next(d for d in documents if d["kind"] == "Service" and d["metadata"]["name"] == host)
    redis = next(
        d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == host
    )
    assert service["spec"]["selector"] == redis["spec"]["template"]["metadata"]["labels"]
    assert str(service["spec"]["ports"][0]["port"]) == port
    assert Settings(redis_url=url).redis_url  # type: ignore[arg-type]
