"""What the Anthropic surface serves (`openapi/anthropic.yaml`): the one list of its operations."""

from __future__ import annotations

from ...spec.operations import Operation

DOCUMENT = "anthropic.yaml"

OPERATIONS = (
    Operation("createMessage", "post", "/messages", "Create a message, streamed or not."),
    Operation(
        "countMessageTokens",
        "post",
        "/messages/count_tokens",
        "Count the input tokens a message request would take.",
    ),
)
