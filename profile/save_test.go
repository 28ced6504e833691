package profile

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

// TestMain lets the test binary act as another onramp recording a secret.
func TestMain(m *testing.M) {
	if name := os.Getenv("PROFILE_TEST_RECORD"); name != "" {
		p, _, err := LoadOrNew("shared")
		if err == nil {
			p.RecordSecret(name, time.Now())
			err = Save(p)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Twenty processes each record one secret in the same profile at once
// (twenty `secret set`): all twenty names are in the file afterwards.
func TestConcurrentProcessesRecordEverySecret(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	const n = 20
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for i := range n {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("PROFILE_TEST_RECORD=s%02d", i))
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("process %d: %v %s", i, err, out)
			}
		})
	}
	wg.Wait()
	p, err := Load("shared")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.SecretNames(); len(got) != n {
		t.Fatalf("recorded %d of %d secrets: %v", len(got), n, got)
	}
}

// A diagnose loads the profile, a `secret set` records a secret while the
// checks run, then the diagnose saves its last check: both survive.
func TestSaveKeepsWhatAnotherProcessChangedMeanwhile(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	orig := &Profile{Name: "p", URL: "https://api.example", APIKeyHeader: "apikey"}
	orig.RecordSecret("old", at)
	if err := Save(orig); err != nil {
		t.Fatal(err)
	}
	diag, err := Load("p")
	if err != nil {
		t.Fatal(err)
	}

	other, _ := Load("p")
	other.RecordSecret("api-key", at)
	other.ForgetSecret("old")
	other.APIKeySecret = "api-key"
	if err := Save(other); err != nil {
		t.Fatal(err)
	}

	diag.LastCheck = &Check{At: at, OK: false, CauseID: cause.KeyPassphraseWrong}
	diag.URL = "https://api2.example"
	if err := Save(diag); err != nil {
		t.Fatal(err)
	}
	got, err := Load("p")
	if err != nil {
		t.Fatal(err)
	}
	if names := strings.Join(got.SecretNames(), ","); names != "api-key" {
		t.Errorf("secrets = %s, want api-key (recorded meanwhile; old forgotten meanwhile)", names)
	}
	if got.APIKeySecret != "api-key" || got.APIKeyHeader != "apikey" {
		t.Errorf("the other process's field was overwritten: %+v", got)
	}
	if got.LastCheck == nil || got.LastCheck.CauseID != cause.KeyPassphraseWrong || got.URL != "https://api2.example" {
		t.Errorf("the diagnose's own changes were lost: %+v", got)
	}
	if diag.APIKeySecret != "api-key" {
		t.Errorf("Save did not update the caller's profile to what it wrote: %+v", diag)
	}
}

// `profile new NAME --force` replaces the settings but keeps the record of
// secrets that stay in the store, so `profile rm` still finds them.
func TestReplacingAProfileKeepsItsSecretsRecord(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	old := &Profile{Name: "p", URL: "https://old.example", Cert: "/old.pem"}
	old.RecordSecret("api-key", time.Now())
	if err := Save(old); err != nil {
		t.Fatal(err)
	}
	if err := Save(&Profile{Name: "p", URL: "https://new.example"}); err != nil {
		t.Fatal(err)
	}
	got, err := Load("p")
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "https://new.example" || got.Cert != "" || len(got.Secrets) != 1 {
		t.Fatalf("replaced profile = %+v", got)
	}
}

func TestOversizedOrSpecialProfileFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	pdir := filepath.Join(dir, "profiles")
	if err := os.MkdirAll(pdir, 0o700); err != nil {
		t.Fatal(err)
	}
	big := "url: https://x.example\n# " + strings.Repeat("a", MaxFileSize) + "\n"
	if err := os.WriteFile(filepath.Join(pdir, "big.yaml"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load("big"); err == nil || !strings.Contains(err.Error(), "over the 1 MiB limit") {
		t.Errorf("big profile: %v", err)
	}
	if err := os.Mkdir(filepath.Join(pdir, "dir.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Load("dir"); err == nil || !strings.Contains(err.Error(), "is a directory, not a regular file") {
		t.Errorf("directory profile: %v", err)
	}
}

// Every pointer, slice and map field is copied by clone: a field added
// later and shared between a profile and its base would make Save miss
// its changes (a DeepEqual of a value with itself).
func TestCloneCopiesEveryReferenceField(t *testing.T) {
	p := &Profile{}
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch f.Kind() {
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		}
	}
	c := reflect.ValueOf(p.clone()).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch f.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			if f.UnsafePointer() == c.Field(i).UnsafePointer() {
				t.Errorf("clone shares field %s: copy it in clone()", v.Type().Field(i).Name)
			}
		}
	}
}
