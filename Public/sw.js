// PartnerPortal service worker: the portal installs as an app and shows an offline page instead of the
// browser's error when there is no connection. Pages carry per-user data and are never cached; only the
// offline page and its stylesheet are.
const CACHE = "portal-offline-v1";
const OFFLINE = ["/offline.html", "/css/portal.css", "/icons/icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(OFFLINE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") return;
  event.respondWith(fetch(event.request).catch(() => caches.match("/offline.html")));
});
