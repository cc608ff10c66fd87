"""Every surface is mounted at the root, one connexion API each: a request no route of one
matches falls through to the next, so each surface answers its own paths whatever else is
served beside it (the admin API included), and a path nobody serves is still a 404."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from admin_api import ADMIN, ADMIN_TOKEN
from conftest import API_KEY, AUTH
from servers import gateway_settings, serving


@pytest.fixture
def with_admin(emulator_url: str) -> Iterator[str]:
    with serving(gateway_settings(emulator_url, admin_token=ADMIN_TOKEN)) as url:
        yield url


def test_the_openai_surface_answers_beside_the_others(with_admin: str) -> None:
    response = httpx.get(f"{with_admin}/v1/models", headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["object"] == "list"


def test_the_anthropic_surface_answers_beside_the_others(with_admin: str) -> None:
    message = {
        "model": "claude-sonnet-4.5",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}],
    }
    response = httpx.post(
        f"{with_admin}/v1/messages", json=message, headers={"x-api-key": API_KEY}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"


def test_the_admin_api_answers_beside_the_others(with_admin: str) -> None:
    response = httpx.get(f"{with_admin}/admin/usage", headers=ADMIN, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["group_by"] == "key"


def test_a_path_no_surface_serves_is_still_a_404(with_admin: str) -> None:
    response = httpx.get(f"{with_admin}/v1/nothing-here", headers=AUTH, timeout=30)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"


def test_the_gemini_surface_answers_beside_the_others(with_admin: str) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    # Under /v1/models/ too, where OpenAI's GET /v1/models/{model} would answer 405.
    for version in ("v1beta", "v1"):
        response = httpx.post(
            f"{with_admin}/{version}/models/gemini-2.5-pro:generateContent",
            json=body,
            headers={"x-goog-api-key": API_KEY},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.json()["candidates"][0]["finishReason"] == "STOP"
