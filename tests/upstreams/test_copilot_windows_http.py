"""Copilot's windows over HTTP, through a gateway of two accounts: what a client sees when
one account's window is spent (nothing) and when every account's is (a 429 in its surface's
shape that names the window, `retry-after` at the earliest reset); the windows in `/metrics`
and `/quota`. Copilot's refusals and headers are injected as the emulator's faults; each
test has servers of its own (a spent window rests its account for hours)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from test_copilot_windows import (
    CREDITS_BODY,
    SESSION_BODY,
    WEEKLY_BODY,
    assert_waits,
    refusal,
    window_header,
)

from copilot_gateway.emulator import CopilotEmulator, Fault
from emulated_copilot import served_by
from metrics_scrape import scrape, value
from servers import accounts, gateway_app, gateway_settings, running

AUTH = {"Authorization": "Bearer sk-test-key"}
CHAT = {"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "hi"}]}
MESSAGES = {**CHAT, "max_tokens": 64}
TOKENS = {"a": "gho_account_a", "b": "gho_account_b"}


def chat_answer(headers: dict[str, str]) -> Fault:
    """A chat completion served, with these headers (the call that crosses a limit is)."""
    answer = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "claude-sonnet-4",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "hello", "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    return Fault(status=200, body=orjson.dumps(answer).decode(), headers=headers)


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[tuple[CopilotEmulator, str]]:
    """An emulator, and a gateway of accounts a and b on it (its catalogues already read)."""
    emulator = CopilotEmulator()
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(
            emulator_url, github_token=None, accounts=accounts(tmp_path, **TOKENS)
        )
        with running(gateway_app(settings)) as url:
            assert httpx.get(f"{url}/v1/models", headers=AUTH, timeout=30).status_code == 200
            yield emulator, url


def chat(url: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", json=CHAT, headers=AUTH, timeout=30)


def test_one_spent_session_is_unseen_and_both_spent_is_a_429_naming_the_session(
    pool: tuple[CopilotEmulator, str],
) -> None:
    emulator, url = pool
    emulator.state.faults.append(refusal(429, SESSION_BODY, retry_after=7200))
    served = [chat(url) for _ in range(3)]  # a refuses the first: b serves it, and the rest
    assert [response.status_code for response in served] == [200, 200, 200]
    emulator.state.faults.append(refusal(429, SESSION_BODY, retry_after=1800))
    before = time.time()
    out = chat(url)
    after = time.time()
    assert out.status_code == 429
    error = out.json()["error"]
    assert (error["type"], error["code"]) == ("rate_limit_error", "session_limit_exceeded")
    assert error["message"].startswith(
        "The 5-hour session limit of every Copilot account is spent; the earliest resets at "
    )
    assert_waits(out.headers["retry-after"], 1800, before, after)  # b's, the earlier
    assert out.headers["x-should-retry"] == "false"
    calls = [h for h in emulator.state.seen_headers if "x-initiator" in h]
    assert len(calls) == 5  # a refused once, b served three and refused one: both rest
    seen = len(emulator.state.seen_headers)
    assert chat(url).status_code == 429
    assert len(emulator.state.seen_headers) == seen  # the pool answered: Copilot not asked


def test_anthropic_clients_get_a_spent_window_in_anthropics_shape(
    pool: tuple[CopilotEmulator, str],
) -> None:
    emulator, url = pool
    emulator.state.faults += [refusal(429, WEEKLY_BODY, 86400), refusal(429, WEEKLY_BODY, 90000)]
    before = time.time()
    out = httpx.post(f"{url}/v1/messages", json=MESSAGES, headers=AUTH, timeout=30)
    after = time.time()
    assert out.status_code == 429
    body = out.json()
    assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
    assert body["error"]["message"].startswith("The weekly limit of every Copilot account")
    assert_waits(out.headers["retry-after"], 86400, before, after)
    assert out.headers["request-id"]


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/messages"])
def test_spent_credits_are_a_429_on_either_surface_and_free_models_still_serve(
    pool: tuple[CopilotEmulator, str], path: str
) -> None:
    emulator, url = pool
    emulator.state.faults += [refusal(402, CREDITS_BODY, 3600), refusal(402, CREDITS_BODY, 7200)]
    before = time.time()
    out = httpx.post(f"{url}{path}", json=MESSAGES, headers=AUTH, timeout=30)
    after = time.time()
    assert out.status_code == 429
    assert "monthly AI credits of every Copilot account are spent" in out.text
    assert_waits(out.headers["retry-after"], 3600, before, after)
    if path == "/v1/chat/completions":
        assert out.json()["error"]["type"] == "insufficient_quota"
    else:
        assert out.json()["error"]["type"] == "rate_limit_error"
    free = httpx.post(
        f"{url}{path}", json={**MESSAGES, "model": "gpt-4o"}, headers=AUTH, timeout=30
    )
    assert free.status_code == 200  # a model that costs no credits is still served


def test_windows_are_gauges_in_metrics_and_shown_at_quota(
    pool: tuple[CopilotEmulator, str],
) -> None:
    emulator, url = pool
    session_reset, week_reset = time.time() + 3600, time.time() + 4 * 86400
    headers = {
        "x-usage-ratelimit-session": window_header(42.5, session_reset),
        "x-usage-ratelimit-weekly": window_header(0, week_reset),
        "x-quota-snapshot-premium_interactions": "ent=1500&ov=0.0&ovPerm=false&rem=80"
        "&rst=2027-01-01T00%3A00%3A00Z&totRem=1200",
    }
    emulator.state.faults.append(chat_answer(headers))
    assert chat(url).status_code == 200  # a served it: the call that crossed its week
    samples = scrape(url)
    gauge = "gateway_copilot_window"
    assert value(samples, gauge, account="a", window="session", field="percent_remaining") == 42.5
    assert value(samples, gauge, account="a", window="weekly", field="percent_remaining") == 0
    reset = value(samples, gauge, account="a", window="session", field="reset_timestamp_seconds")
    assert abs(reset - session_reset) <= 1
    quota = {"account": "a", "quota": "premium_interactions", "field": "total_remaining"}
    assert value(samples, "gateway_copilot_quota", **quota) == 1200
    report = {
        entry["account"]: entry for entry in httpx.get(f"{url}/quota", timeout=30).json()["data"]
    }
    windows = report["a"]["windows"]
    assert windows["session"]["percent_remaining"] == 42.5
    assert windows["weekly"]["percent_remaining"] == 0 and "spent_until" in windows["weekly"]
    assert report["a"]["latest_snapshots"]["premium_interactions"]["total_remaining"] == 1200
    assert report["b"]["windows"] == {}  # b has served nothing yet
    assert chat(url).status_code == 200
    assert served_by(emulator, TOKENS) == "b"  # a rests until its week resets


# The emulator counts the windows down itself from here: its hooks put an account near a limit.
REASONING = {"model": "gpt-5.4", "reasoning": {"effort": "low"}}


def turn(url: str, conversation: list[dict]) -> httpx.Response:
    """One more turn of a Responses conversation that sends back its whole history, the
    account's encrypted reasoning included (what ties it to the account that answered)."""
    body = {**REASONING, "input": conversation}
    return httpx.post(f"{url}/v1/responses", json=body, headers=AUTH, timeout=30)


def test_a_conversation_goes_on_past_one_accounts_session_and_stops_when_both_are_out(
    tmp_path: Path,
) -> None:
    """The issue's test: two accounts, one driven past its session window mid-run; the
    conversation is served on, and the client meets the limit only once both are out."""
    emulator = CopilotEmulator()
    with running(emulator.app) as emulator_url:
        entries = accounts(tmp_path, **TOKENS)
        settings = gateway_settings(emulator_url, github_token=None, accounts=entries)
        with running(gateway_app(settings)) as url:
            conversation: list[dict] = [{"role": "user", "content": "Plan a trip"}]
            answers, served_by = [], []

            def say(text: str) -> httpx.Response:
                answer = turn(url, [*conversation, {"role": "user", "content": text}])
                if answer.status_code == 200:
                    conversation.extend(
                        [{"role": "user", "content": text}, *answer.json()["output"]]
                    )
                    served_by.append(emulator.state.seen_headers[-1]["authorization"])
                answers.append(answer.status_code)
                return answer

            say("Where first?")
            say("And then?")
            emulator.put_near_limit(TOKENS["a"], "session", 0.0)  # a refuses its next call
            say("How long?")
            say("By train?")
            # b serves one more call, the one that crosses its limit, then it is spent too.
            emulator.put_near_limit(TOKENS["b"], "session", 1e-9)
            say("Which class?")
            asked = len(emulator.state.seen_headers)
            out = say("Book it")
    assert answers == [200] * 5 + [429]
    assert served_by[0] == served_by[1] != served_by[2] == served_by[3] == served_by[4]
    error = out.json()["error"]
    assert (error["type"], error["code"]) == ("rate_limit_error", "session_limit_exceeded")
    assert error["message"].startswith("The 5-hour session limit of every Copilot account is")
    assert 0 < int(out.headers["retry-after"]) <= 5 * 3600
    assert len(emulator.state.seen_headers) == asked  # the last answer was the gateway's own


@pytest.mark.parametrize(
    ("window", "surface", "words"),
    [
        ("weekly", "/v1/chat/completions", "The weekly limit of every Copilot account is spent"),
        ("weekly", "/v1/messages", "The weekly limit of every Copilot account is spent"),
        ("credits", "/v1/chat/completions", "monthly AI credits of every Copilot account are"),
        ("credits", "/v1/messages", "monthly AI credits of every Copilot account are"),
    ],
)
def test_spent_weeks_and_months_of_every_account_are_429s_naming_them(
    tmp_path: Path, window: str, surface: str, words: str
) -> None:
    emulator = CopilotEmulator()
    body = {**MESSAGES, "model": "claude-sonnet-4.6"}
    with running(emulator.app) as emulator_url:
        entries = accounts(tmp_path, **TOKENS)
        settings = gateway_settings(emulator_url, github_token=None, accounts=entries)
        with running(gateway_app(settings)) as url:
            for token in TOKENS.values():
                emulator.put_near_limit(token, window, 0.0)
            out = httpx.post(f"{url}{surface}", json=body, headers=AUTH, timeout=30)
            free = httpx.post(
                f"{url}{surface}", json={**body, "model": "gpt-4o"}, headers=AUTH, timeout=30
            )
    assert out.status_code == 429 and words in out.text
    assert int(out.headers["retry-after"]) > 0
    # Spent credits leave the free models served; a spent week stops every model.
    assert free.status_code == (200 if window == "credits" else 429)
