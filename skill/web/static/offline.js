// Optional: the page without the internet. The page works fully without this file.
// - Registers the service worker (sw.js), which keeps this page so it opens again without the internet.
// - Only when the person presses "Keep these recordings on this phone": fetches every recording into the
//   "recordings" cache, saying how far it has got; "Remove the recordings from this phone" deletes them.
//   Kept recordings that no longer say what the page says are removed when the page opens.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.isSecureContext || !window.caches) { return; }
  // Without a service worker (refused, or storage turned off) the page works online as before, with no button:
  // kept recordings could not be played without it.
  const registered = navigator.serviceWorker.register(script.dataset.serviceWorker);
  registered.catch(() => {});

  const panel = document.getElementById("keep");
  if (panel) { keepPanel(panel); }

  function keepPanel(panel) {
    const CACHE = "recordings";  // the name sw.js answers recordings from
    const SOURCE = "X-Recording-Source";  // stored with each recording: which words it says
    const recordings = JSON.parse(panel.dataset.recordings)
      .map((r) => ({url: r.url, bytes: r.bytes, source: r.source, href: new URL(r.url, location.href).href}));
    const keepButton = document.getElementById("keep-button");
    const removeButton = document.getElementById("remove-button");
    const progress = document.getElementById("keep-progress");
    const status = document.getElementById("keep-status");
    const count = recordings.length;
    let busy = false;

    const bytesOf = (list) => list.reduce((sum, r) => sum + r.bytes, 0);
    const megabytes = (bytes) => `${Math.max(0.1, Math.round(bytes / 100000) / 10).toFixed(1)}\u00a0MB`;
    const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

    // The recordings kept that still say what this page says; the others are deleted.
    async function kept() {
      if (!(await caches.has(CACHE))) { return {kept: [], removed: 0}; }  // never creates the cache
      const cache = await caches.open(CACHE);
      const wanted = new Map(recordings.map((r) => [r.href, r]));
      const found = [];
      let removed = 0;
      for (const request of await cache.keys()) {
        const want = wanted.get(request.url);
        const response = await cache.match(request);
        if (want && response && response.headers.get(SOURCE) === want.source) {
          found.push(want);
        } else {
          await cache.delete(request);
          removed += 1;
        }
      }
      return {kept: found, removed: removed};
    }

    function show(found, before) {
      const all = found.length === count;
      const focused = document.activeElement;
      keepButton.hidden = all;
      removeButton.hidden = found.length === 0;
      if (focused === keepButton || focused === removeButton) {
        if (focused.hidden) { (all ? removeButton : keepButton).focus(); }
      }
      let now = "";
      if (all) {
        now = `The ${count} recordings are kept on this phone (${megabytes(bytesOf(found))}). ` +
          "They play here without the internet.";
      } else if (found.length) {
        const rest = recordings.filter((r) => !found.includes(r));
        now = `${found.length} of the ${count} recordings are kept on this phone. Press “Keep these recordings ` +
          `on this phone” to fetch the other ${rest.length} (${megabytes(bytesOf(rest))}).`;
      }
      status.textContent = `${before}${now}`;
    }

    async function keepOne(cache, recording) {
      const response = await fetch(recording.url, {cache: "no-cache"});
      const body = response.ok ? await response.blob() : null;
      if (!body || body.size !== recording.bytes) { throw new Error("changed"); }
      await cache.put(recording.url, new Response(body, {headers: {
        "Content-Type": "audio/mpeg", "Content-Length": String(body.size), [SOURCE]: recording.source}}));
    }

    function problem(error) {
      if (error && error.name === "QuotaExceededError") {
        return "There is not enough space on this phone to keep all the recordings. ";
      }
      if (error && error.message === "changed") {
        return "The recordings have changed since this page was opened. Please reload the page and try again. ";
      }
      return "The download stopped. This phone may have lost its internet connection. ";
    }

    async function keep() {
      if (busy) { return; }
      busy = true;
      keepButton.setAttribute("aria-disabled", "true");
      let before = "";
      try {
        const have = new Set((await kept()).kept.map((r) => r.href));
        const missing = recordings.filter((r) => !have.has(r.href));
        let done = 0;
        let told = 0;
        progress.value = bytesOf(recordings) - bytesOf(missing);
        progress.hidden = false;
        status.textContent = `Keeping ${plural(missing.length, "recording", "recordings")} ` +
          `(${megabytes(bytesOf(missing))}). This may take a minute; this page will say when it has finished.`;
        const cache = await caches.open(CACHE);
        for (const recording of missing) {
          await keepOne(cache, recording);
          done += 1;
          progress.value += recording.bytes;
          const quarter = Math.floor((4 * done) / missing.length);
          if (quarter > told && done < missing.length) {  // a few steps, not one announcement per file
            told = quarter;
            status.textContent = `Keeping the recordings: ${done} of ${missing.length} done.`;
          }
        }
        if (navigator.storage && navigator.storage.persist) {  // ask the browser not to clear them for space
          await navigator.storage.persist().catch(() => false);
        }
        before = "Finished. ";
      } catch (error) {
        before = problem(error);
      } finally {
        busy = false;
        keepButton.removeAttribute("aria-disabled");
        progress.hidden = true;
      }
      show((await kept()).kept, before);
    }

    async function remove() {
      if (busy) { return; }
      busy = true;
      try {
        await caches.delete(CACHE);
      } finally {
        busy = false;
      }
      show([], "The recordings have been removed from this phone. The players need the internet again.");
    }

    keepButton.addEventListener("click", keep);
    removeButton.addEventListener("click", remove);
    panel.hidden = false;  // at once, so nothing moves under a reader's eyes or a screen reader's cursor
    registered.then(kept).then((state) => {
      const note = state.removed ? `${plural(state.removed, "kept recording", "kept recordings")} no longer ` +
        "said what this page says, so they have been removed. " : "";
      show(state.kept, note);
    }).catch(() => { panel.hidden = true; });  // no worker, or no storage here (a private window, say)
  }
}());
