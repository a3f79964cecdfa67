package compiler

import (
	"strconv"

	"cuelang.org/go/cue"
)

// closest returns the candidate nearest to name by edit distance, or "" when
// none is close enough to be a likely typo.
func closest(name string, candidates []string) string {
	best, bestDist := "", len(name)/2+2
	for _, c := range candidates {
		if d := levenshtein(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// didYouMean formats a suggestion suffix, or "" without one.
func didYouMean(name string, candidates []string) string {
	if c := closest(name, candidates); c != "" {
		return "; did you mean " + quote(c) + "?"
	}
	return ""
}

func quote(s string) string { return "\"" + s + "\"" }

// fieldsAt lists the fields def (a definition) allows in the struct at
// path, the labels of a spec value: names matched by a pattern (a
// service's name) and list indexes work, and of a disjunction such as
// bool | #Canary the struct is used. It returns nil when the path leads
// to no struct.
func fieldsAt(def cue.Value, path []string) []string {
	v := defAt(def, path)
	if !v.Exists() {
		return nil
	}
	it, err := v.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var names []string
	for it.Next() {
		names = append(names, it.Selector().Unquoted())
	}
	return names
}

// defAt is the part of def that constrains the spec value at path, with
// the struct picked out of a disjunction at each step (see fieldsAt).
func defAt(def cue.Value, path []string) cue.Value {
	v := def
	for _, label := range path {
		v = structOf(child(v, label))
		if !v.Exists() {
			return cue.Value{}
		}
	}
	return v
}

// child looks label up in v: as a regular, optional or required field,
// through a pattern constraint, or as a list element.
func child(v cue.Value, label string) cue.Value {
	if _, err := strconv.Atoi(label); err == nil {
		return v.LookupPath(cue.MakePath(cue.AnyIndex))
	}
	for _, sel := range []cue.Selector{cue.Str(label), cue.Str(label).Optional(), cue.Str(label).Required(), cue.AnyString} {
		if c := v.LookupPath(cue.MakePath(sel)); c.Exists() {
			return c
		}
	}
	return cue.Value{}
}

// structOf returns v, or the struct among the disjuncts of v.
func structOf(v cue.Value) cue.Value {
	if op, args := v.Expr(); op == cue.OrOp {
		for _, a := range args {
			if a.IncompleteKind() == cue.StructKind {
				return a
			}
		}
	}
	return v
}
