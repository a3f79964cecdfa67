package jenkins

import (
	"fmt"

	"release-gen.dev/release-gen/compiler/model"
)

// verifyOrder checks that every plan job has a stage, and that the stage
// of each job starts only once the stages of the jobs it needs have ended:
// stages in a sequence run one after the other, the branches of parallel
// and the cells of a matrix side by side.
func verifyOrder(stages []*stage, p *model.Plan) error {
	span := make(map[string][2]int, len(p.Jobs)) // job id -> start, end
	var walk func(s *stage, start int) int
	sequence := func(list []*stage, start int) int {
		for _, s := range list {
			start = walk(s, start)
		}
		return start
	}
	walk = func(s *stage, start int) int {
		end := start + 1
		switch {
		case len(s.parallel) > 0:
			for _, b := range s.parallel {
				end = max(end, walk(b, start))
			}
		case len(s.stages) > 0:
			end = sequence(s.stages, start)
		case s.matrix != nil:
			end = sequence(s.matrix.stages, start)
		}
		if s.job != "" {
			span[s.job] = [2]int{start, end}
		}
		return end
	}
	sequence(stages, 0)
	for _, j := range p.Jobs {
		at, ok := span[j.ID]
		if !ok {
			return fmt.Errorf("internal error: jenkins: job %s has no stage", j.ID)
		}
		for _, n := range j.Needs {
			if need, ok := span[n]; !ok || need[1] > at[0] {
				return fmt.Errorf("internal error: jenkins: the stage of job %s may start before the stage of %s, which it needs, has ended", j.ID, n)
			}
		}
	}
	return nil
}
