"""instructor in its JSON_SCHEMA, TOOLS and JSON modes, each giving a validated model."""

from __future__ import annotations

import datetime

import instructor
import openai
import pytest
from pydantic import BaseModel, Field

from conftest import API_KEY


class Pet(BaseModel):
    name: str
    species: str = Field(pattern=r"^(cat|dog|fish)$")


class Owner(BaseModel):
    name: str
    age: int = Field(ge=18, le=120)
    born: datetime.date
    pets: list[Pet] = Field(min_length=1)
    nickname: str | None = None


@pytest.mark.parametrize(
    "mode", [instructor.Mode.JSON_SCHEMA, instructor.Mode.TOOLS, instructor.Mode.JSON]
)
def test_each_mode_gives_a_valid_model(gateway_url: str, mode: instructor.Mode) -> None:
    client = instructor.from_openai(
        openai.OpenAI(base_url=f"{gateway_url}/v1", api_key=API_KEY, max_retries=0), mode=mode
    )
    owner = client.chat.completions.create(
        model="gpt-4o",
        response_model=Owner,
        max_retries=0,  # the first answer must validate: no re-asking
        messages=[{"role": "user", "content": "Ann, 34, born 1990-05-01, has a cat called Tom"}],
    )
    assert isinstance(owner, Owner)
    assert owner.age == 18 and owner.pets[0].species == "cat"
    assert owner.born == datetime.date(2024, 1, 15)
