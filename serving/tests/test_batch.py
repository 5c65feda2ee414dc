import json

from modelfleet_handler import batch

from fakes import RecordingContext


def test_each_answer_reports_the_batch_it_arrived_in():
    context = RecordingContext("resnet50", ["", "", ""])
    answers = batch.handle([{"body": b"a"}, {"body": b"b"}, {"body": b"c"}], context)
    assert [json.loads(a) for a in answers] == [
        {"model": "resnet50", "batch_size": 3, "position": 0},
        {"model": "resnet50", "batch_size": 3, "position": 1},
        {"model": "resnet50", "batch_size": 3, "position": 2},
    ]
    assert context.content_types == {0: "application/json", 1: "application/json", 2: "application/json"}


def test_initialization_call_answers_nothing():
    assert batch.handle(None, RecordingContext("resnet50", [])) is None
