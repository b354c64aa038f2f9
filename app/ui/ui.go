// Package ui is the lab's go-app user interface, compiled into app.wasm
// and, natively, into the server that pre-renders and serves it.
//
// The page is one component, the lab, on the route "/": the lesson, its
// parameters, modes and worker counts live in the query string (see
// [View]), so every view is a link. It drives two engines: the browser's
// Web Worker pool (package conlab/wasm, bound in bind_wasm.go) and the
// native engine of `conlab serve` (its JSON API), or the recorded native
// baseline when the site is static. Chart geometry is in conlab/app/charts.
package ui

import (
	"net/http"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Routes are the paths the UI answers; the server and the browser build
// register exactly these (go-app answers 404 for any other).
var Routes = []string{"/"}

// Register associates every route with its component. Call it in both
// builds before serving or running.
func Register() {
	for _, r := range Routes {
		app.Route(r, func() app.Composer { return &lab{} })
	}
}

// Handler returns the go-app handler settings shared by the server and the
// static-site generator. Its Resources serve the directory "public" at
// /web/; a server or a site under a sub-path sets its own (see [Resources]).
// Every icon and style is a local file: the page loads nothing from
// another host.
func Handler() *app.Handler {
	return &app.Handler{
		Name:        "conlab",
		ShortName:   "conlab",
		Title:       "conlab: a Go concurrency lab",
		Description: "Concurrency lessons (threads, processes, asyncio) run in the browser, in Go: sequential, cooperative goroutines, Web Workers, and native.",
		Lang:        "en",
		Icon: app.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-512.png",
			SVG:      "/web/icon.svg",
		},
		Image:           "/web/icon-512.png",
		BackgroundColor: "#f7f8fa",
		ThemeColor:      "#1f6feb",
		LoadingLabel:    "Loading the lab… {progress}%",
		Styles:          []string{"/web/app.css"},
		RawHeaders:      []string{`<meta name="color-scheme" content="light dark">`},
		Resources:       Resources("public", ""),
	}
}

// Resources serves the files of dir at prefix+"/web/" and resolves go-app's
// "/web/..." locations to those URLs. prefix is the site's sub-path ("" at
// the root, "/course/lab" under one); go-app derives the page's
// GOAPP_ROOT_PREFIX from it, which the UI uses for its own URLs.
func Resources(dir, prefix string) app.ResourceResolver {
	prefix = "/" + strings.Trim(prefix, "/")
	if prefix == "/" {
		prefix = ""
	}
	return resources{prefix: prefix, files: http.StripPrefix(prefix, http.FileServer(http.Dir(dir)))}
}

type resources struct {
	prefix string
	files  http.Handler
}

func (r resources) Resolve(location string) string {
	switch {
	case location == "" || location == "/":
		if r.prefix == "" {
			return "/"
		}
		return r.prefix
	case strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://"):
		return location
	case location == "web" || location == "/web" || strings.HasPrefix(location, "web/") || strings.HasPrefix(location, "/web/"):
		return r.prefix + "/" + strings.Trim(location, "/")
	}
	return location
}

func (r resources) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.files.ServeHTTP(w, req) }
