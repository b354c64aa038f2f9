// Package useragent names the browser a page runs in from its user agent
// string: "Firefox 153 on Linux", "Safari 17.4 on iPad", "WebKitGTK on
// Linux". It has no JavaScript in it and builds everywhere; the page reads
// navigator.userAgent (and, where the browser has it,
// navigator.userAgentData.brands) and passes the strings in.
//
// A user agent string is a list of product tokens ("Firefox/153.0") and
// comments ("(X11; Linux x86_64)") that browsers fill with the names of
// others for compatibility: Chrome says "Safari", Edge says "Chrome",
// WebKitGTK says "Version/60.5 Safari", a Safari version that never
// existed. Parse reads the tokens in the order that undoes this, and
// gives no version where the string carries only a frozen one.
//
// It is outside wasm/internal because the UI names the browser too.
package useragent

import "strings"

// Browser is what a user agent string says of the browser that sent it.
type Browser struct {
	// Name is the browser: "Chrome", "Chromium", "Edge", "Opera",
	// "Samsung Internet", "Android WebView", "Firefox", "Safari",
	// "WebKitGTK", "Epiphany" or "WebKit"; "" when the string names none
	// of them.
	Name string
	// Version is the browser's version as the string gives it, without
	// trailing ".0" parts: "156", "17.4"; "" when the string carries none
	// that means anything (WebKitGTK's is frozen at Safari "60.5").
	// It holds only digits and dots.
	Version string
	// Engine is the browser engine: "Blink", "Gecko", "WebKit" or
	// "EdgeHTML"; "" when unknown. On iPhone and iPad every browser uses
	// WebKit, whatever its name.
	Engine string
	// Platform is where it runs: "Linux", "Windows", "macOS",
	// "ChromeOS", "Android", "iPhone", "iPad" or "iPod"; "" when unknown.
	// An iPad asking for desktop sites (the default since iPadOS 13) says
	// it is a Mac.
	Platform string
	// Headless is set for a browser that says it runs without a window
	// (Chromium's headless mode; Firefox's headless mode does not say).
	Headless bool
}

// String names the browser, its version and where it runs, e.g.
// "Chromium 156 (headless) on Linux" or "Chrome 120 on iPhone (WebKit)";
// "" for a browser Parse did not recognise.
func (b Browser) String() string {
	if b.Name == "" {
		return ""
	}
	s := b.Name
	if b.Version != "" {
		s += " " + b.Version
	}
	if b.Headless {
		s += " (headless)"
	}
	if b.Platform != "" {
		s += " on " + b.Platform
	}
	if b.Engine != "" && b.Engine != usualEngine[b.Name] {
		s += " (" + b.Engine + ")"
	}
	return s
}

// usualEngine is each browser's own engine; String names the engine only
// when it differs (Chrome on an iPhone is WebKit inside).
var usualEngine = map[string]string{
	"Chrome":           "Blink",
	"Chromium":         "Blink",
	"Edge":             "Blink",
	"Opera":            "Blink",
	"Samsung Internet": "Blink",
	"Android WebView":  "Blink",
	"Firefox":          "Gecko",
	"Safari":           "WebKit",
	"WebKitGTK":        "WebKit",
	"Epiphany":         "WebKit",
	"WebKit":           "WebKit",
}

// maxLen bounds the part of a string Parse reads: real ones are a few
// hundred bytes.
const maxLen = 1024

// Parse names the browser that sent the user agent string ua. brands are
// the names in navigator.userAgentData.brands, which Chromium's family has
// in secure contexts: Chrome and Chromium send the same user agent string
// and only the brands tell them apart. Without brands such a browser is
// named "Chromium", the family. Any input is accepted; an unrecognised one
// gives a Browser with an empty Name.
func Parse(ua string, brands ...string) Browser {
	if len(ua) > maxLen {
		ua = ua[:maxLen]
	}
	t := scan(ua)
	b := Browser{Platform: t.platform()}
	ios := b.Platform == "iPhone" || b.Platform == "iPad" || b.Platform == "iPod"

	switch {
	case t.has("Edg", "EdgA", "EdgiOS"):
		b.Name, b.Version, b.Engine = "Edge", t.major("Edg", "EdgA", "EdgiOS"), "Blink"
	case t.has("Edge"): // EdgeHTML, before Edge moved to Chromium
		b.Name, b.Version, b.Engine = "Edge", t.major("Edge"), "EdgeHTML"
	case t.has("OPR", "OPiOS"):
		b.Name, b.Version, b.Engine = "Opera", t.major("OPR", "OPiOS"), "Blink"
	case t.has("SamsungBrowser"):
		b.Name, b.Version, b.Engine = "Samsung Internet", t.version("SamsungBrowser"), "Blink"
	case t.has("Firefox", "FxiOS"):
		b.Name, b.Version, b.Engine = "Firefox", t.major("Firefox", "FxiOS"), "Gecko"
	case t.has("HeadlessChrome", "Chrome", "Chromium", "CriOS"):
		b.Version, b.Engine = t.major("HeadlessChrome", "Chromium", "Chrome", "CriOS"), "Blink"
		b.Headless = t.has("HeadlessChrome")
		switch {
		case hasBrand(brands, "Microsoft Edge"):
			b.Name = "Edge"
		case hasBrand(brands, "Opera"):
			b.Name = "Opera"
		case hasBrand(brands, "Google Chrome"), t.has("CriOS"):
			b.Name = "Chrome"
		case t.commentHas("wv") && t.has("Version"):
			b.Name = "Android WebView"
		default:
			b.Name = "Chromium"
		}
	case t.has("AppleWebKit"):
		b.Engine = "WebKit"
		switch {
		case t.has("Epiphany"):
			// GNOME Web on WebKitGTK; its token is frozen at 605.1.15.
			b.Name = "Epiphany"
		case ios || b.Platform == "macOS":
			if v := t.version("Version"); v != "" && t.has("Safari") {
				b.Name, b.Version = "Safari", v
			} else {
				b.Name = "WebKit" // an app's web view: no Safari version
			}
		case b.Platform == "Linux" && t.commentHas("X11", "Wayland"):
			// WebKitGTK says Safari "60.5" whatever its own version.
			b.Name = "WebKitGTK"
		default:
			b.Name = "WebKit"
		}
	case t.has("Gecko") && t.commentPrefix("rv:"):
		b.Engine = "Gecko"
	}
	if ios && b.Engine != "" {
		b.Engine = "WebKit" // Apple allows no other engine there
	}
	return b
}

func hasBrand(brands []string, name string) bool {
	for _, b := range brands {
		if strings.TrimSpace(b) == name {
			return true
		}
	}
	return false
}
