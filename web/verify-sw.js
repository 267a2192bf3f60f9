// The verifier's service worker (scope /verify): after one visit online, /verify works without a network.
// - The page's files and the vendored libraries: cache-first (saved at install). The page's own small
//   files are then refreshed in the background, so an edit shows on the next visit; the vendored files
//   change only with VERSION (bump it when web/vendor changes: a new worker saves a new set).
// - The issuer's keys and the revocation list (every page): network-first, with the saved copy when the
//   network fails or is too slow. Each answer carries X-Teeka-Saved-At (when it was saved, epoch ms)
//   and X-Teeka-From (network | cache), so that the page can say how fresh they are.
// - The page's texts (GET /v2/web/texts): the saved copy first, refreshed in the background: the page
//   waits for its texts before it shows anything, and they seldom change.
// It handles GET requests of its own host only; it never sends anything but those GETs.
const VERSION = "1"; // bump whenever web/vendor changes
const STATIC_CACHE = `teeka-verify-static-${VERSION}`;
const DATA_CACHE = "teeka-verify-data";
const PAGE = "/verify";
const OWN_FILES = [PAGE, "/web/verify.js", "/web/verify.css", "/web/texts.js"];
const VENDORED = [
  "/web/vendor/jsqr/jsQR.js",
  "/web/vendor/pdfjs-dist/pdf.min.mjs",
  "/web/vendor/pdfjs-dist/pdf.worker.min.mjs",
  "/web/vendor/pdfjs-dist/wasm/jbig2.wasm",
  "/web/vendor/pdfjs-dist/wasm/jbig2_nowasm_fallback.js",
];
const KEYS = "/.well-known/jwks.json";
const REVOKED = "/v2/certificate/revoked";
const TEXTS = "/v2/web/texts";
const NETWORK_WAIT_MS = 3000; // then the saved copy: a phone on a poor network still checks at once
const MAX_REVOKED_PAGES = 10000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    await cache.addAll([...OWN_FILES, ...VENDORED].map((path) => new Request(path, { cache: "reload" })));
    await Promise.all([saveData(KEYS), saveRevocationList(), saveData(TEXTS)]);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("teeka-verify-") && name !== STATIC_CACHE
      && name !== DATA_CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return; // not ours: as usual
  if (url.pathname === KEYS || url.pathname === REVOKED) {
    event.respondWith(networkFirst(url.pathname + url.search));
  } else if (url.pathname === TEXTS) {
    event.respondWith(savedFirst(url.pathname + url.search, event));
  } else if (request.mode === "navigate" && (url.pathname === PAGE || url.pathname === `${PAGE}/`)) {
    event.respondWith(cacheFirst(PAGE, event));
  } else if (OWN_FILES.includes(url.pathname) || VENDORED.includes(url.pathname)) {
    event.respondWith(cacheFirst(url.pathname, event));
  }
});

async function cacheFirst(path, event) {
  const cache = await caches.open(STATIC_CACHE);
  const saved = await cache.match(path, { ignoreSearch: true, ignoreVary: true });
  if (saved) {
    if (OWN_FILES.includes(path) && self.navigator.onLine !== false) {
      event.waitUntil(refresh(cache, path).catch(() => {}));
    }
    return saved;
  }
  const response = await fetch(path);
  if (response.ok) event.waitUntil(cache.put(path, response.clone()));
  return response;
}

async function savedFirst(path, event) {
  const saved = await (await caches.open(DATA_CACHE)).match(path, { ignoreVary: true });
  if (!saved) return networkFirst(path);
  event.waitUntil(networkFirst(path).catch(() => {}));
  return saved;
}

async function refresh(cache, path) {
  const response = await fetch(path, { cache: "no-cache" });
  if (response.ok) await cache.put(path, response);
}

function fetchSoon(path) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), NETWORK_WAIT_MS);
  return fetch(path, { cache: "no-cache", credentials: "omit", signal: abort.signal })
    .finally(() => clearTimeout(timer));
}

async function stamped(response, savedAt, from) {
  const headers = new Headers(response.headers);
  headers.delete("Vary");
  headers.set("X-Teeka-Saved-At", String(savedAt));
  headers.set("X-Teeka-From", from);
  return new Response(await response.arrayBuffer(), { status: response.status, statusText: response.statusText, headers });
}

// The answer from the network, saved; or the saved one when the network fails (or answers 5xx).
async function networkFirst(path) {
  const cache = await caches.open(DATA_CACHE);
  let failed = null;
  try {
    const response = await fetchSoon(path);
    if (response.ok) {
      const fresh = await stamped(response, Date.now(), "network");
      await cache.put(path, fresh.clone());
      return fresh;
    }
    if (response.status < 500) return response;
    failed = response;
  } catch (offline) {
    // the saved copy, if any
  }
  const saved = await cache.match(path, { ignoreVary: true });
  if (saved) return stamped(saved, Number(saved.headers.get("X-Teeka-Saved-At")) || 0, "cache");
  return failed || Response.error();
}

async function saveData(path) {
  try {
    return await (await networkFirst(path)).json();
  } catch (error) {
    return null; // e.g. no texts route: the page shows its English texts
  }
}

async function saveRevocationList() {
  let answer = await saveData(REVOKED);
  for (let page = 0; answer && answer.next && page < MAX_REVOKED_PAGES; page += 1) {
    answer = await saveData(`${REVOKED}?next=${encodeURIComponent(answer.next)}`);
  }
}
