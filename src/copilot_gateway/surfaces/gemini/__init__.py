"""Google's Gemini API (v1beta) in front of every model the upstream serves."""
