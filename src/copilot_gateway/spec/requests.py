"""Request bodies (and JSON answers) validated by our compiled validators, plugged into
connexion's validator hooks (see `schemas`). A refused body's error names the offending
field in `param` the way OpenAI does (`messages[0].role`).

The validators know nothing of the request they serve: `validator_map` is given how to
parse a body and whom to hand it (`Bodies`), and how to tell an answer its handler checked
already; the app wires both to the request's call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import orjson
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseBody
from connexion.validators import VALIDATOR_MAP
from connexion.validators.json import JSONRequestBodyValidator, JSONResponseBodyValidator
from connexion.validators.parameter import ParameterValidator
from starlette.types import Message, Receive, Scope, Send

from ..errors import InvalidRequest, UnknownField
from . import proto3_json
from .schemas import compiled, param_path

log = logging.getLogger(__name__)

MAX_SHOWN = 200  # characters of a client's value we echo back in a message


def _kind(error: jsonschema_rs.ValidationError) -> str:
    return type(error.kind).__name__


WHOLE_VALUE_KINDS = ("Type", "Enum", "Constant")


def _rejects_whole(branch: list[jsonschema_rs.ValidationError], depth: int) -> bool:
    """A branch whose type, or discriminating value (e.g. `role`), does not even match."""
    for error in branch:
        if len(error.instance_path) == depth and _kind(error) in WHOLE_VALUE_KINDS:
            return True
        if len(error.instance_path) == depth + 1 and _kind(error) in ("Enum", "Constant"):
            return True
    return False


def _expected_types(context: list[list[jsonschema_rs.ValidationError]], depth: int) -> list[str]:
    """What a oneOf/anyOf would have taken, when the value's type fits no branch."""
    expected: list[str] = []
    for branch in context:
        for error in branch:
            if len(error.instance_path) != depth:
                continue
            details = error.kind.as_dict()
            if _kind(error) == "Type":
                expected += [str(t) for t in details["types"]]
            elif _kind(error) == "Enum":
                expected += [
                    "null" if o is None else orjson.dumps(o).decode() for o in details["options"]
                ]
    return list(dict.fromkeys(expected))


def _rejected_property(
    context: list[list[jsonschema_rs.ValidationError]], depth: int
) -> tuple[str, list[Any]] | None:
    """When every branch refused the value of one same property (say a message's `role`):
    that property, and every value the branches would have taken."""
    names: set[str] = set()
    options: list[Any] = []
    for branch in context:
        for error in branch:
            if len(error.instance_path) != depth + 1 or _kind(error) not in ("Enum", "Constant"):
                continue
            names.add(str(error.instance_path[-1]))
            details = error.kind.as_dict()
            options += details["options"] if _kind(error) == "Enum" else [details["expected_value"]]
    if len(names) != 1:
        return None
    unique = {orjson.dumps(option): option for option in options}
    return names.pop(), list(unique.values())


def _missing_everywhere(
    branches: list[list[jsonschema_rs.ValidationError]], depth: int
) -> jsonschema_rs.ValidationError | None:
    def missing(
        branch: list[jsonschema_rs.ValidationError],
    ) -> dict[str, jsonschema_rs.ValidationError]:
        return {
            e.kind.as_dict()["property"]: e
            for e in branch
            if len(e.instance_path) == depth and _kind(e) == "Required"
        }

    first = missing(branches[0])
    shared = set(first).intersection(*(missing(branch) for branch in branches[1:]))
    return first[min(shared)] if shared else None


def most_specific(error: jsonschema_rs.ValidationError) -> jsonschema_rs.ValidationError:
    """Look inside oneOf/anyOf for the one branch the value was meant for."""
    context = getattr(error.kind, "context", None)
    if not context:
        return error
    depth = len(error.instance_path)
    candidates = [branch for branch in context if branch and not _rejects_whole(branch, depth)]
    if len(candidates) > 1:
        # A property every branch requires (say `role`) is missing: that is the error.
        common = _missing_everywhere(candidates, depth)
        return common or error
    if not candidates:
        return error
    deepest = max(candidates[0], key=lambda e: len(e.instance_path))
    return most_specific(deepest)


def shorten(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def describe(error: jsonschema_rs.ValidationError) -> InvalidRequest:
    """An OpenAI-style 400 for the most useful of a body's validation errors."""
    error = most_specific(error)
    path = list(error.instance_path)
    kind = _kind(error)
    details = error.kind.as_dict() if hasattr(error.kind, "as_dict") else {}
    if kind == "Required":
        param = param_path([*path, details["property"]])
        return InvalidRequest(f"Missing required parameter: '{param}'.", param=param)
    if kind == "AdditionalProperties":
        name = str(details["unexpected"][0])
        param = param_path([*path, name])
        return UnknownField(
            shorten(f"Unrecognized request argument supplied: {param}"),
            param=param,
            name=shorten(name),
            parent=param_path(path),
        )
    param = param_path(path)
    where = f"'{param}'" if param else "the request body"
    context = getattr(error.kind, "context", None)
    if context and all(_rejects_whole(branch, len(path)) for branch in context):
        if rejected := _rejected_property(context, len(path)):
            name, values = rejected
            param = param_path([*path, name])
            options = ", ".join(orjson.dumps(value).decode() for value in values)
            return InvalidRequest(
                shorten(f"Invalid value for '{param}': expected one of {options}."), param=param
            )
        expected = " or ".join(_expected_types(context, len(path))) or "one of its accepted forms"
        return InvalidRequest(
            shorten(f"Invalid type for {where}: expected {expected}."), param=param
        )
    if kind == "Type":
        expected = " or ".join(str(t) for t in details["types"])
        return InvalidRequest(f"Invalid type for {where}: expected {expected}.", param=param)
    if kind == "Enum":
        options = ", ".join(orjson.dumps(o).decode() for o in details["options"])
        return InvalidRequest(
            shorten(f"Invalid value for {where}: expected one of {options}."), param=param
        )
    return InvalidRequest(f"Invalid value for {where}: {shorten(error.message)}", param=param)


def first_error(schema: dict, instance: Any) -> InvalidRequest | None:
    for error in compiled(schema).iter_errors(instance):
        return describe(error)
    return None


def parse_json(raw: bytes, max_depth: int, max_values: int) -> Any:
    """Strict JSON (RFC 8259: UTF-8, no NaN), as clients and upstreams must send it, within
    the gateway's limits on nesting and on the number of values (see `within_limits`)."""
    if values_at_least(raw) > max_values:  # refused unparsed: parsing is the costly part
        raise too_many_values(max_values)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"The request body is not valid JSON: {exc}") from None
    within_limits(body, max_depth, max_values)
    return body


def within_limits(body: Any, max_depth: int, max_values: int) -> None:
    """Refuse a body nested deeper than max_depth levels, or holding more than max_values
    values (objects, arrays, strings, numbers... each counts one).

    Everything after parsing walks the body (validation, adapters, serialisation, on the
    event loop every client shares), and orjson serialises at most 255 levels: a body is
    checked once here. The walk stops as soon as a limit is passed, so it is cheap too.
    """
    values = 1
    pending: list[tuple[Any, int]] = [(body, 1)] if type(body) in CONTAINERS else []
    while pending:
        value, depth = pending.pop()
        if depth > max_depth:
            raise InvalidRequest(
                f"The request body is nested too deeply: at most {max_depth} levels of "
                "objects and arrays are accepted.",
                code="json_too_deep",
            )
        children = value.values() if isinstance(value, dict) else value
        values += len(children)
        if values > max_values:
            raise too_many_values(max_values)
        pending.extend((child, depth + 1) for child in children if type(child) in CONTAINERS)


CONTAINERS = (dict, list)


def values_at_least(raw: bytes) -> int:
    """A lower bound of the values `within_limits` counts, from the bytes alone (C-speed).

    Every unescaped quote opens or closes a string (a `\\"` is never either, so taking
    every one off only lowers the bound); every string is a value or an object's key, and
    every key has a value: values >= strings / 2 >= quotes / 4.
    """
    return (raw.count(b'"') - raw.count(b'\\"')) // 4


def too_many_values(max_values: int) -> InvalidRequest:
    return InvalidRequest(
        f"The request body holds too many JSON values: at most {max_values} "
        "(objects, arrays, strings, numbers...) are accepted.",
        code="json_too_large",
    )


@dataclass(frozen=True)
class Bodies:
    """How request bodies are parsed (within the gateway's limits: see `parse_json`), and
    where each goes once parsed and valid: `keep(scope, body)`, for the request's handler,
    which never parses it again."""

    max_depth: int
    max_values: int
    keep: Callable[[Scope, Any], None]


class RequestBodyValidator(JSONRequestBodyValidator):
    bodies: Bodies  # set by `validator_map`

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        """Read, parse and validate the body, then replay it to the handler.

        connexion's own version treats a body without Content-Length (chunked) as missing.
        """
        messages: list[Message] = []
        more_body = True
        while more_body:
            message = await receive()
            messages.append(message)
            more_body = message.get("more_body", False)
        raw = b"".join([message.get("body", b"") for message in messages])
        bodies = self.bodies
        body = parse_json(raw, bodies.max_depth, bodies.max_values) if raw.strip() else None
        body = proto3_json.canonical(self._schema, body)
        self._validate(body)
        bodies.keep(scope, body)
        return self._insert_messages(receive, messages=messages), scope

    def _validate(self, body: Any) -> dict | None:
        if body is None:
            if self._nullable:
                return None
            raise InvalidRequest("The request body must be a JSON object.")
        error = first_error(self._schema, body)
        if error is not None:
            log.info("invalid request: %s (param %s)", error.message, error.param)
            raise error
        return None


class ResponseBodyValidator(JSONResponseBodyValidator):
    """The last line of defence: a non-conforming JSON answer is a 500 (or, in log mode,
    only logged: `GATEWAY_UPSTREAM_VALIDATION=log` lets such answers through)."""

    reject = True
    # Whether the handler checked this answer already, as a dict: set by `validator_map`.
    answered: Callable[[Scope], bool]

    def wrap_send(self, send: Send) -> Send:
        if self.answered(self._scope):
            return send  # validated as a dict already: no need to buffer and parse it again
        return super().wrap_send(send)

    def _parse(self, stream: Iterator[bytes]) -> Any:  # type: ignore[override]
        raw = b"".join(stream)
        try:
            return orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError as exc:
            raise NonConformingResponseBody(f"Response body is not JSON: {exc}") from None

    def _validate(self, body: Any) -> None:  # type: ignore[override]
        for error in compiled(self._schema).iter_errors(body):
            where = param_path(list(error.instance_path)) or "body"
            log.error("response does not conform to the spec at %s: %s", where, error.message)
            if self.reject:
                raise NonConformingResponseBody(f"{where}: {error.message}")
            return


class ExactFirstMediaTypeDict(MediaTypeDict):
    """A media type's entry: its own key when it has one (the most specific match, as the
    parent would choose), without the parent's sorting and matching of every range."""

    def __getitem__(self, item: str) -> Any:
        if dict.__contains__(self, item):
            return dict.__getitem__(self, item)
        return super().__getitem__(item)


class NamedParameterValidator(ParameterValidator):
    """connexion's check of a path's, query's, header's or cookie's parameters, refusing as
    OpenAI does: the parameter in `param`, and the reason in a line (connexion's own detail
    holds the whole schema)."""

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        problem = ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        if problem is None:
            return None
        name = str(param.get("name", param_name))
        if value is None:
            raise InvalidRequest(f"Missing required parameter: '{name}'.", param=name)
        reason = problem.splitlines()[0]
        raise InvalidRequest(shorten(f"Invalid value for '{name}': {reason}"), param=name)


def validator_map(
    reject_responses: bool, bodies: Bodies, answered: Callable[[Scope], bool]
) -> dict:
    """connexion's validators, ours for JSON bodies and JSON responses."""
    requests = type("RequestValidator", (RequestBodyValidator,), {"bodies": bodies})
    responses = type(
        "ResponseValidator",
        (ResponseBodyValidator,),
        {"reject": reject_responses, "answered": staticmethod(answered)},
    )
    bodies_by_type = {"*/*json": requests, "application/json": requests}
    answers = {"*/*json": responses, "application/json": responses}
    return {
        "parameter": NamedParameterValidator,
        "body": ExactFirstMediaTypeDict({**VALIDATOR_MAP["body"], **bodies_by_type}),
        "response": ExactFirstMediaTypeDict({**VALIDATOR_MAP["response"], **answers}),
    }
