"""What is read from a loaded page (run in the page by ``browser``): metadata, media, Telegram posts.

Telegram's public web view (``t.me/s/CHANNEL``, a post's ``?embed=1`` view) marks each post
``.tgme_widget_message[data-post="CHANNEL/ID"]`` with its text, date (``time[datetime]``),
views, author, "forwarded from" and media (photos as CSS background images, videos as
``<video src>``).
"""

METADATA = r"""
() => {
  const meta = (sel) => { const e = document.querySelector(sel); return e ? (e.getAttribute('content') || e.getAttribute('datetime') || e.textContent || '').trim() || null : null; };
  let ld = {};
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { const j = JSON.parse(s.textContent); const o = Array.isArray(j) ? j[0] : j; if (o && typeof o === 'object') { ld = o; break; } } catch (e) {}
  }
  const ldAuthor = ld.author ? (Array.isArray(ld.author) ? ld.author[0] : ld.author) : null;
  return {
    title: (document.title || meta('meta[property="og:title"]') || '').trim() || null,
    author: meta('meta[name="author"]') || meta('meta[property="article:author"]') ||
            (ldAuthor ? (typeof ldAuthor === 'string' ? ldAuthor : ldAuthor.name) : null) || meta('[rel="author"]'),
    site: meta('meta[property="og:site_name"]'),
    published: meta('meta[property="article:published_time"]') || meta('meta[itemprop="datePublished"]') ||
               ld.datePublished || meta('article time[datetime]') || meta('time[datetime]'),
    description: meta('meta[name="description"]') || meta('meta[property="og:description"]'),
    language: document.documentElement.lang || null,
    text: document.body ? document.body.innerText : '',
  };
}
"""

MEDIA = r"""
() => {
  const out = [];
  const add = (url, kind) => { if (url) out.push({url: new URL(url, document.baseURI).href, kind}); };
  for (const img of document.images) {
    if (img.naturalWidth && img.naturalWidth < 64 && img.naturalHeight < 64) continue;  // icons, pixels
    add(img.currentSrc || img.src, 'image');
  }
  for (const v of document.querySelectorAll('video, audio')) {
    const kind = v.tagName.toLowerCase() === 'video' ? 'video' : 'audio';
    if (v.getAttribute('src')) add(v.getAttribute('src'), kind);
    for (const s of v.querySelectorAll('source[src]')) add(s.getAttribute('src'), kind);
    if (v.getAttribute('poster')) add(v.getAttribute('poster'), 'image');
  }
  for (const [prop, kind] of [['og:image', 'image'], ['og:video', 'video'], ['og:video:url', 'video']]) {
    const e = document.querySelector(`meta[property="${prop}"]`);
    if (e && e.content) add(e.content, kind);
  }
  for (const e of document.querySelectorAll('.tgme_widget_message_photo_wrap, .tgme_widget_message_video_thumb')) {
    const m = /url\(['"]?([^'")]+)['"]?\)/.exec(e.getAttribute('style') || '');
    if (m) add(m[1], 'image');
  }
  return out;
}
"""

TELEGRAM = r"""
() => {
  const txt = (root, sel) => { const e = root.querySelector(sel); return e ? e.innerText.trim() : null; };
  return Array.from(document.querySelectorAll('.tgme_widget_message[data-post]')).map(m => {
    const time = m.querySelector('.tgme_widget_message_date time[datetime], time[datetime]');
    const fwd = m.querySelector('.tgme_widget_message_forwarded_from_name');
    const media = [];
    for (const e of m.querySelectorAll('.tgme_widget_message_photo_wrap')) {
      const u = /url\(['"]?([^'")]+)['"]?\)/.exec(e.getAttribute('style') || '');
      if (u) media.push({kind: 'image', url: new URL(u[1], document.baseURI).href});
    }
    for (const v of m.querySelectorAll('video[src]')) media.push({kind: 'video', url: new URL(v.getAttribute('src'), document.baseURI).href});
    for (const d of m.querySelectorAll('.tgme_widget_message_document_title')) media.push({kind: 'document', title: d.innerText.trim()});
    return {
      post: m.getAttribute('data-post'),
      channel: txt(m, '.tgme_widget_message_owner_name') || txt(m, '.tgme_widget_message_author'),
      text: txt(m, '.tgme_widget_message_text'),
      date: time ? time.getAttribute('datetime') : null,
      views: txt(m, '.tgme_widget_message_views'),
      edited: !!m.querySelector('.tgme_widget_message_meta') && /edited/i.test(m.querySelector('.tgme_widget_message_meta').innerText),
      forwarded_from: fwd ? fwd.innerText.trim() : null,
      forwarded_from_url: fwd && fwd.getAttribute('href') ? fwd.getAttribute('href') : null,
      media,
    };
  });
}
"""


def views_number(text: str | None) -> int | None:
    """Telegram's view counter ("12.3K", "1.2M", "845") as a number (rounded as shown)."""
    if not text:
        return None
    t = text.strip().upper().replace(",", ".")
    scale = {"K": 1_000, "M": 1_000_000}.get(t[-1:], 1)
    try:
        return round(float(t[:-1] if scale > 1 else t) * scale)
    except ValueError:
        return None
