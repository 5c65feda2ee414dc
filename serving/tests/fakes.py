"""A recording stand-in for TorchServe's Context, with the methods the handlers call."""

from typing import Any, Dict, List, Optional


class RecordingContext:
    def __init__(self, model_name: str, url_paths: List[str], handler_config: Optional[Dict[str, Any]] = None) -> None:
        self.model_name = model_name
        self.model_yaml_config = {"handler": handler_config or {"engine": "echo"}}
        self.system_properties = {"model_dir": "/nonexistent"}
        self.request_ids = {idx: f"req-{idx}" for idx in range(len(url_paths))}
        self._url_paths = url_paths
        self.statuses: Dict[int, Any] = {}
        self.content_types: Dict[int, str] = {}
        self.sent: List[Any] = []

    def get_request_header(self, idx: int, key: str) -> Optional[str]:
        return self._url_paths[idx] if key == "url_path" else None

    def set_response_status(self, code: int = 200, phrase: str = "", idx: int = 0) -> None:
        self.statuses[idx] = (code, phrase)

    def set_response_content_type(self, idx: int, value: str) -> None:
        self.content_types[idx] = value


def sender_into(context: RecordingContext):
    def send(responses, request_ids, ctx):
        # What TorchServe would see at the moment of sending: the content type goes out with the first chunk.
        context.sent.append((dict(responses), dict(request_ids), ctx.content_types.get(list(responses)[0])))

    return send
