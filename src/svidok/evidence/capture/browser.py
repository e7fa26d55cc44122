"""One page captured in Chromium (Playwright): archive, screenshot, text, metadata, media.

Chromium does not reach the network: every request is fetched by ``fetch`` (host checked,
size capped, deadline kept) and handed back with ``route.fulfill``, which is how each
exchange reaches the WARC. A redirect is handed back as it came, so Chromium follows it
and the next hop comes through the same check. Audio and video the page plays are not
fetched by the browser but downloaded afterwards, streamed to disk under their own cap.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from . import page_js, video
from .fetch import MAX_REDIRECTS, Exchange, client, download, fetch
from .urls import CaptureRefused, target
from .wacz import write_wacz

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--mute-audio"]
_MEDIA_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "video/mp4": ".mp4", "video/webm": ".webm", "audio/mpeg": ".mp3", "audio/ogg": ".ogg"}


@dataclass(frozen=True)
class Options:
    allow_private: bool = False
    telegram_base: str = "https://t.me"
    page_timeout: float = 30.0
    resource_max_bytes: int = 50 << 20
    page_max_bytes: int = 300 << 20
    media_max_bytes: int = 2 << 30
    media_max_count: int = 50
    media_timeout: float = 600.0
    chromium: str | None = "/usr/bin/chromium"
    software: str = "Svidok web capture"
    viewport: tuple[int, int] = (1280, 900)
    #: Hosts whose pages carry platform video: yt-dlp fetches it after the page (``video``).
    video_hosts: tuple[str, ...] = ()


@dataclass
class Artefact:
    role: str  # archive, screenshot, text, metadata, media
    path: Path
    media_type: str
    name: str
    source_url: str | None = None


@dataclass
class PageCapture:
    requested_url: str
    fetched_url: str
    kind: str
    final_url: str | None = None
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    redirects: list[dict] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    site: str | None = None
    published: str | None = None
    description: str | None = None
    telegram: list[dict] = field(default_factory=list)
    video: dict = field(default_factory=dict)
    text: str = ""
    media: list[dict] = field(default_factory=list)
    resources: int = 0
    problems: list[str] = field(default_factory=list)
    started_at: float = 0.0
    finished_at: float = 0.0
    artefacts: list[Artefact] = field(default_factory=list)

    def metadata(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("artefacts", "text")}
        out["headers"] = [list(h) for h in self.headers]
        return out


class CaptureFailed(Exception):
    """The page could not be captured; the message says why (recorded on the capture)."""


class Capturer:
    """One Chromium for many captures (``async with Capturer(opts) as c: await c.capture(url, dir)``)."""

    def __init__(self, options: Options) -> None:
        self.o = options

    async def __aenter__(self) -> Capturer:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(executable_path=self.o.chromium, args=CHROMIUM_ARGS,
                                                       proxy={"server": "http://127.0.0.1:9"})
        self._http = client(self.o.page_timeout)
        self.browser_version = self._browser.version
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()
        await self._browser.close()
        await self._pw.stop()

    async def capture(self, url: str, workdir: Path) -> PageCapture:
        from playwright.async_api import Error as PlaywrightError

        t = target(url, self.o.telegram_base)
        cap = PageCapture(t.requested, t.fetch, t.kind, started_at=time.time())
        deadline = time.monotonic() + self.o.page_timeout
        exchanges: list[Exchange] = []
        main_error: list[str] = []
        next_hop: list[str] = []
        failed: set[str] = set()
        budget = [self.o.page_max_bytes]
        ctx = await self._browser.new_context(viewport=dict(zip(("width", "height"), self.o.viewport)),
                                              service_workers="block", accept_downloads=False)

        async def handle(route, request) -> None:
            main = request.is_navigation_request() and request.frame.parent_frame is None
            try:
                if request.resource_type == "media":
                    await route.abort()
                    return
                url, headers = request.url, await request.all_headers()
                for _ in range(MAX_REDIRECTS + 1):
                    ex = await fetch(self._http, request.method, url, headers, request.post_data_buffer,
                                     max_bytes=min(self.o.resource_max_bytes, budget[0]),
                                     allow_private=self.o.allow_private, deadline=deadline)
                    budget[0] -= len(ex.body)
                    exchanges.append(ex)
                    if main:
                        cap.redirects.append({"url": ex.url, "status": ex.status})
                    location = ex.header("location") if 300 <= ex.status < 400 else None
                    if not location:
                        break
                    url = urljoin(url, location)
                    if main:  # the page must see its new address: navigate there (hop checked there)
                        next_hop.append(url)
                        await route.abort("aborted")  # "failed" would start an error page
                        return
                else:
                    raise CaptureRefused(f"{request.url}: more than {MAX_REDIRECTS} redirects")
                await route.fulfill(status=ex.status, headers=dict(_merged(ex.headers)), body=ex.body)
            except CaptureRefused as exc:
                failed.add(request.url)
                (main_error if main else cap.problems).append(str(exc))
                await _quietly(route.abort())
            except PlaywrightError:
                pass  # the page went away while this resource was on its way

        await ctx.route("**/*", handle)
        page = await ctx.new_page()
        try:
            error, url = None, t.fetch
            while True:
                try:
                    await page.goto(url, wait_until="load", timeout=max(1.0, deadline - time.monotonic()) * 1000)
                    error = None
                except PlaywrightError as exc:
                    error = exc
                if not (next_hop and not main_error and len(cap.redirects) <= MAX_REDIRECTS):
                    break
                url = next_hop.pop()
            if error is not None:
                if main_error:
                    raise CaptureFailed(f"{main_error[-1]} (a page may take {self.o.page_timeout:g} s)")
                if not cap.redirects or 300 <= cap.redirects[-1]["status"] < 400:
                    raise CaptureFailed(f"{t.fetch}: the page did not answer within {self.o.page_timeout:g} s "
                                        f"({_first_line(error)})")
                cap.problems.append(f"the page was still loading after {self.o.page_timeout:g} s; "
                                    "captured what had arrived")
            if main_error and not cap.redirects:
                raise CaptureFailed(main_error[-1])
            last = cap.redirects[-1]
            main_ex = next(e for e in reversed(exchanges) if e.url == last["url"])
            cap.final_url, cap.status, cap.headers = main_ex.url, main_ex.status, main_ex.headers
            if cap.status >= 400:
                raise CaptureFailed(f"{cap.final_url}: the server answered HTTP {cap.status} {main_ex.reason}".strip())
            info = await _evaluate(page, page_js.METADATA)
            cap.text = info.pop("text") or ""
            for k, v in info.items():
                if hasattr(cap, k):
                    setattr(cap, k, v)
            if t.kind == "telegram":
                cap.telegram = await _evaluate(page, page_js.TELEGRAM)
                for post in cap.telegram:
                    post["views_count"] = page_js.views_number(post.get("views"))
                if len(cap.telegram) == 1:
                    p = cap.telegram[0]
                    cap.author, cap.published = p.get("channel") or cap.author, p.get("date") or cap.published
            shot = workdir / "screenshot.png"
            try:
                await page.screenshot(path=str(shot), full_page=True, timeout=15_000)
                cap.artefacts.append(Artefact("screenshot", shot, "image/png", "screenshot.png"))
            except PlaywrightError as exc:
                cap.problems.append(f"no screenshot: {_first_line(exc)}")
            media = await _evaluate(page, page_js.MEDIA)
        finally:
            await _quietly(ctx.close())
        cap.resources = len(exchanges)
        await self._media(cap, media, exchanges, workdir, failed)
        if video.wanted(cap.final_url or t.fetch, self.o.video_hosts):
            await self._video(cap, cap.final_url or t.fetch, workdir)
        cap.finished_at = time.time()
        self._write(cap, exchanges, workdir)
        return cap

    async def _media(self, cap: PageCapture, media: list[dict], exchanges: list[Exchange], workdir: Path,
                     failed: set[str]) -> None:
        seen, by_url = set(failed), {e.url: e for e in exchanges if e.status == 200}
        for m in media:
            url = m["url"]
            if url in seen or not url.startswith(("http://", "https://")):
                if url.startswith("blob:"):
                    cap.problems.append(f"a {m['kind']} plays from a blob: stream; not downloaded")
                continue
            seen.add(url)
            if len(seen) > self.o.media_max_count:
                cap.problems.append(f"more than {self.o.media_max_count} media files; the rest not downloaded")
                break
            n = len(cap.media) + 1
            entry = {"url": url, "kind": m["kind"]}
            ex = by_url.get(url)
            try:
                if ex is not None:
                    mt = (ex.header("content-type") or "").split(";")[0].strip() or None
                    path = workdir / f"media-{n}{_MEDIA_EXT.get(mt or '', '')}"
                    path.write_bytes(ex.body)
                    entry["from"] = "archive"
                else:
                    d = await download(self._http, url, workdir / f"media-{n}", max_bytes=self.o.media_max_bytes,
                                       allow_private=self.o.allow_private,
                                       deadline=time.monotonic() + self.o.media_timeout)
                    mt, path = d.media_type, d.path
                    if _MEDIA_EXT.get(mt or ""):
                        path = path.rename(path.with_suffix(_MEDIA_EXT[mt]))
                    entry.update({"from": "download", "final_url": d.final_url})
            except CaptureRefused as exc:
                cap.problems.append(f"{m['kind']} not kept: {exc}")
                continue
            name = Path(urlsplit(url).path).name or path.name
            cap.media.append(entry)
            cap.artefacts.append(Artefact("media", path, mt or "application/octet-stream", name[:200], url))

    async def _video(self, cap: PageCapture, url: str, workdir: Path) -> None:
        """The platform's video (yt-dlp) and its metadata; a failure is a problem, not a failed capture."""
        try:
            v = await video.fetch_video(url, workdir, max_bytes=self.o.media_max_bytes, timeout=self.o.media_timeout,
                                        allow_private=self.o.allow_private)
        except CaptureRefused as exc:
            cap.problems.append(str(exc))
            return
        cap.video = {**v.info, "yt_dlp": v.version}
        cap.author = cap.author or v.info.get("uploader") or v.info.get("channel")
        cap.title = cap.title or v.info.get("title")
        cap.artefacts.append(Artefact("video-metadata", v.info_path, "application/json", "video.info.json"))
        if v.path is None:
            cap.problems.append(v.info["problem"])
            return
        digest = _sha256(v.path)
        if any(a.role == "media" and _sha256(a.path) == digest for a in cap.artefacts):
            cap.video["same_file_as_media"] = True  # the page's own <video> was the same file: kept once
            return
        cap.artefacts.append(Artefact("video", v.path, v.media_type, f"video{v.path.suffix}", url))

    def _write(self, cap: PageCapture, exchanges: list[Exchange], workdir: Path) -> None:
        text = workdir / "page.txt"
        text.write_text(cap.text, encoding="utf-8")
        archive = workdir / "page.wacz"
        write_wacz(archive, exchanges, page_url=cap.final_url or cap.fetched_url, title=cap.title,
                   at=cap.started_at, software=f"{self.o.software} (Chromium {self.browser_version})")
        meta = workdir / "metadata.json"
        meta.write_text(json.dumps({**cap.metadata(), "browser": f"Chromium {self.browser_version}"},
                                   ensure_ascii=False, indent=2), encoding="utf-8")
        cap.artefacts[:0] = [Artefact("archive", archive, "application/wacz", "page.wacz"),
                             Artefact("text", text, "text/plain", "page.txt"),
                             Artefact("metadata", meta, "application/json", "metadata.json")]


def _merged(headers: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in headers:
        key = k.lower()
        if key in ("content-encoding", "transfer-encoding", "content-length"):
            continue
        out[key] = f"{out[key]}\n{v}" if key == "set-cookie" and key in out else (f"{out[key]}, {v}" if key in out else v)
    return out


async def _evaluate(page, script: str):
    """Run a script in the page; once more after a late navigation (an aborted redirect hop settling)."""
    from playwright.async_api import Error as PlaywrightError

    try:
        return await page.evaluate(script)
    except PlaywrightError as exc:
        if "context was destroyed" not in str(exc):
            raise
        await page.wait_for_load_state("load", timeout=5_000)
        return await page.evaluate(script)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


async def _quietly(aw) -> None:
    try:
        await aw
    except Exception:
        pass


def capture_one(url: str, workdir: Path, options: Options) -> PageCapture:
    """Capture one page with its own browser (scripts and tests; batches share one)."""
    async def go() -> PageCapture:
        async with Capturer(options) as c:
            return await c.capture(url, workdir)
    return asyncio.run(go())
