package fileset

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"release-gen.dev/release-gen/targets"
)

// TestParallelCallsEveryIndexOnce runs parallel over counts around the
// batch size, and parallelIn over directories of uneven sizes, one of them
// split by another.
func TestParallelCallsEveryIndexOnce(t *testing.T) {
	var dirs []string
	for _, d := range []struct {
		name  string
		files int
	}{{"a", 70}, {"b", 1}, {"a", 3}, {"c", 2*batch + 5}, {"d", batch}} {
		for range d.files {
			dirs = append(dirs, d.name)
		}
	}
	type run func(n, workers int, do func(i int) error) error
	inDirs := func(n, workers int, do func(i int) error) error {
		return parallelIn(n, workers, func(i int) string { return dirs[i] }, do)
	}
	for _, c := range []struct {
		name string
		run  run
		ns   []int
	}{
		{"parallel", parallel, []int{0, 1, batch - 1, batch, batch + 1, 10*batch + 3}},
		{"parallelIn", inDirs, []int{len(dirs)}},
	} {
		for _, workers := range []int{1, 2, 4} {
			for _, n := range c.ns {
				calls := make([]atomic.Int32, n)
				err := c.run(n, workers, func(i int) error {
					calls[i].Add(1)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for i := range calls {
					if got := calls[i].Load(); got != 1 {
						t.Errorf("%s, workers %d, n %d: do(%d) called %d times", c.name, workers, n, i, got)
					}
				}
			}
		}
	}
}

// TestBatchesTakeDirectoriesInTurn checks that workers taking batches in
// order start in different directories: each directory's first batch
// comes before any directory's second.
func TestBatchesTakeDirectoriesInTurn(t *testing.T) {
	dirs := map[int]string{}
	for i := range 120 {
		switch {
		case i < 70:
			dirs[i] = "a"
		case i < 110:
			dirs[i] = "b"
		default:
			dirs[i] = "c"
		}
	}
	got := batches(120, func(i int) string { return dirs[i] })
	want := []run{{0, 32}, {70, 102}, {110, 120}, {32, 64}, {102, 110}, {64, 70}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(run{})); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if got := batches(70, nil); !cmp.Equal(got, []run{{0, 32}, {32, 64}, {64, 70}}, cmp.AllowUnexported(run{})) {
		t.Errorf("batches without directories: %v", got)
	}
}

func TestParallelReturnsLowestError(t *testing.T) {
	for _, workers := range []int{1, 4} {
		err := parallel(8*batch, workers, func(i int) error {
			if i == 5 || i == 3*batch+1 {
				return fmt.Errorf("call %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "call 5" {
			t.Errorf("workers %d: error %v, want call 5", workers, err)
		}
	}
}

// TestParallelRunsConcurrently holds the first call until a call from another
// batch has begun, which can only happen if two workers run at once.
func TestParallelRunsConcurrently(t *testing.T) {
	other := make(chan struct{})
	var once atomic.Bool
	err := parallel(2*batch, 2, func(i int) error {
		switch {
		case i == 0:
			select {
			case <-other:
				return nil
			case <-time.After(10 * time.Second):
				return errors.New("no second worker began while the first was busy")
			}
		case i >= batch && once.CompareAndSwap(false, true):
			close(other)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// bigScenario is faultScenario at a size where Write shares the work
// among workers: a first build of 300 files in three directories, and a
// second that rewrites every other one, adds 100 in a new directory and
// prunes 30.
func bigScenario(t *testing.T) (root string, second Set) {
	t.Helper()
	root = t.TempDir()
	var first, next []targets.File
	for i := range 300 {
		path := fmt.Sprintf("deploy/%s/svc-%03d.json", []string{"ecr", "flagger", "other"}[i%3], i)
		first = append(first, targets.File{Path: path, Target: "ecr", Data: fmt.Appendf(nil, "{\"v\": 1, \"i\": %d}\n", i)})
		switch {
		case i%10 == 9:
			// pruned
		case i%2 == 0:
			next = append(next, targets.File{Path: path, Target: "ecr", Data: fmt.Appendf(nil, "{\"v\": 2, \"i\": %d}\n", i)})
		default:
			next = append(next, first[i])
		}
	}
	for i := range 100 {
		next = append(next, targets.File{Path: fmt.Sprintf("deploy/new/svc-%03d.json", i), Target: "ecr", Data: []byte("{}\n")})
	}
	mustWrite(t, set(root, []string{"ecr"}, first...))
	return root, set(root, []string{"ecr"}, next...)
}

// TestWriteParallel checks that Write with several workers leaves the
// same tree as with one, and that a failure on any worker still undoes
// every change the others made.
func TestWriteParallel(t *testing.T) {
	withoutTimes := func(m map[string]node) map[string]node {
		for k, n := range m {
			n.ModTime = time.Time{}
			m[k] = n
		}
		return m
	}
	rootOne, one := bigScenario(t)
	rootMany, many := bigScenario(t)
	if _, err := write(osFS{}, one, 1); err != nil {
		t.Fatal(err)
	}
	counter := &faultFS{}
	res, err := write(counter, many, maxWorkers)
	if err != nil {
		t.Fatal(err)
	}
	// The manifest is put in place after every output it names.
	var renames []string
	for _, c := range counter.calls {
		if name, ok := strings.CutPrefix(c, "rename "); ok {
			renames = append(renames, name)
		}
	}
	if len(renames) == 0 || !strings.HasSuffix(renames[len(renames)-1], ManifestPath) {
		t.Errorf("last rename is not the manifest: %v", renames[max(0, len(renames)-3):])
	}
	if len(res.Written) != 250 || len(res.Removed) != 30 {
		t.Errorf("wrote %d and removed %d files; want 250 and 30", len(res.Written), len(res.Removed))
	}
	if diff := cmp.Diff(withoutTimes(snapshot(t, rootOne)), withoutTimes(snapshot(t, rootMany))); diff != "" {
		t.Errorf("trees written by one and by %d workers differ (-one +many):\n%s", maxWorkers, diff)
	}

	// The second build rewrites 150 files in place (a createtemp and a
	// rename each) and writes 100 in a new directory (a create each, and
	// one rename of the directory): fail early, middle and last calls.
	for op, calls := range map[string][]int{
		"createtemp": {0, 1, 40, 149},
		"create":     {0, 1, 40, 99},
		"write":      {0, 1, 40, 149, 249},
		"rename":     {0, 1, 40, 149, 150},
	} {
		for _, n := range calls {
			t.Run(fmt.Sprintf("%s-%d", op, n), func(t *testing.T) {
				root, s := bigScenario(t)
				before := snapshot(t, root)
				// Fail the n-th call of op on an output under deploy/,
				// not on the manifest.
				fail := failOn(op, "/deploy/", n, syscall.ENOSPC)
				_, err := write(&faultFS{fail: fail}, s, maxWorkers)
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("error %v does not wrap ENOSPC", err)
				}
				checkUnchanged(t, root, before, err)
				if l := leftovers(t, root); len(l) > 0 {
					t.Errorf("left %v", l)
				}
			})
		}
	}
}

// TestCreateTempNames checks that temporary files are new and distinct,
// and named as the pattern says.
func TestCreateTempNames(t *testing.T) {
	dir := t.TempDir()
	seen := make(map[string]bool)
	for range 200 {
		f, err := createTemp(dir, tempPattern, outputPerm)
		if err != nil {
			t.Fatal(err)
		}
		name := f.Name()
		if err := writeClose(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		base := name[strings.LastIndexByte(name, '/')+1:]
		if !strings.HasPrefix(base, ".release-gen-") || !strings.HasSuffix(base, ".tmp") || seen[name] {
			t.Fatalf("temporary file %q: wrong name or reused", name)
		}
		seen[name] = true
	}
}
