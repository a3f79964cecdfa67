package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/fileset"
)

const planDoc = `Show what the spec in DIR describes: the deploy order as waves (services
in one wave deploy in parallel), the pipeline's job graph that every CI
target renders, and the files build would create, change or delete.

--format text (default), mermaid (a flowchart that renders on GitHub) or json.

Examples:
  release-gen plan
  release-gen plan --format mermaid > pipeline.md
  release-gen plan --format json | jq '.waves'`

func (c *command) newPlanCmd() *cobra.Command {
	var f compileFlags
	cmd := &cobra.Command{
		Use:   "plan [dir]",
		Short: "Show deploy waves, the job graph and the files that would change",
		Long:  planDoc,
		Args:  maxArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			switch f.format {
			case "text", "mermaid", "json":
			default:
				return &usageError{msg: fmt.Sprintf("--format %q: plan prints text, mermaid or json", f.format)}
			}
			res, set, err := c.fileSet(args, &f, false)
			if err != nil {
				return err
			}
			drifts, err := fileset.Check(set)
			if err != nil {
				return err
			}
			p := newPlanView(res.Release, drifts, func(p string) string { return relTo(c.wd, set.Root, p) })
			switch f.format {
			case "json":
				enc := json.NewEncoder(c.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			case "mermaid":
				p.mermaid(c.stdout)
			default:
				p.text(c.stdout)
			}
			return nil
		},
	}
	f.register(cmd, "text, mermaid or json")
	return cmd
}

type planView struct {
	Waves   [][]string   `json:"waves"`
	Jobs    []planJob    `json:"jobs"`
	Changes []planChange `json:"changes"`
	release *model.Release
}

type planJob struct {
	ID    string   `json:"id"`
	Kind  string   `json:"kind"`
	Needs []string `json:"needs"`
	Runs  int      `json:"runs"`
	On    string   `json:"on"`
}

type planChange struct {
	Path   string `json:"path"`
	Action string `json:"action"`
	Reason string `json:"reason"`
}

func newPlanView(m *model.Release, drifts []fileset.Drift, rel func(string) string) *planView {
	p := &planView{Waves: m.Plan.Waves, release: m, Jobs: []planJob{}, Changes: []planChange{}}
	for _, j := range m.Plan.Jobs {
		needs := j.Needs
		if needs == nil {
			needs = []string{}
		}
		p.Jobs = append(p.Jobs, planJob{ID: j.ID, Kind: string(j.Kind), Needs: needs, Runs: j.Runs(), On: string(j.On)})
	}
	for _, d := range drifts {
		action := "change"
		switch d.Kind {
		case fileset.Missing:
			action = "create"
		case fileset.Extra:
			action = "delete"
		case fileset.Unowned:
			action = "refuse"
		}
		p.Changes = append(p.Changes, planChange{Path: rel(d.Path), Action: action, Reason: d.Kind.String()})
	}
	return p
}

func (p *planView) text(w io.Writer) {
	fmt.Fprintln(w, "Deploy waves:")
	for i, wave := range p.Waves {
		fmt.Fprintf(w, "  %d. %s\n", i+1, strings.Join(wave, ", "))
	}
	fmt.Fprintln(w, "\nJobs:")
	for _, j := range p.Jobs {
		line := "  " + j.ID
		if j.Runs > 1 {
			line += fmt.Sprintf(" (x%d)", j.Runs)
		}
		if len(j.Needs) > 0 {
			line += " <- " + strings.Join(j.Needs, ", ")
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "\nFiles:")
	if len(p.Changes) == 0 {
		fmt.Fprintln(w, "  up to date")
	}
	for _, c := range p.Changes {
		fmt.Fprintf(w, "  %-6s %s (%s)\n", c.Action, c.Path, c.Reason)
	}
}

func (p *planView) mermaid(w io.Writer) {
	fmt.Fprintln(w, "```mermaid")
	fmt.Fprintln(w, "flowchart LR")
	for _, j := range p.Jobs {
		label := j.ID
		if j.Runs > 1 {
			label += fmt.Sprintf(" x%d", j.Runs)
		}
		fmt.Fprintf(w, "  %s[\"%s\"]\n", mermaidID(j.ID), label)
	}
	for _, j := range p.Jobs {
		for _, n := range j.Needs {
			fmt.Fprintf(w, "  %s --> %s\n", mermaidID(n), mermaidID(j.ID))
		}
	}
	fmt.Fprintln(w, "```")
}

// mermaidID makes a job id safe as a Mermaid node id.
func mermaidID(id string) string { return strings.ReplaceAll(id, "-", "_") }
