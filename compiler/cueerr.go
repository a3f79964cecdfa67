package compiler

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
)

// CUE reports a value that fails a disjunction (an enum, or a field with a
// default) once per alternative, plus a summary line. cueErrors condenses
// each field's errors into the one message a spec author needs.
var (
	disjunctionSummary = regexp.MustCompile(`^\d+ errors in empty disjunction:?$`)
	outOfBound         = regexp.MustCompile(`^invalid value (.+) \(((?:out of bound|does not satisfy) .*)\)$`)
	conflict           = regexp.MustCompile(`^conflicting values (.+?) and (.+?)(?: \(mismatched types (\S+) and (\S+)\))?$`)
)

type cueError struct {
	path string
	pos  token.Pos
	msg  string
}

// cueErrors converts CUE errors into diagnostics of the "schema" check.
// Positions lie in the user's files: an error inside release-gen's schema
// is placed at the nearest enclosing field the user wrote. dir is removed
// from messages so that they do not depend on where the spec lives.
func cueErrors(err error, genDir string, user, def cue.Value, dir string) (out diag.List) {
	groups := map[string][]cueError{}
	var order []string
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if dir != "" {
			msg = strings.ReplaceAll(msg, dir+"/", "")
		}
		msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
		path := strings.Join(e.Path(), ".")
		pos := userPos(e, genDir)
		if !pos.IsValid() && user.Exists() {
			pos = nearestPos(user, e.Path(), genDir)
		}
		if _, ok := groups[path]; !ok {
			order = append(order, path)
		}
		groups[path] = append(groups[path], cueError{path: path, pos: pos, msg: msg})
	}
	defer func() {
		if len(out) == 0 && err != nil {
			// Nothing survived condensing: report CUE's own words.
			out = diag.List{diag.Errorf(token.NoPos, "schema", "%s", strings.Join(strings.Fields(err.Error()), " "))}
		}
	}()
	var unknown diag.List
	var unknownPaths map[string]bool
	if def.Exists() && user.Exists() {
		unknown, unknownPaths = unknownBelow(def, user, genDir)
		for p := range unknownPaths {
			if _, ok := groups[p]; !ok {
				order = append(order, p) // for hasChildErrors
			}
		}
	}
	defer func() { out = append(out, unknown...) }()
	for _, path := range order {
		g := groups[path]
		if hasChildErrors(path, order) && onlyNoise(g) {
			continue
		}
		e := condense(g)
		if e.msg == "" {
			continue
		}
		if strings.Contains(e.msg, " is a struct, want ") && (hasChildErrors(path, order) || anyBelow(path, unknownPaths)) {
			// A struct against a disjunction such as bool | #Canary: its
			// fields' errors say what is wrong with the struct branch.
			continue
		}
		if unknownPaths[path] {
			continue // reported by unknownBelow, with a suggestion
		}
		text := e.msg
		if strings.HasPrefix(text, "incomplete value") && user.Exists() && !user.LookupPath(cue.ParsePath(path)).Exists() && path != "" {
			text = "field is required: set it (" + strings.TrimPrefix(text, "incomplete value ") + ")"
		}
		hint := ""
		if strings.Contains(text, "field not allowed") && def.Exists() {
			hint = misspeltField(def, strings.Split(path, "."))
		}
		if path != "" {
			text = path + ": " + text
		}
		if hint != "" {
			out = append(out, diag.Errorf(e.pos, "schema", "%s (%s)", text, hint))
			continue
		}
		out = append(out, diag.Errorf(e.pos, "schema", "%s", schemaHint(text)))
	}
	return out
}

// unknownBelow reports every field below the top level of the user's
// value that the part of def constraining it does not allow, with a
// did-you-mean where a similar field exists. CUE reports such a field
// too, but not always: a struct that fails a disjunction (the struct
// branch of bool | #CanaryOverride) is reported as the wrong type, and
// the errors of its siblings can be lost with it. It also returns the
// paths it reported.
func unknownBelow(def, user cue.Value, genDir string) (diag.List, map[string]bool) {
	var out diag.List
	reported := map[string]bool{}
	var walk func(v cue.Value, path []string)
	walk = func(v cue.Value, path []string) {
		switch v.IncompleteKind() {
		case cue.StructKind:
			d := defAt(def, path)
			if !d.Exists() || d.IncompleteKind() != cue.StructKind {
				return
			}
			it, err := v.Fields()
			if err != nil {
				return
			}
			for it.Next() {
				field := append(path[:len(path):len(path)], it.Selector().Unquoted())
				if len(path) == 0 || d.Allows(it.Selector()) {
					walk(it.Value(), field)
					continue
				}
				name := strings.Join(field, ".")
				text := name + ": field not allowed"
				if hint := misspeltField(def, field); hint != "" {
					text += " (" + hint + ")"
				} else {
					text += " (not a field of " + strings.Join(path, ".") + ": `release-gen schema` lists the fields it takes)"
				}
				pos := it.Value().Pos()
				if isGenerated(pos, genDir) {
					pos = token.NoPos
				}
				out = append(out, diag.Errorf(pos, "schema", "%s", text))
				reported[name] = true
			}
		case cue.ListKind:
			it, err := v.List()
			if err != nil {
				return
			}
			for i := 0; it.Next(); i++ {
				walk(it.Value(), append(path[:len(path):len(path)], strconv.Itoa(i)))
			}
		}
	}
	walk(user, nil)
	return out, reported
}

// misspeltField returns advice for a field at path that def does not
// allow, when a field def allows beside it has a similar name: "did you
// mean "language"?". It returns "" otherwise.
func misspeltField(def cue.Value, path []string) string {
	if len(path) < 2 {
		return "" // top-level fields are checked by unknownFields
	}
	name := path[len(path)-1]
	if c := closest(name, fieldsAt(def, path[:len(path)-1])); c != "" {
		return "not a field of " + strings.Join(path[:len(path)-1], ".") + "; did you mean " + quote(c) + "?"
	}
	return ""
}

// condense picks or builds the one message for a field's errors.
func condense(g []cueError) cueError {
	pos := token.NoPos
	var msgs []string
	for _, e := range g {
		if !pos.IsValid() && e.pos.IsValid() {
			pos = e.pos
		}
		if disjunctionSummary.MatchString(e.msg) || strings.HasPrefix(e.msg, "incompatible list lengths") {
			continue
		}
		msgs = append(msgs, e.msg)
	}
	if len(msgs) == 0 {
		return cueError{}
	}
	// A bound or pattern violation says exactly what is wrong.
	for _, m := range msgs {
		if c := outOfBound.FindStringSubmatch(m); c != nil {
			return cueError{pos: pos, msg: "invalid value " + abbreviate(c[1]) + " (" + c[2] + ")"}
		}
		if strings.HasPrefix(m, "invalid value") || strings.Contains(m, "field not allowed") || strings.HasPrefix(m, "incomplete value") {
			return cueError{pos: pos, msg: m}
		}
	}
	// A type mismatch: name the type that was wanted, not the default.
	for _, m := range msgs {
		if c := conflict.FindStringSubmatch(m); c != nil && c[3] != "" {
			got, gotType, wantType := c[1], c[3], c[4]
			if !isTypeName(c[2]) && isTypeName(c[1]) {
				got, gotType, wantType = c[2], c[4], c[3]
			}
			return cueError{pos: pos, msg: fmt.Sprintf("%s is a %s, want %s", abbreviate(got), gotType, wantType)}
		}
	}
	// An enum: the user's value is the side every conflict shares.
	if user, allowed := enumConflict(msgs); user != "" {
		return cueError{pos: pos, msg: fmt.Sprintf("%s is not allowed: use one of %s", abbreviate(user), strings.Join(allowed, ", "))}
	}
	return cueError{pos: pos, msg: msgs[0]}
}

func isTypeName(s string) bool {
	switch s {
	case "int", "float", "number", "string", "bool", "bytes", "list", "struct", "null":
		return true
	}
	return false
}

// enumConflict recognises "conflicting values A and U" for several A and
// one U, returning U and the sorted alternatives.
func enumConflict(msgs []string) (string, []string) {
	count := map[string]int{}
	var pairs [][2]string
	for _, m := range msgs {
		c := conflict.FindStringSubmatch(m)
		if c == nil {
			return "", nil
		}
		pairs = append(pairs, [2]string{c[1], c[2]})
		count[c[1]]++
		count[c[2]]++
	}
	if len(pairs) < 2 {
		return "", nil
	}
	user := ""
	for v, n := range count {
		if n == len(pairs) {
			user = v
		}
	}
	if user == "" {
		return "", nil
	}
	var allowed []string
	for _, p := range pairs {
		other := p[0]
		if other == user {
			other = p[1]
		}
		if !slices.Contains(allowed, other) {
			allowed = append(allowed, other)
		}
	}
	slices.Sort(allowed)
	return user, allowed
}

func onlyNoise(g []cueError) bool {
	for _, e := range g {
		if !disjunctionSummary.MatchString(e.msg) && !strings.HasPrefix(e.msg, "incompatible list lengths") {
			return false
		}
	}
	return true
}

// anyBelow reports whether a path in set lies below path.
func anyBelow(path string, set map[string]bool) bool {
	for p := range set {
		if strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

func hasChildErrors(path string, all []string) bool {
	for _, p := range all {
		if p != path && strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// nearestPos is the position of the deepest field along path that the
// user wrote.
func nearestPos(user cue.Value, path []string, genDir string) token.Pos {
	for n := len(path); n > 0; n-- {
		sels := make([]cue.Selector, 0, n)
		for _, p := range path[:n] {
			sels = append(sels, selector(p))
		}
		if v := user.LookupPath(cue.MakePath(sels...)); v.Exists() {
			if p := v.Pos(); p.IsValid() && !isGenerated(p, genDir) {
				return p
			}
		}
	}
	return token.NoPos
}

// selector turns one element of an error path back into a selector.
func selector(p string) cue.Selector {
	if n, err := parseIndex(p); err == nil {
		return cue.Index(n)
	}
	if strings.HasPrefix(p, "\"") {
		if s, err := unquote(p); err == nil {
			return cue.Str(s)
		}
	}
	return cue.Str(p)
}

// maxQuoted is how much of a value a message quotes.
const maxQuoted = 80

// abbreviate shortens a value quoted in a message to its first maxQuoted
// bytes (whole runes) and an ellipsis, so that a large value does not
// make a diagnostic a line of many kilobytes.
func abbreviate(v string) string {
	if len(v) <= maxQuoted {
		return v
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}
