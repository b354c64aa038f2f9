package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// dispatchOwn runs fn on the UI goroutine and re-renders the component of
// ctx alone, not the lab around it. go-app's Dispatch marks every
// enclosing component for an update too, and the lab's render (charts,
// the results table, the timeline) holds the page's thread for tens to
// hundreds of milliseconds once there are many results. A meter ticking
// four times a second, or the live view ten times, would take that
// thread during every timed run, while a workers run's lanes wait on it
// for their next tasks. outer points to the context of the outermost
// component to leave as it is (read on the UI goroutine); with outer nil
// it is ctx.Dispatch.
func dispatchOwn(ctx app.Context, outer *app.Context, fn func()) {
	ctx.Dispatch(func(app.Context) {
		if fn != nil {
			fn()
		}
		if outer != nil {
			// Dispatch marked outer and what encloses it (+1 each); this
			// takes those marks back (-1 each), so only the components
			// inside outer keep theirs.
			outer.PreventUpdate()
		}
	})
}

// selfContext is the lab's context for dispatchOwn; nil without a lab.
func (l *lab) selfContext() *app.Context {
	if l == nil {
		return nil
	}
	return &l.self
}
