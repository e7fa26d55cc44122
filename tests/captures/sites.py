"""Web sites the capture tests load: an HTTP server on 127.0.0.1 (port chosen at run time).

Pages: an article with a photo and an embedded video, a redirect chain, a 404, a page
whose image never arrives, a page that never finishes sending, a page with a huge video,
a Telegram-like channel and post (t.me's public web view structure), numbered pages for
batches, and a page whose text changes on each visit. Synthetic content only.
"""

from __future__ import annotations

import io
import subprocess
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


@cache
def photo_jpeg() -> bytes:
    img = Image.new("RGB", (320, 200), (40, 90, 160))
    for x in range(0, 320, 20):
        img.paste((200, 60 + x % 150, 30), (x, 50, x + 10, 150))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


@cache
def clip_mp4() -> bytes:
    """One second of a synthetic test pattern (ffmpeg)."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10",
         "-pix_fmt", "yuv420p", "-f", "mp4", "-movflags", "frag_keyframe+empty_moov", "pipe:1"],
        check=True, capture_output=True).stdout


ARTICLE = """<!doctype html><html lang="uk"><head><meta charset="utf-8"><title>Shelling of a school in Testville</title>
<meta name="author" content="Olena Testenko"><meta property="og:site_name" content="Test News">
<meta property="article:published_time" content="2022-03-09T14:20:00+02:00"></head>
<body><article><h1>Shelling of a school in Testville</h1><p>Synthetic report: a school was hit at 14:20.</p>
<img src="/img/photo.jpg" width="320" height="200"><video controls src="/media/clip.mp4"></video></article></body></html>"""

TG_POST = """<div class="tgme_widget_message_wrap"><div class="tgme_widget_message js-widget_message" data-post="testchan/{id}">
<div class="tgme_widget_message_bubble">
<div class="tgme_widget_message_author"><a class="tgme_widget_message_owner_name" href="/testchan"><span dir="auto">Test Channel</span></a></div>
{fwd}<a class="tgme_widget_message_photo_wrap" href="/testchan/{id}" style="width:320px;background-image:url('/img/tg-{id}.jpg')"></a>
<div class="tgme_widget_message_video_player"><video src="/media/tg-{id}.mp4" class="tgme_widget_message_video"></video></div>
<div class="tgme_widget_message_text js-message_text" dir="auto">Post {id}: synthetic report of an explosion near the bridge.</div>
<div class="tgme_widget_message_footer"><div class="tgme_widget_message_info">
<span class="tgme_widget_message_views">12.3K</span>
<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="/testchan/{id}"><time datetime="2022-03-0{d}T09:1{d}:00+00:00" class="time">09:1{d}</time></a></span>
</div></div></div></div></div>"""
FWD = ('<div class="tgme_widget_message_forwarded_from">Forwarded from <a class="tgme_widget_message_forwarded_from_name"'
       ' href="/otherchan/7"><span dir="auto">Other Channel</span></a></div>')


# A video platform's watch page: the player streams (no plain <video src>); the file is named only in a
# player card's meta tag, which yt-dlp's generic extractor reads and the page capture does not.
WATCH = """<!doctype html><html><head><meta charset="utf-8"><title>Strike on the bridge - Test Video</title>
<meta property="og:title" content="Strike on the bridge (synthetic)">
<meta name="twitter:player:stream" content="/media/clip.mp4">
<meta name="twitter:player:stream:content_type" content="video/mp4">
</head><body><h1>Strike on the bridge</h1><div class="player"><video id="player" controls></video></div>
<p>Synthetic video page for tests.</p></body></html>"""


def tg_page(ids: list[int]) -> str:
    posts = "".join(TG_POST.format(id=i, d=i % 9 + 1, fwd=FWD if i == 42 else "") for i in ids)
    return f"<!doctype html><html><head><meta charset='utf-8'><title>Test Channel – Telegram</title></head><body>{posts}</body></html>"


class Sites:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self.visits: dict[str, int] = {}
        self.lock = threading.Lock()
        sites = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a) -> None:
                pass

            def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k.replace("_", "-"), v)
                self.end_headers()
                self.wfile.write(body)

            def hang(self) -> None:
                while not sites.stop.wait(0.2):
                    pass

            def do_GET(self) -> None:
                p = self.path.split("?")[0]
                with sites.lock:
                    sites.visits[p] = sites.visits.get(p, 0) + 1
                    visit = sites.visits[p]
                if p == "/article":
                    self.send(200, ARTICLE.encode(), X_Test_Header="article")
                elif p in ("/img/photo.jpg",) or p.startswith("/img/tg-"):
                    self.send(200, photo_jpeg(), "image/jpeg")
                elif p == "/media/clip.mp4" or p.startswith("/media/tg-"):
                    self.send(200, clip_mp4(), "video/mp4")
                elif p == "/watch/7":
                    self.send(200, WATCH.encode())
                elif p == "/r/1":
                    self.send(302, b"", Location="/r/2")
                elif p == "/r/2":
                    self.send(301, b"", Location="/article")
                elif p == "/missing":
                    self.send(404, b"<html><title>Not found</title>gone</html>")
                elif p == "/slow-image":
                    self.send(200, b"<html><title>Waiting</title><body><p>Text that arrived.</p>"
                                   b"<img src='/never.jpg'></body></html>")
                elif p == "/never.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    self.wfile.write(b"\xff\xd8\xff")
                    self.hang()
                elif p == "/hang":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    self.wfile.write(b"<html><body>started")
                    self.wfile.flush()
                    self.hang()
                elif p == "/big-video":
                    self.send(200, b"<html><title>Big video</title><body><p>A very long video.</p>"
                                   b"<video src='/media/huge.mp4'></video><video src='/media/endless.mp4'></video></body></html>")
                elif p == "/media/huge.mp4":  # announces 5 GB
                    self.send_response(200)
                    self.send_header("Content-Type", "video/mp4")
                    self.send_header("Content-Length", str(5 * 1024**3))
                    self.end_headers()
                    self.hang()
                elif p == "/media/endless.mp4":  # says nothing of its size and never stops
                    self.send_response(200)
                    self.send_header("Content-Type", "video/mp4")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"\x00" * 65536
                    try:
                        while not sites.stop.is_set():
                            self.wfile.write(chunk)
                    except OSError:
                        pass
                elif p == "/s/testchan":
                    self.send(200, tg_page([40, 41, 42]).encode())
                elif p == "/testchan/42":
                    self.send(200, tg_page([42]).encode())
                elif p.startswith("/page/"):
                    n = p.rsplit("/", 1)[1]
                    self.send(200, f"<html><head><title>Page {n}</title></head><body><h1>Report {n}</h1>"
                                   f"<p>{'Synthetic text. ' * 50}</p><img src='/img/photo.jpg'></body></html>".encode())
                elif p == "/changing":
                    self.send(200, f"<html><title>Changing</title><body><p>Casualties reported: {visit * 3}</p>"
                                   f"<p>Unchanged line.</p></body></html>".encode())
                else:
                    self.send(404, b"not here")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Sites:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # a manual look: python -m tests.captures.sites
    with Sites() as s:
        print(s.base)
        time.sleep(3600)
