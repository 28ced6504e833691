package wizard

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Answer is one scripted reply: Title must occur in the prompt's title.
type Answer struct {
	Title string
	Value string // Select value, Input text, "yes"/"no" for Confirm
}

// Back as an Answer's Value is the user going back (ErrBack).
const Back = "\x00back"

// Script is a Prompter that replies from a list, for tests. Notes and Work
// need no answer; every frame shown (a Work's too) is recorded in Shown.
// Input answers go through the prompt's Validate, as a user's typing would.
type Script struct {
	Answers []Answer

	mu    sync.Mutex
	Shown []Frame
	Notes []NotePrompt
}

func (s *Script) next(ctx context.Context, f Frame) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Shown = append(s.Shown, f)
	if ctx.Err() != nil {
		return "", ErrCancelled
	}
	if len(s.Answers) == 0 {
		// Running out of answers is the scripted user pressing ctrl+c.
		return "", ErrCancelled
	}
	a := s.Answers[0]
	if !strings.Contains(f.Title, a.Title) {
		return "", fmt.Errorf("script: prompt %q, expected one titled %q", f.Title, a.Title)
	}
	s.Answers = s.Answers[1:]
	if a.Value == Back {
		return "", ErrBack
	}
	return a.Value, nil
}

func (s *Script) Select(ctx context.Context, p SelectPrompt) (string, error) {
	v, err := s.next(ctx, p.Frame)
	if err != nil {
		return "", err
	}
	if v == "" {
		v = p.Default // enter on the preselected option
	}
	for _, o := range p.Options {
		if o.Value == v {
			return v, nil
		}
	}
	return "", fmt.Errorf("script: %q is not an option of %q", v, p.Title)
}

func (s *Script) Input(ctx context.Context, p InputPrompt) (string, error) {
	v, err := s.next(ctx, p.Frame)
	if err != nil {
		return "", err
	}
	if v == "" {
		v = p.Default
	}
	if p.Validate != nil {
		if err := p.Validate(v); err != nil {
			return "", fmt.Errorf("script: %q refused for %q: %w", v, p.Title, err)
		}
	}
	return v, nil
}

func (s *Script) Password(ctx context.Context, p InputPrompt) (string, error) {
	return s.Input(ctx, p)
}

func (s *Script) Confirm(ctx context.Context, p ConfirmPrompt) (bool, error) {
	v, err := s.next(ctx, p.Frame)
	return v == "yes", err
}

func (s *Script) Note(ctx context.Context, p NotePrompt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Shown = append(s.Shown, p.Frame)
	s.Notes = append(s.Notes, p)
	if ctx.Err() != nil {
		return ErrCancelled
	}
	return nil
}

func (s *Script) Work(ctx context.Context, f Frame, fn func(context.Context) error) error {
	s.mu.Lock()
	s.Shown = append(s.Shown, f)
	s.mu.Unlock()
	return fn(ctx)
}
