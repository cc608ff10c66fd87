"""What each dashboard page shows, gathered from the gateway's parts: the ledger (its recent
rows through `state.ledger.recent`, longer spans through the reports and their rollup), the
keys (`access.key_admin`), the upstream's accounts and catalogue. Times are UTC; `now` is
given, so that a page over a ledger of another day (the bench's) shows that day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncEngine

from ...access.key_admin import KeyAdmin
from ...observability.quota import QuotaSource
from ...pricing import NANO_AIU_PER_CREDIT, TOKENS_PER_MILLION
from ...state.ledger import recent
from ...state.ledger.reports import usage_report
from ...upstreams.base import ModelInfo, Upstream
from ..anthropic.endpoints import MESSAGES
from ..openai.endpoints import CHAT, RESPONSES
from .charts import chart

MINUTES_SHOWN = 60
HOURS_SHOWN = 24
TOP = 5  # rows of each of today's top lists
FILTERS = ("key", "model", "status", "client")  # the requests page's, as `recent.Filters`
Json = dict[str, Any]


def start_of_day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def overview(engine: AsyncEngine, now: datetime) -> Json:
    """Requests and errors per minute, credits per hour, latency percentiles over the last
    hour, and today's totals and top keys, models and clients."""
    # Bounded on both sides: a ledger of another day (the bench's) has rows after `now`.
    minute_end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    hour_ago = minute_end - timedelta(minutes=MINUTES_SHOWN)
    counts = await recent.per_minute(engine, hour_ago, minute_end)
    minutes = recent.last_minutes(now, MINUTES_SHOWN)
    requests = [counts.get(minute, (0, 0))[0] for minute in minutes]
    errors = [counts.get(minute, (0, 0))[1] for minute in minutes]
    hour_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    hours_start = hour_end - timedelta(hours=HOURS_SHOWN)
    hourly = await usage_report(engine, "hour", hours_start, hour_end)
    by_hour = {row["hour"]: row["credits"] for row in hourly}
    hours = [hours_start + timedelta(hours=step) for step in range(HOURS_SHOWN)]
    hour_labels = [hour.strftime("%Y-%m-%dT%H:00:00Z") for hour in hours]
    credits = [by_hour.get(label, 0.0) for label in hour_labels]
    latencies = await recent.latencies(engine, hour_ago, minute_end)
    today = start_of_day(now)
    tomorrow = today + timedelta(days=1)
    tops = {
        group: (await usage_report(engine, group, today, tomorrow))[:TOP]
        for group in ("key", "model", "client")
    }
    totals = await usage_report(engine, "day", today, tomorrow)
    return {
        "per_minute": chart([m[11:] for m in minutes], requests, errors),
        "per_hour": chart([label[11:16] for label in hour_labels], credits, unit=" credits"),
        "last_hour": {"requests": sum(requests), "errors": sum(errors)},
        "p50": recent.percentile(latencies, 0.50),
        "p99": recent.percentile(latencies, 0.99),
        "today": totals[0] if totals else None,
        "tops": tops,
    }


async def accounts(upstream: Upstream) -> list[Json] | None:
    """Each account: plan, billing, credits, windows, whether it cools down and why, and
    the models its plan offers; None when the upstream has no accounts to report."""
    report = getattr(upstream, "accounts_report", None)
    if report is not None:
        return list(await report())
    if isinstance(upstream, QuotaSource):
        return [
            {**account, "cooling": None, "models": None}
            for account in await upstream.quota_report()
        ]
    return None


async def keys(key_admin: KeyAdmin, engine: AsyncEngine, now: datetime) -> list[Json]:
    """Every key with its rules, and what it spent today and this month against its budgets."""
    today = start_of_day(now)
    month = today.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    by_day = {
        row["key"]: row
        for row in await usage_report(engine, "key", today, today + timedelta(days=1))
    }
    by_month = {row["key"]: row for row in await usage_report(engine, "key", month, next_month)}
    shown = []
    for key in await key_admin.list():
        day, month_row = by_day.get(key["name"], {}), by_month.get(key["name"], {})
        shown.append(
            {
                **key,
                "spent_today": day.get("credits", 0.0),
                "spent_month": month_row.get("credits", 0.0),
                "requests_today": day.get("requests", 0),
            }
        )
    return shown


def route(info: ModelInfo, native: bool, through: bool) -> str:
    if info.kind == "embeddings":
        return "-"
    return "native" if native else "translated" if through else "-"


def per_million(rate: float) -> float:
    """Nano-AIU per token as credits per million tokens."""
    return rate * TOKENS_PER_MILLION / NANO_AIU_PER_CREDIT


async def models(upstream: Upstream) -> list[Json]:
    """The catalogue: each model's kind, how each surface serves it, its price and limits."""
    shown = []
    for model_id, info in sorted((await upstream.models()).items()):
        chat, responses, messages = info.serves(CHAT), info.serves(RESPONSES), info.serves(MESSAGES)
        tiers = info.price.tiers if info.price else ()
        shown.append(
            {
                "id": model_id,
                "kind": info.kind or "-",
                "chat": route(info, chat, responses),
                "responses": route(info, responses, chat),
                "messages": route(info, messages, chat or responses),
                "embeddings": "native" if info.kind == "embeddings" else "-",
                "input": per_million(tiers[0].input) if tiers else None,
                "cached": per_million(tiers[0].cached) if tiers else None,
                "output": per_million(tiers[0].output) if tiers else None,
                "premium": info.premium_multiplier,
                "max_prompt_tokens": info.max_prompt_tokens,
            }
        )
    return shown


def listing_asked(
    asked: dict[str, str | None], after: str | None
) -> tuple[recent.Filters, recent.Place | None]:
    """The requests page's filters and place, as its query gave them; ValueError saying
    which is wrong."""
    status = asked.get("status")
    if status is not None and status != "errors" and not (status.isdigit() and len(status) == 3):
        raise ValueError("status: a status code (e.g. 429) or 'errors'")
    filters = recent.Filters(**asked)
    if not after:
        return filters, None
    moment, _, row_id = after.rpartition("~")
    try:
        at = as_utc(datetime.fromisoformat(moment))
        assert at is not None
        return filters, (at, int(row_id))
    except ValueError:
        raise ValueError("after: a row's time and id, as the Older link gives them") from None


async def requests(
    engine: AsyncEngine, filters: recent.Filters, after: recent.Place | None
) -> Json:
    """A page of the ledger's rows, and the query of the page after it if there may be one."""
    listing = await recent.newest(engine, filters, after)
    older = None
    if listing.resume is not None:
        at, row_id = listing.resume
        given = {name: getattr(filters, name) for name in FILTERS if getattr(filters, name)}
        older = urlencode({**given, "after": f"{at.isoformat()}~{row_id}"})
    shown = {name: getattr(filters, name) for name in FILTERS}
    return {"rows": listing.rows, "filters": shown, "older": older, "searched": listing.resume}


def as_utc(at: datetime | None) -> datetime | None:
    """SQLite gives back times without their zone: they are UTC."""
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
