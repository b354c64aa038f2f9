package webdriver

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testPage = `<!doctype html>
<title>driver test</title>
<body style="height: 3000px">
<p id="out">not clicked</p>
<div style="height: 2000px"></div>
<button id="b" onclick="document.getElementById('out').textContent = 'clicked ' + (++window.clicks)">Click</button>
<script>
window.clicks = 0;
console.error("a console error", 42);
setTimeout(() => { throw new Error("an uncaught error") }, 0);
if (location.search === "?reload") setTimeout(() => location.replace("/?reloaded"), 300);
</script>`

// Every engine opens a page, evaluates expressions and promises, clicks a
// button out of view, waits, takes a screenshot, reads the console's
// errors, opens a second page, and keeps evaluating across a reload the
// page makes itself.
func TestDriver(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(testPage))
	}))
	defer srv.Close()
	for _, e := range Engines {
		t.Run(e.Title(), func(t *testing.T) {
			b := Start(t, e, Options{})
			if !strings.Contains(b.Name(), " ") || b.Engine() != e {
				t.Errorf("Name %q, Engine %q", b.Name(), b.Engine())
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p := b.Page()
			if err := p.Navigate(ctx, srv.URL+"/"); err != nil {
				t.Fatal(err)
			}
			if n, err := Eval[int](ctx, p, `1 + 2`); err != nil || n != 3 {
				t.Errorf("1 + 2 = %d, %v", n, err)
			}
			if s, err := Eval[string](ctx, p, `new Promise(r => setTimeout(() => r(document.title), 50))`); err != nil || s != "driver test" {
				t.Errorf("a promise of the title: %q, %v", s, err)
			}
			if v, err := Eval[[]any](ctx, p, `[null, undefined, "x", {a: 1}]`); err != nil || len(v) != 4 || v[2] != "x" {
				t.Errorf("an array: %v, %v", v, err)
			}
			if _, err := Eval[int](ctx, p, `(() => { throw new Error("thrown on purpose") })()`); err == nil || !strings.Contains(err.Error(), "thrown on purpose") {
				t.Errorf("a script that throws: %v", err)
			}
			if err := p.Click(ctx, "#b"); err != nil {
				t.Fatal(err)
			}
			if err := Wait(ctx, p, `document.getElementById("out").textContent === "clicked 1"`, 10*time.Second); err != nil {
				t.Error(err)
			}
			png, err := p.Screenshot(ctx)
			if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
				t.Errorf("screenshot: %d bytes, %v", len(png), err)
			}
			if _, err := Eval[any](ctx, p, `(setTimeout(() => { console.error("later", 7); throw new Error("a later uncaught error") }, 0), null)`); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			errs := strings.Join(p.ConsoleErrors(), "\n")
			want := []string{"later 7", "a later uncaught error"}
			if e != WebKit {
				// WebKit's hook sees errors from the first evaluation on.
				want = append(want, "a console error 42", "an uncaught error")
			}
			for _, w := range want {
				if !strings.Contains(errs, w) {
					t.Errorf("console errors %q, want %q", errs, w)
				}
			}
			q, err := b.NewPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The page replaces itself 300 ms after it loads: evaluations
			// keep working across it.
			if err := q.Navigate(ctx, srv.URL+"/?reload"); err != nil {
				t.Fatal(err)
			}
			if err := Wait(ctx, q, `location.search === "?reloaded"`, 20*time.Second); err != nil {
				t.Error(err)
			}
			if s, err := Eval[string](ctx, p, `document.getElementById("out").textContent`); err != nil || s != "clicked 1" {
				t.Errorf("the first page after the second opened: %q, %v", s, err)
			}
			if err := q.Close(); err != nil {
				t.Error(err)
			}
			// A private page shares no storage with the others.
			if _, err := Eval[any](ctx, p, `localStorage.setItem("k", "v")`); err != nil {
				t.Fatal(err)
			}
			r, err := b.NewPrivatePage(ctx)
			if errors.Is(err, errors.ErrUnsupported) {
				t.Logf("%s: %v", e.Title(), err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Navigate(ctx, srv.URL+"/"); err != nil {
				t.Fatal(err)
			}
			if v, err := Eval[*string](ctx, r, `localStorage.getItem("k")`); err != nil || v != nil {
				t.Errorf("a private page sees the storage of another: %v, %v", v, err)
			}
			if v, err := Eval[string](ctx, p, `localStorage.getItem("k")`); err != nil || v != "v" {
				t.Errorf("the first page's storage: %v, %v", v, err)
			}
			if err := r.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}
