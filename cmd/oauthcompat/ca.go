package main

import (
	"context"
	"fmt"
	"io"

	"github.com/oauthcompat/oauthcompat/proxy"
)

func runCA(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "init" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return runCA(context.Background(), []string{"init", "-h"}, stdout, stderr)
		}
		return usageError(stderr, "ca", "want 'ca init --out DIR'")
	}
	fs := flags("ca init", "ca init --out DIR",
		"Creates the certificate authority 'record --forward' uses to intercept HTTPS:\nDIR/"+proxy.CACertFile+" (the certificate clients must trust, mode 0644) and DIR/"+proxy.CAKeyFile+"\n(its ECDSA P-256 private key, mode 0600: keep it private). It refuses to overwrite an\nexisting CA. It prints how to make clients trust the certificate.", stderr)
	out := fs.String("out", "", "the directory to create the CA in (required)")
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	if *out == "" {
		return usageError(stderr, "ca init", "--out is required")
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "ca init", "unexpected argument %q", fs.Arg(0))
	}
	cert, key, err := proxy.InitCA(*out)
	if err != nil {
		return failure(stderr, "ca init", err)
	}
	fmt.Fprintf(stdout, `CA certificate: %s
CA private key: %s (mode 0600; anyone holding it can intercept the trusting clients' HTTPS)

Trust the certificate in the clients you record, and nowhere else:
  curl:      curl --cacert %[1]s --proxy http://127.0.0.1:8081 https://HOST/...
  OpenSSL-based tools and many runtimes:  export SSL_CERT_FILE=%[1]s
  Go:        pool, _ := x509.SystemCertPool()
             pem, _ := os.ReadFile(%[1]q)
             pool.AppendCertsFromPEM(pem)
             tr := &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{RootCAs: pool}}
             (Go on Linux also honours SSL_CERT_FILE, which replaces the system roots.)
Then: oauthcompat record --forward --ca %[3]s --mitm-host HOST --cassettes DIR
`, cert, key, *out)
	return exitOK
}
