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
//
// The offer is checked when the page starts and whenever a new version
// finishes installing. A version is new only beside another: the
// registration's active worker, which serves this page. The first version
// a profile installs is never offered, however the browser orders what
// the page sees of it (see conlabUpdateWaits).
function goappSetupNotifyUpdate(registration) {
  const offer = () => {
    if (conlabUpdateWaits(registration)) {
      goappOnUpdate();
    }
  };
  let watched = null;
  const watch = (sw) => {
    if (sw && sw !== watched) {
      watched = sw;
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

// conlabUpdateWaits reports whether registration holds a new version for
// this page: a worker waits, and another, the active one, controls the
// page.
//
// A waiting worker and a controller are not enough. On a first visit
// WebKitGTK shows the page the first version's clients.claim() before the
// states that led to it: when the page hears that version "installed",
// navigator.serviceWorker.controller already returns it, while
// registration.waiting still holds it and registration.active is null.
// That first version, waiting and controlling at once, is no update.
function conlabUpdateWaits(registration) {
  const waiting = registration.waiting;
  const active = registration.active;
  const controller = navigator.serviceWorker.controller;
  return !!waiting && !!active && active === controller && waiting !== active;
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

// conlabApplyUpdate activates the version that waits (one still installing
// is waited for); the page then reloads on controllerchange, above. With
// no new version to activate, it reloads the page.
//
// The message alone is not always enough in Chromium. The new version
// activates once the version in use has stopped, and Chromium stops it as
// soon as it is idle; but a request that reaches it while it stops (one
// of the page's, or of its Web Workers': the pool starting, a lesson
// fetching its data) starts it again, and Chromium then no longer hurries
// it: the switch waits until it has been idle for 30 s (5 minutes while
// DevTools is open), and the reader's click seems lost. A navigation
// within the site makes Chromium ask it to stop again, so until the new
// version is active a hidden frame loads a small file of the site every
// few seconds. Elsewhere the frame is harmless.
let conlabApplying = null;

function conlabApplyUpdate() {
  if (!conlabApplying) {
    conlabApplying = conlabActivateWaiting().catch((err) => {
      console.error("conlab: applying the update failed:", err);
      location.reload();
    });
  }
  return conlabApplying;
}

async function conlabActivateWaiting() {
  const reg = "serviceWorker" in navigator ? (await navigator.serviceWorker.getRegistration()) || goappServiceWorkerRegistration : null;
  let sw = reg && (reg.waiting || reg.installing);
  if (!sw) {
    location.reload();
    return;
  }
  await conlabInstalled(sw);
  // About a minute; then a later click tries again.
  for (let round = 0; round < 20; round++) {
    if (!reg.waiting) {
      // Activated (the page reloads on controllerchange), or the install
      // failed: nothing waits any more.
      if (reg.active !== navigator.serviceWorker.controller) {
        await conlabSleep(3000); // give controllerchange its chance
      }
      location.reload();
      return;
    }
    if (round === 0 || reg.waiting !== sw) {
      sw = reg.waiting; // a later deployment may have replaced it
      sw.postMessage({ type: "conlab:activate" });
    } else {
      conlabNudge(reg.scope);
    }
    await conlabStateChange(sw, round === 0 ? 1500 : 3000);
  }
  console.warn("conlab: the new version is still waiting to be activated");
  conlabApplying = null;
}

// conlabInstalled resolves once sw is no longer installing.
function conlabInstalled(sw) {
  if (sw.state !== "installing") {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = () => {
      if (sw.state !== "installing") {
        sw.removeEventListener("statechange", done);
        resolve();
      }
    };
    sw.addEventListener("statechange", done);
  });
}

// conlabStateChange resolves when sw changes state, or after ms.
function conlabStateChange(sw, ms) {
  return new Promise((resolve) => {
    const done = () => {
      sw.removeEventListener("statechange", done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    sw.addEventListener("statechange", done);
  });
}

function conlabSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// conlabNudge loads a small file of the site, from the version in use, in
// a hidden frame: a navigation within the scope makes Chromium ask the
// version in use to stop, so the one that waits can activate.
function conlabNudge(scope) {
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.tabIndex = -1;
  frame.setAttribute("aria-hidden", "true");
  frame.src = new URL("web/icon.svg", scope).href;
  const remove = () => frame.remove();
  frame.addEventListener("load", remove, { once: true });
  setTimeout(remove, 10000);
  // Outside body, whose extra children go-app removes at once.
  document.documentElement.appendChild(frame);
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
