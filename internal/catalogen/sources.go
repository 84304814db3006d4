package catalogen

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Fetcher brings an npm package's tarball into dir and returns its path.
type Fetcher func(ctx context.Context, spec, dir string) (string, error)

// NPMPack fetches with the npm client: npm pack SPEC --pack-destination DIR.
func NPMPack(ctx context.Context, spec, dir string) (string, error) {
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("npm is not installed: install Node.js and npm (Debian: apt-get install npm) to download %s", spec)
	}
	cmd := exec.CommandContext(ctx, "npm", "pack", spec, "--pack-destination", dir, "--silent")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w", spec, err)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 {
		return "", fmt.Errorf("npm pack %s printed no file name", spec)
	}
	return filepath.Join(dir, lines[len(lines)-1]), nil
}

// DownloadSources brings every package of the lock into cache and extracts
// the locked files to cache/<name>@<version>/<path>. A tarball or file is
// accepted only when its SHA-256 (and the tarball's sha512 integrity) is
// the locked one; files already present and intact are not fetched again.
// log receives one line per package.
func DownloadSources(ctx context.Context, l *Lock, cache string, fetch Fetcher, log io.Writer) error {
	for _, p := range l.Packages {
		var want []*LockVersion
		for _, v := range l.Versions {
			if v.Package == p.Spec() {
				want = append(want, v)
			}
		}
		dir := filepath.Join(cache, filepath.FromSlash(p.Spec()))
		intact := true
		for _, v := range want {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(v.Path)))
			if err != nil || SHA256(b) != v.SHA256 {
				intact = false
				break
			}
		}
		if intact {
			fmt.Fprintf(log, "%s: %d files present and verified\n", p.Spec(), len(want))
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		tgz, err := fetch(ctx, p.Spec(), cache)
		if err != nil {
			return err
		}
		if err := extract(tgz, p, want, dir); err != nil {
			return err
		}
		if err := os.Remove(tgz); err != nil {
			return err
		}
		fmt.Fprintf(log, "%s: downloaded, %d files extracted and verified\n", p.Spec(), len(want))
	}
	return nil
}

func extract(tgz string, p *LockPackage, want []*LockVersion, dir string) error {
	raw, err := os.ReadFile(tgz)
	if err != nil {
		return err
	}
	if got := SHA256(raw); got != p.SHA256 {
		return fmt.Errorf("%s: tarball %s: %w: locked %s, found %s", p.Spec(), tgz, ErrHashMismatch, p.SHA256, got)
	}
	if p.Integrity != "" {
		sum := sha512.Sum512(raw)
		if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != p.Integrity {
			return fmt.Errorf("%s: tarball %s: integrity %s, locked %s", p.Spec(), tgz, got, p.Integrity)
		}
	}
	byPath := map[string]*LockVersion{}
	for _, v := range want {
		byPath[v.Path] = v
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", tgz, err)
	}
	tr := tar.NewReader(zr)
	found := 0
	for found < len(byPath) {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tgz, err)
		}
		v, ok := byPath[h.Name]
		if !ok {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", tgz, h.Name, err)
		}
		if got := SHA256(b); got != v.SHA256 {
			return fmt.Errorf("%s: %s: %w: locked %s, found %s", p.Spec(), h.Name, ErrHashMismatch, v.SHA256, got)
		}
		out := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		if err := writeFileAtomic(out, b); err != nil {
			return err
		}
		found++
	}
	if found < len(byPath) {
		return fmt.Errorf("%s: the tarball lacks %d of the locked files", p.Spec(), len(byPath)-found)
	}
	return nil
}
