// The patrol app's service worker: keeps the page, its script and style so the app opens
// without signal. Network first (a guard gets the newest page when he has signal), the kept
// copy when the network fails. Everything else passes by untouched: the data lives in
// IndexedDB (patrol.js), never in this cache.
const CACHE = "wuye-patrol-v2";
const SHELL = [
  "/patrol", "/static/patrol.js", "/static/app.css", "/patrol/manifest.webmanifest",
  "/patrol/icon-192.png",
];

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== self.location.origin) return;
  const path = url.pathname === "/patrol/" ? "/patrol" : url.pathname;
  if (!SHELL.includes(path)) return;
  e.respondWith(
    fetch(e.request)
      .then((r) => {
        // Only a real page is kept (a redirect to the login page is not the app).
        if (r.ok && !r.redirected) {
          const copy = r.clone();
          caches.open(CACHE).then((c) => c.put(path, copy));
        }
        return r;
      })
      .catch(() => caches.match(path).then((r) => r || Response.error()))
  );
});
