"""Schemathesis hooks for copmatch (loaded through SCHEMATHESIS_HOOKS).

The import endpoint takes NDJSON (`application/x-ndjson`), which schemathesis
cannot send on its own: its body is documented as a string, sent as it is.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return {"data": value}
    if not isinstance(value, str):
        # A negative test case may generate another type: send it as JSON lines.
        items = value if isinstance(value, list) else [value]
        value = "\n".join(json.dumps(item) for item in items)
    return {"data": value.encode("utf-8", errors="surrogatepass")}
