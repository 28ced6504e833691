package keystore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// hostileP12 is a real bundle whose MAC iteration count is set to iter.
func hostileP12(t *testing.T, iter int) []byte {
	return testpki.NewCA(t, "Test Root CA").Client(t, testpki.Options{CommonName: "client"}).PKCS12(t, "pass", iter)
}

// A small .p12 whose MAC asks for 2^31-1 iterations (minutes of CPU) is
// refused at once, with the one wording of the iteration cap.
func TestPKCS12HugeIterationCountRefusedAtOnce(t *testing.T) {
	if b, err := DecodePKCS12("ok.p12", hostileP12(t, 2048), []byte("pass")); err != nil || b.Leaf == nil {
		t.Fatalf("the re-encoded bundle does not open: %v", err)
	}
	start := time.Now()
	_, err := DecodePKCS12("hostile.p12", hostileP12(t, 1<<31-1), []byte("pass"))
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
	if causeOf(err) != "key-unsupported" || !strings.Contains(err.Error(), "2147483647 iterations, over the 10000000 iterations limit") {
		t.Fatalf("err = %v", err)
	}
}

// Under the cap but slow (9,000,000 iterations: seconds): a cancelled
// context ends the decode within a second.
func TestPKCS12DecodeEndsWithTheContext(t *testing.T) {
	data := hostileP12(t, 9_000_000)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := DecodePKCS12Context(ctx, "slow.p12", data, []byte("pass"))
	if took := time.Since(start); took > 1200*time.Millisecond {
		t.Errorf("took %v after a 200ms deadline", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}
