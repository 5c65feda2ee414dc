"""Stand-in for `torch` in the end-to-end run's environment, and nothing more.

TorchServe 0.12.0's Python worker imports torch at module level in
`ts/protocol/otf_message_handler.py` only for its tensor codec: `torch.Tensor` in an
`isinstance` check on each answer and `torch.save`/`torch.load` for tensor payloads. The
project's handlers answer with `str`, so the codec never sees a tensor. This module lets the
real worker start without the multi-gigabyte torch wheel; it is put on the worker's
PYTHONPATH by e2e/ only, never into an image. Any use beyond the type check fails loudly.
"""

__version__ = "0.0.0+modelfleet-e2e-stand-in"


class Tensor:
    """Never instantiated: answers that are tensors fail in `save`."""


def save(*_args, **_kwargs):
    raise RuntimeError("torch stand-in: tensor payloads are not supported in the end-to-end run")


def load(*_args, **_kwargs):
    raise RuntimeError("torch stand-in: tensor payloads are not supported in the end-to-end run")
