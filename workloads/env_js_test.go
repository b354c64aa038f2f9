//go:build js

package workloads

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"
)

// pageEnv answers the download workload's URLs in process, as the lab's
// server and a static site would: there is no server under Node.
type pageEnv struct{ basicEnv }

func (pageEnv) Fetch(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Path == "/api/delay" {
		ms, id, err := ParseDelayQuery(u.Query())
		if err != nil {
			return nil, fmt.Errorf("fetch %s: 400: %v", raw, err)
		}
		if err := sleep(ctx, time.Duration(ms)*time.Millisecond); err != nil {
			return nil, err
		}
		return PageBody(id), nil
	}
	if body, ok := DownloadFiles()[u.Path]; ok {
		return body, nil
	}
	return nil, fmt.Errorf("fetch %s: 404 Not Found", raw)
}

func platformTestEnv(t *testing.T) Env {
	t.Helper()
	return pageEnv{}
}
