//go:build !wasm

package server

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Same-origin protection. A page on any website can make a browser send
// requests to a server on the student's own machine: a "simple" POST
// (Content-Type text/plain, navigator.sendBeacon) needs no permission, and
// a name the attacker controls can be pointed at 127.0.0.1 (DNS
// rebinding). So:
//
//   - a POST must say Content-Type: application/json, which a page on
//     another origin cannot send without the server's consent (CORS
//     preflight, which this server never grants);
//   - a request with an Origin header must come from this server's own
//     origin or one allowed with -allow-origin;
//   - on a loopback address, a request must be addressed to the server by
//     a loopback name (localhost, 127.0.0.1, [::1]) with its own port, or
//     by the host of an allowed origin: a rebound name is refused.
//
// GETs change nothing on the server, so any page may read what they answer
// only where the Host check lets it.

// ParseOrigin checks an origin for Config.AllowOrigins and returns it in
// the form browsers send: scheme://host[:port], lower case, no path.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	switch {
	case err != nil:
		return "", fmt.Errorf("origin %q: %v", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("origin %q: want http:// or https:// and a host, like https://school.example", s)
	case u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return "", fmt.Errorf("origin %q: want only a scheme and a host, like https://school.example:8443", s)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// checkHost refuses a request to a loopback listener whose Host is not one
// of the server's names. It returns false after answering.
func (s *Server) checkHost(w http.ResponseWriter, r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true
	}
	la, ok := local.(*net.TCPAddr)
	if !ok || !la.IP.IsLoopback() {
		return true
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = strings.Trim(r.Host, "[]"), "80"
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if port == fmt.Sprint(la.Port) && (host == "localhost" || strings.HasSuffix(host, ".localhost") || isLoopbackIP(host)) {
		return true
	}
	if s.allowedHost(r.Host) {
		return true
	}
	writeError(w, errorf(http.StatusMisdirectedRequest, "", "this server listens on %s and answers only requests addressed to it (Host 127.0.0.1:%d or localhost:%d), not %q: another site's name pointed at this machine is refused (DNS rebinding); to serve under a name, allow its origin with -allow-origin", la, la.Port, la.Port, r.Host))
	return false
}

func isLoopbackIP(h string) bool {
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// allowedHost reports whether host (with its port, if any) is the host of
// an allowed origin.
func (s *Server) allowedHost(host string) bool {
	for _, o := range s.cfg.AllowOrigins {
		if u, err := url.Parse(o); err == nil && strings.EqualFold(u.Host, host) {
			return true
		}
	}
	return false
}

// checkPost refuses a POST that a page on another origin could have sent:
// one without Content-Type: application/json, or with an Origin that is
// neither this server's nor allowed. It returns false after answering.
func (s *Server) checkPost(w http.ResponseWriter, r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		if ct == "" {
			ct = "none"
		}
		writeError(w, errorf(http.StatusUnsupportedMediaType, "", "a POST to %s must have Content-Type: application/json (got %s)", r.URL.Path, ct))
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" || s.sameOrigin(r, origin) {
		return true
	}
	for _, o := range s.cfg.AllowOrigins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	writeError(w, errorf(http.StatusForbidden, "", "runs may be started only from this server's own pages, not from %s (allow another origin with -allow-origin)", origin))
	return false
}

// sameOrigin reports whether origin is the origin of the request's own URL.
func (s *Server) sameOrigin(r *http.Request, origin string) bool {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}
