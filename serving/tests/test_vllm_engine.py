"""The vLLM engine's adapter logic, with a recording `vllm` module in place of the real one
(which needs a GPU): engine arguments, the chat template, sampling parameters, and deltas
from vLLM's cumulative outputs."""

import sys
import types
from types import SimpleNamespace

import pytest

from modelfleet_handler.engines import engine_from_config
from modelfleet_handler.openai_chat import ChatRequest


@pytest.fixture
def fake_vllm(monkeypatch):
    recorded = {}

    class AsyncEngineArgs:
        def __init__(self, **kwargs):
            recorded["engine_args"] = kwargs

    class Tokenizer:
        def apply_chat_template(self, messages, tokenize, add_generation_prompt):
            recorded["template"] = (messages, tokenize, add_generation_prompt)
            return "<prompt>"

    class Engine:
        async def get_tokenizer(self):
            return Tokenizer()

        async def generate(self, prompt, sampling, request_id):
            recorded["prompt"] = prompt
            for text, finish in (("Hel", None), ("Hello", None), ("Hello world", "length")):
                yield SimpleNamespace(
                    prompt_token_ids=[1, 2, 3],
                    outputs=[SimpleNamespace(text=text, token_ids=list(range(len(text.split()))), finish_reason=finish)],
                )

    class AsyncLLMEngine:
        @staticmethod
        def from_engine_args(args):
            return Engine()

    def SamplingParams(**kwargs):
        recorded["sampling"] = kwargs
        return kwargs

    module = types.ModuleType("vllm")
    module.AsyncEngineArgs = AsyncEngineArgs
    module.AsyncLLMEngine = AsyncLLMEngine
    module.SamplingParams = SamplingParams
    monkeypatch.setitem(sys.modules, "vllm", module)
    return recorded


def test_vllm_engine_streams_deltas_of_the_cumulative_text(fake_vllm, tmp_path):
    engine = engine_from_config(
        {"engine": "vllm", "model_path": "weights", "vllm_engine_config": {"max_model_len": 4096, "served_model_name": ["x"]}},
        str(tmp_path),
    )
    assert fake_vllm["engine_args"] == {"model": "weights", "max_model_len": 4096, "served_model_name": ["x"]}
    request = ChatRequest(
        model="m",
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        max_tokens=2,
        temperature=0.5,
        stop=["\n"],
    )
    generation = engine.generate(request)
    assert list(generation) == ["Hel", "lo", " world"]
    assert fake_vllm["template"] == ([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}], False, True)
    assert fake_vllm["prompt"] == "<prompt>"
    assert fake_vllm["sampling"] == {"stop": ["\n"], "max_tokens": 2, "temperature": 0.5}
    assert (generation.prompt_tokens, generation.completion_tokens, generation.finish_reason) == (3, 2, "length")


def test_weights_inside_the_archive_are_found_in_the_model_dir(fake_vllm, tmp_path):
    (tmp_path / "weights").mkdir()
    engine_from_config({"engine": "vllm", "model_path": "weights"}, str(tmp_path))
    assert fake_vllm["engine_args"] == {"model": str(tmp_path / "weights")}


def test_vllm_engine_needs_a_model(fake_vllm):
    with pytest.raises(ValueError, match=r"handler.vllm_engine_config.model \(or handler.model_path\) must name the model to load"):
        engine_from_config({"engine": "vllm"}, "")
