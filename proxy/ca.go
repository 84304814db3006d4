package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// CA file names inside the directory given to [InitCA] and [LoadCA].
const (
	CACertFile = "ca.pem"
	CAKeyFile  = "ca-key.pem"
)

// InitCA creates, in dir, a certificate authority for HTTPS interception:
// an ECDSA P-256 key (CAKeyFile, mode 0600) and a self-signed CA
// certificate valid for ten years (CACertFile, mode 0644). It refuses to
// overwrite an existing CA.
func InitCA(dir string) (certPath, keyPath string, err error) {
	certPath, keyPath = filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	for _, p := range []string{certPath, keyPath} {
		if _, err := os.Stat(p); err == nil {
			return "", "", fmt.Errorf("init CA: %s already exists; delete it to make a new CA (clients that trust the old one must then trust the new one)", p)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("init CA: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("init CA: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return "", "", fmt.Errorf("init CA: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "oauthcompat recording CA", Organization: []string{"oauthcompat"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", fmt.Errorf("init CA: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("init CA: %w", err)
	}
	if err := writeNew(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", "", err
	}
	if err := writeNew(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		os.Remove(keyPath)
		return "", "", err
	}
	return certPath, keyPath, nil
}

func writeNew(path string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("init CA: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("init CA: write %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil { // the umask may have narrowed it
		f.Close()
		return fmt.Errorf("init CA: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("init CA: write %s: %w", path, err)
	}
	return f.Close()
}

// LoadCA loads the CA [InitCA] made in dir, with its parsed Leaf.
func LoadCA(dir string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	ca, err := tls.LoadX509KeyPair(certPath, keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, fmt.Errorf("load CA from %s: %w; run 'oauthcompat ca init --out %s' first", dir, err, dir)
	}
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("load CA from %s: %w", dir, err)
	}
	if ca.Leaf == nil {
		if ca.Leaf, err = x509.ParseCertificate(ca.Certificate[0]); err != nil {
			return tls.Certificate{}, fmt.Errorf("load CA from %s: %w", dir, err)
		}
	}
	if !ca.Leaf.IsCA {
		return tls.Certificate{}, fmt.Errorf("load CA from %s: %s is not a CA certificate", dir, certPath)
	}
	return ca, nil
}
