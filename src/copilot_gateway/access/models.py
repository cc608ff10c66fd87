"""May this caller use this model? Only models the upstream lists, each for its own kind,
and within what the config file allows this key and this country (see `rules`). And does
the prompt fit it (see `model_for_prompt`)?"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from starlette.types import Scope

from ..errors import NotFound
from ..observability.record import RequestRecord
from ..upstreams.base import Json, ModelInfo, Upstream
from .aliases import resolve
from .prompt_limits import Prompt, require_prompts_fit
from .rules import AccessConfig

# The model name a client sent is its own text: kept, cut short, for the ledger only.
MODEL_ASKED_CHARS = 200


class Call(Protocol):
    """What these checks read of the request they serve: a `call.Call`, which sits above
    this layer (it carries the gateway, whose access rules are ours)."""

    @property
    def caller(self) -> str | None: ...

    @property
    def scope(self) -> Scope: ...

    @property
    def record(self) -> RequestRecord: ...

    @property
    def upstream(self) -> Upstream: ...

    @property
    def access(self) -> AccessConfig: ...


def _permitted(call: Call, model: str) -> bool:
    return call.access.permits(call.caller, call.scope, model)


async def visible_models(call: Call) -> list[Json]:
    """The upstream's models this caller may use, as OpenAI model objects."""
    catalogue = await call.upstream.models()
    return [info.listed for info in catalogue.values() if _permitted(call, info.id)]


async def require_model(call: Call, model: str, kind: str | None = None) -> ModelInfo:
    """The model, if this caller may use it on an endpoint of this kind; else 404, as
    OpenAI answers, for a model not offered, not of the kind the endpoint needs, or not for
    this caller (the same answer as for a model that does not exist). Its name is resolved
    first (see `aliases`): the ModelInfo's id is the one to call."""
    call.record.model_asked = model[:MODEL_ASKED_CHARS]
    catalogue = await call.upstream.models()
    resolved = resolve(model, catalogue, call.access.models.aliases)
    info = catalogue.get(resolved)
    if info is None or not _permitted(call, resolved):
        raise NotFound(
            f"The model '{model}' does not exist or you do not have access to it.",
            param="model",
            code="model_not_found",
        )
    if kind and info.kind not in (None, kind):
        raise NotFound(
            f"The model '{model}' is a {info.kind} model, not a {kind} model.",
            param="model",
            code="model_not_supported",
        )
    call.record.model = resolved
    return info


async def model_for_prompt(
    call: Call,
    model: str,
    prompts: Callable[[str], Iterable[Prompt]],
    *,
    kind: str = "chat",
    param: str = "messages",
) -> ModelInfo:
    """The first step of every operation that sends a prompt, on every surface: the model,
    resolved and permitted (see `require_model`), and each prompt within its limit (see
    `prompt_limits`), before anything is sent. `prompts` gives the prompts the request
    sends, as counted, from the model's id (token ids are read in its vocabulary); it is
    called only for a model with a limit. `param` names them in the 400."""
    info = await require_model(call, model, kind)
    if info.max_prompt_tokens is not None:
        require_prompts_fit(info, prompts(info.id), param)
    return info
