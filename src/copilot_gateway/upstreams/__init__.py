"""The servers behind the gateway: one interface (`base.Upstream`), one class per kind."""

from .base import CallRecord, Catalogue, Endpoint, EventStream, Json, ModelInfo, Upstream

__all__ = ["CallRecord", "Catalogue", "Endpoint", "EventStream", "Json", "ModelInfo", "Upstream"]
