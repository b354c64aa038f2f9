package webdriver

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/coder/websocket"
)

// bidi is a WebDriver BiDi connection: commands with ids over a
// websocket, answered in any order, and events in between.
type bidi struct {
	conn    *websocket.Conn
	onEvent func(method string, params json.RawMessage)

	mu      sync.Mutex
	next    int
	pending map[int]chan bidiMessage
	err     error // why the connection ended
	done    chan struct{}
}

type bidiMessage struct {
	Type    string          `json:"type"` // success, error, event
	ID      int             `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// BiDiError is an error a WebDriver BiDi command returned.
type BiDiError struct {
	Method, Code, Message string
}

func (e *BiDiError) Error() string { return fmt.Sprintf("%s: %s: %s", e.Method, e.Code, e.Message) }

func dialBiDi(ctx context.Context, url string, onEvent func(string, json.RawMessage)) (*bidi, error) {
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(256 << 20) // screenshots of long pages
	c := &bidi{conn: conn, onEvent: onEvent, pending: map[int]chan bidiMessage{}, done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *bidi) read() {
	var err error
	defer func() {
		c.mu.Lock()
		c.err = err
		c.pending = nil
		c.mu.Unlock()
		close(c.done)
	}()
	for {
		var data []byte
		if _, data, err = c.conn.Read(context.Background()); err != nil {
			return
		}
		var m bidiMessage
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.Type == "event" {
			if c.onEvent != nil {
				c.onEvent(m.Method, m.Params)
			}
			continue
		}
		c.mu.Lock()
		ch := c.pending[m.ID]
		delete(c.pending, m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
}

// call sends a command and decodes its result into result (nil: ignored).
func (c *bidi) call(ctx context.Context, method string, params, result any) error {
	if params == nil {
		params = struct{}{}
	}
	c.mu.Lock()
	if c.pending == nil {
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("%s: the connection is closed: %v", method, err)
	}
	c.next++
	id := c.next
	ch := make(chan bidiMessage, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	b, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Type == "error" {
			return &BiDiError{Method: method, Code: m.Error, Message: m.Message}
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-c.done:
		return fmt.Errorf("%s: the connection closed: %v", method, c.err)
	case <-ctx.Done():
		c.mu.Lock()
		if c.pending != nil {
			delete(c.pending, id)
		}
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *bidi) close() error { return c.conn.Close(websocket.StatusNormalClosure, "") }
