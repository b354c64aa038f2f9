package ui

import (
	"conlab/wasm/useragent"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// This file holds the UI's few direct uses of the browser, through go-app's
// app.Window (natively every call is a harmless no-op returning zero
// values, so the same code pre-renders on the server).

// pageFacts are what the page knows of its browser.
type pageFacts struct {
	Cores     int      // navigator.hardwareConcurrency (0: unknown)
	Isolated  bool     // crossOriginIsolated: SharedArrayBuffer is usable
	UserAgent string   // navigator.userAgent
	Brands    []string // navigator.userAgentData.brands' names (Chromium's family)
	Origin    string   // location.origin
}

func readPageFacts() pageFacts {
	if !app.IsClient {
		return pageFacts{}
	}
	w := app.Window()
	nav := w.Get("navigator")
	f := pageFacts{UserAgent: nav.Get("userAgent").String(), Origin: w.Get("location").Get("origin").String()}
	if c := nav.Get("hardwareConcurrency"); c.Truthy() {
		f.Cores = c.Int()
	}
	if iso := w.Get("crossOriginIsolated"); iso.Truthy() {
		f.Isolated = iso.Bool()
	}
	if d := nav.Get("userAgentData"); d.Truthy() {
		if b := d.Get("brands"); b.Truthy() {
			for i := range min(b.Length(), 16) {
				f.Brands = append(f.Brands, b.Index(i).Get("brand").String())
			}
		}
	}
	return f
}

// browserName names the browser of a user agent string and its brands,
// e.g. "Firefox 153 on Linux" (see package useragent); "" when it cannot
// tell, as for results that already hold a name.
func browserName(ua string, brands ...string) string {
	return useragent.Parse(ua, brands...).String()
}

// elementWidth returns the width in CSS pixels of the element id, or def
// when it is not in the page (or natively).
func elementWidth(id string, def float64) float64 {
	if !app.IsClient {
		return def
	}
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return def
	}
	if w := el.Get("clientWidth").Float(); w > 0 {
		return w
	}
	return def
}

// download offers data to the student as a file named name.
func download(name, mime string, data []byte) {
	if !app.IsClient {
		return
	}
	w := app.Window()
	arr := w.Get("Uint8Array").New(len(data))
	app.CopyBytesToJS(arr, data)
	blob := w.Get("Blob").New([]any{arr}, map[string]any{"type": mime})
	url := w.Get("URL").Call("createObjectURL", blob)
	a := w.Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	// The anchor is never attached to the page, so go-app's own click
	// handling (navigation) does not see it.
	a.Call("click")
	// The download has its own copy once it starts; free the blob later.
	var revoke app.Func
	revoke = app.FuncOf(func(app.Value, []app.Value) any {
		w.Get("URL").Call("revokeObjectURL", url)
		revoke.Release()
		return nil
	})
	w.Call("setTimeout", revoke, 10_000)
}

// focusElement moves the keyboard focus to the element id, if present.
func focusElement(id string) {
	if !app.IsClient {
		return
	}
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Call("focus")
	}
}
