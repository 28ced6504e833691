package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
)

// removeRoleForm asks which role's key to delete (only roles the profile
// records a key for), then asks to confirm: the key leaves the secret
// store and its role_keys entry the profile, as `onramp secret rm --role`
// does (usecase.Secrets.Remove).
func (ps *profileScreen) removeRoleForm() tea.Cmd {
	ps.editing, ps.secret, ps.value, ps.role, ps.removing, ps.confirmed = "", false, "", "", true, false
	var roles []string
	for role := range ps.p.RoleKeys {
		roles = append(roles, role)
	}
	slices.Sort(roles)
	var opts []huh.Option[string]
	for _, role := range roles {
		opts = append(opts, huh.NewOption(role+" (secret "+ps.p.RoleKeys[role]+")", role))
	}
	ps.role = roles[0]
	sel := huh.NewSelect[string]().Title("Remove which role's key?").
		Description("The key is deleted from the secret store; the profile no longer names it for that role.").Options(opts...).Value(&ps.role)
	ok := huh.NewConfirm().TitleFunc(func() string {
		return fmt.Sprintf("Delete the %s key of %s? This cannot be undone.", ps.role, ps.name)
	}, &ps.role).Affirmative("Delete").Negative("Keep it").Value(&ps.confirmed)
	ps.form = newForm(ps.c.Styles, ps.w, ps.h-6, huh.NewGroup(sel), huh.NewGroup(ok))
	return ps.form.Init()
}

// removeRole deletes the role's key (a Cmd: the profile file and the
// secret store are IO).
func (ps *profileScreen) removeRole(role string, confirmed bool) tea.Cmd {
	name := ps.name
	if !confirmed {
		ps.status = "Nothing changed."
		return nil
	}
	secrets := usecase.Secrets{Store: ps.c.Deps.Keyring, Now: ps.c.Deps.now}
	return func() tea.Msg {
		p, err := profile.Load(name)
		if err != nil {
			return profileSavedMsg{err: err}
		}
		secret, ok := p.RoleKeys[role]
		if !ok { // removed meanwhile (another onramp)
			return profileSavedMsg{p: p, err: fmt.Errorf("profile %s records no key for role %s now", name, role)}
		}
		removed, err := secrets.Remove(p, name, secret)
		if err != nil {
			p, _ = profile.Load(name)
			return profileSavedMsg{p: p, err: err}
		}
		msg := fmt.Sprintf("Deleted %s of %s.", secret, name)
		if !removed.Stored {
			msg = fmt.Sprintf("%s was not in the store; removed its record from %s.", secret, name)
		}
		if len(removed.Roles) > 0 {
			msg += fmt.Sprintf(" %s has no %s key now.", name, strings.Join(removed.Roles, " or "))
		}
		return profileSavedMsg{p: p, status: msg + " r re-runs the checks.",
			command: []string{"onramp", "secret", "rm", "--role", role, "--profile", name, "--yes"}}
	}
}
