"""Engines behind the chat handler, chosen by the archive's model config (`handler.engine`).

- `vllm`: vLLM's AsyncLLMEngine (the LLM image); `vllm` is imported only when this engine
  is built, so the handler and its tests need no GPU stack.
- `echo`: a small deterministic CPU engine that answers with the last user message; the
  tests and the end-to-end run use it to exercise the same handler code.
"""

import asyncio
import os
import queue
import threading
import uuid
from typing import Any, Dict, Iterator, List, Optional

from .openai_chat import ChatRequest, message_text

ENGINE_KEY = "engine"


class Generation:
    """An answer being generated: iterate for text deltas; counts are final once exhausted."""

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.finish_reason = "stop"

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError


class _EchoGeneration(Generation):
    def __init__(self, prompt_tokens: int, words: List[str], max_tokens: Optional[int]) -> None:
        super().__init__()
        self.prompt_tokens = prompt_tokens
        self._words = words
        self._max_tokens = max_tokens

    def __iter__(self) -> Iterator[str]:
        for position, word in enumerate(self._words):
            if self._max_tokens is not None and position >= self._max_tokens:
                self.finish_reason = "length"
                return
            self.completion_tokens += 1
            yield word if position == 0 else " " + word


class EchoEngine:
    """Answers `<prefix><last user message>`, one word per token."""

    name = "echo"

    def __init__(self, config: Dict[str, Any]) -> None:
        prefix = config.get("echo_prefix", "echo: ")
        if not isinstance(prefix, str):
            raise ValueError("handler.echo_prefix must be a string")
        self.prefix = prefix

    def generate(self, request: ChatRequest) -> Generation:
        user_messages = [m for m in request.messages if m.get("role") == "user"]
        last = message_text(user_messages[-1]) if user_messages else ""
        prompt_tokens = sum(len(message_text(m).split()) for m in request.messages)
        return _EchoGeneration(prompt_tokens, (self.prefix + last).split(), request.max_tokens)


_END = object()


class _VllmGeneration(Generation):
    def __init__(self, engine: "VllmEngine", prompt: str, sampling: Any) -> None:
        super().__init__()
        self._engine = engine
        self._prompt = prompt
        self._sampling = sampling

    def __iter__(self) -> Iterator[str]:
        outputs: "queue.Queue[Any]" = queue.Queue()

        async def produce() -> None:
            try:
                async for output in self._engine.engine.generate(self._prompt, self._sampling, uuid.uuid4().hex):
                    outputs.put(output)
            except BaseException as exc:  # handed to the consuming thread
                outputs.put(exc)
            finally:
                outputs.put(_END)

        asyncio.run_coroutine_threadsafe(produce(), self._engine.loop)
        sent = ""
        while True:
            item = outputs.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            completion = item.outputs[0]
            self.prompt_tokens = len(item.prompt_token_ids or [])
            self.completion_tokens = len(completion.token_ids)
            if completion.finish_reason:
                self.finish_reason = completion.finish_reason
            delta = completion.text[len(sent) :]
            sent = completion.text
            if delta:
                yield delta


class VllmEngine:
    """vLLM's AsyncLLMEngine on an event loop of its own; the handler consumes it synchronously."""

    name = "vllm"

    def __init__(self, config: Dict[str, Any], model_dir: str) -> None:
        import vllm  # the LLM image has it; nothing else imports this module's vLLM path

        self._vllm = vllm
        engine_args = dict(config.get("vllm_engine_config") or {})
        model = engine_args.pop("model", None) or config.get("model_path")
        if not model:
            raise ValueError("handler.vllm_engine_config.model (or handler.model_path) must name the model to load")
        local = os.path.join(model_dir, model)
        os.environ.setdefault("VLLM_WORKER_MULTIPROC_METHOD", "spawn")
        args = vllm.AsyncEngineArgs(model=local if os.path.exists(local) else model, **engine_args)
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="vllm-engine-loop", daemon=True).start()

        async def build() -> Any:
            engine = vllm.AsyncLLMEngine.from_engine_args(args)
            return engine, await engine.get_tokenizer()

        self.engine, self.tokenizer = asyncio.run_coroutine_threadsafe(build(), self.loop).result()

    def generate(self, request: ChatRequest) -> Generation:
        prompt = self.tokenizer.apply_chat_template(
            [{"role": m.get("role", "user"), "content": message_text(m)} for m in request.messages],
            tokenize=False,
            add_generation_prompt=True,
        )
        sampling: Dict[str, Any] = {"stop": request.stop or None}
        if request.max_tokens is not None:
            sampling["max_tokens"] = request.max_tokens
        for key in ("temperature", "top_p", "seed"):
            value = getattr(request, key)
            if value is not None:
                sampling[key] = value
        return _VllmGeneration(self, prompt, self._vllm.SamplingParams(**sampling))


def engine_from_config(handler_config: Dict[str, Any], model_dir: str) -> Any:
    """The engine named by the archive's model config, `handler: {engine: echo|vllm}`."""
    name = handler_config.get(ENGINE_KEY)
    if name == "echo":
        return EchoEngine(handler_config)
    if name == "vllm":
        return VllmEngine(handler_config, model_dir)
    raise ValueError(
        f"handler.{ENGINE_KEY} in the archive's model config is {name!r}; set it to 'vllm' (GPU, the LLM image) or 'echo' (CPU tests)"
    )
