import json

import pytest

from modelfleet_handler.chat import ChatHandler
from modelfleet_handler.engines import EchoEngine, engine_from_config

from fakes import RecordingContext, sender_into

MODEL = "llama3-8b-instruct"
ROUTE = "v1/chat/completions"


def make(url_paths, config=None):
    context = RecordingContext(MODEL, url_paths, config)
    handler = ChatHandler(send_intermediate=sender_into(context))
    handler.initialize(context)
    return handler, context


def body(**fields):
    base = {"model": MODEL, "messages": [{"role": "user", "content": "hello there"}]}
    base.update(fields)
    return {"body": json.dumps(base).encode()}


def test_chat_answer_is_json_with_the_echo():
    handler, context = make([ROUTE])
    [answer] = handler.handle([body()], context)
    parsed = json.loads(answer)
    assert context.content_types[0] == "application/json"
    assert 0 not in context.statuses
    assert parsed["object"] == "chat.completion"
    assert parsed["model"] == MODEL
    assert parsed["choices"][0]["message"] == {"role": "assistant", "content": "echo: hello there"}
    assert parsed["choices"][0]["finish_reason"] == "stop"
    assert parsed["usage"] == {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}


def test_body_already_parsed_by_torchserve_is_accepted():
    handler, context = make([ROUTE])
    [answer] = handler.handle([{"body": {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}}], context)
    assert json.loads(answer)["choices"][0]["message"]["content"] == "echo: hi"


def test_model_mismatch_is_404_with_an_openai_error():
    handler, context = make([ROUTE])
    [answer] = handler.handle([body(model="llama3")], context)
    assert context.statuses[0] == (404, "Not Found")
    assert context.content_types[0] == "application/json"
    assert json.loads(answer) == {
        "error": {
            "message": "The model `llama3` does not exist: this endpoint serves `llama3-8b-instruct`.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }


@pytest.mark.parametrize(
    "row, status, message",
    [
        ({"body": b"{not json"}, 400, "the request body is not JSON"),
        ({"body": b"[1, 2]"}, 400, "the request body must be a JSON object"),
        ({"body": json.dumps({"messages": [{"role": "user", "content": "x"}]}).encode()}, 400, "'model' is required"),
        ({"body": json.dumps({"model": MODEL, "messages": []}).encode()}, 400, "'messages' must be a non-empty list of objects"),
        ({"body": json.dumps({"model": MODEL, "messages": [{"content": "x"}], "stream": "yes"}).encode()}, 400, "'stream' must be a boolean"),
        ({"body": json.dumps({"model": MODEL, "messages": [{"content": "x"}], "max_tokens": 0}).encode()}, 400, "'max_tokens' must be at least 1"),
    ],
)
def test_bad_requests_are_400(row, status, message):
    handler, context = make([ROUTE])
    [answer] = handler.handle([row], context)
    assert context.statuses[0][0] == status
    assert json.loads(answer)["error"]["message"].startswith(message)


def test_unknown_route_is_404():
    handler, context = make(["v1/embeddings"])
    [answer] = handler.handle([body()], context)
    assert context.statuses[0] == (404, "Not Found")
    assert "Unknown route `v1/embeddings`" in json.loads(answer)["error"]["message"]


def test_bare_predictions_route_is_404():
    handler, context = make([""])
    [answer] = handler.handle([body()], context)
    assert context.statuses[0][0] == 404
    assert "Unknown route `(none)`" in json.loads(answer)["error"]["message"]


def test_models_route_lists_the_served_model():
    handler, context = make(["v1/models"])
    [answer] = handler.handle([{"body": b""}], context)
    assert [m["id"] for m in json.loads(answer)["data"]] == [MODEL]


def test_stream_sets_event_stream_before_the_first_chunk_and_ends_with_done():
    handler, context = make([ROUTE])
    [last] = handler.handle([body(stream=True)], context)
    assert last == "data: [DONE]\n\n"
    assert context.content_types[0] == "text/event-stream"
    assert all(content_type == "text/event-stream" for _, _, content_type in context.sent)
    assert all(ids == {0: "req-0"} for _, ids, _ in context.sent)
    events = [responses[0] for responses, _, _ in context.sent]
    assert all(e.startswith("data: ") and e.endswith("\n\n") for e in events)
    chunks = [json.loads(e[len("data: ") :]) for e in events]
    assert [c["choices"][0]["delta"] for c in chunks] == [
        {"role": "assistant", "content": ""},
        {"content": "echo:"},
        {"content": " hello"},
        {"content": " there"},
        {},
    ]
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, None, None, "stop"]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1


def test_stream_usage_chunk_when_asked():
    handler, context = make([ROUTE])
    handler.handle([body(stream=True, stream_options={"include_usage": True})], context)
    final = json.loads(context.sent[-1][0][0][len("data: ") :])
    assert final["choices"] == []
    assert final["usage"] == {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}


def test_max_tokens_cuts_the_answer_with_finish_reason_length():
    handler, context = make([ROUTE])
    [answer] = handler.handle([body(max_tokens=2)], context)
    parsed = json.loads(answer)
    assert parsed["choices"][0]["message"]["content"] == "echo: hello"
    assert parsed["choices"][0]["finish_reason"] == "length"


def test_a_batch_answers_each_request_on_its_own():
    handler, context = make([ROUTE, ROUTE])
    answers = handler.handle([body(model="wrong"), body()], context)
    assert context.statuses == {0: (404, "Not Found")}
    assert json.loads(answers[1])["choices"][0]["message"]["content"] == "echo: hello there"


def test_text_parts_are_joined():
    handler, context = make([ROUTE])
    row = body(messages=[{"role": "user", "content": [{"type": "text", "text": "a b"}, {"type": "text", "text": " c"}]}])
    [answer] = handler.handle([row], context)
    assert json.loads(answer)["choices"][0]["message"]["content"] == "echo: a b c"


def test_engine_is_chosen_by_the_model_config():
    assert isinstance(engine_from_config({"engine": "echo"}, ""), EchoEngine)
    with pytest.raises(ValueError, match=r"handler.engine in the archive's model config is 'tgi'; set it to 'vllm'"):
        engine_from_config({"engine": "tgi"}, "")
    with pytest.raises(ValueError, match=r"handler.engine in the archive's model config is None"):
        engine_from_config({}, "")


def test_vllm_engine_imports_vllm_only_when_chosen():
    # No vllm in the test environment: choosing it fails on the import, nothing else does.
    with pytest.raises(ImportError, match="vllm"):
        engine_from_config({"engine": "vllm", "model_path": "weights"}, "")
