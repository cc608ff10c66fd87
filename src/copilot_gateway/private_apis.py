"""Every private name of a dependency the gateway relies on, in one list.

Each dependency is pinned to the minor versions we test (pyproject.toml), and
`tests/test_private_apis.py` checks that every name below still exists, so an upgrade that
drops one fails loudly there, not in production. An attribute set on instances is listed
with `()` and checked on the source of the constructor that sets it.
"""

from __future__ import annotations

# (module, dotted name in it, where we use it and why)
PRIVATE_APIS: tuple[tuple[str, str, str], ...] = (
    (
        "connexion.apps.asynchronous",
        "AsyncApp()._middleware_app",
        "edge/calls.py: the app's operations are our handlers, called directly",
    ),
    (
        "connexion.validators.abstract",
        "AbstractRequestBodyValidator._insert_messages",
        "spec/requests.py: replay a body we read and parsed once",
    ),
    (
        "connexion.validators.abstract",
        "AbstractRequestBodyValidator._validate",
        "spec/requests.py: overridden to validate with compiled jsonschema-rs validators",
    ),
    (
        "connexion.validators.abstract",
        "AbstractRequestBodyValidator()._schema",
        "spec/requests.py: the operation's body schema",
    ),
    (
        "connexion.validators.abstract",
        "AbstractRequestBodyValidator()._nullable",
        "spec/requests.py: whether an empty body is allowed",
    ),
    (
        "connexion.validators.abstract",
        "AbstractResponseBodyValidator._parse",
        "spec/requests.py: overridden to parse answers with orjson",
    ),
    (
        "connexion.validators.abstract",
        "AbstractResponseBodyValidator._validate",
        "spec/requests.py: overridden to validate answers with compiled validators",
    ),
    (
        "connexion.validators.abstract",
        "AbstractResponseBodyValidator()._scope",
        "spec/requests.py: skip answers the handler already checked",
    ),
    (
        "connexion.security",
        "AbstractSecurityHandler._resolve_func",
        "edge/security.py: our key ring instead of a function named in the spec",
    ),
    (
        "connexion.security",
        "AbstractSecurityHandler._get_verify_func",
        "edge/security.py: a verifier without per-request signature inspection",
    ),
    (
        "uvicorn.protocols.http.httptools_impl",
        "HttpToolsProtocol.send_400_response",
        "edge/http_protocol.py: answer requests that are not HTTP as API errors",
    ),
    (
        "uvicorn.protocols.http.httptools_impl",
        "HttpToolsProtocol.on_message_begin",
        "edge/http_protocol.py: the request head's deadline and size start here",
    ),
    (
        "uvicorn.protocols.http.httptools_impl",
        "HttpToolsProtocol.on_headers_complete",
        "edge/http_protocol.py: the request head is complete",
    ),
    (
        "uvicorn.protocols.http.httptools_impl",
        "HttpToolsProtocol().flow",
        "edge/http_protocol.py: resume reading to drain a refused client",
    ),
    (
        "uvicorn.protocols.http.httptools_impl",
        "STATUS_LINE",
        "edge/http_protocol.py: the status line uvicorn writes",
    ),
    (
        "uvicorn.protocols.http.httptools_impl",
        "HttpToolsProtocol().server_state",
        "edge/http_protocol.py: uvicorn's default headers (server, date)",
    ),
    (
        "connexion.spec",
        "OpenAPISpecification._validate_spec",
        "spec/documents.py: check a document against the meta-schema once per process",
    ),
    ("toktok", "_encoding", "tokens.py: decode token ids, which toktok has no public call for"),
)
