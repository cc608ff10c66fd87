"""Embeddings: the upstream's vectors reach the client as the upstream wrote them, and an
answer that breaks the spec anywhere (a vector, or around them) is still refused."""

from __future__ import annotations

import base64
import struct

import httpx
import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.json_numbers import is_number_array
from copilot_gateway.spec.answers import schemas_of
from copilot_gateway.surfaces.openai.surface import DOCUMENT
from openapi_oracle import validate_chunk

BODY = {"model": "text-embedding-3-small", "input": ["one", "two"]}
USAGE = '"usage":{"prompt_tokens":2,"total_tokens":2}'
# Numbers as no JSON serialiser of ours writes them: passed on, they stay so.
WRITTEN = ("[1e-3,-0.0,0.1000,  2E+2 ]", "[-1.5e-7,3]")


def answer(vectors: tuple[str, ...] = WRITTEN, around: str = f'"model":"m",{USAGE}') -> str:
    data = ",".join(
        f'{{"object":"embedding","index":{n},"embedding":{vector}}}'
        for n, vector in enumerate(vectors)
    )
    return f'{{"object":"list","data":[{data}],{around}}}'


def answered(
    client: httpx.Client, emulator: CopilotEmulator, body: str, **extra: object
) -> httpx.Response:
    client.get("/v1/models")  # the catalogue first: the fault replaces the next answer
    emulator.state.faults.append(Fault(status=200, body=body))
    return client.post("/v1/embeddings", json={**BODY, **extra})


def test_vectors_reach_the_client_byte_for_byte(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    response = answered(client, emulator, answer())
    assert response.status_code == 200
    for vector in WRITTEN:
        assert f'"embedding":{vector}' in response.text
    validate_chunk("CreateEmbeddingResponse", response.json())


def test_vectors_answered_out_of_order_are_put_in_order(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    swapped = answer().replace('"index":0', '"index":9').replace('"index":1', '"index":0')
    data = answered(client, emulator, swapped).json()["data"]
    assert [item["embedding"] for item in data] == [[-1.5e-7, 3], [1e-3, -0.0, 0.1, 200.0]]
    assert [item["index"] for item in data] == [0, 1]


def as_float32s(values: list[float]) -> list[float]:
    return list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)))


def test_base64_is_the_vectors_as_float32s(client: httpx.Client, emulator: CopilotEmulator) -> None:
    response = answered(client, emulator, answer(), encoding_format="base64")
    decoded = [base64.b64decode(item["embedding"]) for item in response.json()["data"]]
    assert [list(struct.unpack(f"<{len(raw) // 4}f", raw)) for raw in decoded] == [
        as_float32s([1e-3, -0.0, 0.1, 200.0]),
        as_float32s([-1.5e-7, 3]),
    ]


@pytest.mark.parametrize(
    "vector",
    ['[1,"2"]', "[[1],[2]]", "[true]", "[null]", '"AAAA"', "{}", "3"],
    ids=["a string in it", "nested", "a literal", "null", "a string", "an object", "a number"],
)
def test_a_vector_that_is_no_array_of_numbers_is_refused(
    client: httpx.Client, emulator: CopilotEmulator, vector: str
) -> None:
    response = answered(client, emulator, answer((WRITTEN[0], vector)))
    assert response.status_code == 502
    assert "do not match the input" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [answer(("[1,]", "[2]")), answer(("[1 2]", "[2]")), answer(("[01]", "[2]")), answer()[:-9]],
    ids=["a trailing comma", "no comma", "a leading zero", "cut short"],
)
def test_a_vector_that_is_no_json_is_refused(
    client: httpx.Client, emulator: CopilotEmulator, body: str
) -> None:
    response = answered(client, emulator, body)
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "api_error"


def test_what_surrounds_the_vectors_is_still_checked_against_the_spec(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    response = answered(client, emulator, answer(around=f'"model":7,{USAGE}'))
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "upstream_invalid_response"


def test_an_answer_of_another_shape_is_read_in_full_and_judged_as_before(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    missing = '{"object":"list","data":[{"index":0},{"index":1}],"model":"m"}'
    response = answered(client, emulator, missing)
    assert response.status_code == 502
    assert "do not match the input" in response.json()["error"]["message"]


def test_the_spec_says_a_vector_is_an_array_of_numbers_or_base64() -> None:
    """What `is_number_array` stands for: should the spec's vector change, so must it."""
    embedding = schemas_of(DOCUMENT)["Embedding"]["properties"]["embedding"]
    assert [kind["type"] for kind in embedding["oneOf"]] == ["array", "string"]
    assert embedding["oneOf"][0]["items"]["type"] == "number"


@pytest.mark.parametrize(
    ("value", "is_one"),
    [
        (b"[]", True),
        (b"[1, -2.5e3 ,0]", True),
        (b'["1"]', False),
        (b"[[1]]", False),
        (b"[true]", False),
        (b"1", False),
        (b'"[1]"', False),
        (b"{}", False),
    ],
)
def test_a_number_array_is_told_by_its_bytes(value: bytes, is_one: bool) -> None:
    assert is_number_array(value) is is_one
    if is_one:
        assert all(isinstance(n, int | float) for n in orjson.loads(value))
