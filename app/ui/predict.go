package ui

import (
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Predict, then run: before a run a student may write what they expect
// (the final counter, which mode is fastest, the speed-up at N). The
// prediction goes with the runs it came before, so the results table shows
// it beside what happened, and an embedding page hears of it
// (lab:prediction) to collect it. It is optional and never holds a run up.

// MsgPrediction tells the host page what a student predicted before a run.
const MsgPrediction = "lab:prediction"

// maxPrediction bounds a prediction's length, in bytes.
const maxPrediction = 280

// postToHost posts a message to the page that embeds the lab; nil when
// there is none (the embedding bridge sets it).
var postToHost func(msg []byte)

// PredictionMessage is the lab:prediction message: the lesson, the run
// set the prediction came before, and the prediction.
func PredictionMessage(workload, set, prediction string) []byte {
	b, _ := json.Marshal(struct {
		Type       string `json:"type"`
		Workload   string `json:"workload"`
		Set        string `json:"set"`
		Prediction string `json:"prediction"`
	}{MsgPrediction, workload, set, prediction})
	return b
}

// predictionField is the form's optional prediction.
func (l *lab) predictionField() app.UI {
	return app.Div().Class("prediction").Body(
		app.Label().For("prediction").Text("Your prediction (optional) "),
		app.Input().ID("prediction").Type("text").MaxLength(maxPrediction).Size(48).
			Placeholder("e.g. the final counter, which mode is fastest, the speed-up at 4").
			Value(l.prediction).Disabled(l.running).
			OnInput(func(ctx app.Context, e app.Event) { l.prediction = ctx.JSSrc().Get("value").String() }),
	)
}

// predicted is called as a run set starts: it returns the prediction that
// goes with the set's runs, and tells the host page.
func (l *lab) predicted(set string) string {
	p := strings.TrimSpace(l.prediction)
	if len(p) > maxPrediction {
		p = p[:maxPrediction]
	}
	if p != "" && postToHost != nil && l.w != nil {
		postToHost(PredictionMessage(l.w.ID, set, p))
	}
	return p
}
