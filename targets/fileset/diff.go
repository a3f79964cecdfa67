package fileset

import (
	"bytes"
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around each change.
const diffContext = 3

// unifiedDiff returns a unified diff, as diff -u and git print it, turning
// a into b, with the given file labels. It is empty when a and b are equal.
func unifiedDiff(fromLabel, toLabel string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	ops := diffLines(al, bl)

	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromLabel, toLabel)
	for i := 0; i < len(ops); {
		// Find the next change, then extend the hunk over every change
		// separated from it by at most 2*diffContext unchanged lines.
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-diffContext, 0)
		end := i
		for {
			for end < len(ops) && ops[end].kind != ' ' {
				end++
			}
			gap := end
			for gap < len(ops) && ops[gap].kind == ' ' {
				gap++
			}
			if gap == len(ops) || gap-end > 2*diffContext {
				break
			}
			end = gap
		}
		end = min(end+diffContext, len(ops))
		writeHunk(&out, ops[start:end])
		i = end
	}
	return out.String()
}

// A diffOp is one line of an edit script: ' ' kept, '-' deleted from a,
// '+' inserted from b. ai and bi are the 0-based positions in a and b
// before the op.
type diffOp struct {
	kind   byte
	ai, bi int
	line   string
}

func writeHunk(out *strings.Builder, ops []diffOp) {
	var na, nb int
	for _, op := range ops {
		if op.kind != '+' {
			na++
		}
		if op.kind != '-' {
			nb++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(ops[0].ai, na), hunkRange(ops[0].bi, nb))
	for _, op := range ops {
		out.WriteByte(op.kind)
		out.WriteString(op.line)
		if !strings.HasSuffix(op.line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats a hunk's line range as diff -u does: "start,count"
// with a 1-based start, just "start" for one line, and for no lines the
// number of the line before.
func hunkRange(pos, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", pos)
	case 1:
		return fmt.Sprintf("%d", pos+1)
	}
	return fmt.Sprintf("%d,%d", pos+1, n)
}

// splitLines splits data after each newline; the last line lacks one if
// data does not end in one.
func splitLines(data []byte) []string {
	var lines []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n') + 1
		if i == 0 {
			i = len(data)
		}
		lines = append(lines, string(data[:i]))
		data = data[i:]
	}
	return lines
}

// diffLines returns an edit script turning a into b, with deletions before
// insertions in each run of changes.
func diffLines(a, b []string) []diffOp {
	ids := make(map[string]int)
	intern := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	d := &differ{a: intern(a), b: intern(b)}
	d.deleted = make([]bool, len(a))
	d.inserted = make([]bool, len(b))
	// Bound the work of each middle-snake search to about 1e8 steps; past
	// that a region is shown as replaced, which is still a correct diff.
	d.limit = max(1024, 100_000_000/(len(a)+len(b)+1))
	d.compare(0, len(a), 0, len(b))

	ops := make([]diffOp, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && d.deleted[i]:
			ops = append(ops, diffOp{'-', i, j, a[i]})
			i++
		case j < len(b) && d.inserted[j]:
			ops = append(ops, diffOp{'+', i, j, b[j]})
			j++
		default:
			ops = append(ops, diffOp{' ', i, j, a[i]})
			i++
			j++
		}
	}
	return ops
}

// A differ finds a shortest edit script with Myers' O(ND) algorithm in its
// linear-space form: find the middle snake of an optimal path, then solve
// the two halves on either side of it.
type differ struct {
	a, b              []int
	deleted, inserted []bool
	limit             int
}

// compare marks the lines of a[alo:ahi] deleted and of b[blo:bhi] inserted
// that are not in a longest common subsequence of the two.
func (d *differ) compare(alo, ahi, blo, bhi int) {
	for alo < ahi && blo < bhi && d.a[alo] == d.b[blo] {
		alo++
		blo++
	}
	for alo < ahi && blo < bhi && d.a[ahi-1] == d.b[bhi-1] {
		ahi--
		bhi--
	}
	switch {
	case alo == ahi || blo == bhi:
		d.replace(alo, ahi, blo, bhi)
	case ahi-alo == 1:
		// One line of a: keep it if b has it anywhere.
		for j := blo; j < bhi; j++ {
			if d.b[j] == d.a[alo] {
				d.replace(alo, alo, blo, j)
				d.replace(ahi, ahi, j+1, bhi)
				return
			}
		}
		d.replace(alo, ahi, blo, bhi)
	case bhi-blo == 1:
		for i := alo; i < ahi; i++ {
			if d.a[i] == d.b[blo] {
				d.replace(alo, i, blo, blo)
				d.replace(i+1, ahi, bhi, bhi)
				return
			}
		}
		d.replace(alo, ahi, blo, bhi)
	default:
		x, y, ok := d.bisect(alo, ahi, blo, bhi)
		if !ok || (x == alo && y == blo) || (x == ahi && y == bhi) {
			d.replace(alo, ahi, blo, bhi)
			return
		}
		d.compare(alo, x, blo, y)
		d.compare(x, ahi, y, bhi)
	}
}

// replace marks all of a[alo:ahi] deleted and all of b[blo:bhi] inserted.
func (d *differ) replace(alo, ahi, blo, bhi int) {
	for i := alo; i < ahi; i++ {
		d.deleted[i] = true
	}
	for j := blo; j < bhi; j++ {
		d.inserted[j] = true
	}
}

// bisect finds the point where a forward and a backward search for a
// shortest edit path of a[alo:ahi] into b[blo:bhi] meet; that point splits
// the problem in two. It reports false when the edit distance is larger
// than about twice d.limit.
func (d *differ) bisect(alo, ahi, blo, bhi int) (x, y int, ok bool) {
	a, b := d.a[alo:ahi], d.b[blo:bhi]
	n, m := len(a), len(b)
	maxD := min((n+m+1)/2, d.limit)
	off := maxD + 1
	size := 2*maxD + 3
	// v1[off+k] is the furthest x reached on diagonal k = x-y going
	// forward; v2[off+k] likewise going backward from (n, m), with x and y
	// counted from the ends.
	v1 := make([]int, size)
	v2 := make([]int, size)
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	// With delta odd the paths meet during a forward step, otherwise
	// during a backward one.
	front := delta%2 != 0
	// Diagonals that have run off the grid are skipped from then on.
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for step := 0; step < maxD; step++ {
		for k1 := -step + k1start; k1 <= step-k1end; k1 += 2 {
			k1off := off + k1
			var x1 int
			if k1 == -step || (k1 != step && v1[k1off-1] < v1[k1off+1]) {
				x1 = v1[k1off+1]
			} else {
				x1 = v1[k1off-1] + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			v1[k1off] = x1
			switch {
			case x1 > n:
				k1end += 2
			case y1 > m:
				k1start += 2
			case front:
				k2off := off + delta - k1
				if k2off >= 0 && k2off < size && v2[k2off] != -1 {
					if x1 >= n-v2[k2off] {
						return alo + x1, blo + y1, true
					}
				}
			}
		}
		for k2 := -step + k2start; k2 <= step-k2end; k2 += 2 {
			k2off := off + k2
			var x2 int
			if k2 == -step || (k2 != step && v2[k2off-1] < v2[k2off+1]) {
				x2 = v2[k2off+1]
			} else {
				x2 = v2[k2off-1] + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			v2[k2off] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				k1off := off + delta - k2
				if k1off >= 0 && k1off < size && v1[k1off] != -1 {
					x1 := v1[k1off]
					y1 := off + x1 - k1off
					if x1 >= n-x2 {
						return alo + x1, blo + y1, true
					}
				}
			}
		}
	}
	return 0, 0, false
}
