package convert_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oauthcompat/oauthcompat/convert"
)

// FuzzFromHAR feeds FromHAR arbitrary input: it never panics, and what it
// reads, written as a HAR and read again, gives the same interactions.
func FuzzFromHAR(f *testing.F) {
	f.Add([]byte(devtoolsHAR))
	if b, err := os.ReadFile("testdata/golden/example.har"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://x.test/a?b=c"},"response":{"status":200,"content":{"text":"aGk=","encoding":"base64"}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		its, _ := convert.FromHAR(data)
		if len(its) == 0 {
			return
		}
		b, err := convert.HAR(its)
		if err != nil {
			t.Fatalf("HAR of what FromHAR read: %v", err)
		}
		again, err := convert.FromHAR(b)
		if err != nil {
			t.Fatalf("FromHAR of its own HAR: %v\n%s", err, b)
		}
		if diff := cmp.Diff(summarize(its), summarize(again)); diff != "" {
			t.Errorf("read, written, read again (-first +again):\n%s", diff)
		}
	})
}
