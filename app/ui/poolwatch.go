package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// poolWatchEvery is how often the environment panel rereads the pool's
// figures between runs: the pool ends the workers a run grew it by once
// it has been idle a while, and the panel's live count follows.
const poolWatchEvery = 5 * time.Second

// watchPool rereads b's figures every poolWatchEvery while the lab is
// mounted, and re-renders when the live workers changed.
func (l *lab) watchPool(ctx app.Context, b Browser) {
	ctx.Async(func() {
		t := time.NewTicker(poolWatchEvery)
		defer t.Stop()
		last := b.Stats()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			st := b.Stats()
			if st.Alive == last.Alive && st.Size == last.Size {
				continue // nothing to show: no render
			}
			last = st
			ctx.Dispatch(func(ctx app.Context) {
				if !l.running {
					l.stats = st
				}
			})
		}
	})
}
