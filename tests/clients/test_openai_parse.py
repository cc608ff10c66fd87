"""openai-py's `parse` with nested pydantic models, dates, enums and optional fields."""

from __future__ import annotations

import datetime
import enum

import openai
from pydantic import BaseModel

from conftest import API_KEY


class Role(enum.Enum):
    ADMIN = "admin"
    MEMBER = "member"


class Address(BaseModel):
    street: str
    city: str


class Employee(BaseModel):
    name: str
    role: Role
    started: datetime.date
    last_login: datetime.datetime
    home: Address
    previous: list[Address]
    manager: str | None


def sdk(gateway_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway_url}/v1", api_key=API_KEY, max_retries=0)


def test_parse_gives_the_nested_model(gateway_url: str) -> None:
    completion = sdk(gateway_url).chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Describe an employee"}],
        response_format=Employee,
    )
    employee = completion.choices[0].message.parsed
    assert isinstance(employee, Employee)
    assert employee.home == Address(street="emulated", city="emulated")
    assert employee.role is Role.ADMIN and employee.started == datetime.date(2024, 1, 15)
    assert employee.last_login.tzinfo is not None and len(employee.previous) == 1


def test_parse_fills_tool_arguments_of_a_pydantic_tool(gateway_url: str) -> None:
    completion = sdk(gateway_url).chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Record a new employee"}],
        tools=[openai.pydantic_function_tool(Employee, name="record_employee")],
        tool_choice="required",
    )
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert isinstance(call.function.parsed_arguments, Employee)  # type: ignore[union-attr]
