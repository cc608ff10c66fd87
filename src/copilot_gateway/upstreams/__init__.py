"""The servers behind the gateway: one interface (`base.Upstream`), one class per kind."""

from .base import Catalogue, Json, ModelInfo, Upstream

__all__ = ["Catalogue", "Json", "ModelInfo", "Upstream"]
