// Package ui is the lab's go-app user interface, compiled into app.wasm
// and, natively, into the server that pre-renders and serves it.
package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Routes are the paths the UI answers; the server and the browser build
// register exactly these (go-app answers 404 for any other).
var Routes = []string{"/"}

// Register associates every route with its component. Call it in both
// builds before serving or running.
func Register() {
	for _, r := range Routes {
		app.Route(r, func() app.Composer { return &home{} })
	}
}

// Handler returns the go-app handler settings shared by the server and the
// static-site generator.
func Handler() *app.Handler {
	return &app.Handler{
		Name:        "conlab",
		ShortName:   "conlab",
		Title:       "conlab: a Go concurrency lab",
		Description: "Concurrency lessons (threads, processes, asyncio) run in the browser, in Go.",
		Resources:   app.LocalDir("public"),
	}
}

type home struct{ app.Compo }

func (h *home) Render() app.UI { return app.H1().Text("conlab") }
