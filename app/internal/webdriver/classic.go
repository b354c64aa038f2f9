package webdriver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// classic is a W3C WebDriver (classic) session over HTTP.
type classic struct {
	base string // http://host:port/session/ID
	http *http.Client
}

// ClassicError is an error a WebDriver command returned.
type ClassicError struct {
	Command, Code, Message string
}

func (e *ClassicError) Error() string { return fmt.Sprintf("%s: %s: %s", e.Command, e.Code, e.Message) }

// do sends a command; path is relative to the session ("" for the
// session itself). It decodes the answer's value into out (nil: ignored).
func classicDo(ctx context.Context, c *http.Client, method, url string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(&answer); err != nil {
		return fmt.Errorf("%s %s: HTTP %s: %v", method, url, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		json.Unmarshal(answer.Value, &e)
		return &ClassicError{Command: method + " " + url, Code: e.Error, Message: e.Message}
	}
	if out != nil {
		return json.Unmarshal(answer.Value, out)
	}
	return nil
}

func (s *classic) do(ctx context.Context, method, path string, body, out any) error {
	return classicDo(ctx, s.http, method, s.base+path, body, out)
}

// elementKey is the key of an element reference in WebDriver's JSON.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"
