"""The OpenAI chat-completions wire format, independent of TorchServe and of the engine.

Everything here is a pure function of its arguments so that the handler's behaviour can be
tested without a server.
"""

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

CHAT_ROUTE = "v1/chat/completions"
MODELS_ROUTE = "v1/models"
SSE_CONTENT_TYPE = "text/event-stream"
JSON_CONTENT_TYPE = "application/json"
SSE_DONE = "data: [DONE]\n\n"


class RequestError(Exception):
    """A request the handler refuses; carries the HTTP status and an OpenAI-style error."""

    def __init__(self, status: int, message: str, error_type: str, code: Optional[str] = None, param: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param

    def body(self) -> Dict[str, Any]:
        return {"error": {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}}


@dataclass
class ChatRequest:
    """The fields of a chat-completions request that the engines use."""

    model: str
    messages: List[Dict[str, Any]]
    stream: bool = False
    include_usage: bool = False
    max_tokens: Optional[int] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    seed: Optional[int] = None
    stop: List[str] = field(default_factory=list)


def decode_body(raw: Any) -> Dict[str, Any]:
    """TorchServe hands the body as bytes (or already-parsed JSON for application/json)."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8")
    if not isinstance(raw, str):
        raise RequestError(400, "the request body must be a JSON object", "invalid_request_error")
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RequestError(400, f"the request body is not JSON: {exc}", "invalid_request_error") from exc
    if not isinstance(parsed, dict):
        raise RequestError(400, "the request body must be a JSON object", "invalid_request_error")
    return parsed


def _optional_number(body: Dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise RequestError(400, f"'{key}' must be a {kind.__name__}", "invalid_request_error", param=key)
    return value


def parse_chat_request(body: Dict[str, Any], served_model: str) -> ChatRequest:
    """Validate a chat-completions body against the model this server serves."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise RequestError(400, "'model' is required", "invalid_request_error", param="model")
    if model != served_model:
        raise RequestError(
            404,
            f"The model `{model}` does not exist: this endpoint serves `{served_model}`.",
            "invalid_request_error",
            code="model_not_found",
            param="model",
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise RequestError(400, "'messages' must be a non-empty list of objects", "invalid_request_error", param="messages")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise RequestError(400, "'stream' must be a boolean", "invalid_request_error", param="stream")
    stream_options = body.get("stream_options") or {}
    if not isinstance(stream_options, dict):
        raise RequestError(400, "'stream_options' must be an object", "invalid_request_error", param="stream_options")
    max_tokens = _optional_number(body, "max_completion_tokens", int)
    if max_tokens is None:
        max_tokens = _optional_number(body, "max_tokens", int)
    if max_tokens is not None and max_tokens < 1:
        raise RequestError(400, "'max_tokens' must be at least 1", "invalid_request_error", param="max_tokens")
    stop = body.get("stop") or []
    if isinstance(stop, str):
        stop = [stop]
    if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
        raise RequestError(400, "'stop' must be a string or a list of strings", "invalid_request_error", param="stop")
    return ChatRequest(
        model=model,
        messages=messages,
        stream=stream,
        include_usage=bool(stream_options.get("include_usage", False)),
        max_tokens=max_tokens,
        temperature=_optional_number(body, "temperature", float),
        top_p=_optional_number(body, "top_p", float),
        seed=_optional_number(body, "seed", int),
        stop=stop,
    )


def message_text(message: Dict[str, Any]) -> str:
    """The text of a message whose content is a string or a list of text parts."""
    content = message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text")
    raise RequestError(400, "message 'content' must be a string or a list of parts", "invalid_request_error", param="messages")


def new_completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def usage(prompt_tokens: int, completion_tokens: int) -> Dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion_body(
    completion_id: str, model: str, text: str, finish_reason: str, prompt_tokens: int, completion_tokens: int, created: Optional[int] = None
) -> Dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created if created is not None else int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": usage(prompt_tokens, completion_tokens),
    }


def chunk_body(
    completion_id: str,
    model: str,
    delta: Dict[str, Any],
    finish_reason: Optional[str],
    created: int,
    usage_counts: Optional[Dict[str, int]] = None,
    with_choice: bool = True,
) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}] if with_choice else [],
    }
    if usage_counts is not None:
        body["usage"] = usage_counts
    return body


def sse_event(payload: Dict[str, Any]) -> str:
    """One Server-Sent Event carrying a JSON payload."""
    return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n"


def models_body(model: str, created: int) -> Dict[str, Any]:
    return {"object": "list", "data": [{"id": model, "object": "model", "created": created, "owned_by": "modelfleet"}]}
