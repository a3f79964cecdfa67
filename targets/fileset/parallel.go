package fileset

import (
	"sync"
	"sync/atomic"
)

// batch is how many consecutive files one worker takes at a time. Files
// are sorted by path, so a batch mostly stays in one directory, where a
// second worker would only wait on the directory's lock.
const batch = 32

// each calls do(i) for every i in [0, n), on up to t.workers goroutines
// when there are enough calls to share, and returns the error of the
// lowest i that failed. Once a call has failed, batches not yet begun are
// skipped. do must be safe to call concurrently for different i.
func (t *txn) each(n int, do func(i int) error) error {
	workers := min(t.workers, (n+batch-1)/batch)
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
