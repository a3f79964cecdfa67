package renovate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// anyTime is Renovate's own name for "no schedule".
const anyTime = "at any time"

// scheduleEntry is how one spec schedule entry reaches renovate.json.
type scheduleEntry struct {
	// Values are written to renovate.json in its place; a later.js range
	// across midnight becomes two cron expressions.
	Values []string
	// Problem, when set, says why Renovate rejects the entry (an error).
	Problem string
	// Legacy reports later.js text that could not be converted to cron
	// (a warning: Renovate still reads it but has deprecated it).
	Legacy bool
	// AnyTime reports Renovate's "at any time", which makes the whole
	// schedule "at any time".
	AnyTime bool
}

// schedule returns the schedule renovate.json gets for the spec's. Entries
// are alternatives, so one "at any time" (which Renovate reads only as the
// sole entry) makes the schedule just that.
func schedule(entries []string) []string {
	var out []string
	for _, s := range entries {
		e := convertSchedule(s)
		if e.AnyTime {
			return e.Values
		}
		out = append(out, e.Values...)
	}
	return out
}

// convertSchedule maps a spec schedule entry to renovate.json. Cron
// expressions pass through and must have "*" minutes, which Renovate
// requires; the common later.js forms ("before 6am on Monday", "after
// 10pm and before 5am every weekday", "every weekend") become the
// equivalent cron expressions; other text passes through unchanged.
func convertSchedule(s string) scheduleEntry {
	if isCron(s) {
		e := scheduleEntry{Values: []string{s}}
		if f := strings.Fields(s); f[0] != "*" && f[0] != "*/1" {
			e.Problem = fmt.Sprintf("renovate schedule %q has cron minutes %q: Renovate schedules by the hour and requires \"*\" minutes, e.g. %q",
				s, f[0], "* "+strings.Join(f[1:], " "))
		}
		return e
	}
	if strings.EqualFold(strings.Join(strings.Fields(s), " "), anyTime) {
		return scheduleEntry{Values: []string{anyTime}, AnyTime: true}
	}
	if c, ok := laterToCron(s); ok {
		return scheduleEntry{Values: c}
	}
	return scheduleEntry{Values: []string{s}, Legacy: true}
}

// cronField is a minute, hour or day-of-month field of a cron expression.
var cronField = regexp.MustCompile(`^[0-9*,/?LW-]+$`)

// isCron reports whether s has the shape of a five-field cron expression.
func isCron(s string) bool {
	f := strings.Fields(s)
	return len(f) == 5 && cronField.MatchString(f[0]) && cronField.MatchString(f[1]) && cronField.MatchString(f[2])
}

var (
	laterHour = regexp.MustCompile(`^(1[0-2]|[1-9])(?::00)?(am|pm)$`)
	laterDays = map[string]string{
		"day": "*", "weekday": "1-5", "weekend": "0,6",
		"sunday": "0", "monday": "1", "tuesday": "2", "wednesday": "3",
		"thursday": "4", "friday": "5", "saturday": "6",
	}
	firstOfMonth = []string{"on", "the", "first", "day", "of", "the", "month"}
)

// laterToCron converts later.js text of the forms
//
//	[before <h> | after <h> | after <h> and before <h>] [on|every|on every <day> | on the first day of the month]
//
// where <h> is 1am to 12pm and <day> a day name, "weekday", "weekend" or
// "day", to cron: "before 6am on Monday" is "* 0-5 * * 1"; a range across
// midnight is two expressions. ok is false for anything else.
func laterToCron(s string) (cron []string, ok bool) {
	words := strings.Fields(strings.ToLower(s))
	if len(words) == 0 {
		return nil, false
	}
	hours, words, ok := laterHours(words)
	if !ok {
		return nil, false
	}
	dom, dow := "*", "*"
	switch {
	case len(words) == 0:
	case slices.Equal(words, firstOfMonth):
		dom = "1"
	case len(words) == 2 && (words[0] == "on" || words[0] == "every"),
		len(words) == 3 && words[0] == "on" && words[1] == "every":
		d, known := laterDays[strings.TrimSuffix(words[len(words)-1], "s")]
		if !known {
			return nil, false
		}
		dow = d
	default:
		return nil, false
	}
	for _, h := range hours {
		cron = append(cron, "* "+h+" "+dom+" * "+dow)
	}
	return cron, true
}

// laterHours reads an optional time clause at the start of words and
// returns the cron hour fields it allows and the words after it.
func laterHours(words []string) (hours, rest []string, ok bool) {
	clause := func(w []string, kind string) (int, bool) {
		if len(w) < 2 || w[0] != kind {
			return 0, false
		}
		h, ok := hour(w[1])
		return h, ok
	}
	after, isAfter := clause(words, "after")
	switch {
	case isAfter && len(words) >= 4 && words[2] == "and":
		before, ok := clause(words[3:], "before")
		switch {
		case !ok || after == before:
			return nil, nil, false
		case after < before:
			return []string{hourRange(after, before-1)}, words[5:], true
		case before == 0:
			return []string{hourRange(after, 23)}, words[5:], true
		}
		return []string{hourRange(after, 23), hourRange(0, before-1)}, words[5:], true
	case isAfter:
		return []string{hourRange(after, 23)}, words[2:], true
	}
	if before, ok := clause(words, "before"); ok {
		if before == 0 {
			return nil, nil, false
		}
		return []string{hourRange(0, before-1)}, words[2:], true
	}
	if len(words) > 0 && (words[0] == "before" || words[0] == "after") {
		return nil, nil, false
	}
	return []string{"*"}, words, true
}

// hour returns the hour of the day (0-23) of "6am", "6:00am" or "12pm".
func hour(w string) (int, bool) {
	m := laterHour.FindStringSubmatch(w)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	h %= 12
	if m[2] == "pm" {
		h += 12
	}
	return h, true
}

func hourRange(from, to int) string {
	if from == to {
		return strconv.Itoa(from)
	}
	return strconv.Itoa(from) + "-" + strconv.Itoa(to)
}
