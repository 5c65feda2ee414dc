"""OpenAI-compatible chat completions behind TorchServe.

TorchServe 0.12 routes `/predictions/<model>/<version>/v1/chat/completions` to this handler
and passes the segments after the version as the request header `url_path`
(`v1/chat/completions`). The request's `model` must be the TorchServe model name. Streamed
answers go out as Server-Sent Events through TorchServe's intermediate responses with
`Content-Type: text/event-stream`; other answers are `application/json`; refusals carry a
non-2xx status set through TorchServe's context.

Archive: `--handler modelfleet_handler.chat:handle`, model config `handler: {engine: vllm}`
(or `echo` on CPU).
"""

import json
import logging
import time
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional

from .engines import engine_from_config
from .openai_chat import (
    CHAT_ROUTE,
    JSON_CONTENT_TYPE,
    MODELS_ROUTE,
    SSE_CONTENT_TYPE,
    SSE_DONE,
    ChatRequest,
    RequestError,
    chunk_body,
    completion_body,
    decode_body,
    models_body,
    new_completion_id,
    parse_chat_request,
    sse_event,
    usage,
)

logger = logging.getLogger(__name__)

# (responses by batch index, request ids by batch index, context) -> None
IntermediateSender = Callable[[Dict[int, str], Dict[int, str], Any], None]


def _torchserve_sender(responses: Dict[int, str], request_ids: Dict[int, str], context: Any) -> None:
    from ts.handler_utils.utils import send_intermediate_predict_response

    send_intermediate_predict_response(responses, request_ids, "Intermediate Prediction success", 200, context)


class ChatHandler:
    def __init__(self, send_intermediate: Optional[IntermediateSender] = None, engine: Any = None) -> None:
        self._send_intermediate = send_intermediate or _torchserve_sender
        self.engine = engine
        self.served_model = ""
        self.created = int(time.time())
        self.initialized = False

    def initialize(self, context: Any) -> None:
        self.served_model = context.model_name
        if self.engine is None:
            handler_config = (getattr(context, "model_yaml_config", None) or {}).get("handler") or {}
            self.engine = engine_from_config(handler_config, context.system_properties.get("model_dir", ""))
        logger.info("serving %s with the %s engine", self.served_model, self.engine.name)
        self.initialized = True

    def handle(self, data: List[Dict[str, Any]], context: Any) -> List[str]:
        answers = []
        for idx, row in enumerate(data):
            try:
                answers.append(self._answer(idx, row, context))
            except RequestError as err:
                logger.info("refused request %s: %s %s", idx, err.status, err.message)
                context.set_response_status(err.status, HTTPStatus(err.status).phrase, idx)
                context.set_response_content_type(idx, JSON_CONTENT_TYPE)
                answers.append(json.dumps(err.body()))
        return answers

    def _answer(self, idx: int, row: Dict[str, Any], context: Any) -> str:
        route = (context.get_request_header(idx, "url_path") or "").strip("/")
        if route == MODELS_ROUTE:
            context.set_response_content_type(idx, JSON_CONTENT_TYPE)
            return json.dumps(models_body(self.served_model, self.created))
        if route != CHAT_ROUTE:
            raise RequestError(
                404,
                f"Unknown route `{route or '(none)'}` for model `{self.served_model}`: use /predictions/{self.served_model}/<version>/{CHAT_ROUTE}",
                "invalid_request_error",
                code="unknown_route",
            )
        body = row.get("body")
        if body is None:
            body = row.get("data")
        request = parse_chat_request(decode_body(body), self.served_model)
        if request.stream:
            return self._stream(idx, request, context)
        generation = self.engine.generate(request)
        text = "".join(generation)
        context.set_response_content_type(idx, JSON_CONTENT_TYPE)
        return json.dumps(
            completion_body(
                new_completion_id(), self.served_model, text, generation.finish_reason, generation.prompt_tokens, generation.completion_tokens
            )
        )

    def _stream(self, idx: int, request: ChatRequest, context: Any) -> str:
        # The content type must be set before the first intermediate response: TorchServe
        # sends the HTTP headers with it.
        context.set_response_content_type(idx, SSE_CONTENT_TYPE)
        request_ids = {idx: context.request_ids[idx]}
        completion_id = new_completion_id()
        created = int(time.time())

        def send(payload: Dict[str, Any]) -> None:
            self._send_intermediate({idx: sse_event(payload)}, request_ids, context)

        send(chunk_body(completion_id, self.served_model, {"role": "assistant", "content": ""}, None, created))
        generation = self.engine.generate(request)
        for delta in generation:
            send(chunk_body(completion_id, self.served_model, {"content": delta}, None, created))
        send(chunk_body(completion_id, self.served_model, {}, generation.finish_reason, created))
        if request.include_usage:
            counts = usage(generation.prompt_tokens, generation.completion_tokens)
            send(chunk_body(completion_id, self.served_model, {}, None, created, counts, with_choice=False))
        return SSE_DONE


_handler = ChatHandler()


def handle(data: Optional[List[Dict[str, Any]]], context: Any) -> Optional[List[str]]:
    """TorchServe's function entry point; the first call (data None) initializes."""
    if not _handler.initialized:
        _handler.initialize(context)
    if data is None:
        return None
    return _handler.handle(data, context)
