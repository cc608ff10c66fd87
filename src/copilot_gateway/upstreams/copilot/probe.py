"""The smallest call Copilot answers: one word from a free model. Copilot reports an
account's 5-hour session and weekly windows only on the answers of calls, so `check` makes
this one to try the account end to end, and `usage` to read the windows.

It costs nothing: the model is one of the free ones (multiplier 0, no AI credits; the first
of `FREE_MODELS` the account's catalogue serves on chat as free), and the call is the
agent's (`X-Initiator: agent`, no user turn), so it counts no premium request either.
"""

from __future__ import annotations

from ...observability.record import RequestRecord
from ..base import Catalogue, Endpoint, Json
from .upstream import CopilotUpstream

# Free on every plan (reference §1), in the order tried.
FREE_MODELS = ("gpt-5-mini", "gpt-4.1", "gpt-4o-mini", "gpt-4o")
# A chat endpoint that no request makes the user's turn: the call is always the agent's.
PROBE_CALL = Endpoint("/chat/completions")
# No `max_tokens`: the prompt keeps the answer to a word, and a budget that small can leave
# a reasoning model (gpt-5-mini) no room to answer at all.
PROMPT = "Reply with the single word OK."


def free_model(catalogue: Catalogue) -> str | None:
    """The free model to call: the first of `FREE_MODELS` served on chat at no cost."""
    for model in FREE_MODELS:
        info = catalogue.get(model)
        if info is not None and info.serves(PROBE_CALL) and not info.premium_multiplier:
            return model
    return None


def probe_body(model: str) -> Json:
    return {"model": model, "messages": [{"role": "user", "content": PROMPT}]}


async def probe(upstream: CopilotUpstream) -> Json | None:
    """The call, through the account's upstream (which keeps the windows its answer's
    headers carry); None when the catalogue has no free model to call."""
    model = free_model(await upstream.models())
    if model is None:
        return None
    record = RequestRecord("POST", PROBE_CALL.path)
    return await upstream.call(PROBE_CALL, probe_body(model), record)
