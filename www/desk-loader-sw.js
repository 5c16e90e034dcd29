// desk-loader's service worker (docs/embed.md, "Offline: the service
// worker"): the known-good release's files, at their own URLs, when the
// network cannot give them. Serve it from the desk page's origin, at a path
// whose scope covers the page (the site's root, or the page's folder), and
// name it in the `serviceWorker` option; the loader registers it once a
// release is ready.
//
// Network first: a script or stylesheet is fetched as the page asked for it;
// when the fetch fails or the answer is not a success, the copy the loader
// kept in Cache Storage answers, if there is one. The browser still checks
// the copy against the integrity the page gives (the element's attribute, or
// the import map's for a chunk): a worker cannot make a file run that the
// page would refuse. It keeps nothing itself; the loader fills the cache.
const CACHE = "desk-loader-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || (request.destination !== "script" && request.destination !== "style")) return;
  event.respondWith(
    fetch(request).then(
      (response) => (response.ok ? response : kept(request).then((copy) => copy || response)),
      (error) => kept(request).then((copy) => copy || Promise.reject(error)),
    ),
  );
});

/** The loader's copy of the file, if it kept one. */
function kept(request) {
  return caches.open(CACHE).then((cache) => cache.match(request.url));
}
