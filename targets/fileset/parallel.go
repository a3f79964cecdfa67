package fileset

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// batch is how many consecutive files one worker takes at a time.
const batch = 32

// defaultWorkers is how many goroutines Write and Check share work among:
// one per thread Go runs, at most maxWorkers.
func defaultWorkers() int { return min(runtime.GOMAXPROCS(0), maxWorkers) }

// maxWorkers bounds how many files are staged, renamed or read at once.
// Two workers creating files in different directories take about half the
// time of one; more than four gain nothing, since the filesystem
// serialises work in one directory.
const maxWorkers = 4

// parallel calls do(i) for every i in [0, n), on up to workers goroutines
// when there are enough calls to share, and returns the error of the
// lowest i that failed. Once a call has failed, batches not yet begun are
// skipped. do must be safe to call concurrently for different i.
func parallel(n, workers int, do func(i int) error) error {
	return parallelIn(n, workers, nil, do)
}

// parallelIn is parallel for calls that each work in a directory, dir(i),
// with the indices sorted so that calls in one directory are neighbours.
// Workers take batches from different directories in turn, so that two
// of them work in the same directory, and wait on its lock, only when
// there are fewer directories than workers. dir nil means one directory.
func parallelIn(n, workers int, dir func(i int) string, do func(i int) error) error {
	workers = min(workers, (n+batch-1)/batch)
	if workers <= 1 {
		for i := range n {
			if err := do(i); err != nil {
				return err
			}
		}
		return nil
	}
	runs := batches(n, dir)
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for !failed.Load() {
				b := int(next.Add(1)) - 1
				if b >= len(runs) {
					return
				}
				for i := runs[b].start; i < runs[b].end; i++ {
					if errs[i] = do(i); errs[i] != nil {
						failed.Store(true)
						break
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// A run is the indices [start, end).
type run struct{ start, end int }

// batches splits [0, n) into runs of at most batch indices in one
// directory (dir nil: all in one), and orders them so that the
// directories take turns: the first run of each directory, then the
// second of each, and so on.
func batches(n int, dir func(i int) string) []run {
	var groups [][]run
	rounds := 0
	for start := 0; start < n; {
		end := n
		if dir != nil {
			for end = start + 1; end < n && dir(end) == dir(start); end++ {
			}
		}
		var g []run
		for i := start; i < end; i += batch {
			g = append(g, run{i, min(i+batch, end)})
		}
		groups = append(groups, g)
		rounds = max(rounds, len(g))
		start = end
	}
	var out []run
	for round := range rounds {
		for _, g := range groups {
			if round < len(g) {
				out = append(out, g[round])
			}
		}
	}
	return out
}

// allHold reports whether ok(i) holds for every i in [0, n), calling it as
// parallel does; it stops early at the first that does not.
func allHold(n int, ok func(i int) bool) bool {
	return parallel(n, defaultWorkers(), func(i int) error {
		if !ok(i) {
			return errNotAll
		}
		return nil
	}) == nil
}

// errNotAll stops allHold at the first call that does not hold.
var errNotAll = errors.New("not all hold")
