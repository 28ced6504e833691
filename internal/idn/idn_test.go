package idn

import (
	"fmt"
	"strings"
	"testing"
)

func TestHost(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"bücher.example", "xn--bcher-kva.example"},
		{"BÜCHER.example", "xn--bcher-kva.example"}, // mapped, as browsers do
		{"API.Example.com", "api.example.com"},
		{"my_host.internal", "my_host.internal"}, // ASCII names are left alone
		{"127.0.0.1", "127.0.0.1"},
	} {
		got, err := Host(c.in)
		if err != nil || got != c.want {
			t.Errorf("Host(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"bü cher.example", "a\u200db.example", "-bücher.example"} {
		if _, err := Host(bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("Host(%q) error = %v; want one naming the host", bad, err)
		}
	}
}

func TestURL(t *testing.T) {
	got, err := URL("https://bücher.example:8443/v1/books?q=1")
	if err != nil || got != "https://xn--bcher-kva.example:8443/v1/books?q=1" {
		t.Errorf("URL = %q, %v", got, err)
	}
	if got, _ := URL("https://Api.Example.com/a%2Fb"); got != "https://Api.Example.com/a%2Fb" {
		t.Errorf("an ASCII URL changed: %q", got)
	}
	if _, err := URL("https://-bücher.example/"); err == nil {
		t.Error("an invalid IDN URL was accepted")
	}
}

func TestDisplay(t *testing.T) {
	if got := Display("xn--bcher-kva.example"); got != "bücher.example (xn--bcher-kva.example)" {
		t.Errorf("Display = %q", got)
	}
	if got := Display("api.example.com"); got != "api.example.com" {
		t.Errorf("Display = %q", got)
	}
}
