//go:build js && wasm

// A program for the runner's own test: it echoes its arguments and an
// environment variable and the visit's number, writes to both streams, uses a temporary file,
// and exits with the code it is asked for, or panics.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	fmt.Println("args:", strings.Join(os.Args[1:], " "))
	fmt.Println("env:", os.Getenv("CONLAB_GREETING"))
	fmt.Println("visit:", os.Getenv("CONLAB_VISIT"))
	fmt.Fprintln(os.Stderr, "to stderr")
	f, err := os.CreateTemp("", "hello-*.txt")
	if err != nil {
		fmt.Println("temp:", err)
	} else {
		f.WriteString("round trip")
		f.Seek(0, 0)
		b := make([]byte, 64)
		n, _ := f.Read(b)
		f.Close()
		os.Remove(f.Name())
		fmt.Println("temp:", string(b[:n]))
	}
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		panic("on purpose")
	}
	code, _ := strconv.Atoi(os.Getenv("CONLAB_EXIT"))
	os.Exit(code)
}
