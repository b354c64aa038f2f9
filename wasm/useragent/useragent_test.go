package useragent_test

import (
	"fmt"
	"strings"
	"testing"

	"conlab/wasm/useragent"
)

// Real user agent strings, as the browsers send them.
var cases = []struct {
	name   string
	ua     string
	brands []string
	want   string
	engine string
}{
	{
		name:   "WebKitGTK 2.50 MiniBrowser (Debian 12), frozen Safari 60.5",
		ua:     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15",
		want:   "WebKitGTK on Linux",
		engine: "WebKit",
	},
	{
		name:   "WebKitGTK on Ubuntu",
		ua:     "Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15",
		want:   "WebKitGTK on Linux",
		engine: "WebKit",
	},
	{
		name:   "Epiphany (GNOME Web) with its application token",
		ua:     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15 Epiphany/605.1.15",
		want:   "Epiphany on Linux",
		engine: "WebKit",
	},
	{
		name:   "Epiphany 3.38, older WebKitGTK",
		ua:     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0 Safari/605.1.15 Epiphany/605.1.15",
		want:   "Epiphany on Linux",
		engine: "WebKit",
	},
	{
		// Recent Epiphany sends Safari's exact string: nothing tells them apart.
		name:   "Epiphany sending Safari's string",
		ua:     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0.1 Safari/605.1.15",
		want:   "Safari 26.0.1 on macOS",
		engine: "WebKit",
	},
	{
		name:   "Safari 17.4 on a Mac",
		ua:     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
		want:   "Safari 17.4 on macOS",
		engine: "WebKit",
	},
	{
		name:   "Safari on an iPad, mobile site",
		ua:     "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
		want:   "Safari 17.4 on iPad",
		engine: "WebKit",
	},
	{
		name:   "Safari 26 on an iPhone",
		ua:     "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1",
		want:   "Safari 26 on iPhone",
		engine: "WebKit",
	},
	{
		name:   "an iOS app's web view: no Safari version",
		ua:     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		want:   "WebKit on iPhone",
		engine: "WebKit",
	},
	{
		name:   "Chrome on an iPhone is WebKit inside",
		ua:     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1",
		want:   "Chrome 123 on iPhone (WebKit)",
		engine: "WebKit",
	},
	{
		name:   "Firefox on an iPad",
		ua:     "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/124.0 Mobile/15E148 Safari/605.1.15",
		want:   "Firefox 124 on iPad (WebKit)",
		engine: "WebKit",
	},
	{
		name:   "Firefox ESR 153 (Debian), headless",
		ua:     "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
		want:   "Firefox 153 on Linux",
		engine: "Gecko",
	},
	{
		name:   "Firefox ESR 115 on Windows",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0",
		want:   "Firefox 115 on Windows",
		engine: "Gecko",
	},
	{
		name:   "Firefox on a Mac",
		ua:     "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:124.0) Gecko/20100101 Firefox/124.0",
		want:   "Firefox 124 on macOS",
		engine: "Gecko",
	},
	{
		name:   "Firefox on Android",
		ua:     "Mozilla/5.0 (Android 14; Mobile; rv:124.0) Gecko/124.0 Firefox/124.0",
		want:   "Firefox 124 on Android",
		engine: "Gecko",
	},
	{
		name:   "Chromium 156 headless (Debian), brands read",
		ua:     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
		brands: []string{"Not:A-Brand", "Chromium"},
		want:   "Chromium 156 (headless) on Linux",
		engine: "Blink",
	},
	{
		name:   "Chromium 156 headless, no brands",
		ua:     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
		want:   "Chromium 156 (headless) on Linux",
		engine: "Blink",
	},
	{
		name:   "Chrome on Windows, told from Chromium by its brands",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		brands: []string{"Google Chrome", "Chromium", "Not_A Brand"},
		want:   "Chrome 131 on Windows",
		engine: "Blink",
	},
	{
		name:   "the same string without brands (an insecure context) is the family",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		want:   "Chromium 131 on Windows",
		engine: "Blink",
	},
	{
		name:   "Chrome on a Chromebook",
		ua:     "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		brands: []string{"Not_A Brand", "Chromium", "Google Chrome"},
		want:   "Chrome 120 on ChromeOS",
		engine: "Blink",
	},
	{
		name:   "Chrome on a Mac",
		ua:     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		brands: []string{"Chromium", "Google Chrome", "Not-A.Brand"},
		want:   "Chrome 124 on macOS",
		engine: "Blink",
	},
	{
		name:   "Edge on Windows",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
		brands: []string{"Microsoft Edge", "Chromium", "Not_A Brand"},
		want:   "Edge 131 on Windows",
		engine: "Blink",
	},
	{
		name:   "Edge without brands",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
		want:   "Edge 120 on Windows",
		engine: "Blink",
	},
	{
		name:   "Edge on Android",
		ua:     "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.0.0",
		want:   "Edge 124 on Android",
		engine: "Blink",
	},
	{
		name:   "Edge before Chromium (EdgeHTML)",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041",
		want:   "Edge 18 on Windows (EdgeHTML)",
		engine: "EdgeHTML",
	},
	{
		name:   "Opera",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
		want:   "Opera 106 on Windows",
		engine: "Blink",
	},
	{
		name:   "Samsung Internet",
		ua:     "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
		want:   "Samsung Internet 23 on Android",
		engine: "Blink",
	},
	{
		name:   "Android WebView",
		ua:     "Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro Build/AP1A.240305.019; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/123.0.6312.40 Mobile Safari/537.36",
		want:   "Android WebView 123 on Android",
		engine: "Blink",
	},
	{name: "not a browser", ua: "curl/8.5.0", want: ""},
	{name: "empty", ua: "", want: ""},
	{
		name:   "cut short after the browser's token",
		ua:     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Saf",
		want:   "Chromium 131 on Windows",
		engine: "Blink",
	},
	// An unclosed comment runs to the end of the string.
	{name: "cut short in a comment", ua: "Mozilla/5.0 (X11; Linux x86_64; rv:15", want: ""},
	// Results recorded with a name (not a user agent) are left to the caller.
	{name: "a name in place of a user agent", ua: "Firefox 153 on Linux", want: ""},
}

func TestParse(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := useragent.Parse(tc.ua, tc.brands...)
			if got := b.String(); got != tc.want {
				t.Errorf("Parse(%q, %q) = %q (%+v), want %q", tc.ua, tc.brands, got, b, tc.want)
			}
			if b.Engine != tc.engine {
				t.Errorf("Engine = %q, want %q", b.Engine, tc.engine)
			}
		})
	}
}

func TestParseHeadlessFlag(t *testing.T) {
	if b := useragent.Parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"); !b.Headless || b.Version != "156" {
		t.Errorf("headless Chromium: %+v", b)
	}
	if b := useragent.Parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"); b.Headless {
		t.Errorf("Chromium with a window reported headless: %+v", b)
	}
}

// A string longer than any browser sends is read only so far.
func TestParseLongInput(t *testing.T) {
	ua := "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0 " + strings.Repeat("x", 1<<20)
	if got := useragent.Parse(ua).String(); got != "Firefox 153 on Linux" {
		t.Errorf("got %q", got)
	}
	if got := useragent.Parse(strings.Repeat("(", 1<<16)).String(); got != "" {
		t.Errorf("got %q", got)
	}
}

var names = map[string]bool{
	"": true, "Chrome": true, "Chromium": true, "Edge": true, "Opera": true, "Samsung Internet": true,
	"Android WebView": true, "Firefox": true, "Safari": true, "WebKitGTK": true, "Epiphany": true, "WebKit": true,
}

func FuzzParse(f *testing.F) {
	for _, tc := range cases {
		f.Add(tc.ua, strings.Join(tc.brands, ","))
	}
	f.Fuzz(func(t *testing.T, ua, brands string) {
		var bs []string
		if brands != "" {
			bs = strings.Split(brands, ",")
		}
		b := useragent.Parse(ua, bs...)
		if !names[b.Name] {
			t.Fatalf("Parse(%q) named %q, not one of the known names", ua, b.Name)
		}
		if len(b.Version) > 20 || strings.Trim(b.Version, "0123456789.") != "" ||
			strings.HasPrefix(b.Version, ".") || strings.HasSuffix(b.Version, ".") {
			t.Fatalf("Parse(%q): version %q is not digits and dots", ua, b.Version)
		}
		if b.Name == "" && b.String() != "" || b.Name != "" && !strings.HasPrefix(b.String(), b.Name) {
			t.Fatalf("Parse(%q): String %q does not start with the name %q", ua, b.String(), b.Name)
		}
		if again := useragent.Parse(ua, bs...); again != b {
			t.Fatalf("Parse(%q) gave %+v, then %+v", ua, b, again)
		}
	})
}

func ExampleParse() {
	// WebKitGTK, the engine of GNOME Web, poses as Safari "60.5".
	b := useragent.Parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15")
	fmt.Println(b)
	fmt.Println(b.Engine)

	// Chrome and Chromium send one string: the brands tell them apart.
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	fmt.Println(useragent.Parse(ua, "Google Chrome", "Chromium", "Not_A Brand"))
	fmt.Println(useragent.Parse(ua))
	// Output:
	// WebKitGTK on Linux
	// WebKit
	// Chrome 131 on Windows
	// Chromium 131 on Windows
}
