package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/internal/idn"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
)

func newProfileSetCmd(opts *profileOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "set NAME KEY VALUE",
		Short: "Change one setting of a profile (an empty VALUE clears it)",
		Long: `Change one setting of a saved profile. The value is checked first (files
must hold what the setting needs, URLs must be https) and the profile keeps
its old value when it is wrong.

Settings: ` + strings.Join(usecase.SettingKeys(), ", ") + `

Secrets are never settings: store an API key with
  onramp secret set api-key --profile NAME`,
		Example: `  onramp profile set hmpps-dev cacert ~/certs/private-ca.pem
  onramp profile set hmpps-dev environment prod
  onramp profile set my-api url https://api.example.com
  onramp profile set my-api expect_json '{"status":"pass"}'
  onramp profile set my-api cacert ''          # back to the system roots`,
		Args: exactArgs(3, "NAME, KEY and VALUE"),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			switch len(args) {
			case 0:
				return completeProfiles(cmd, args, "")
			case 1:
				return usecase.SettingKeys(), cobra.ShellCompDirectiveNoFileComp
			case 2:
				// A choice setting (environment, auth, client, provider)
				// completes to the values the profile can take.
				if p, err := profile.Load(args[0]); err == nil {
					for _, s := range usecase.Settings(p) {
						if s.Key == args[1] && len(s.Choices) > 0 {
							return slices.DeleteFunc(slices.Clone(s.Choices), func(c string) bool { return c == "" }), cobra.ShellCompDirectiveNoFileComp
						}
					}
				}
			}
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(cmd *cobra.Command, args []string) error { return profileSet(opts, args[0], args[1], args[2]) },
	}
}

func profileSet(opts *profileOptions, name, key, value string) error {
	io := opts.io
	p, err := loadNamed(name)
	if err != nil {
		return err
	}
	old := settingValues(p)
	also, err := usecase.SetSetting(p, key, value)
	var unknown *usecase.UnknownSettingError
	var badHost *idn.Error
	if errors.As(err, &unknown) || errors.As(err, &badHost) {
		return usageErrorf("%v; profile %s is unchanged", err, name)
	}
	if err != nil {
		return failedErrorf("%v; profile %s is unchanged", err, name)
	}
	if err := profile.Save(p); err != nil {
		return failedErrorf("%v", err)
	}
	now := settingValues(p)
	for _, k := range append([]string{key}, also...) {
		switch {
		case old[k] == now[k]:
			fmt.Fprintf(io.ErrOut, "%s of %s is already %s.\n", k, name, describeValue(now[k]))
		default:
			fmt.Fprintf(io.ErrOut, "Set %s of %s to %s (was %s).\n", k, name, describeValue(now[k]), describeValue(old[k]))
		}
	}
	fmt.Fprintf(io.ErrOut, "Check it: onramp diagnose --profile %s\n", name)
	return nil
}

// settingValues is each setting of p by its key.
func settingValues(p *profile.Profile) map[string]string {
	m := map[string]string{}
	for _, s := range usecase.Settings(p) {
		m[s.Key] = s.Value
	}
	return m
}

func describeValue(v string) string {
	if v == "" {
		return "nothing"
	}
	return v
}

// profileEditOptions are the dependencies of `profile edit`: the editor
// command (as $VISUAL/$EDITOR, run by sh with the file as its argument).
type profileEditOptions struct {
	*profileOptions
	editor string
}

func newProfileEditCmd(opts *profileOptions) *cobra.Command {
	return &cobra.Command{
		Annotations: rawStdoutAnnotation("the editor owns the terminal"),
		Use:         "edit NAME",
		Short:       "Edit a profile's file in $EDITOR; an invalid edit leaves the profile as it was",
		Long: `Open a copy of the profile's YAML file in $VISUAL or $EDITOR (else vi).
When the editor exits, onramp checks the copy as it would a profile it
loads (field names, types, https URLs, files that hold what they should)
and saves it only when it is valid. When it is not, the profile keeps its
old file, onramp says why, and on a terminal offers to reopen your copy.`,
		Args:              exactArgs(1, "NAME"),
		ValidArgsFunction: completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			eo := &profileEditOptions{profileOptions: opts, editor: editorCommand()}
			return profileEdit(cmd.Context(), eo, args[0])
		},
	}
}

func editorCommand() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := strings.TrimSpace(os.Getenv(v)); e != "" {
			return e
		}
	}
	return "vi"
}

func profileEdit(ctx context.Context, opts *profileEditOptions, name string) error {
	io := opts.io
	path, err := profile.Path(name)
	if err != nil {
		return usageErrorf("%v", err)
	}
	orig, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return failedErrorf("profile %q: %v (list them with `onramp profile ls`)", name, profile.ErrNotFound)
	}
	if err != nil {
		return failedErrorf("%v", err)
	}
	dir, err := os.MkdirTemp("", "onramp-edit-")
	if err != nil {
		return failedErrorf("%v", err)
	}
	copyPath := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(copyPath, orig, 0o600); err != nil {
		os.RemoveAll(dir)
		return failedErrorf("%v", err)
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	for {
		if err := runEditor(ctx, opts, copyPath); err != nil {
			keep = true
			return failedErrorf("the editor failed: %v; profile %s is unchanged (your copy: %s)", err, name, copyPath)
		}
		edited, err := os.ReadFile(copyPath)
		if err != nil {
			return failedErrorf("%v", err)
		}
		if string(edited) == string(orig) {
			fmt.Fprintf(io.ErrOut, "No change: profile %s is as it was.\n", name)
			return nil
		}
		verr := checkProfileFile(path, edited)
		if verr == nil {
			merged, err := profile.SaveEdit(name, orig, edited)
			if err != nil {
				keep = true
				return failedErrorf("%v; your edited copy is kept at %s", err, copyPath)
			}
			if merged {
				fmt.Fprintf(io.ErrOut, "Another onramp saved profile %s while you edited it: your changes were applied over its (comments in your copy were not kept).\n", name)
			}
			fmt.Fprintf(io.ErrOut, "Saved profile %s.\nCheck it: onramp diagnose --profile %s\n", name, name)
			return nil
		}
		why := regexp.MustCompile(regexp.QuoteMeta(path)+`:(\d+):`).ReplaceAllString(verr.Error(), "line $1:")
		fmt.Fprintf(io.ErrOut, "The edit is not valid, so profile %s keeps its old file:\n%s\n",
			name, indentText(strings.ReplaceAll(why, path, "your copy"), "  "))
		if !io.CanPrompt() || io.Confirm("open your copy again to fix it") != nil {
			keep = true
			return failedErrorf("your edited copy is kept at %s; fix it and copy it over %s, or run `onramp profile edit %s` again", copyPath, path, name)
		}
	}
}

// checkProfileFile checks an edited profile as Load and `profile set` would.
func checkProfileFile(path string, data []byte) error {
	p, err := profile.Parse(path, data)
	if err != nil {
		return err
	}
	return usecase.CheckSettings(p)
}

func runEditor(ctx context.Context, opts *profileEditOptions, file string) error {
	// As git does: the editor setting may carry arguments ("code --wait").
	cmd := exec.CommandContext(ctx, "sh", "-c", opts.editor+` "$1"`, "editor", file)
	cmd.Stdout, cmd.Stderr = opts.io.ErrOut, opts.io.ErrOut
	if f, ok := opts.io.In.(*os.File); ok {
		cmd.Stdin = f // only the terminal: a copy would eat the answers to onramp's questions
	}
	if f, ok := opts.io.Out.(*os.File); ok && opts.io.CanPrompt() {
		cmd.Stdout = f // a full-screen editor draws on the terminal
	}
	return cmd.Run()
}

func indentText(s, indent string) string {
	return indent + strings.ReplaceAll(s, "\n", "\n"+indent)
}

// completeProfiles completes a profile name.
func completeProfiles(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, _ := profile.List()
	return names, cobra.ShellCompDirectiveNoFileComp
}
