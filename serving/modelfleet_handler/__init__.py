"""modelfleet's TorchServe handlers: an OpenAI-compatible chat handler and a batch probe."""
