"""A time-stamping authority on 127.0.0.1 for the tests: ``openssl ts -reply`` behind a small HTTP server.

Its CA and TSA certificates are made here with ``cryptography`` (the TSA certificate has the
critical timeStamping extended key usage RFC 3161 requires).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                                                                      "Svidok test (synthetic)")])


def _cert(subject, issuer, key, signer, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
         .not_valid_after(now + dt.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        b = b.add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
    return b.sign(signer, hashes.SHA256())


class TestTSA:
    """A TSA whose tokens carry its own certificate only (the root comes from ``ca_file``).

    ``with TestTSA() as tsa``: ``tsa.url`` answers RFC 3161 requests; ``tsa.ca_file`` is its root.
    (With the root inside the token too, openssl writes the certificates in an order that is
    not DER's, and rfc3161-client refuses the token.)
    """

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="svidok-tsa-"))
        ca_key, tsa_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca = _cert(_name("Test TSA root"), _name("Test TSA root"), ca_key, ca_key, ca=True)
        tsa = _cert(_name("Test TSA"), ca.subject, tsa_key, ca_key, ca=False)
        self.ca_file, self.tsa_file, key_file = self.dir / "ca.pem", self.dir / "tsa.pem", self.dir / "tsa.key"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.tsa_file.write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(tsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        (self.dir / "serial").write_text("01\n")
        self.config = self.dir / "tsa.cnf"
        self.config.write_text(f"""[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = {self.dir}
serial = $dir/serial
signer_cert = {self.tsa_file}
signer_key = {key_file}
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
        self.requests = 0
        self.lock = threading.Lock()
        tsa_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with tsa_self.lock:  # openssl keeps its serial number in a file
                    tsa_self.requests += 1
                    q, r = tsa_self.dir / "q.tsq", tsa_self.dir / "r.tsr"
                    q.write_bytes(body)
                    subprocess.run(["openssl", "ts", "-reply", "-config", str(tsa_self.config), "-queryfile", str(q),
                                    "-out", str(r)], check=True, capture_output=True)
                    answer = r.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def __enter__(self) -> TestTSA:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
