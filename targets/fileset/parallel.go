package fileset

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// batch is how many consecutive files one worker takes at a time. Files
// are sorted by path, so a batch mostly stays in one directory, where a
// second worker would only wait on the directory's lock.
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
	workers = min(workers, (n+batch-1)/batch)
	if workers <= 1 {
		for i := range n {
			if err := do(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for !failed.Load() {
				start := int(next.Add(batch)) - batch
				if start >= n {
					return
				}
				for i := start; i < min(start+batch, n); i++ {
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
