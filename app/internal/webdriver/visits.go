package webdriver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// FreshVisits calls visit n times, each time with a page of a fresh, empty
// profile of an engine e browser: a private page of one browser, or,
// where the engine has none (WebKitGTK), a browser of its own. Each
// visit has perVisit; the page is closed after it.
func FreshVisits(t *testing.T, e Engine, n int, perVisit time.Duration, visit func(ctx context.Context, i int, p Page)) {
	t.Helper()
	Require(t, e)
	b := Start(t, e, Options{})
	for i := 1; i <= n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), perVisit)
		p, err := b.NewPrivatePage(ctx)
		var own Browser
		if errors.Is(err, errors.ErrUnsupported) {
			own, err = Launch(ctx, e, Options{})
			if err == nil {
				p = own.Page()
			}
		}
		if err != nil {
			cancel()
			t.Fatalf("visit %d: a fresh profile: %v", i, err)
		}
		func() {
			defer func() {
				if own != nil {
					own.Close()
				} else {
					p.Close()
				}
				cancel()
			}()
			visit(ctx, i, p)
		}()
		if t.Failed() {
			return
		}
	}
}

// NoFalseUpdate checks the page p just opened, the first visit of a fresh
// profile to the lab: once the lab runs and its service worker controls
// the page, with nothing installing, and a second later, no new version
// waits and the page shows no "A new version of the lab is ready" banner.
// It returns how long the page took to settle.
func NoFalseUpdate(ctx context.Context, p Page) (time.Duration, error) {
	start := time.Now()
	if err := Wait(ctx, p, `!document.getElementById("app-wasm-loader") && !!document.querySelector(".lab")`, 3*time.Minute); err != nil {
		return 0, fmt.Errorf("the lab did not start: %w", err)
	}
	const settled = `navigator.serviceWorker.getRegistration().then(r => !!r && !!r.active && !r.installing && !!navigator.serviceWorker.controller)`
	if err := Wait(ctx, p, settled, time.Minute); err != nil {
		return 0, fmt.Errorf("the service worker never took control: %w", err)
	}
	took := time.Since(start)
	time.Sleep(time.Second)
	state, err := Eval[struct {
		Banner  bool `json:"banner"`
		Waiting bool `json:"waiting"`
	}](ctx, p, `navigator.serviceWorker.getRegistration().then(r => ({banner: !!document.getElementById("update-banner"), waiting: !!(r && r.waiting)}))`)
	if err != nil {
		return took, err
	}
	if state.Banner || state.Waiting {
		return took, fmt.Errorf("a first visit offers an update: banner %v, a version waiting %v", state.Banner, state.Waiting)
	}
	return took, nil
}

// FirstVisits is how many fresh-profile first visits a test makes:
// $CONLAB_FIRST_VISITS, else 20.
func FirstVisits() int {
	if n, err := strconv.Atoi(os.Getenv("CONLAB_FIRST_VISITS")); err == nil && n > 0 {
		return n
	}
	return 20
}
