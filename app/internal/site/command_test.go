//go:build !wasm

package site

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestCommand(t *testing.T) {
	f := newFixture(t)
	var out, errb bytes.Buffer
	args := []string{"-o", f.opt.Dir, "-public", f.opt.Public, "-app", f.opt.AppWasm, "-worker", f.opt.WorkerWasm, "-wasm-exec", f.opt.WasmExec, "-baseline", "none", "-version", "v-test"}
	if err := Command(context.Background(), args, &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	if !strings.Contains(out.String(), "static site written to "+f.opt.Dir) || !strings.Contains(out.String(), "version v-test") {
		t.Errorf("output: %s", out.String())
	}
	if err := Command(context.Background(), []string{"-nope"}, &out, &errb); !errors.Is(err, ErrUsage) {
		t.Errorf("a bad flag: %v", err)
	}
	if err := Command(context.Background(), []string{"extra"}, &out, &errb); !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), `"extra"`) {
		t.Errorf("an argument: %v", err)
	}
	if err := Command(context.Background(), []string{"-h"}, &out, &errb); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
