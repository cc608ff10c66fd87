"""The emulator reads content as each API shapes it: text, parts, images."""

from __future__ import annotations

from copilot_gateway.emulator.content import chat_has_image, responses_has_image, text_of

IMAGE_URL = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}
INPUT_IMAGE = {"type": "input_image", "image_url": "data:image/png;base64,AA=="}


def test_text_is_a_string_or_its_parts_texts_run_together() -> None:
    assert text_of("plain") == "plain"
    parts = [{"type": "text", "text": "a"}, IMAGE_URL, {"type": "input_text", "text": "b"}, "x"]
    assert text_of(parts) == "ab"
    assert text_of(None) == text_of({"text": "not content"}) == ""


def test_chat_images_are_image_url_parts() -> None:
    assert chat_has_image([{"role": "user", "content": ["look", IMAGE_URL]}])
    assert not chat_has_image([{"role": "user", "content": "look at image_url"}])
    assert not chat_has_image([{"role": "user", "content": [INPUT_IMAGE]}])
    assert not chat_has_image("not messages")


def test_responses_images_are_input_image_parts() -> None:
    assert responses_has_image([{"role": "user", "content": [INPUT_IMAGE]}])
    assert not responses_has_image([{"role": "user", "content": [IMAGE_URL]}])
    assert not responses_has_image("a string input")
