"""What the admin API serves (`openapi/admin.yaml`): the one list of its operations."""

from __future__ import annotations

from ...spec.operations import Operation

DOCUMENT = "admin.yaml"
ADMIN = ("/admin",)

OPERATIONS = (
    Operation("listKeys", "get", "/keys", "List every key.", servers=ADMIN, origin="ours"),
    Operation("createKey", "post", "/keys", "Make a runtime key.", servers=ADMIN, origin="ours"),
    Operation("getKey", "get", "/keys/{name}", "One key.", servers=ADMIN, origin="ours"),
    Operation(
        "updateKey", "patch", "/keys/{name}", "Change a key's rules.", servers=ADMIN, origin="ours"
    ),
    Operation(
        "revokeKey", "delete", "/keys/{name}", "Revoke a runtime key.", servers=ADMIN, origin="ours"
    ),
    Operation(
        "getUsage", "get", "/usage", "A usage report from the ledger.", servers=ADMIN, origin="ours"
    ),
)
