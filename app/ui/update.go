package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// updateBanner offers a new version of the lab once it has been
// downloaded: "A new version of the lab is ready: reload". Nothing changes
// until the reader accepts, and then every file changes at once: the
// static site's service worker keeps the new version waiting beside the
// one in use, and reloading switches to it whole (see
// app/internal/site). Render it once, at the top of the page's root
// component; go-app tells every mounted AppUpdater when an update is
// ready.
type updateBanner struct {
	app.Compo

	ready bool
}

func (b *updateBanner) OnMount(ctx app.Context) { b.ready = ctx.AppUpdateAvailable() }

// OnAppUpdate implements app.AppUpdater.
func (b *updateBanner) OnAppUpdate(ctx app.Context) { b.ready = ctx.AppUpdateAvailable() }

func (b *updateBanner) Render() app.UI {
	// The live region stays in the page so that screen readers announce
	// the banner when it appears.
	return app.Div().Class("update-slot").Role("status").Aria("live", "polite").Body(
		app.If(b.ready, func() app.UI {
			return app.Div().Class("banner", "banner-update").ID("update-banner").Body(
				app.P().Body(
					app.Strong().Text("A new version of the lab is ready."),
					app.Text(" Reload to use it; results you have recorded are kept."),
				),
				app.Button().Type("button").Class("btn-small").ID("update-reload").Text("Reload").OnClick(b.reload),
			)
		}),
	)
}

func (b *updateBanner) reload(ctx app.Context, e app.Event) {
	if !app.IsClient {
		return
	}
	// The static site's page defines conlabApplyUpdate: it activates the
	// waiting version and every open page of the lab reloads. Elsewhere
	// (conlab serve) the new version is active already: reload.
	if fn := app.Window().Get("conlabApplyUpdate"); fn.Truthy() {
		fn.Invoke()
		return
	}
	ctx.Reload()
}
