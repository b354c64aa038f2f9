package ui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A prediction goes with the runs it came before: the results table shows
// it beside the check, the export keeps it, and the host page hears of it.
func TestPredictionGoesWithTheRuns(t *testing.T) {
	eng, ctx := testEngine(t)
	l := newTestLab(t, "/?workload=countdown&count=20000&modes=sequential,cooperative&workers=2&rounds=1")
	l.browser = &fakeBrowser{}
	l.native = nativeInfo{Source: nativeNone}
	mustContain(t, render(l), `id="prediction"`, "Your prediction (optional)")
	var posted [][]byte
	postToHost = func(b []byte) { posted = append(posted, b) }
	defer func() { postToHost = nil }()
	l.prediction = "  cooperative is no faster  "
	l.runAll(ctx)
	for i := 0; l.running && i < 500; i++ {
		eng.ConsumeAll()
		time.Sleep(10 * time.Millisecond)
	}
	if l.running || len(l.recs) != 2 {
		t.Fatalf("running %v, %d records: %s", l.running, len(l.recs), l.status)
	}
	for _, r := range l.recs {
		if r.Prediction != "cooperative is no faster" {
			t.Errorf("record %s: prediction %q", r.ID, r.Prediction)
		}
	}
	mustContain(t, render(l), "you predicted: cooperative is no faster")
	if len(posted) != 1 {
		t.Fatalf("%d messages to the host, want one lab:prediction", len(posted))
	}
	var m map[string]string
	if err := json.Unmarshal(posted[0], &m); err != nil || m["type"] != MsgPrediction || m["workload"] != "countdown" ||
		m["prediction"] != "cooperative is no faster" || m["set"] != l.recs[0].Set {
		t.Errorf("lab:prediction %s", posted[0])
	}
	b, err := exportJSON(l.recs, l.spans, time.Now())
	if err != nil || !json.Valid(b) || !strings.Contains(strings.ReplaceAll(string(b), `": "`, `":"`), `"prediction":"cooperative is no faster"`) {
		t.Errorf("export: %v %.300s", err, b)
	}

	// No prediction, no message, nothing in the table.
	posted = nil
	l.prediction = ""
	l.runAll(ctx)
	for i := 0; l.running && i < 500; i++ {
		eng.ConsumeAll()
		time.Sleep(10 * time.Millisecond)
	}
	if len(posted) != 0 || l.recs[len(l.recs)-1].Prediction != "" {
		t.Errorf("a run without a prediction: %d messages, record %+v", len(posted), l.recs[len(l.recs)-1])
	}
}
