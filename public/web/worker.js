// conlab's Web Worker bootstrap: it starts worker.wasm in this worker.
//
// The page compiles worker.wasm once and sends the compiled
// WebAssembly.Module in the first message, {v: 5, kind: "boot", body,
// module}; this script instantiates it with the toolchain's wasm_exec.js
// (same folder) and runs the Go program, which then serves every later
// message itself. Only a "fresh" child of the spawn lesson, booted without
// a module, compiles worker.wasm here, to show what compiling costs, from
// bytes no other worker compiled (freshSection).
//
// Messages this script sends, in the protocol's shape: {v, kind, body}
// with kind "fatal" (could not start), "exit" (the Go program ended, with
// the end of its console output, e.g. a crash's panic) and "error" (a
// message came before the boot). A child's boot message carries a
// MessagePort as "port", its end of the channel to its parent: the child
// posts "fatal" and "exit" there, as its Go program posts its output.
"use strict";

const scriptMS = performance.now(); // since this worker was created
importScripts("wasm_exec.js");

const VERSION = 5; // wasm/internal/proto.Version
let booted = false;
let out = self; // where "fatal" and "exit" go: the page, or a child's parent

function post(kind, body) {
	out.postMessage({ v: VERSION, kind: kind, body: JSON.stringify(body) });
}

// Keep what the Go program writes to the console that says why it ended
// (its first "fatal error:" or "panic:" line) and the end of the rest, so
// that a crash can be reported with its message.
const OUTPUT_TAIL = 4096;
let output = "";
let reason = "";
{
	const fs = globalThis.fs;
	const write = fs.writeSync.bind(fs);
	const decoder = new TextDecoder("utf-8");
	fs.writeSync = (fd, buf) => {
		output = (output + decoder.decode(buf)).slice(-OUTPUT_TAIL);
		if (reason === "") {
			// Only a whole line: the runtime writes one in pieces.
			const m = output.match(/^(fatal error|panic): [^\n]*\n/m);
			if (m) {
				reason = m[0].trim().slice(0, 500);
			}
		}
		return write(fd, buf);
	};
}

function crashOutput(extra) {
	const tail = (output + (extra ? "\n" + extra : "")).slice(-OUTPUT_TAIL);
	return reason === "" ? tail : reason + "\n…\n" + tail;
}

// The custom section a fresh child appends to worker.wasm before compiling
// it: this name and 16 random bytes. Engines ignore custom sections, but
// an engine that keeps compiled modules by their bytes (V8 shares them
// between the workers of a page) finds none with these, so every fresh
// child really compiles.
const FRESH_SECTION = "conlab-fresh";

function freshSection() {
	const name = new TextEncoder().encode(FRESH_SECTION);
	const nonce = crypto.getRandomValues(new Uint8Array(16));
	const size = 1 + name.length + nonce.length; // under 128: one LEB128 byte
	const section = new Uint8Array(2 + size);
	section.set([0, size, name.length]);
	section.set(name, 3);
	section.set(nonce, 3 + name.length);
	return section;
}

// compile fetches url and compiles it with a fresh section at its end:
// streaming when the server says application/wasm, from the bytes
// otherwise.
async function compile(url) {
	const resp = await fetch(url);
	if (!resp.ok) {
		throw new Error(`fetch ${url}: ${resp.status} ${resp.statusText}`);
	}
	const section = freshSection();
	const type = (resp.headers.get("Content-Type") || "").split(";")[0].trim();
	if (WebAssembly.compileStreaming && type === "application/wasm" && resp.body && typeof TransformStream === "function") {
		const body = resp.body.pipeThrough(new TransformStream({ flush: (out) => out.enqueue(section) }));
		return WebAssembly.compileStreaming(new Response(body, { headers: { "Content-Type": "application/wasm" } }));
	}
	// A server that sends another MIME type: compile from the bytes.
	const bytes = new Uint8Array(await resp.arrayBuffer());
	const all = new Uint8Array(bytes.length + section.length);
	all.set(bytes);
	all.set(section, bytes.length);
	return WebAssembly.compile(all);
}

function describe(err) {
	return (err && err.message) || String(err);
}

self.addEventListener("message", async (event) => {
	if (booted) {
		return; // the Go program owns every message after the boot
	}
	const m = event.data;
	if (!m || typeof m !== "object" || m.v !== VERSION || m.kind !== "boot" || typeof m.body !== "string") {
		post("error", { id: 0, error: "message rejected: the worker has not started; its first message must be a version " + VERSION + " boot" });
		return;
	}
	booted = true;
	const bootMS = performance.now();
	if (m.port instanceof MessagePort) {
		out = m.port;
		self.conlabPort = m.port; // for the child's Go program
	}
	try {
		let module = m.module;
		let compileMS = 0;
		const t0 = performance.now();
		if (module === undefined) {
			module = await compile(new URL("worker.wasm", self.location.href).href);
			compileMS = performance.now() - t0;
		} else if (!(module instanceof WebAssembly.Module)) {
			throw new Error("the boot message's module is not a WebAssembly.Module");
		}
		const go = new Go();
		go.argv = ["worker"];
		go.exit = (code) => post("exit", { code: code, output: code === 0 ? "" : crashOutput("") });
		const t1 = performance.now();
		const instance = await WebAssembly.instantiate(module, go.importObject);
		const t2 = performance.now();
		// Times in ms since this worker's performance.timeOrigin, which the
		// Go program reports so the page can place them on its own clock.
		self.conlabBoot = {
			body: m.body, compile_ms: compileMS, instantiate_ms: t2 - t1,
			script_ms: scriptMS, boot_ms: bootMS, instantiated_ms: t2, time_origin: performance.timeOrigin,
		};
		go.run(instance).catch((err) => post("exit", { code: 2, output: crashOutput(describe(err)) }));
	} catch (err) {
		post("fatal", { error: "the worker could not start: " + describe(err) });
	}
});
