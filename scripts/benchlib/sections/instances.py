"""What the emulator spends building one structured answer from a pydantic model's schema."""

from __future__ import annotations

import datetime
import enum
import time

from pydantic import BaseModel, Field

from .. import internals
from ..figures import Instances
from ..plan import Plan


class Status(enum.Enum):
    ACTIVE = "active"
    CLOSED = "closed"


class Address(BaseModel):
    street: str
    city: str
    postcode: str = Field(pattern=r"^\d{5}$")


class Customer(BaseModel):
    """A nested model, a date, a date-time, an enum, an optional field, a pattern."""

    name: str
    age: int = Field(ge=18, le=130)
    born: datetime.date
    last_seen: datetime.datetime
    email: str | None = None
    status: Status
    home: Address
    previous: list[Address] = []


def measure(plan: Plan) -> Instances:
    instance_of = internals.instance_of()
    schema = Customer.model_json_schema()
    iterations = 2000 if plan.quick else 20000
    instance_of(schema, "warm")
    started = time.perf_counter()
    for index in range(iterations):
        instance_of(schema, str(index))
    return Instances(iterations, (time.perf_counter() - started) / iterations * 1e6)
