package workloads

import "testing"

// testEnv is the environment of catalog tests: the platform's default.
// Workloads that fetch replace it where they need a server.
func testEnv(t *testing.T) Env {
	t.Helper()
	return defaultEnv()
}
