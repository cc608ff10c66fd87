"""OpenAI's Responses API: native where the upstream serves it, translated through chat
everywhere else (see `handlers`)."""
