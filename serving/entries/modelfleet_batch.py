"""Archive entry point for the batch probe: `torch-model-archiver --handler serving/entries/modelfleet_batch.py`."""

from modelfleet_handler.batch import handle

__all__ = ["handle"]
