"""Archive entry point for the chat handler: `torch-model-archiver --handler serving/entries/modelfleet_chat.py`.

TorchServe imports an archive's handler file as a top-level module, so the handler itself
lives in the `modelfleet_handler` package (installed in the LLM image, or packed into the
archive with `--extra-files serving/modelfleet_handler`).
"""

from modelfleet_handler.chat import handle

__all__ = ["handle"]
