package ui

import (
	"strings"

	"conlab/workloads"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// kindGroup is the workloads of one kind, in catalog order.
type kindGroup struct {
	Kind      workloads.Kind
	Workloads []*workloads.Workload
}

// filterCatalog groups the workloads matching q by kind, kinds in order of
// their first lesson. q matches, case-insensitively and word by word, the
// id, title, kind and summary: "race count" finds the counter lesson.
func filterCatalog(all []*workloads.Workload, q string) []kindGroup {
	words := strings.Fields(strings.ToLower(q))
	var out []kindGroup
	index := map[workloads.Kind]int{}
	for _, w := range all {
		hay := strings.ToLower(w.ID + " " + w.Title + " " + string(w.Kind) + " " + w.Summary)
		match := true
		for _, word := range words {
			if !strings.Contains(hay, word) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		i, ok := index[w.Kind]
		if !ok {
			i = len(out)
			index[w.Kind] = i
			out = append(out, kindGroup{Kind: w.Kind})
		}
		out[i].Workloads = append(out[i].Workloads, w)
	}
	return out
}

// lessonHref is the link to a lesson: a query on the current page, so it
// works wherever the site is served (a sub-path included).
func lessonHref(id string) string {
	return View{Workload: id, Modes: defaultModes, Workers: defaultWorkersOf(id)}.Encode()
}

// catalogNav lists every lesson grouped by kind, with a search box.
type catalogNav struct {
	app.Compo

	Current string // the lesson shown, highlighted

	search string
}

func (c *catalogNav) Render() app.UI {
	groups := filterCatalog(workloads.All(), c.search)
	count := 0
	for _, g := range groups {
		count += len(g.Workloads)
	}
	return app.Nav().Class("catalog").Aria("label", "Lessons").Body(
		app.Label().For("catalog-search").Class("catalog-label").Text("Lessons"),
		app.Input().ID("catalog-search").Type("search").Class("catalog-search").
			Placeholder("Search: cpu, race, sleep…").Value(c.search).
			Aria("controls", "catalog-list").AutoComplete(false).
			OnInput(func(ctx app.Context, e app.Event) { c.search = ctx.JSSrc().Get("value").String() }),
		app.P().Class("sr-only").Aria("live", "polite").Text(matchText(count)),
		app.Div().ID("catalog-list").Body(
			app.If(len(groups) == 0, func() app.UI {
				return app.P().Class("hint").Text("No lesson matches. Try “CPU”, “I/O” or “race”.")
			}),
			app.Range(groups).Slice(func(i int) app.UI {
				g := groups[i]
				return app.Section().Class("kind").Body(
					app.H2().Class("kind-title").Text(string(g.Kind)),
					app.Ul().Body(
						app.Range(g.Workloads).Slice(func(j int) app.UI {
							w := g.Workloads[j]
							a := app.A().Href(lessonHref(w.ID)).Body(
								app.Span().Class("lesson-id").Text(w.ID),
								app.Span().Class("lesson-title").Text(shortTitle(w.Title)),
							)
							if w.ID == c.Current {
								a = a.Class("current").Aria("current", "page")
							}
							return app.Li().Body(a)
						}),
					),
				)
			}),
		),
	)
}

// shortTitle is the part of a title before its colon: "Count down".
func shortTitle(t string) string {
	if i := strings.Index(t, ":"); i > 0 {
		return t[:i]
	}
	return t
}

// matchText says how many lessons match a search: "1 lesson matches".
func matchText(n int) string {
	if n == 1 {
		return "1 lesson matches"
	}
	return count(n, "lesson") + " match"
}
