"""Schemathesis hooks for copmatch (loaded through SCHEMATHESIS_HOOKS).

The import endpoint takes NDJSON (`application/x-ndjson`), which schemathesis
cannot send on its own. Its body is documented as NDJSON text (a string,
sent as it is) or one community object (NDJSON of one line). Any other
value, as a negative case generates it, is sent as its JSON text on one
line, which is what a client sending that value would put on the wire
(a list's JSON text starts with `[`, so it is not NDJSON of objects).
Schemathesis 4 serializers return the bytes to send.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        value = json.dumps(value)
    return value.encode("utf-8", errors="surrogatepass")
