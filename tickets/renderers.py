"""A ticket's QR code as an image: ``?format=svg`` or ``?format=png`` on a ticket."""

from __future__ import annotations

import io
from typing import Any

import segno
from rest_framework.renderers import BaseRenderer


class QRRenderer(BaseRenderer):
    kind: str
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # Medium error correction survives a scratched phone screen; a border
        # of four modules is what scanners expect.
        qr = segno.make(data["qr"], error="m")
        buffer = io.BytesIO()
        qr.save(buffer, kind=self.kind, scale=8, border=4)
        return buffer.getvalue()


class SVGRenderer(QRRenderer):
    media_type = "image/svg+xml"
    format = "svg"
    kind = "svg"


class PNGRenderer(QRRenderer):
    media_type = "image/png"
    format = "png"
    kind = "png"
