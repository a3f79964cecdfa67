// Package diag defines the diagnostics that the compiler and the targets
// report, and the one printer that formats them.
//
// A diagnostic prints as
//
//	file:line:col: message [check]
//
// with file relative to the working directory, which is the form editors,
// CI annotations and the test suite all read.
package diag

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue/token"
)

// Severity says whether a diagnostic fails the run.
type Severity int

const (
	// Error diagnostics make the spec invalid (exit code 1).
	Error Severity = iota
	// Warning diagnostics are reported but fail only under --strict.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a spec, with the position of the
// construct at fault.
type Diagnostic struct {
	Pos      token.Pos
	Severity Severity
	Check    string // kebab-case name of the check, e.g. "dependency-cycle"
	Message  string // lower-case, no trailing period; may suggest a fix
}

// Errorf returns an error diagnostic for check at pos.
func Errorf(pos token.Pos, check, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: pos, Severity: Error, Check: check, Message: fmt.Sprintf(format, args...)}
}

// Warnf returns a warning diagnostic for check at pos.
func Warnf(pos token.Pos, check, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: pos, Severity: Warning, Check: check, Message: fmt.Sprintf(format, args...)}
}

// Error implements the error interface with the one-line form, using the
// file name as recorded in the position.
func (d Diagnostic) Error() string { return d.format("") }

func (d Diagnostic) format(cwd string) string {
	var b strings.Builder
	if loc := location(d.Pos, cwd); loc != "" {
		b.WriteString(loc)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Check != "" {
		b.WriteString(" [")
		b.WriteString(d.Check)
		b.WriteString("]")
	}
	return b.String()
}

// RelFile returns the position's file name relative to cwd when it lies
// below cwd, slash-separated.
func RelFile(pos token.Pos, cwd string) string {
	name := pos.Filename()
	if name == "" {
		return ""
	}
	if cwd != "" && filepath.IsAbs(name) {
		if rel, err := filepath.Rel(cwd, name); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
	}
	return filepath.ToSlash(name)
}

func location(pos token.Pos, cwd string) string {
	file := RelFile(pos, cwd)
	if file == "" {
		return ""
	}
	if pos.Line() == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d:%d", file, pos.Line(), pos.Column())
}

// List is a set of diagnostics.
type List []Diagnostic

// HasErrors reports whether any diagnostic is an error. With strict set,
// warnings count as errors.
func (l List) HasErrors(strict bool) bool {
	for _, d := range l {
		if d.Severity == Error || strict {
			return true
		}
	}
	return false
}

// Sort orders the list by file, line, column, message and check, and
// drops exact duplicates.
func (l List) Sort() List {
	out := slices.Clone(l)
	slices.SortFunc(out, compare)
	return slices.CompactFunc(out, func(a, b Diagnostic) bool { return compare(a, b) == 0 })
}

func compare(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Pos.Filename(), b.Pos.Filename()),
		cmp.Compare(a.Pos.Line(), b.Pos.Line()),
		cmp.Compare(a.Pos.Column(), b.Pos.Column()),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(a.Check, b.Check),
		cmp.Compare(a.Severity, b.Severity),
	)
}

// Format selects how Print writes diagnostics.
type Format string

// The diagnostic formats that --format accepts.
const (
	FormatText   Format = "text"
	FormatJSON   Format = "json"
	FormatGitHub Format = "github"
)

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatText, FormatJSON, FormatGitHub:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use text, json or github", s)
}

type jsonDiagnostic struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Severity string `json:"severity"`
	Check    string `json:"check,omitempty"`
	Message  string `json:"message"`
}

// Print writes the sorted list to w in the given format. Paths are made
// relative to cwd.
func Print(w io.Writer, l List, f Format, cwd string) error {
	l = l.Sort()
	switch f {
	case FormatJSON:
		out := make([]jsonDiagnostic, 0, len(l))
		for _, d := range l {
			out = append(out, jsonDiagnostic{
				File: RelFile(d.Pos, cwd), Line: d.Pos.Line(), Column: d.Pos.Column(),
				Severity: d.Severity.String(), Check: d.Check, Message: d.Message,
			})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case FormatGitHub:
		for _, d := range l {
			if _, err := fmt.Fprintln(w, githubAnnotation(d, cwd)); err != nil {
				return err
			}
		}
		return nil
	default:
		for _, d := range l {
			if _, err := fmt.Fprintln(w, d.format(cwd)); err != nil {
				return err
			}
		}
		return nil
	}
}

// githubAnnotation renders a workflow command. Properties and the message
// are escaped as the runner expects, so a message cannot start a second
// command.
func githubAnnotation(d Diagnostic, cwd string) string {
	var props []string
	if file := RelFile(d.Pos, cwd); file != "" {
		props = append(props, "file="+escapeProperty(file))
		if d.Pos.Line() > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Pos.Line()), fmt.Sprintf("col=%d", d.Pos.Column()))
		}
	}
	if d.Check != "" {
		props = append(props, "title="+escapeProperty("release-gen "+d.Check))
	}
	msg := d.Message
	if d.Check != "" {
		msg += " [" + d.Check + "]"
	}
	kind := "error"
	if d.Severity == Warning {
		kind = "warning"
	}
	head := "::" + kind
	if len(props) > 0 {
		head += " " + strings.Join(props, ",")
	}
	return head + "::" + escapeData(msg)
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
