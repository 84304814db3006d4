package reference

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"math/rand/v2"
	"strings"
)

// Token prefixes GitHub gives each kind of token.
const (
	PrefixOAuth        = "gho_" // OAuth app token (web or device flow, Authorizations API with a client_id)
	PrefixUserToServer = "ghu_" // GitHub App user-to-server token (scoped tokens)
	PrefixPersonal     = "ghp_" // personal access token (Authorizations API without a client_id)
	tokenBodyLen       = 36     // characters after the prefix
	tokenChecksumLen   = 6
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// tokenSource mints tokens in GitHub's format: a prefix, 30 random base62
// characters and a 6-character base62 CRC32 checksum of them. It is
// deterministic for a seed; callers serialize access.
type tokenSource struct {
	rng *rand.Rand
}

func newTokenSource(seed uint64) *tokenSource {
	var key [32]byte
	for i := range 4 {
		s := seed + uint64(i)*0x9E3779B97F4A7C15
		for j := range 8 {
			key[i*8+j] = byte(s >> (8 * j))
		}
	}
	return &tokenSource{rng: rand.New(rand.NewChaCha8(key))}
}

// next returns a new token with the given prefix.
func (t *tokenSource) next(prefix string) string {
	var b [4 + tokenBodyLen]byte
	n := copy(b[:], prefix)
	body := b[n : n+tokenBodyLen-tokenChecksumLen]
	for i := range body {
		body[i] = base62[t.rng.IntN(len(base62))]
	}
	appendChecksum(b[n+tokenBodyLen-tokenChecksumLen:n+tokenBodyLen], body)
	return string(b[:n+tokenBodyLen])
}

// appendChecksum writes the base62 CRC32 of body into dst (6 bytes),
// left-padded with '0'.
func appendChecksum(dst, body []byte) {
	c := crc32.ChecksumIEEE(body)
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = base62[c%62]
		c /= 62
	}
}

// validTokenShape reports whether s looks like a GitHub token of one of
// the prefixes this server issues, checksum included.
func validTokenShape(s string) bool {
	if len(s) != 4+tokenBodyLen {
		return false
	}
	switch s[:4] {
	case PrefixOAuth, PrefixUserToServer, PrefixPersonal:
	default:
		return false
	}
	body := []byte(s[4 : 4+tokenBodyLen-tokenChecksumLen])
	for _, c := range body {
		if strings.IndexByte(base62, c) < 0 {
			return false
		}
	}
	var sum [tokenChecksumLen]byte
	appendChecksum(sum[:], body)
	return string(sum[:]) == s[4+tokenBodyLen-tokenChecksumLen:]
}

// hashToken is GitHub's hashed_token: the SHA-256 hex of the token.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// lastEight is GitHub's token_last_eight.
func lastEight(tok string) string {
	if len(tok) <= 8 {
		return tok
	}
	return tok[len(tok)-8:]
}
