package monitor

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// DefaultWindow is how close to its end a certificate must be for status
// to call for attention (HMPPS starts its expiry alerts 30 days before).
const DefaultWindow = 30 * 24 * time.Hour

// ProfileStatus is one line of `onramp status`: the last check and what
// will run out, read from the profile and its files without connecting.
type ProfileStatus struct {
	Profile string `json:"profile"`
	// LastCheck is nil when the profile was never checked.
	LastCheck *LastCheck `json:"last_check"`
	// ClientCert is nil when the profile has no client certificate.
	ClientCert *Expiry `json:"client_cert,omitempty"`
	// ServerCert is the server chain's earliest expiry seen at the last check.
	ServerCert *Expiry `json:"server_cert,omitempty"`
	// Token is when the cached bearer token or temporary credentials expire.
	Token *Expiry `json:"token,omitempty"`
	// KeyAge is how old the private key file is (when the profile has one):
	// NHS API Management keys are meant to be rotated.
	KeyAgeDays *int `json:"key_age_days,omitempty"`
	// Secrets are the recorded secrets' names and when each was set.
	Secrets []SecretAge `json:"secrets,omitempty"`
	// Attention lists why this profile needs someone: a failed check, a
	// certificate expiring within the window, a file that cannot be read.
	Attention []string `json:"attention"`
}

// LastCheck is the outcome of a profile's last check.
type LastCheck struct {
	At    time.Time `json:"at"`
	OK    bool      `json:"ok"`
	Cause cause.ID  `json:"cause,omitempty"`
}

// Expiry is when something stops working and the whole days left until
// then (negative once past).
type Expiry struct {
	NotAfter time.Time `json:"not_after"`
	DaysLeft int       `json:"days_left"`
}

// SecretAge is a recorded secret's name and when it was set, never its value.
type SecretAge struct {
	Name    string    `json:"name"`
	SetAt   time.Time `json:"set_at"`
	AgeDays int       `json:"age_days"`
}

// OK says whether the profile needs no attention.
func (s ProfileStatus) OK() bool { return len(s.Attention) == 0 }

func expiry(t, now time.Time) *Expiry {
	if t.IsZero() {
		return nil
	}
	return &Expiry{NotAfter: t.UTC(), DaysLeft: int(math.Floor(t.Sub(now).Hours() / 24))}
}

// Status reads p's status at now: window is how near an expiry must be to
// need attention; tokenExpiry (may be nil) tells when a cached token ends.
func Status(p *profile.Profile, now time.Time, window time.Duration, tokenExpiry func(*profile.Profile) (time.Time, bool)) ProfileStatus {
	s := ProfileStatus{Profile: p.Name, Attention: []string{}}
	need := func(format string, a ...any) { s.Attention = append(s.Attention, fmt.Sprintf(format, a...)) }
	if c := p.LastCheck; c != nil {
		s.LastCheck = &LastCheck{At: c.At, OK: c.OK, Cause: c.CauseID}
		if !c.OK {
			id := c.CauseID
			if id == "" {
				id = "no cause recorded"
			}
			need("last check failed: %s", id)
		}
	}
	if p.Cert != "" {
		chain, err := keystore.ReadCertificates(p.Cert)
		if err != nil {
			need("client certificate %s: %v", p.Cert, unwrapPath(err))
		} else {
			s.ClientCert = expiry(chain[0].NotAfter, now)
			if chain[0].NotAfter.Sub(now) < window {
				need("client certificate %s: onramp renew --profile %s", expiresText(s.ClientCert), p.Name)
			}
		}
	}
	if c := p.LastCheck; c != nil {
		if x := expiry(c.ServerNotAfter, now); x != nil {
			s.ServerCert = x
			if c.ServerNotAfter.Sub(now) < window {
				need("server certificate %s", expiresText(x))
			}
		}
	}
	if p.Key != "" {
		if fi, err := os.Stat(p.Key); err == nil {
			d := int(now.Sub(fi.ModTime()).Hours() / 24)
			s.KeyAgeDays = &d
		}
	}
	if tokenExpiry != nil {
		if t, ok := tokenExpiry(p); ok {
			s.Token = expiry(t, now)
		}
	}
	for _, n := range p.SecretNames() {
		at := p.Secrets[n]
		s.Secrets = append(s.Secrets, SecretAge{Name: n, SetAt: at, AgeDays: int(now.Sub(at).Hours() / 24)})
	}
	return s
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func expiresText(x *Expiry) string {
	switch {
	case x.DaysLeft < 0:
		return fmt.Sprintf("expired %s ago", plural(-x.DaysLeft, "day"))
	case x.DaysLeft == 0:
		return "expires today"
	default:
		return fmt.Sprintf("expires in %s", plural(x.DaysLeft, "day"))
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// WriteStatusText writes one aligned line per profile.
func WriteStatusText(w io.Writer, all []ProfileStatus, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tLAST CHECK\tCLIENT CERT\tSERVER CERT\tTOKEN/KEY")
	for _, s := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Profile, lastCheckText(s.LastCheck, now),
			daysText(s.ClientCert), daysText(s.ServerCert), tokenKeyText(s, now))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range all {
		for _, a := range s.Attention {
			fmt.Fprintf(w, "! %s: %s\n", s.Profile, a)
		}
	}
	return nil
}

func lastCheckText(c *LastCheck, now time.Time) string {
	if c == nil {
		return "never checked"
	}
	if c.OK {
		return "✓ " + Ago(now.Sub(c.At))
	}
	id := string(c.Cause)
	if id == "" {
		id = "failed"
	}
	return "✗ " + Ago(now.Sub(c.At)) + " " + id
}

// Ago says how long ago something happened, in the largest whole unit:
// "just now", "5m ago", "3h ago", "4d ago".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

func daysText(x *Expiry) string {
	switch {
	case x == nil:
		return "-"
	case x.DaysLeft < 0:
		return "expired"
	default:
		return plural(x.DaysLeft, "day") + " left"
	}
}

func tokenKeyText(s ProfileStatus, now time.Time) string {
	var parts []string
	if s.Token != nil {
		if left := s.Token.NotAfter.Sub(now); left > 0 {
			parts = append(parts, fmt.Sprintf("token %s left", strings.TrimSuffix(left.Round(time.Minute).String(), "0s")))
		} else {
			parts = append(parts, "token expired")
		}
	}
	if s.KeyAgeDays != nil {
		parts = append(parts, fmt.Sprintf("key %s old", plural(*s.KeyAgeDays, "day")))
	}
	// The oldest secret is the one due for rotation; --json lists them all.
	var oldest *SecretAge
	for i, sec := range s.Secrets {
		if oldest == nil || sec.AgeDays > oldest.AgeDays {
			oldest = &s.Secrets[i]
		}
	}
	if oldest != nil {
		parts = append(parts, fmt.Sprintf("%s %s old", oldest.Name, plural(oldest.AgeDays, "day")))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// ParseWindow reads --expires-in: a number of days ("30d"), or a Go
// duration ("72h").
func ParseWindow(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err == nil && days >= 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--expires-in %q: give days (30d) or a duration (72h)", s)
	}
	return d, nil
}
