package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// RunFile is the name of the run description a recorded run leaves next to
// its cassette (DIR/<version>/conform-run.json).
const RunFile = "conform-run.json"

// runInfoFormat is the version of the RunInfo file shape.
const runInfoFormat = 1

// RunInfo describes a run well enough to repeat it request for request
// against its recording. It holds no secrets: which credentials were
// present and how many tokens, never their values.
type RunInfo struct {
	Format  int    `json:"format"`
	Version string `json:"version"`
	// Target is the base URL of the live run (user info removed). A replay
	// sends the same URLs, so the recording matches.
	Target string `json:"target"`
	// Nonce makes the run's notes, fingerprints and unknown tokens unique
	// on a real server, and the same again in the replay.
	Nonce       string          `json:"nonce"`
	Only        []string        `json:"only,omitempty"`
	Credentials CredentialShape `json:"credentials"`
	// Cases lists the cases in the order they ran and the token each used.
	Cases []RunCase `json:"cases"`
}

// CredentialShape says which credentials a run had, without their values.
type CredentialShape struct {
	App    bool `json:"app"`           // client id and secret
	User   bool `json:"user"`          // user name and password
	Tokens int  `json:"tokens"`        // how many OAUTHCOMPAT_TOKENS
	OTP    bool `json:"otp,omitempty"` // a one-time password (two-factor authentication)
	Lock   bool `json:"allow_lockout,omitempty"`
}

// RunCase is one case of a recorded run.
type RunCase struct {
	ID     string  `json:"id"`
	Token  string  `json:"token,omitempty"`
	Result Outcome `json:"result"`
}

// ShapeOf returns the shape of c.
func ShapeOf(c Credentials) CredentialShape {
	return CredentialShape{App: c.HasApp(), User: c.HasUser(), Tokens: len(c.Tokens), OTP: c.OTP != "", Lock: c.AllowLockout}
}

// Check reports, as an error a user can act on, how c differs from the
// credentials the recorded run had. A replay needs the same ones: the
// recording matches requests by their (pseudonymised) secrets.
func (s CredentialShape) Check(c Credentials) error {
	got := ShapeOf(c)
	if got == s {
		return nil
	}
	var want []string
	if s.App != got.App {
		want = append(want, fmt.Sprintf("the app's %s and %s (recorded: %v, given: %v)", EnvClientID, EnvClientSecret, s.App, got.App))
	}
	if s.User != got.User {
		want = append(want, fmt.Sprintf("the user's %s and %s (recorded: %v, given: %v)", EnvUsername, EnvPassword, s.User, got.User))
	}
	if s.OTP != got.OTP || s.Lock != got.Lock {
		want = append(want, fmt.Sprintf("the user's %s and %s as recorded (recorded: %v, %v; given: %v, %v)", EnvOTP, EnvAllowLockout, s.OTP, s.Lock, got.OTP, got.Lock))
	}
	if s.Tokens != got.Tokens {
		want = append(want, fmt.Sprintf("%s with %d token(s) (given: %d)", EnvTokens, s.Tokens, got.Tokens))
	}
	return fmt.Errorf("the recording was made with other credentials: pass the same ones again: %s", strings.Join(want, "; "))
}

// RunInfo returns the description of the run that produced r.
func (r *Report) RunInfo() RunInfo {
	ri := RunInfo{Format: runInfoFormat, Version: r.Version, Target: r.Target, Nonce: r.nonce, Only: r.only, Credentials: r.shape}
	for _, c := range r.Cases {
		ri.Cases = append(ri.Cases, RunCase{ID: c.ID, Token: c.Token, Result: c.Result})
	}
	return ri
}

// WriteRunInfo writes ri as dir/conform-run.json, atomically.
func WriteRunInfo(dir string, ri RunInfo) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write run description: %w", err)
	}
	return WriteRunInfoFile(filepath.Join(dir, RunFile), ri)
}

// WriteRunInfoFile writes ri to path, atomically (a temporary file in the
// same directory, synced, then renamed). The directory must exist.
func WriteRunInfoFile(path string, ri RunInfo) error {
	b, err := json.MarshalIndent(ri, "", "  ")
	if err != nil {
		return fmt.Errorf("write run description: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write run description: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write run description: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write run description: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write run description: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write run description: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write run description: %w", err)
	}
	return nil
}

// ErrNoRunInfo is wrapped by ReadRunInfo when the directory holds no run
// description: the cassettes were not recorded by "conform --record".
var ErrNoRunInfo = errors.New("no " + RunFile)

// ReadRunInfo reads dir/conform-run.json.
func ReadRunInfo(dir string) (RunInfo, error) {
	path := filepath.Join(dir, RunFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return RunInfo{}, fmt.Errorf("%w in %s: record the run with 'oauthcompat conform --target URL --record DIR' first", ErrNoRunInfo, dir)
	}
	if err != nil {
		return RunInfo{}, fmt.Errorf("read run description: %w", err)
	}
	var ri RunInfo
	if err := json.Unmarshal(b, &ri); err != nil {
		return RunInfo{}, fmt.Errorf("run description %s: %w", path, err)
	}
	if ri.Format != runInfoFormat {
		return RunInfo{}, fmt.Errorf("run description %s: format %d, this oauthcompat reads %d; re-record", path, ri.Format, runInfoFormat)
	}
	return ri, nil
}
