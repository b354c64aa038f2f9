//go:build !js

package workloads

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

var processStart = time.Now()

// NativeEnv is the Env of a native process: the monotonic clock, net/http,
// and Go memory for Shared. BaseURL resolves relative fetches; when it is
// empty, a relative fetch fails with a clear error.
type NativeEnv struct {
	BaseURL string
	Client  *http.Client // nil: a client with a 30 s timeout
	// Exe, if set, is a program that runs ChildMain when its first
	// argument is "child" (the conlab binary: `conlab child ...`). It makes
	// NativeEnv a Spawner of real processes; when it is empty, Spawn
	// returns ErrNoSpawn and workloads use in-process children.
	Exe string
}

// Now implements Env.
func (NativeEnv) Now() int64 { return int64(time.Since(processStart) / time.Microsecond) }

// Shared implements Env with plain Go memory.
func (NativeEnv) Shared(n int) Shared { return make(Int32s, n) }

var defaultClient = &http.Client{Timeout: 30 * time.Second}

// Fetch implements Env.
func (e NativeEnv) Fetch(ctx context.Context, u string) ([]byte, error) {
	ref, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	if !ref.IsAbs() {
		if e.BaseURL == "" {
			return nil, fmt.Errorf("fetch %s: relative URL and no base URL (start a server or pass one)", u)
		}
		base, err := url.Parse(e.BaseURL)
		if err != nil {
			return nil, err
		}
		ref = base.ResolveReference(ref)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref.String(), nil)
	if err != nil {
		return nil, err
	}
	c := e.Client
	if c == nil {
		c = defaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", ref, resp.Status)
	}
	return body, nil
}

func defaultEnv() Env { return NativeEnv{} }

const engineName = "native"
