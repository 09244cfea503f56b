"""Reading posted forms: plain multipart forms (what T-book's callers send, `curl -F`) without werkzeug's parser.

Werkzeug's multipart parser compiles two regular expressions for each request's boundary and parses every part's
headers with its general header parser: for an insertLearner of sixteen fields that was about half of the
sandbox's CPU per request in `make bench-sync` (bench/README.md). A form whose every part is one
`Content-Disposition: form-data; name="..."` line and a UTF-8 value is read here by splitting on its boundary;
anything else (files, a part's own headers, another charset, padding, a malformed body, a form near the size
limits) goes to werkzeug's parser as before, so what is accepted or refused does not change.
"""

from __future__ import annotations

import io
import re
from typing import IO

from flask import Request
from werkzeug.formparser import FormDataParser

# The one header a plain field's part carries, as httpx and curl write it; the name is printable ASCII without the
# quote, backslash or percent sign (werkzeug unquotes or decodes those: such forms go to it).
_PLAIN_PART = re.compile(rb'content-disposition:[ \t]*form-data;[ \t]*name="([ !#$&-\[\]-~]*)"[ \t]*', re.IGNORECASE)


def plain_multipart_fields(body: bytes, boundary: bytes) -> list[tuple[str, str]] | None:
    """Return the (name, value) pairs of a plain multipart form, in order; None when it is not one."""
    if not boundary or not body.startswith(b"--" + boundary + b"\r\n"):
        return None  # a preamble, padding after the boundary, or not this form's boundary
    *parts, last = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if parts[0] or not last.startswith(b"--"):
        return None  # the first piece is the (empty) preamble; the last must be the closing delimiter
    fields = []
    for part in parts[1:]:
        if not part.startswith(b"\r\n"):
            return None
        headers, blank, value = part[2:].partition(b"\r\n\r\n")
        match = _PLAIN_PART.fullmatch(headers)
        if not blank or match is None:
            return None
        try:
            fields.append((match[1].decode("ascii"), value.decode("utf-8")))
        except UnicodeDecodeError:
            return None
    return fields


class PlainFormParser(FormDataParser):
    """Werkzeug's form parser, with plain multipart forms read by `plain_multipart_fields`."""

    def parse(
        self, stream: IO[bytes], mimetype: str, content_length: int | None, options: dict[str, str] | None = None
    ):
        boundary = (options or {}).get("boundary", "")
        small = content_length is not None and (
            self.max_form_memory_size is None or content_length <= self.max_form_memory_size
        )
        if mimetype != "multipart/form-data" or not boundary or not small or not boundary.isascii():
            return super().parse(stream, mimetype, content_length, options)
        body = stream.read()
        fields = plain_multipart_fields(body, boundary.encode("ascii"))
        if fields is None or (self.max_form_parts is not None and len(fields) > self.max_form_parts):
            return super().parse(io.BytesIO(body), mimetype, content_length, options)
        return stream, self.cls(fields), self.cls()


class SandboxRequest(Request):
    """Flask's request, reading plain multipart forms with `PlainFormParser`."""

    form_data_parser_class = PlainFormParser
