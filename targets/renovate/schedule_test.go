package renovate

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/targets/internal/targettest"
)

var scheduleCases = []struct {
	in      string
	want    []string
	problem bool
	legacy  bool
}{
	{in: "* 0-5 * * 1", want: []string{"* 0-5 * * 1"}},
	{in: "*/1 2 * * *", want: []string{"*/1 2 * * *"}},
	{in: "At  any time", want: []string{"at any time"}},
	{in: "before 6am on Monday", want: []string{"* 0-5 * * 1"}},
	{in: "before 6:00am on monday", want: []string{"* 0-5 * * 1"}},
	{in: "before 1am", want: []string{"* 0 * * *"}},
	{in: "before 5am every day", want: []string{"* 0-4 * * *"}},
	{in: "after 11pm", want: []string{"* 23 * * *"}},
	{in: "after 10pm every weekday", want: []string{"* 22-23 * * 1-5"}},
	{in: "after 10pm and before 5am every weekday", want: []string{"* 22-23 * * 1-5", "* 0-4 * * 1-5"}},
	{in: "after 9am and before 5pm on weekdays", want: []string{"* 9-16 * * 1-5"}},
	{in: "after 10pm and before 12am", want: []string{"* 22-23 * * *"}},
	{in: "every weekend", want: []string{"* * * * 0,6"}},
	{in: "every monday", want: []string{"* * * * 1"}},
	{in: "on sunday", want: []string{"* * * * 0"}},
	{in: "on every weekday", want: []string{"* * * * 1-5"}},
	{in: "before 4am on the first day of the month", want: []string{"* 0-3 1 * *"}},
	{in: "0 3 * * 1", want: []string{"0 3 * * 1"}, problem: true},
	{in: "*/5 * * * *", want: []string{"*/5 * * * *"}, problem: true},
	{in: "before 12am", want: []string{"before 12am"}, legacy: true},
	{in: "after 10pm and before 10pm", want: []string{"after 10pm and before 10pm"}, legacy: true},
	{in: "every 2 weeks on monday", want: []string{"every 2 weeks on monday"}, legacy: true},
	{in: "before 6am on monday and tuesday", want: []string{"before 6am on monday and tuesday"}, legacy: true},
	{in: "on the 2nd day of the month", want: []string{"on the 2nd day of the month"}, legacy: true},
	{in: "before 13pm", want: []string{"before 13pm"}, legacy: true},
}

func TestConvertSchedule(t *testing.T) {
	for _, tc := range scheduleCases {
		got := convertSchedule(tc.in)
		if diff := cmp.Diff(tc.want, got.Values); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
		if (got.Problem != "") != tc.problem || got.Legacy != tc.legacy {
			t.Errorf("%q: problem %q, legacy %v", tc.in, got.Problem, got.Legacy)
		}
	}
}

// TestConvertedSchedulesValidate has Renovate's validator read every
// converted schedule: each must be cron it accepts without migration.
func TestConvertedSchedulesValidate(t *testing.T) {
	m := release()
	m.Renovate.Schedule = nil
	for _, tc := range scheduleCases {
		if !tc.problem && !tc.legacy && tc.want[0] != anyTime {
			m.Renovate.Schedule = append(m.Renovate.Schedule, tc.in)
		}
	}
	files, err := Target{}.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	targettest.Validate(t, "renovate", files[0])
}

func TestScheduleAnyTime(t *testing.T) {
	if diff := cmp.Diff([]string{"at any time"}, schedule([]string{"before 6am on monday", "at any time"})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := schedule(nil); got != nil {
		t.Errorf("no schedule: %q", got)
	}
}
