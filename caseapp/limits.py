"""Request bodies are bounded: bigger than `MAX_CONTENT_LENGTH` answers 413 before parsing.

Werkzeug refuses a body whose Content-Length is over the limit, and its form
parser honours `MAX_FORM_MEMORY_SIZE` and `MAX_FORM_PARTS`. A streamed body
without Content-Length (chunked transfer encoding) is only cut at the limit by
Werkzeug, and the truncated form would then be processed as if it were whole;
`BoundedRequest` reads such a body up to one byte past the limit and refuses it.
"""
from __future__ import annotations

import io

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property

_CHUNK = 64 * 1024


class BoundedRequest(Request):
    @cached_property
    def stream(self):
        limit = self.max_content_length
        streamed = self.content_length is None and self.environ.get("wsgi.input_terminated")
        if limit is None or not streamed:
            return super().stream
        raw = self.environ["wsgi.input"]
        body = bytearray()
        while len(body) <= limit:
            chunk = raw.read(min(_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body.extend(chunk)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        return io.BytesIO(bytes(body))


def register(app) -> None:
    app.request_class = BoundedRequest
