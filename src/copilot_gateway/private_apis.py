"""Every private name of a dependency the gateway relies on, in one list, with the parameters
of each callable as we call or override it.

Each dependency is pinned to the minor versions we test (pyproject.toml), and
`tests/test_private_apis.py` checks every entry below: that the name still exists, and for a
callable that its parameters are still the ones listed here, so an upgrade that drops or
reshapes one fails loudly there, not in production. An attribute set on instances is written
`Class().attribute` and checked on the source of the class (or a base) that sets it.

Besides names, one behaviour of connexion is relied on, and tested by running it:
`SHARED_SCOPE_STATE`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrivateApi:
    module: str
    name: str  # dotted within the module; `Class().attribute` for one set on instances
    use: str  # where we use it, and why
    # A callable's parameter names as `inspect.signature` gives them for `module.name`
    # (`self` included for a method looked up on its class); None for anything else.
    parameters: tuple[str, ...] | None = None


VALIDATORS = "connexion.validators.abstract"
SECURITY = "connexion.security"
UVICORN_HTTP = "uvicorn.protocols.http.httptools_impl"
# Constants of the regex parser's output that the emulator's pattern walker reads.
REGEX_CONSTANTS = (
    "ANY",
    "ASSERT",
    "ASSERT_NOT",
    "AT",
    "ATOMIC_GROUP",
    "BRANCH",
    "CATEGORY",
    "CATEGORY_DIGIT",
    "CATEGORY_NOT_DIGIT",
    "CATEGORY_NOT_SPACE",
    "CATEGORY_NOT_WORD",
    "CATEGORY_SPACE",
    "CATEGORY_WORD",
    "GROUPREF",
    "IN",
    "LITERAL",
    "MAXREPEAT",
    "MAX_REPEAT",
    "MIN_REPEAT",
    "NEGATE",
    "NOT_LITERAL",
    "POSSESSIVE_REPEAT",
    "RANGE",
    "SUBPATTERN",
)

PRIVATE_APIS: tuple[PrivateApi, ...] = (
    # connexion: our handlers as its operations (edge/calls.py)
    PrivateApi(
        "connexion.apps.asynchronous",
        "AsyncApp()._middleware_app",
        "edge/calls.py: the app's operations are our handlers, called directly",
    ),
    PrivateApi(
        "connexion.apps.asynchronous",
        "AsyncASGIApp.api_cls",
        "edge/calls.py: replaced by our API class, whose operations are our handlers",
    ),
    PrivateApi(
        "connexion.apps.asynchronous",
        "AsyncApi.make_operation",
        "edge/calls.py: overridden to serve an operation with its handler",
        ("self", "operation"),
    ),
    PrivateApi(
        "connexion.apps.asynchronous",
        "AsyncOperation.__init__",
        "edge/calls.py: connexion's own operation, kept for those with query parameters",
        ("self", "fn", "jsonifier", "operation_id", "pythonic_params"),
    ),
    PrivateApi(
        "connexion.middleware.abstract",
        "ROUTING_CONTEXT",
        "edge/calls.py: the scope extension where the router leaves the operationId",
    ),
    # connexion: every API at the root reachable (edge/routing.py)
    PrivateApi(
        "connexion.middleware.routing",
        "RoutingMiddleware().router",
        "edge/routing.py: the mounts of the APIs added, re-chained each to the next",
    ),
    PrivateApi(
        "connexion.middleware.routing",
        "RoutingMiddleware.add_api",
        "edge/routing.py: extended to re-chain the APIs at one base path after each is added",
        ("self", "specification", "base_path", "arguments", "kwargs"),
    ),
    # connexion: our validators (spec/requests.py)
    PrivateApi(
        VALIDATORS,
        "AbstractRequestBodyValidator.wrap_receive",
        "spec/requests.py: overridden to read, parse and validate a body once",
        ("self", "receive", "scope"),
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractRequestBodyValidator._insert_messages",
        "spec/requests.py: replay a body we read and parsed once",
        ("receive", "messages"),
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractRequestBodyValidator._validate",
        "spec/requests.py: overridden to validate with compiled jsonschema-rs validators",
        ("self", "body"),
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractRequestBodyValidator()._schema",
        "spec/requests.py: the operation's body schema",
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractRequestBodyValidator()._nullable",
        "spec/requests.py: whether an empty body is allowed",
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractResponseBodyValidator.wrap_send",
        "spec/requests.py: overridden to skip answers the handler already checked",
        ("self", "send"),
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractResponseBodyValidator._parse",
        "spec/requests.py: overridden to parse answers with orjson",
        ("self", "stream"),
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractResponseBodyValidator._validate",
        "spec/requests.py: overridden to validate answers with compiled validators",
        ("self", "body"),
    ),
    PrivateApi(
        VALIDATORS,
        "AbstractResponseBodyValidator()._scope",
        "spec/requests.py: the request's scope, to ask whether its handler checked the answer",
    ),
    # connexion: our security handlers (edge/security.py)
    PrivateApi(
        SECURITY,
        "BearerSecurityHandler.get_fn",
        "edge/security.py: overridden to read the key gate's result, hashing nothing again",
        ("self", "security_scheme", "required_scopes"),
    ),
    PrivateApi(
        SECURITY,
        "ApiKeySecurityHandler.get_fn",
        "edge/security.py: overridden the same way for `x-api-key`",
        ("self", "security_scheme", "required_scopes"),
    ),
    PrivateApi(
        SECURITY,
        "BearerSecurityHandler.get_auth_header_value",
        "edge/security.py: the scheme of the request's Authorization header",
        ("request",),
    ),
    # connexion: the meta-schema check, once per document (spec/documents.py)
    PrivateApi(
        "connexion.spec",
        "OpenAPISpecification._validate_spec",
        "spec/documents.py: overridden while our app adds its documents, to check each once",
        ("spec",),
    ),
    # uvicorn: our HTTP protocol (edge/http_protocol.py)
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol.send_400_response",
        "edge/http_protocol.py: answer requests that are not HTTP as API errors",
        ("self", "msg"),
    ),
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol.on_message_begin",
        "edge/http_protocol.py: the request head's deadline and size start here",
        ("self",),
    ),
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol.on_headers_complete",
        "edge/http_protocol.py: the request head is complete",
        ("self",),
    ),
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol().flow",
        "edge/http_protocol.py: resume reading to drain a refused client",
    ),
    PrivateApi(
        UVICORN_HTTP,
        "STATUS_LINE",
        "edge/http_protocol.py: the status line uvicorn writes",
    ),
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol().server_state",
        "edge/http_protocol.py: uvicorn's default headers (server, date)",
    ),
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol().connections",
        "edge/http_protocol.py: the open connections, counted against the cap",
    ),
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol().loop",
        "edge/http_protocol.py: the event loop, for the head's and first byte's deadlines",
    ),
    PrivateApi(
        UVICORN_HTTP,
        "HttpToolsProtocol().transport",
        "edge/http_protocol.py: the connection, written to and closed when refused",
    ),
    # toktok
    PrivateApi(
        "toktok",
        "_encoding",
        "tokens.py: decode token ids, which toktok has no public call for",
        ("name", "data_dir"),
    ),
    # CPython's regex parser (emulator/patterns.py)
    PrivateApi(
        "re._parser",
        "parse",
        "emulator/patterns.py: a JSON Schema pattern, parsed to build a matching string",
        ("str", "flags", "state"),
    ),
    *(
        PrivateApi("re._constants", name, "emulator/patterns.py: the parsed pattern's opcodes")
        for name in REGEX_CONSTANTS
    ),
)

# connexion hands the middlewares inside its stack (routing, security, validation, ours)
# copies of the ASGI scope, which share the outer scope's `state` dict: the request's call
# lives there (see `call`), so what the security check and the validators learn reaches it.
SHARED_SCOPE_STATE = "connexion's inner middlewares and handlers see the outer scope's `state`"
