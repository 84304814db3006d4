package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
)

// Problem says in a sentence what an error of a round trip to upstream
// means and what to do about it: a certificate the machine does not
// trust, a name that does not resolve, a refused connection. It never
// holds the request URL (a legacy path carries a token).
func Problem(err error) string {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
		dns       *net.DNSError
		nerr      net.Error
	)
	switch {
	case errors.As(err, &unknownCA):
		return "its TLS certificate is signed by an authority this machine does not trust; pass --upstream-ca FILE with the CA certificate (PEM) that signed it, or set SSL_CERT_FILE"
	case errors.As(err, &hostname):
		return "its TLS certificate is not valid for the host name used; use the host name the certificate names in the upstream URL"
	case errors.As(err, &invalid):
		return "its TLS certificate is not valid (expired, not yet valid, or not for serving); renew it, or pass --upstream-ca FILE if it is signed by a private CA"
	case errors.As(err, &verify):
		return "its TLS certificate could not be verified; pass --upstream-ca FILE with the CA certificate (PEM) that signed it"
	case errors.As(err, &header):
		return "it did not answer TLS; if it speaks plain HTTP, use an http:// URL"
	case errors.As(err, &dns):
		return "its host name does not resolve; check the upstream URL"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "it refused the connection; check that it is running and listening on that port"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it closed the connection before answering"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return "it did not answer in time; check that it is reachable"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "it cannot be reached from this machine; check the network and any proxy settings"
	}
	return "the request to it failed"
}

// UpstreamError is a round trip to an upstream that failed, as
// [Recorder.RoundTrip] returns it. Its message is the one description of
// such a failure ([Describe]), the same wherever it shows: the 502 record
// answers (and records), the 502 'replay --on-miss proxy' answers a
// forwarded miss with, and conform's error for a target it cannot reach.
type UpstreamError struct {
	Upstream string // scheme://host[/path] of the upstream, never the request URL
	Err      error
}

func (e *UpstreamError) Error() string { return Describe(e.Upstream, e.Err) }

// Unwrap returns the cause, so that errors.Is and errors.As see it.
func (e *UpstreamError) Unwrap() error { return e.Err }

// Describe says what failed, what to do about it and the cause, in one
// line: "upstream https://ghe.example.com failed: its TLS certificate is
// signed by an authority this machine does not trust; pass --upstream-ca
// FILE ... (tls: failed to verify certificate: x509: ...)". It never holds
// the request URL.
func Describe(upstream string, err error) string {
	return "upstream " + upstream + " failed: " + Problem(err) + " (" + Cause(err) + ")"
}

// Cause is err without the URL a *url.Error names (a legacy path carries
// a token): "tls: failed to verify certificate: x509: certificate signed
// by unknown authority".
func Cause(err error) string { return errorText(err) }

// errorText is err without the URL a *url.Error names (a legacy path
// carries a token) and without what it quotes of the upstream's bytes
// (see scrubError): it is logged, sent to the client and recorded.
func errorText(err error) string {
	var up *UpstreamError
	if errors.As(err, &up) {
		err = up.Err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return scrubError(ue.Err.Error())
	}
	return scrubError(err.Error())
}

// scrubError withholds what an error message quotes of what the upstream
// sent, which may be a secret (a header line such as "Set-Cookie
// user_session=..." without its colon, a status line): every quoted
// string, and the rest of the message after "line: " (Go's "malformed MIME
// header line: ..."), are replaced by how many bytes were withheld.
func scrubError(msg string) string {
	if i := strings.Index(msg, "line: "); i >= 0 {
		if rest := msg[i+len("line: "):]; rest != "" {
			msg = msg[:i+len("line: ")] + fmt.Sprintf("(%d bytes withheld)", len(rest))
		}
	}
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		return fmt.Sprintf(`"(%d bytes withheld)"`, len(q)-2)
	})
}

// quoted matches a Go-quoted string in an error message.
var quoted = regexp.MustCompile(`"(?:\\.|[^"\\])*"`)

// UpstreamTLS returns the TLS configuration for the connections to
// upstream: the system's roots plus the PEM certificates in caFile (a
// private CA, as most GHES instances have), or, with insecure, no
// verification at all (say so loudly: anyone on the path can then read
// the traffic). A nil configuration and no error mean the defaults
// (SSL_CERT_FILE and SSL_CERT_DIR are honoured by Go on Linux).
func UpstreamTLS(caFile string, insecure bool) (*tls.Config, error) {
	if caFile != "" && insecure {
		return nil, errors.New("--upstream-ca and --upstream-insecure exclude each other: with a CA the certificate can be verified")
	}
	if insecure {
		return &tls.Config{InsecureSkipVerify: true}, nil
	}
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--upstream-ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--upstream-ca %s: no PEM certificate in it; give the CA certificate (-----BEGIN CERTIFICATE-----)", caFile)
	}
	return &tls.Config{RootCAs: pool}, nil
}
