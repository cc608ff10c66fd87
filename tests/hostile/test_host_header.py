"""The gateway names only URLs its operator named: never a client's `Host` unchecked."""

from __future__ import annotations

import httpx
from hostile_wire import serving

from servers import gateway_settings

EVIL = {"Host": "evil.example"}
KEYED = {**EVIL, "Authorization": "Bearer sk-test-key"}  # past the key gate, to routing


def test_a_foreign_host_is_never_reflected_in_the_spec_or_a_redirect(emulator_url: str) -> None:
    with serving(gateway_settings(emulator_url)) as (url, _):
        spec = httpx.get(f"{url}/openapi.json", headers=EVIL)
        assert "evil.example" not in spec.text
        assert spec.json()["servers"] == [{"url": "/v1"}]
        redirect = httpx.get(f"{url}/v1/models/", headers=KEYED)
        assert redirect.status_code == 307
        assert redirect.headers["location"] == "/v1/models"


def test_an_allowed_host_is_named_as_the_client_sent_it(emulator_url: str) -> None:
    with serving(gateway_settings(emulator_url)) as (url, _):
        spec = httpx.get(f"{url}/openapi.json", headers={"Host": "localhost:9999"})
        assert spec.json()["servers"] == [{"url": "http://localhost:9999/v1"}]


def test_the_public_url_is_named_whatever_the_host(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, public_url="https://llm.example.com/")
    with serving(settings) as (url, _):
        spec = httpx.get(f"{url}/openapi.json", headers=EVIL)
        assert spec.json()["servers"] == [{"url": "https://llm.example.com/v1"}]
        redirect = httpx.get(f"{url}/v1/models/?x=1", headers=KEYED)
        assert redirect.headers["location"] == "https://llm.example.com/v1/models?x=1"


def test_allowed_hosts_come_from_a_comma_separated_setting(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, allowed_hosts="gw.example, other.example")
    assert settings.allowed_hosts == ["gw.example", "other.example"]
    with serving(settings) as (url, _):
        spec = httpx.get(f"{url}/openapi.json", headers={"Host": "gw.example"})
        assert spec.json()["servers"] == [{"url": "http://gw.example/v1"}]
