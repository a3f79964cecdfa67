package compiler

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// This file decides how ECR tag selectors relate to the tags the generated
// pipelines push. Both sides are regular languages: a tag form such as
// "prod-" followed by 40 hex digits, and a glob (a tagPatterns entry, where
// '*' matches any run of characters, or a tagPrefixes entry, which is the
// prefix followed by '*'). Walking both automata in step over a small
// alphabet answers exactly whether some tag of the form matches the glob,
// and whether every tag of it does.

// A tagForm is a set of tags: a sequence of segments, each a character
// class repeated between min and max times (max < 0: unbounded).
type tagForm struct {
	segs []segment
}

type segment struct {
	ranges   []runeRange
	min, max int
}

type runeRange struct{ lo, hi rune }

func (s segment) has(r rune) bool {
	for _, rg := range s.ranges {
		if rg.lo <= r && r <= rg.hi {
			return true
		}
	}
	return false
}

var (
	hexDigits  = []runeRange{{'0', '9'}, {'a', 'f'}}
	decDigits  = []runeRange{{'0', '9'}}
	semverTail = []runeRange{{'-', '.'}, {'0', '9'}, {'A', 'Z'}, {'a', 'z'}}
)

// literal returns the form holding exactly s.
func literal(s string) tagForm {
	var f tagForm
	for _, r := range s {
		f.segs = append(f.segs, segment{ranges: []runeRange{{r, r}}, min: 1, max: 1})
	}
	return f
}

// then returns f followed by a repeated class.
func (f tagForm) then(ranges []runeRange, min, max int) tagForm {
	return tagForm{segs: append(slices.Clone(f.segs), segment{ranges: ranges, min: min, max: max})}
}

// plus returns f followed by g.
func (f tagForm) plus(g tagForm) tagForm {
	return tagForm{segs: slices.Concat(f.segs, g.segs)}
}

// shaForm is a full commit SHA: 40 lower-case hex digits.
func shaForm(prefix string) tagForm { return literal(prefix).then(hexDigits, 40, 40) }

// versionForms are the release tags the pipelines push:
// ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$, as two forms.
func versionForms() []tagForm {
	core := literal("v").then(decDigits, 1, -1).plus(literal(".")).then(decDigits, 1, -1).plus(literal(".")).then(decDigits, 1, -1)
	return []tagForm{core, core.plus(literal("-")).then(semverTail, 1, -1)}
}

// formState is a position in a form: segment i, repeated k times so far.
type formState struct{ i, k int }

// closure adds the states reachable without reading: past a segment that
// has been repeated at least min times.
func (f tagForm) closure(s formState) []formState {
	out := []formState{s}
	for s.i < len(f.segs) && s.k >= f.segs[s.i].min {
		s = formState{s.i + 1, 0}
		out = append(out, s)
	}
	return out
}

func (f tagForm) accepts(s formState) bool { return s.i == len(f.segs) }

// glob is an ECR tag pattern: literal runes and '*' (any run, maybe empty).
type glob []globToken

type globToken struct {
	star bool
	r    rune
}

// patternGlob reads a tagPatterns entry.
func patternGlob(p string) glob {
	var g glob
	for _, r := range p {
		g = append(g, globToken{star: r == '*', r: r})
	}
	return g
}

// prefixGlob reads a tagPrefixes entry: every character is literal.
func prefixGlob(p string) glob {
	var g glob
	for _, r := range p {
		g = append(g, globToken{r: r})
	}
	return append(g, globToken{star: true})
}

// globSet is a set of positions in a glob, the state of its subset automaton.
type globSet []bool

func (g glob) start() globSet { return g.close(make(globSet, len(g)+1), 0) }

func (g glob) close(set globSet, p int) globSet {
	for ; p <= len(g); p++ {
		set[p] = true
		if p == len(g) || !g[p].star {
			break
		}
	}
	return set
}

func (g glob) step(set globSet, r rune) globSet {
	next := make(globSet, len(g)+1)
	for p, in := range set {
		if !in || p == len(g) {
			continue
		}
		switch {
		case g[p].star:
			g.close(next, p)
		case g[p].r == r:
			g.close(next, p+1)
		}
	}
	return next
}

func (g glob) accepts(set globSet) bool { return set[len(g)] }

func (set globSet) key() string {
	var b strings.Builder
	for _, in := range set {
		if in {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// representatives returns the runes of a segment's class worth trying
// against g: those g names literally, and one it does not name, if any.
// Every other rune behaves like that one.
func (g glob) representatives(s segment) []rune {
	named := map[rune]bool{}
	var out []rune
	for _, t := range g {
		if !t.star && s.has(t.r) && !named[t.r] {
			named[t.r] = true
			out = append(out, t.r)
		}
	}
	for _, rg := range s.ranges {
		for r := rg.lo; r <= rg.hi && r <= utf8.MaxRune; r++ {
			if !named[r] {
				return append(out, r)
			}
		}
	}
	return out
}

// relate reports whether some tag of form f matches g, and whether every
// tag of f does.
func relate(f tagForm, g glob) (some, every bool) {
	type pair struct {
		f formState
		g string
	}
	type item struct {
		f formState
		g globSet
	}
	seen := map[pair]bool{}
	var queue []item
	push := func(fs formState, gs globSet) {
		for _, c := range f.closure(fs) {
			if p := (pair{c, gs.key()}); !seen[p] {
				seen[p] = true
				queue = append(queue, item{c, gs})
			}
		}
	}
	push(formState{}, g.start())
	every = true
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if f.accepts(it.f) {
			if g.accepts(it.g) {
				some = true
			} else {
				every = false
			}
			continue
		}
		seg := f.segs[it.f.i]
		if seg.max >= 0 && it.f.k >= seg.max {
			continue
		}
		k := it.f.k + 1
		if seg.max < 0 && k > seg.min {
			k = seg.min // past min, an unbounded segment's count no longer matters
		}
		for _, r := range g.representatives(seg) {
			push(formState{it.f.i, k}, g.step(it.g, r))
		}
	}
	return some, every
}
