"""One inference through TensorZero's embedded gateway (the pinned `tensorzero` package).

Usage: python gateway_probe.py CONFIG FUNCTION MESSAGE [--stream]
Prints one JSON line {"text": ..., "chunks": N} and exits 0, or prints the gateway's own
error text on stderr and exits 1.
"""

import json
import sys

from tensorzero import TensorZeroGateway


def main(argv):
    config, function, message = argv[1:4]
    stream = "--stream" in argv[4:]
    try:
        with TensorZeroGateway.build_embedded(config_file=config, timeout=60) as gateway:
            request = {"function_name": function, "input": {"messages": [{"role": "user", "content": message}]}}
            if stream:
                chunks = list(gateway.inference(stream=True, **request))
                text = "".join(getattr(part, "text", "") or "" for chunk in chunks for part in chunk.content)
                count = len(chunks)
            else:
                response = gateway.inference(**request)
                text = "".join(getattr(part, "text", "") or "" for part in response.content)
                count = 0
    except Exception as exc:  # the gateway's own error, verbatim, for the caller to check
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"text": text, "chunks": count}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
