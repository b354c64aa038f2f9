package ui

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// embedButton is the "Embed" button of a lesson: it shows the iframe
// snippet of the view on screen (its URL, with embed=1), ready to copy
// into a course page. Render it in the lesson's toolbar, outside embed
// mode: &embedButton{Title: w.Title}.
type embedButton struct {
	app.Compo

	// Title names the lesson in the iframe's title (for screen readers).
	Title string

	open    bool
	snippet string
	copied  string
}

func (b *embedButton) toggle(ctx app.Context, e app.Event) {
	b.open = !b.open
	b.copied = ""
	if b.open {
		// The page's URL holds the whole view (the lab keeps it in sync),
		// so the snippet reproduces what is on screen now.
		b.snippet = EmbedSnippet(ctx.Page().URL(), b.Title)
	}
}

func (b *embedButton) copy(ctx app.Context, e app.Event) {
	if !app.IsClient {
		return
	}
	clip := app.Window().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		b.copied = "Copying is not available here: select the text and copy it."
		return
	}
	snippet := b.snippet
	b.copied = "Copying…"
	defer func() {
		// writeText throws only without a secure context; say so.
		if recover() != nil {
			b.copied = "Copying is not available here: select the text and copy it."
		}
	}()
	clip.Call("writeText", snippet).Then(func(app.Value) {
		ctx.Dispatch(func(ctx app.Context) { b.copied = "Copied." })
	})
}

func (b *embedButton) Render() app.UI {
	return app.Div().Class("embed-tool").Body(
		app.Button().Type("button").Class("btn-small").ID("embed-toggle").
			Aria("expanded", strconv.FormatBool(b.open)).Aria("controls", "embed-panel").
			Text("Embed").OnClick(b.toggle),
		app.If(b.open, func() app.UI {
			return app.Div().ID("embed-panel").Class("embed-panel").Body(
				app.Label().For("embed-snippet").Text("Paste this into a course page to embed this lesson, as it is set now:"),
				app.Textarea().ID("embed-snippet").Class("embed-snippet").ReadOnly(true).Rows(4).Text(b.snippet).
					Style("width", "100%").Style("font-family", "ui-monospace, monospace").
					OnFocus(func(ctx app.Context, e app.Event) { ctx.JSSrc().Call("select") }),
				app.Div().Class("embed-actions").Body(
					app.Button().Type("button").Class("btn-small").Text("Copy").OnClick(b.copy),
					app.Span().Class("embed-copied").Aria("live", "polite").Text(b.copied),
				),
				app.P().Class("embed-note").Text("The page that embeds the lab can also drive it: it receives lab:ready, sends lab:run with a workload, mode, workers and params, and gets lab:result back (see the README)."),
			)
		}),
	)
}
