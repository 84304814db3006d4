package jsonlex

import (
	"encoding/json"
	"testing"
)

// TestNumber: Number takes exactly what encoding/json takes as a number.
func TestNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-12", "1.5", "1e3", "1E+3", "2.5e-7", "01", "-", "1.", ".5", "1e", "1e+", "+1", "--1", "0x1", "", "a"} {
		end, ok := Number(s, 0)
		want := json.Valid([]byte(s)) && s != "" && (s[0] == '-' || '0' <= s[0] && s[0] <= '9')
		if got := ok && end == len(s); got != want {
			t.Errorf("Number(%q) = %d, %v; json.Valid says %v", s, end, ok, want)
		}
	}
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e3", "01", "1e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end, ok := Number(s, 0)
		whole := ok && end == len(s)
		// A valid JSON text that starts with - or a digit and ends with a
		// digit is one number.
		isNum := json.Valid([]byte(s)) && len(s) > 0 && (s[0] == '-' || '0' <= s[0] && s[0] <= '9') && '0' <= s[len(s)-1] && s[len(s)-1] <= '9'
		if whole != isNum {
			t.Errorf("Number(%q) = %d, %v; encoding/json reads a number: %v", s, end, ok, isNum)
		}
	})
}
