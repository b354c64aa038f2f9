//go:build wasm

// Command conlab, built for the browser, is the lab's go-app UI (app.wasm).
package main

import (
	"conlab/app/ui"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func main() {
	ui.Register()
	app.RunWhenOnBrowser()
}
