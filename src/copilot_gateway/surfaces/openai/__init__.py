"""The OpenAI API surface: chat, legacy completions, embeddings and models."""
