"""The admin surface: OpenAI's errors (`{"error": {message, type, param, code}}`), its own
document and operations. Mounted only when GATEWAY_ADMIN_TOKEN is set (see `app.create_app`);
its token is checked by its own gate (see `edge.admin_gate`), never as a client key."""

from __future__ import annotations

from ..base import Handler
from ..openai.surface import OpenAIErrors
from . import keys, usage
from .operations import DOCUMENT, OPERATIONS

HANDLERS: dict[str, Handler] = {
    "listKeys": keys.listKeys,
    "createKey": keys.createKey,
    "getKey": keys.getKey,
    "updateKey": keys.updateKey,
    "revokeKey": keys.revokeKey,
    "getUsage": usage.getUsage,
}


class AdminSurface(OpenAIErrors):
    name = "admin"
    document = DOCUMENT
    operations = OPERATIONS
    handlers = HANDLERS
    path_prefixes = ("/admin/",)
    key_hint = "'Authorization: Bearer <GATEWAY_ADMIN_TOKEN>'"
    spec_path = "/openapi/admin.json"


ADMIN = AdminSurface()
