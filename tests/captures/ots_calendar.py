"""An OpenTimestamps calendar on 127.0.0.1 for the tests (the protocol of opentimestamps-server).

``POST /digest`` answers with a pending attestation naming this calendar; ``GET /timestamp/HEX``
answers 404 ("Pending confirmation in Bitcoin blockchain") until ``confirm(height)`` is called,
then with a Bitcoin block header attestation at that height. Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentimestamps.core.notary import BitcoinBlockHeaderAttestation, PendingAttestation
from opentimestamps.core.op import OpAppend, OpSHA256
from opentimestamps.core.serialize import StreamSerializationContext
from opentimestamps.core.timestamp import Timestamp


def _bytes(ts: Timestamp) -> bytes:
    buf = io.BytesIO()
    ts.serialize(StreamSerializationContext(buf))
    return buf.getvalue()


class TestCalendar:
    __test__ = False

    def __init__(self) -> None:
        self.commitments: set[bytes] = set()
        self.height: int | None = None
        self.requests: list[str] = []
        cal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a) -> None:
                pass

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                cal.requests.append(f"POST {self.path}")
                digest = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path != "/digest" or len(digest) > 64:
                    return self._send(400, b"bad request")
                ts = Timestamp(digest)
                leaf = ts.ops.add(OpAppend(b"svidok-test-calendar")).ops.add(OpSHA256())
                leaf.attestations.add(PendingAttestation(cal.url))
                cal.commitments.add(leaf.msg)
                self._send(200, _bytes(ts))

            def do_GET(self) -> None:
                cal.requests.append(f"GET {self.path}")
                commitment = bytes.fromhex(self.path.rsplit("/", 1)[-1])
                if commitment not in cal.commitments or cal.height is None:
                    return self._send(404, b"Pending confirmation in Bitcoin blockchain")
                ts = Timestamp(commitment)
                block = ts.ops.add(OpSHA256())  # stands for the path to a block's merkle root
                block.attestations.add(BitcoinBlockHeaderAttestation(cal.height))
                self._send(200, _bytes(ts))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def confirm(self, height: int) -> None:
        self.height = height

    def __enter__(self) -> TestCalendar:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
