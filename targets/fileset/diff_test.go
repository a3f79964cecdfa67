package fileset

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUnifiedDiffKnown(t *testing.T) {
	a := "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen\nfourteen\n"
	b := "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\nthirteen\nfourteen\nfifteen"
	// The same hunks as GNU diff -u prints for these inputs.
	want := `--- a/x.txt
+++ b/x.txt
@@ -1,5 +1,5 @@
 one
-two
+TWO
 three
 four
 five
@@ -9,6 +9,6 @@
 nine
 ten
 eleven
-twelve
 thirteen
 fourteen
+fifteen
\ No newline at end of file
`
	if diff := cmp.Diff(want, unifiedDiff("a/x.txt", "b/x.txt", []byte(a), []byte(b))); diff != "" {
		t.Errorf("unifiedDiff mismatch (-want +got):\n%s", diff)
	}
}

func TestUnifiedDiffCases(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", "x\ny\n", "x\ny\n", ""},
		{"from empty", "", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"to empty", "a\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n"},
		{"newline added at end", "a\nb", "a\nb\n", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"insert in middle", "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nnew\n5\n6\n7\n8\n",
			"--- a\n+++ b\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n"},
		// Changes six unchanged lines apart share a hunk; seven apart do not.
		{"gap of six merges", "x\n1\n2\n3\n4\n5\n6\nx\n", "y\n1\n2\n3\n4\n5\n6\ny\n",
			"--- a\n+++ b\n@@ -1,8 +1,8 @@\n-x\n+y\n 1\n 2\n 3\n 4\n 5\n 6\n-x\n+y\n"},
		{"gap of seven splits", "x\n1\n2\n3\n4\n5\n6\n7\nx\n", "y\n1\n2\n3\n4\n5\n6\n7\ny\n",
			"--- a\n+++ b\n@@ -1,4 +1,4 @@\n-x\n+y\n 1\n 2\n 3\n@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-x\n+y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unifiedDiff("a", "b", []byte(tt.a), []byte(tt.b))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// applyDiff applies a unified diff from unifiedDiff to a, checking every
// context and deleted line against a, and returns the result.
func applyDiff(t *testing.T, a, diff string) string {
	t.Helper()
	src := splitLines([]byte(a))
	lines := strings.SplitAfter(diff, "\n")
	if diff == "" {
		return a
	}
	if !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		t.Fatalf("bad header in\n%s", diff)
	}
	var out []string
	pos := 0 // next line of src to copy
	i := 2
	for i < len(lines) && lines[i] != "" {
		var as, an, bs, bn int
		hdr := lines[i]
		fields := strings.Fields(hdr)
		if len(fields) != 4 || fields[0] != "@@" || fields[3] != "@@" ||
			!strings.HasPrefix(fields[1], "-") || !strings.HasPrefix(fields[2], "+") {
			t.Fatalf("bad hunk header %q", hdr)
		}
		as, an = parseRange(t, fields[1][1:])
		bs, bn = parseRange(t, fields[2][1:])
		start := as - 1
		if an == 0 {
			start = as
		}
		if start < pos {
			t.Fatalf("hunk %q overlaps the previous one", hdr)
		}
		out = append(out, src[pos:start]...)
		if bn == 0 && bs != len(out) || bn > 0 && bs != len(out)+1 {
			t.Fatalf("hunk %q: new start %d, but %d lines written so far", hdr, bs, len(out))
		}
		pos = start
		i++
		gotA, gotB := 0, 0
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			i++
			noNL := i < len(lines) && lines[i] == "\\ No newline at end of file\n"
			if noNL {
				i++
				l = strings.TrimSuffix(l, "\n")
			}
			kind, text := l[0], l[1:]
			if kind != '+' {
				if pos >= len(src) || src[pos] != text {
					t.Fatalf("hunk %q: line %q does not match source line %d", hdr, text, pos+1)
				}
				pos++
				gotA++
			}
			if kind != '-' {
				out = append(out, text)
				gotB++
			}
		}
		if gotA != an || gotB != bn {
			t.Fatalf("hunk %q has %d old and %d new lines", hdr, gotA, gotB)
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, "")
}

func parseRange(t *testing.T, s string) (start, n int) {
	t.Helper()
	startS, nS, ok := strings.Cut(s, ",")
	start, err := strconv.Atoi(startS)
	if err != nil {
		t.Fatalf("bad range %q", s)
	}
	if !ok {
		return start, 1
	}
	n, err = strconv.Atoi(nS)
	if err != nil {
		t.Fatalf("bad range %q", s)
	}
	return start, n
}

// randomText returns up to n lines drawn from a small alphabet, so that
// inputs share many lines, sometimes without a final newline.
func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	lines := r.Intn(n + 1)
	for i := 0; i < lines; i++ {
		b.WriteString(string(rune('a' + r.Intn(5))))
		b.WriteByte('\n')
	}
	s := b.String()
	if len(s) > 0 && r.Intn(4) == 0 {
		s = s[:len(s)-1]
	}
	return s
}

// lcsLen is the length of a longest common subsequence, by dynamic
// programming.
func lcsLen(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] > cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func TestDiffReproducesTarget(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 3000; iter++ {
		a, b := randomText(r, 30), randomText(r, 30)
		if iter%3 == 0 {
			// Near-identical inputs: b is a with a few lines changed.
			lines := splitLines([]byte(a))
			for k := 0; k < 3 && len(lines) > 0; k++ {
				lines[r.Intn(len(lines))] = "z\n"
			}
			b = strings.Join(lines, "")
		}
		d := unifiedDiff("a/f", "b/f", []byte(a), []byte(b))
		if got := applyDiff(t, a, d); got != b {
			t.Fatalf("applying the diff of\n%q\nto\n%q\ngives %q\ndiff:\n%s", a, b, got, d)
		}
	}
}

func TestDiffIsMinimal(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for iter := 0; iter < 3000; iter++ {
		a, b := splitLines([]byte(randomText(r, 25))), splitLines([]byte(randomText(r, 25)))
		ops := diffLines(a, b)
		edits := 0
		for _, op := range ops {
			if op.kind != ' ' {
				edits++
			}
		}
		if want := len(a) + len(b) - 2*lcsLen(a, b); edits != want {
			t.Fatalf("diff of %q and %q has %d edits, want %d", a, b, edits, want)
		}
	}
}

func TestDiffLargeFiles(t *testing.T) {
	const n = 50000
	var a, b strings.Builder
	for i := 0; i < n; i++ {
		line := fmt.Sprintf("line %d\n", i)
		a.WriteString(line)
		switch {
		case i%5000 == 17:
			b.WriteString("changed " + line)
		case i%7919 == 3:
			// deleted
		default:
			b.WriteString(line)
		}
	}
	start := time.Now()
	d := unifiedDiff("a/f", "b/f", []byte(a.String()), []byte(b.String()))
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("diff of %d near-identical lines took %v", n, el)
	}
	if got := applyDiff(t, a.String(), d); got != b.String() {
		t.Fatal("applying the diff does not reproduce the target")
	}
	// 10 changed lines and 7 deleted ones, none within 6 lines of another:
	// 17 hunks of 7 lines (a change and 3 lines of context either side) or
	// 6 (a deletion), a minimal diff.
	if hunks := strings.Count(d, "\n@@ "); hunks != 17 {
		t.Errorf("diff has %d hunks, want 17", hunks)
	}
	if lines, want := strings.Count(d, "\n"), 2+17+10*8+7*7; lines != want {
		t.Errorf("diff is %d lines long, want %d", lines, want)
	}

	// Completely different large inputs still give a correct diff quickly.
	var c strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&c, "other %d\n", i)
	}
	start = time.Now()
	d = unifiedDiff("a/f", "b/f", []byte(a.String()[:len(c.String())]), []byte(c.String()))
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("diff of unrelated inputs took %v", el)
	}
	if got := applyDiff(t, a.String()[:len(c.String())], d); got != c.String() {
		t.Fatal("applying the diff of unrelated inputs does not reproduce the target")
	}
}
