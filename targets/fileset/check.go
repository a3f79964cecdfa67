package fileset

import (
	"bytes"
	"fmt"
	"sort"
)

// A DriftKind says how a file on disk differs from what a build would
// write.
type DriftKind int

// The kinds of drift.
const (
	// Missing: the file is generated but not on disk.
	Missing DriftKind = iota + 1
	// HandEdited: the file on disk differs from what the manifest records
	// release-gen wrote; someone edited it.
	HandEdited
	// Stale: the file on disk is what release-gen wrote, but the spec or
	// the generator has changed since and it would now be different.
	Stale
	// Unowned: a file release-gen did not write is where an output goes;
	// build refuses to overwrite it without --force.
	Unowned
	// Extra: release-gen wrote the file for a selected target, but no
	// longer generates it; build would delete it.
	Extra
	// ManifestStale: every file is as it should be, but the manifest would
	// change, e.g. because the spec hash or the generator version did.
	ManifestStale
	// AttributesStale: release-gen's block in .gitattributes does not list
	// the generated files.
	AttributesStale
)

// String returns the kind's name as shown to users, e.g. "hand-edited".
func (k DriftKind) String() string {
	switch k {
	case Missing:
		return "missing"
	case HandEdited:
		return "hand-edited"
	case Stale:
		return "stale"
	case Unowned:
		return "unowned"
	case Extra:
		return "extra"
	case ManifestStale:
		return "manifest-stale"
	case AttributesStale:
		return "gitattributes-stale"
	}
	return fmt.Sprintf("DriftKind(%d)", int(k))
}

// A Drift is one difference between the output tree and what a build would
// write.
type Drift struct {
	// Path is slash-separated and relative to the output root; for
	// ManifestStale it is ManifestPath.
	Path string
	Kind DriftKind
	// Diff is a unified diff from the file on disk (with CRLF line endings
	// read as LF) to what a build would write: from /dev/null when the
	// file is Missing, empty for Extra.
	Diff string
	// Target is the target that generates, or generated, the file; empty
	// for ManifestStale.
	Target string
}

// Fix returns the action that resolves the drift, for users.
func (d Drift) Fix() string {
	switch d.Kind {
	case HandEdited:
		return "move your change into the spec, then run `release-gen build` (the file is generated)"
	case Unowned:
		return "move the file away or run `release-gen build --force`"
	}
	return "run `release-gen build`"
}

// Check compares the tree at s.Root with what Write(s) would produce and
// returns the differences, sorted by path. It writes nothing and ignores
// s.Force. Files are compared with CRLF line endings on disk read as LF,
// so a CRLF checkout shows no drift. ManifestStale is reported only when
// there is no other drift, since any build that fixes one rewrites the
// manifest too.
//
// Check returns a *ManifestError for a corrupt manifest and a
// *RefusedError for problems that would make Write fail whatever it
// overwrites: invalid paths, symbolic links, a directory where a file goes
// and the like.
func Check(s Set) ([]Drift, error) {
	return check(osFS{}, s)
}

func check(fsys fileSystem, s Set) ([]Drift, error) {
	if err := checkSet(s); err != nil {
		return nil, err
	}
	pl, err := makePlan(fsys, s, false, defaultWorkers())
	if err != nil {
		return nil, err
	}
	if len(pl.probs) > 0 {
		return nil, newRefusal(pl.probs)
	}
	drifts := []Drift{}
	for _, f := range pl.files {
		if !f.exists {
			drifts = append(drifts, Drift{
				Path:   f.path,
				Kind:   Missing,
				Diff:   unifiedDiff("/dev/null", "b/"+f.path, nil, f.data),
				Target: f.target,
			})
			continue
		}
		disk := normalizeEOL(f.disk)
		if bytes.Equal(disk, f.data) {
			continue
		}
		kind := Unowned
		switch {
		case f.inManifest && sum(disk) == f.recorded:
			kind = Stale
		case f.inManifest:
			kind = HandEdited
		case hasMarker(disk):
			// Written by release-gen, but with no record of what it wrote:
			// treat it as out of date rather than edited.
			kind = Stale
		}
		drifts = append(drifts, Drift{
			Path:   f.path,
			Kind:   kind,
			Diff:   unifiedDiff("a/"+f.path, "b/"+f.path, disk, f.data),
			Target: f.target,
		})
	}
	for _, pr := range pl.prunes {
		drifts = append(drifts, Drift{Path: pr.entry.Path, Kind: Extra, Target: pr.entry.Target})
	}
	if pl.attributes != nil {
		disk, err := pl.readRegular(AttributesPath)
		if err != nil {
			return nil, err
		}
		if have := normalizeEOL(disk); !bytes.Equal(have, normalizeEOL(pl.attributes)) {
			from := "a/" + AttributesPath
			if disk == nil {
				from = "/dev/null"
			}
			drifts = append(drifts, Drift{Path: AttributesPath, Kind: AttributesStale,
				Diff: unifiedDiff(from, "b/"+AttributesPath, have, normalizeEOL(pl.attributes))})
		}
	}
	if len(drifts) == 0 {
		want := EncodeManifest(pl.next)
		if have := normalizeEOL(pl.manifestDisk); !bytes.Equal(have, want) {
			from := "a/" + ManifestPath
			if pl.manifestDisk == nil {
				from = "/dev/null"
			}
			drifts = append(drifts, Drift{
				Path: ManifestPath,
				Kind: ManifestStale,
				Diff: unifiedDiff(from, "b/"+ManifestPath, have, want),
			})
		}
	}
	sort.Slice(drifts, func(i, j int) bool { return drifts[i].Path < drifts[j].Path })
	return drifts, nil
}
