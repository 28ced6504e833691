package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the TUI, with its help text.
type KeyMap struct {
	Up, Down, Enter, Back, Quit, ForceQuit, Help key.Binding
	Rerun, Save, Details, Copy, Edit, Fix        key.Binding
	Set, Delete, Yes, No                         key.Binding
}

// NewKeyMap returns the bindings.
func NewKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Rerun:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run again")),
		Save:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save report")),
		Details:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "TLS details")),
		Copy:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Fix:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fix")),
		Set:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "set/rotate")),
		Delete:    key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "delete")),
		Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
	}
}
