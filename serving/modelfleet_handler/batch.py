"""A batched non-LLM probe: answers every request with the size of the batch it arrived in.

TorchServe groups requests to a model whose `batchSize` is above 1 (waiting up to
`maxBatchDelay` ms); this handler makes that grouping visible, so a test can prove it.
Archive: `--handler modelfleet_handler.batch:handle`.
"""

import json
from typing import Any, Dict, List, Optional


def answers_for(data: List[Dict[str, Any]], model_name: str) -> List[str]:
    size = len(data)
    return [json.dumps({"model": model_name, "batch_size": size, "position": position}) for position in range(size)]


def handle(data: Optional[List[Dict[str, Any]]], context: Any) -> Optional[List[str]]:
    if data is None:
        return None
    for idx in range(len(data)):
        context.set_response_content_type(idx, "application/json")
    return answers_for(data, context.model_name)
