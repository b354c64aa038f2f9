package workloads

import "testing"

// testEnv is the environment of catalog tests: the platform's default,
// plus what every workload needs to run here. Natively that is a loopback
// server answering the download workload's URLs and this test binary as
// the child program; in wasm, a fetch that answers the same URLs in
// process (there is no server to talk to) and in-process children.
func testEnv(t *testing.T) Env {
	t.Helper()
	return platformTestEnv(t)
}
