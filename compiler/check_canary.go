package compiler

import (
	"strconv"
	"strings"
	"time"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// canaryWeightsCheck enforces Flagger's traffic arithmetic: stepWeight may
// not exceed maxWeight, and maxWeight must be a multiple of stepWeight, or
// the canary reports success without ever reaching maxWeight (Flagger #189).
type canaryWeightsCheck struct{}

func (canaryWeightsCheck) Name() string { return "canary-weights" }

func (c canaryWeightsCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	forEachCanary(m, func(where string, cn *model.Canary) {
		if cn.StepWeight <= 0 || cn.MaxWeight <= 0 {
			return
		}
		pos := cn.Fields.Of("stepWeight", cn.Fields.Of("maxWeight", cn.Pos))
		switch {
		case cn.StepWeight > cn.MaxWeight:
			out = append(out, diag.Errorf(pos, c.Name(), "%s: stepWeight %d is larger than maxWeight %d: lower stepWeight", where, cn.StepWeight, cn.MaxWeight))
		case cn.MaxWeight%cn.StepWeight != 0:
			lower := cn.MaxWeight - cn.MaxWeight%cn.StepWeight
			out = append(out, diag.Errorf(pos, c.Name(), "%s: maxWeight %d is not a multiple of stepWeight %d, so traffic would stop at %d%%: use maxWeight %d or %d, or a stepWeight that divides %d", where, cn.MaxWeight, cn.StepWeight, lower, lower, lower+cn.StepWeight, cn.MaxWeight))
		}
	})
	return out
}

// canaryWebhookCheck requires the load-test webhook's timeout to be shorter
// than the analysis interval, or every check times out.
type canaryWebhookCheck struct{}

func (canaryWebhookCheck) Name() string { return "canary-webhook" }

func (c canaryWebhookCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	forEachCanary(m, func(where string, cn *model.Canary) {
		if cn.LoadTest == nil {
			return
		}
		interval, ok1 := ParseDuration(cn.Interval)
		timeout, ok2 := ParseDuration(cn.LoadTest.Timeout)
		if ok1 && ok2 && timeout >= interval {
			out = append(out, diag.Errorf(cn.LoadTest.Fields.Of("timeout", cn.LoadTest.Pos), c.Name(), "%s: loadTest.timeout %s is not shorter than the analysis interval %s: shorten the timeout or lengthen the interval", where, cn.LoadTest.Timeout, cn.Interval))
		}
	})
	return out
}

// forEachCanary visits the top-level canary and every service override
// that sets its own fields, once each.
func forEachCanary(m *model.Release, f func(where string, c *model.Canary)) {
	if m.Canary != nil {
		f("canary", m.Canary)
	}
	for _, s := range m.Services {
		if s.Canary != nil && s.Canary != m.Canary {
			f("service "+strconv.Quote(s.Name)+" canary", s.Canary)
		}
	}
}

// ParseDuration parses a Flagger duration such as "30s" or "1m".
func ParseDuration(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 {
		return 0, false
	}
	switch {
	case strings.HasSuffix(s, "s"):
		return time.Duration(n) * time.Second, true
	case strings.HasSuffix(s, "m"):
		return time.Duration(n) * time.Minute, true
	}
	return 0, false
}
