// conlab's service worker, written by `conlab static` and served by
// `conlab serve` (app/internal/site): after one visit the
// whole lab works with the network gone, and a new deployment replaces the
// old one whole, never file by file.
//
//   - install: every file of this version is fetched (revalidated, or
//     whole when a revalidated copy is stale), checked against the hash
//     this build recorded (so a deployment caught half-uploaded fails the
//     check) and stored in this version's cache.
//     Any failure fails the install: the version in use stays.
//   - the new version then waits. The page offers it ("a new version is
//     ready: reload"); only the reader's click activates it, with the
//     message {type: "conlab:activate"}, and every open page then reloads.
//   - fetch: the site's files come from this version's cache. The page is
//     index.html whatever its query (?workload=...), and files under
//     web/data/ are answered whatever their query, since the download
//     lesson makes each of its URLs unique. Requests to api/ (the API of
//     `conlab serve`) are left to the network.
//
// Caches are named after the scope, so two labs published under two
// sub-paths of one host never delete each other's files.
"use strict";

const VERSION = __VERSION__;
// [path relative to this script, Subresource Integrity hash]
const FILES = __FILES__;
const PREFIX = "conlab " + self.registration.scope + " ";
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    FILES.map(async ([path, integrity]) => {
      const url = new URL(path, self.location.href).href;
      let resp;
      try {
        // Revalidated: an unchanged file costs a 304.
        resp = await get(url, integrity, "no-cache");
      } catch (err) {
        // A validator too coarse (a Last-Modified to the second, for a
        // file replaced within that second) can revalidate an old copy,
        // which fails its hash: fetch it whole.
        resp = await get(url, integrity, "reload");
      }
      await cache.put(url, resp);
    }),
  );
}

async function get(url, integrity, mode) {
  const resp = await fetch(url, { cache: mode, integrity: integrity, credentials: "same-origin" });
  if (!resp.ok) {
    throw new Error("conlab " + VERSION + ": " + url + ": " + resp.status + " " + resp.statusText);
  }
  return resp;
}

self.addEventListener("message", (event) => {
  const m = event.data;
  if (m && m.type === "conlab:activate") {
    self.skipWaiting();
  }
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keys = await caches.keys();
      await Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)));
      // The first version takes over the pages already open, so they work
      // offline without a reload; a later one reaches them anyway.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") {
    return;
  }
  const url = new URL(req.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) {
    return;
  }
  if (url.pathname.slice(scope.pathname.length).startsWith("api/")) {
    // The API of `conlab serve` (native runs, a lesson's delayed
    // answers): the network answers it, with nothing added to its time.
    return;
  }
  event.respondWith(answer(req, url, scope));
});

async function answer(req, url, scope) {
  const cache = await caches.open(CACHE);
  const path = url.pathname.slice(scope.pathname.length);
  let hit;
  if (path === "" || path === "index.html") {
    hit = await cache.match(scope.href, { ignoreVary: true });
  } else if (path.startsWith("web/data/")) {
    hit = await cache.match(url.origin + url.pathname, { ignoreVary: true });
  } else {
    hit = await cache.match(req, { ignoreVary: true });
  }
  return hit || fetch(req);
}
