// -----------------------------------------------------------------------------
// conlab's static site (written by `conlab static`, app/internal/site).
// The function declarations below replace go-app's of the same name.
// -----------------------------------------------------------------------------

// The site may be published under any sub-path, unknown when it was built.
// index.html is its only page, at its root: the root is this page's folder.
const conlabRoot = new URL(".", document.baseURI).pathname.replace(/\/+$/, "");

// go-app routes by path: the page reached as .../index.html must look like
// the folder itself.
if (location.pathname.endsWith("/index.html")) {
  history.replaceState(history.state, "", location.pathname.slice(0, -"index.html".length) + location.search + location.hash);
}

// go-app's environment, with the site's root filled in: GOAPP_ROOT_PREFIX
// for its router and the worker pool, GOAPP_STATIC_RESOURCES_URL for /web/.
function goappGetenv(k) {
  const v = goappEnv[k];
  if (typeof v !== "string") {
    return v;
  }
  if (k === "GOAPP_ROOT_PREFIX" && conlabRoot === "") {
    return "/";
  }
  return v.split(__ROOT_TOKEN__).join(conlabRoot);
}

// A new version installs beside the one in use and waits (see
// app-worker.js): the page offers it (goappOnUpdate reaches the update
// banner), and conlabApplyUpdate switches to it. Every open page then
// reloads, so no page ever runs with files of two versions.
function goappSetupNotifyUpdate(registration) {
  const offer = () => {
    if (registration.waiting && navigator.serviceWorker.controller) {
      goappOnUpdate();
    }
  };
  const watch = (sw) => {
    if (sw) {
      sw.addEventListener("statechange", () => {
        if (sw.state === "installed") {
          offer();
        }
      });
    }
  };
  offer();
  watch(registration.installing); // an update may have begun already
  registration.addEventListener("updatefound", () => watch(registration.installing));
}

if ("serviceWorker" in navigator) {
  let conlabControlled = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (conlabControlled) {
      location.reload(); // a new version took over: load all of it
      return;
    }
    conlabControlled = true; // the first version just installed
  });
}

// conlabApplyUpdate activates the version that waits, or reloads.
function conlabApplyUpdate() {
  const reg = goappServiceWorkerRegistration;
  if (reg && reg.waiting) {
    reg.waiting.postMessage({ type: "conlab:activate" });
    return;
  }
  location.reload();
}

// conlabOfflineReady resolves once the service worker serves this page:
// every file of this version is then cached and the lab works offline.
function conlabOfflineReady() {
  if (!("serviceWorker" in navigator)) {
    return new Promise(() => {});
  }
  if (navigator.serviceWorker.controller) {
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), { once: true });
  });
}

// go-app's loader, made strict about the answer (a 404 page is not a wasm
// binary) and tolerant of hosts that send .wasm with another MIME type,
// which instantiateStreaming would refuse.
async function fetchWithProgress(url, progress) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error("loading " + url + " failed: " + response.status + " " + response.statusText);
  }
  const total = parseInt(goappWasmContentLength || response.headers.get("Content-Length") || "0", 10);
  let loaded = 0;
  const body = new ReadableStream({
    async start(controller) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        loaded += value.byteLength;
        if (total > 0) {
          progress(Math.min(100, Math.round((loaded * 100) / total)));
        }
        controller.enqueue(value);
      }
      progress(100);
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "application/wasm" } });
}
