"""How one model of Copilot's 2026 catalogue is written out: the builders the catalogue's
data (`catalog_models`) is made with, and the prices behind both `billing` shapes.

A model carries its prices once, in USD per 1M tokens as GitHub's docs table gives them
(`Price`), and the entry shows them in one of Copilot's two shapes of
`billing.token_prices`: flat (nano-AIU per batch, the older shape) or tiered (AI credits per
batch, a `default` tier and, where the docs split one, a `long_context` tier). The bill in
each answer's `copilot_usage` is computed from the same `Price`s (see `credits`), so the two
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BATCH = 1_000_000  # tokens a price is for
NANO_AIU_PER_USD = 10**11  # 1 credit = $0.01 = 1e9 nano-AIU
CREDITS_PER_USD = 100

# The plans of the docs' tables, and `max`, the plan the emulator's catch-all account is on:
# it offers every model (see `plans`).
FREE, STUDENT, PRO, PRO_PLUS = "free", "student", "pro", "pro_plus"
BUSINESS, ENTERPRISE, MAX = "business", "enterprise", "max"
PAID = [PRO, PRO_PLUS, BUSINESS, ENTERPRISE, MAX]
EVERY_PLAN = [FREE, STUDENT, *PAID]

IMAGE_LIMITS = {
    "max_prompt_images": 5,
    "max_prompt_image_size": 3145728,
    "supported_media_types": ["image/jpeg", "image/png", "image/webp"],
}

Limits = tuple[int, int, int]  # (context window, prompt, output) tokens


@dataclass(frozen=True)
class Price:
    """USD per 1M tokens, as the docs table gives them."""

    input: float
    cached: float
    output: float
    cache_write: float = 0.0

    def nano_aiu(self, kind: str) -> int:
        """nano-AIU per `BATCH` tokens of this kind (input, cache_read, cache_write, output)."""
        usd = {
            "input": self.input,
            "cache_read": self.cached,
            "cache_write": self.cache_write,
            "output": self.output,
        }[kind]
        return round(usd * NANO_AIU_PER_USD)


@dataclass(frozen=True)
class Pricing:
    """A model's prices: one tier, or a default tier up to `threshold` prompt tokens and a
    long-context tier past it (the whole request at the long rate, as the proxies read it)."""

    default: Price
    long: Price | None = None
    threshold: int | None = None
    shape: str = "tiered"  # how `/models` shows them: "tiered" or "flat"

    def tier(self, prompt_tokens: int) -> Price:
        if self.long is not None and self.threshold is not None and prompt_tokens > self.threshold:
            return self.long
        return self.default

    def token_prices(self, max_prompt: int) -> dict[str, Any]:
        if self.shape == "flat":
            price = self.default
            return {
                "batch_size": BATCH,
                "input_price": price.nano_aiu("input"),
                "output_price": price.nano_aiu("output"),
                "cache_price": price.nano_aiu("cache_read"),
            }
        prices: dict[str, Any] = {
            "batch_size": BATCH,
            "default": _tier(self.default, self.threshold or max_prompt),
        }
        if self.long is not None:
            prices["long_context"] = _tier(self.long, max_prompt)
        return prices


def _tier(price: Price, max_prompt: int) -> dict[str, Any]:
    """A tier in AI credits per batch (1 credit = $0.01)."""

    def credits(usd: float) -> float:
        return round(usd * CREDITS_PER_USD, 4)

    return {
        "input_price": credits(price.input),
        "output_price": credits(price.output),
        "cache_read_price": credits(price.cached),
        "cache_write_price": credits(price.cache_write),
        "max_prompt_tokens": max_prompt,
    }


def price_category(pricing: Pricing | None) -> str:
    """`model_picker_price_category`, by the output price (UNCERTAIN: Copilot's own cut-offs
    are not published; these put the docs' models in the order their prices give)."""
    if pricing is None:
        return "low"
    output = pricing.default.output
    if output <= 5:
        return "low"
    if output <= 15:
        return "medium"
    if output <= 30:
        return "high"
    return "very_high"


def limits_of(limits: Limits, vision: bool) -> dict[str, Any]:
    context, prompt, output = limits
    shaped: dict[str, Any] = {
        "max_context_window_tokens": context,
        "max_prompt_tokens": prompt,
        "max_output_tokens": output,
        "max_non_streaming_output_tokens": min(output, 16384),
    }
    if vision:
        shaped["vision"] = IMAGE_LIMITS
    return shaped


def chat(
    model_id: str,
    name: str,
    vendor: str,
    *,
    limits: Limits = (128000, 64000, 16384),
    vision: bool = True,
    pricing: Pricing | None = None,
    multiplier: float = 0,
    plans: list[str] | None = None,
    category: str = "versatile",
    endpoints: list[str] | None = None,
    efforts: list[str] | None = None,
    thinking: bool = False,
    preview: bool = False,
    tokenizer: str = "o200k_base",
) -> dict[str, Any]:
    """A chat model as Copilot lists it. A model with no `pricing` is free (multiplier 0,
    nothing billed); `plans` are the plans that offer it (`billing.restricted_to`)."""
    supports: dict[str, Any] = {
        "streaming": True,
        "tool_calls": True,
        "parallel_tool_calls": True,
        "vision": vision,
        "structured_outputs": True,
    }
    if efforts:
        supports["reasoning_effort"] = efforts
    if thinking:
        supports["thinking"] = supports["adaptive_thinking"] = True
        supports["min_thinking_budget"], supports["max_thinking_budget"] = 1024, 32000
    billing: dict[str, Any] = {
        "is_premium": multiplier > 0,
        "multiplier": multiplier,
        "restricted_to": list(plans or EVERY_PLAN),
    }
    if pricing is not None:
        billing["token_prices"] = pricing.token_prices(limits[1])
    model: dict[str, Any] = {
        "id": model_id,
        "name": name,
        "object": "model",
        "vendor": vendor,
        "version": model_id,
        "preview": preview,
        "model_picker_enabled": True,
        "model_picker_category": category,
        "model_picker_price_category": price_category(pricing),
        "is_chat_default": model_id == "gpt-4.1",
        "is_chat_fallback": model_id == "gpt-4.1",
        "policy": {"state": "enabled", "terms": f"Enable access to {name}."},
        "billing": billing,
        "capabilities": {
            "object": "model_capabilities",
            "type": "chat",
            "family": model_id,
            "tokenizer": tokenizer,
            "limits": limits_of(limits, vision),
            "supports": supports,
        },
    }
    if endpoints:
        model["supported_endpoints"] = list(endpoints)
    return model


def disabled(model: dict[str, Any]) -> dict[str, Any]:
    """Offered, but not enabled by the account's policy: calling it is 400
    model_not_supported."""
    return {**model, "policy": {"state": "disabled", "terms": model["policy"]["terms"]}}


def _not_for_chat(model_id: str, name: str, kind: str, **capabilities: Any) -> dict[str, Any]:
    """A model outside the chat picker (embeddings, code completions)."""
    return {
        "id": model_id,
        "name": name,
        "object": "model",
        "vendor": "Azure OpenAI",
        "version": model_id,
        "preview": False,
        "model_picker_enabled": False,
        "is_chat_default": False,
        "is_chat_fallback": False,
        "capabilities": {
            "object": "model_capabilities",
            "type": kind,
            "family": model_id,
            **capabilities,
        },
    }


def embeddings(model_id: str, name: str) -> dict[str, Any]:
    return _not_for_chat(
        model_id,
        name,
        "embeddings",
        tokenizer="cl100k_base",
        limits={"max_inputs": 512},
        supports={"dimensions": True},
    )


def completion(model_id: str, name: str) -> dict[str, Any]:
    """A code-completion model: listed by Copilot, but not callable on /chat/completions."""
    return _not_for_chat(model_id, name, "completion", tokenizer="o200k_base", supports={})
