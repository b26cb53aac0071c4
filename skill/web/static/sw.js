// The service worker (served at /sw.js, so its scope is the whole site). It keeps the page working without the
// internet once visited:
// - Pages: network first, the kept copy when there is no network. Health information must be today's words,
//   so the kept copy of "/" is only a fallback. Answers (/ask) are never kept (they hold what was typed);
//   without the internet they get the plain "No internet connection" page instead.
// - The stylesheet, scripts, icon and manifest: the kept copy at once, refreshed from the network for next time.
// - Recordings (/audio/mp3/): from the "recordings" cache when the person chose "Keep these recordings on this
//   phone" (offline.js fills it; this worker never does), with byte ranges as players ask; otherwise the network.
"use strict";

const SHELL = "shell-v1";
const RECORDINGS = "recordings";
const scope = self.registration.scope;  // ends with "/"
const at = (path) => new URL(path, scope);
const HOME = at("./").href;
const OFFLINE = at("offline").href;
const SHELL_FILES = [HOME, OFFLINE, at("static/site.css").href, at("static/listen.js").href,
  at("static/offline.js").href, at("static/icon.svg").href, at("manifest.webmanifest").href];
const AUDIO_PATH = at("audio/mp3/").pathname;
const STATIC_PATH = at("static/").pathname;
const MANIFEST_PATH = at("manifest.webmanifest").pathname;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL)
    .then((cache) => cache.addAll(SHELL_FILES.map((url) => new Request(url, {cache: "reload"}))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // Older shells go; the recordings stay until the person removes them.
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("shell-") && name !== SHELL)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith(AUDIO_PATH)) {  // players, and the download links too
    event.respondWith(recording(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event, url));
  } else if (url.pathname.startsWith(STATIC_PATH) || url.pathname === MANIFEST_PATH) {
    shellFile(event);
  }
});

function page(event, url) {
  const home = url.pathname === new URL(HOME).pathname;
  return fetch(event.request).then((response) => {
    if (home && response.ok && response.type === "basic") {
      const copy = response.clone();
      event.waitUntil(caches.open(SHELL).then((cache) => cache.put(HOME, copy)));
    }
    return response;
  }).catch(async () => {
    const cache = await caches.open(SHELL);
    return (home && await cache.match(HOME)) || (await cache.match(url.href)) || (await cache.match(OFFLINE))
      || Response.error();
  });
}

function shellFile(event) {
  const request = event.request;
  const fresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      await (await caches.open(SHELL)).put(request, copy);
    }
    return response;
  });
  event.waitUntil(fresh.catch(() => null));
  event.respondWith(caches.match(request, {cacheName: SHELL}).then((kept) => kept || fresh));
}

async function recording(request) {
  const kept = await caches.match(request.url, {cacheName: RECORDINGS});
  if (!kept) { return fetch(request); }
  const range = request.headers.get("Range");
  return range ? slice(kept, range) : kept;
}

// "bytes=start-end", "bytes=start-" or "bytes=-last": 206 with that slice of the kept file, as a server would.
async function slice(kept, range) {
  const body = await kept.blob();
  const total = body.size;
  const type = kept.headers.get("Content-Type") || "audio/mpeg";
  const asked = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!asked || (asked[1] === "" && asked[2] === "")) {  // several ranges, or nonsense: the whole file
    return new Response(body, {status: 200, headers: {"Content-Type": type, "Accept-Ranges": "bytes"}});
  }
  let start;
  let end;
  if (asked[1] === "") {
    start = Math.max(0, total - Number(asked[2]));
    end = total - 1;
  } else {
    start = Number(asked[1]);
    end = asked[2] === "" ? total - 1 : Math.min(Number(asked[2]), total - 1);
  }
  if (start >= total || start > end) {
    return new Response(null, {status: 416, headers: {"Content-Range": `bytes */${total}`}});
  }
  return new Response(body.slice(start, end + 1, type), {
    status: 206,
    statusText: "Partial Content",
    headers: {"Content-Type": type, "Content-Length": String(end - start + 1), "Accept-Ranges": "bytes",
      "Content-Range": `bytes ${start}-${end}/${total}`},
  });
}
