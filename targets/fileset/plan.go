package fileset

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
)

// reasonSymlink is the problem reported for a symbolic link on a path.
const reasonSymlink = "is a symbolic link; release-gen never writes through one"

// A plannedFile is a file to be written, with what is on disk at its path.
type plannedFile struct {
	path   string
	data   []byte
	target string
	// exists reports whether a regular file is at path; disk and perm are
	// its contents and permissions.
	exists bool
	disk   []byte
	perm   fs.FileMode
	// mkdirs are the missing directories above path, outermost first.
	mkdirs []string
	// afterPrune is set when mkdirs[0] is now a file that is being pruned,
	// so the directories can be made only after the prune.
	afterPrune bool
	// recorded is the manifest's sha256 for path, if inManifest.
	inManifest bool
	recorded   string
	// temp is the temporary file holding data during Write.
	temp string
}

// unchanged reports whether the file on disk already has the new content.
func (f *plannedFile) unchanged() bool { return f.exists && bytes.Equal(f.disk, f.data) }

// A plannedPrune is a file in the previous manifest that is no longer
// generated and exists on disk.
type plannedPrune struct {
	entry ManifestFile
	disk  []byte
	perm  fs.FileMode
	// edited reports whether the contents differ from what the manifest
	// recorded.
	edited bool
}

// A planner inspects the output tree, caching what it has seen and
// collecting problems.
type planner struct {
	fsys  fileSystem
	root  string
	stats map[string]lstatResult
	probs []Problem
}

type lstatResult struct {
	info fs.FileInfo
	err  error
}

// abs turns a slash-separated path relative to the root into a file name.
func (p *planner) abs(rel string) string {
	return filepath.Join(p.root, filepath.FromSlash(rel))
}

// lstat is Lstat of rel, remembered for the life of the planner.
func (p *planner) lstat(rel string) (fs.FileInfo, error) {
	if r, ok := p.stats[rel]; ok {
		return r.info, r.err
	}
	info, err := p.fsys.Lstat(p.abs(rel))
	p.stats[rel] = lstatResult{info, err}
	return info, err
}

// problem records a problem with rel, unless one is already recorded: a
// path that blocks several files is reported once.
func (p *planner) problem(rel, reason string) {
	for _, prob := range p.probs {
		if prob.Path == rel {
			return
		}
	}
	p.probs = append(p.probs, Problem{Path: rel, Reason: reason})
}

// walkDirs checks the directories above rel, outermost first, and returns
// those that do not exist yet. A directory that is now a file being pruned
// counts as missing. It returns ok false after recording a problem: a
// symbolic link, or a file where a directory is needed.
func (p *planner) walkDirs(rel string, pruned map[string]bool) (missing []string, ok bool, err error) {
	dirs := ancestors(rel)
	for i, d := range dirs {
		info, err := p.lstat(d)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return dirs[i:], true, nil
		case err != nil:
			return nil, false, err
		case info.Mode()&fs.ModeSymlink != 0:
			p.problem(d, reasonSymlink)
		case info.IsDir():
			continue
		case pruned[d]:
			return dirs[i:], true, nil
		case info.Mode().IsRegular():
			p.problem(d, "is a file, but release-gen needs a directory there to write "+rel)
		default:
			p.problem(d, "is not a directory, but release-gen needs one there to write "+rel)
		}
		return nil, false, nil
	}
	return nil, true, nil
}

// planFile looks at what is on disk where data is to be written. It
// returns nil after recording a problem.
func (p *planner) planFile(rel string, data []byte, pruned map[string]bool) (*plannedFile, error) {
	f, err := p.planDirs(rel, data, pruned)
	if err != nil || f == nil || len(f.mkdirs) > 0 {
		return f, err
	}
	problem, err := p.inspect(f)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		p.problem(rel, problem)
		return nil, nil
	}
	return f, nil
}

// planDirs checks the directories above rel for a file to hold data and
// returns its plan so far: the directories to make. It returns nil after
// recording a problem.
func (p *planner) planDirs(rel string, data []byte, pruned map[string]bool) (*plannedFile, error) {
	missing, ok, err := p.walkDirs(rel, pruned)
	if err != nil || !ok {
		return nil, err
	}
	f := &plannedFile{path: rel, data: data, mkdirs: missing}
	if len(missing) > 0 {
		f.afterPrune = pruned[missing[0]]
	}
	return f, nil
}

// inspect looks at what stands at the path of f, whose directories exist,
// and reads it when it is a regular file. It returns the problem with
// anything else standing there. It records nothing in the planner, so
// files can be inspected side by side.
func (p *planner) inspect(f *plannedFile) (problem string, err error) {
	name := p.abs(f.path)
	info, err := p.fsys.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	case info.Mode()&fs.ModeSymlink != 0:
		return reasonSymlink, nil
	case info.IsDir():
		return "is a directory, but release-gen needs to write a file there", nil
	case !info.Mode().IsRegular():
		return "is not a regular file, but release-gen needs to write one there", nil
	}
	disk, err := p.fsys.ReadFile(name)
	if err != nil {
		return "", err
	}
	f.exists, f.disk, f.perm = true, disk, info.Mode().Perm()
	return "", nil
}

// readRegular returns the contents of the regular file at rel, or nil when
// there is none; planFile reports anything else standing there.
func (p *planner) readRegular(rel string) ([]byte, error) {
	if _, ok, err := p.walkDirs(rel, nil); err != nil || !ok {
		return nil, err
	}
	info, err := p.lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil || !info.Mode().IsRegular() {
		return nil, err
	}
	return p.fsys.ReadFile(p.abs(rel))
}

// planPrune looks at the file a manifest entry names. It returns nil when
// there is nothing to delete: the file is gone, or something that is not a
// regular file stands in its place and is left alone.
func (p *planner) planPrune(e ManifestFile) (*plannedPrune, error) {
	for _, d := range ancestors(e.Path) {
		info, err := p.lstat(d)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil
		case err != nil:
			return nil, err
		case info.Mode()&fs.ModeSymlink != 0:
			p.problem(d, reasonSymlink)
			return nil, nil
		case !info.IsDir():
			return nil, nil
		}
	}
	info, err := p.lstat(e.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		p.problem(e.Path, reasonSymlink)
		return nil, nil
	case !info.Mode().IsRegular():
		return nil, nil
	}
	disk, err := p.fsys.ReadFile(p.abs(e.Path))
	if err != nil {
		return nil, err
	}
	return &plannedPrune{
		entry:  e,
		disk:   disk,
		perm:   info.Mode().Perm(),
		edited: sum(normalizeEOL(disk)) != e.SHA256,
	}, nil
}

// A plan is what Write would do, worked out without changing anything.
type plan struct {
	*planner
	// manifestDisk is the manifest file's contents, nil when there is none.
	manifestDisk []byte
	// files are the new files, sorted by path.
	files []*plannedFile
	// prunes are the files to delete, sorted by path.
	prunes []*plannedPrune
	// pruned holds the paths of prunes.
	pruned map[string]bool
	// next is the manifest to write.
	next *Manifest
	// attributes is the .gitattributes file's contents, nil when the Set
	// does not maintain it.
	attributes []byte
}

type internalFile struct {
	path string
	data []byte
}

// internalFiles are the bookkeeping files Write keeps besides the outputs,
// the manifest last.
func internalFiles(pl *plan) []internalFile {
	files := []internalFile{{gitignorePath, []byte(gitignoreContent)}}
	if pl.attributes != nil {
		files = append(files, internalFile{AttributesPath, pl.attributes})
	}
	return append(files, internalFile{ManifestPath, EncodeManifest(pl.next)})
}

// makePlan inspects the tree for s, which checkSet has accepted. Problems
// that block any write (symbolic links, files where directories are
// needed and the like) are collected in the plan; ownership is left to the
// caller. With force, a corrupt manifest is treated as absent. Files are
// read on up to workers goroutines.
func makePlan(fsys fileSystem, s Set, force bool, workers int) (*plan, error) {
	p := &planner{fsys: fsys, root: s.Root, stats: make(map[string]lstatResult)}
	prev, manifestDisk, err := readManifest(fsys, s.Root)
	var merr *ManifestError
	if errors.As(err, &merr) && force {
		prev, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	pl := &plan{planner: p, manifestDisk: manifestDisk, pruned: make(map[string]bool)}

	selected := make(map[string]bool)
	for _, t := range s.Targets {
		selected[t] = true
	}
	generated := make(map[string]bool)
	for _, f := range s.Files {
		generated[f.Path] = true
	}
	recorded := make(map[string]string)
	pl.next = &Manifest{Generator: s.Generator, SpecHash: s.SpecHash, Files: []ManifestFile{}, Targets: make(map[string]string)}
	if prev != nil {
		for t, h := range prev.Targets {
			pl.next.Targets[t] = h
		}
		for _, e := range prev.Files {
			recorded[e.Path] = e.SHA256
			switch {
			case generated[e.Path]:
				// Replaced below.
			case !selected[e.Target]:
				pl.next.Files = append(pl.next.Files, e)
			default:
				pr, err := p.planPrune(e)
				if err != nil {
					return nil, err
				}
				if pr != nil {
					pl.prunes = append(pl.prunes, pr)
					pl.pruned[e.Path] = true
				}
			}
		}
	}

	for _, t := range s.Targets {
		pl.next.Targets[t] = s.SpecHash
	}
	files := append(s.Files[:0:0], s.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	// The directories first, one file after another: files share them,
	// and the planner remembers what it has seen. Then each file's hash
	// and what stands at its path, several files at once.
	planned := make([]*plannedFile, len(files))
	for i, f := range files {
		if planned[i], err = p.planDirs(f.Path, f.Data, pl.pruned); err != nil {
			return nil, err
		}
	}
	sums := make([]string, len(files))
	problems := make([]string, len(files))
	dir := func(i int) string { return path.Dir(files[i].Path) }
	err = parallelIn(len(files), workers, dir, func(i int) error {
		sums[i] = sum(files[i].Data)
		if pf := planned[i]; pf != nil && len(pf.mkdirs) == 0 {
			var err error
			problems[i], err = p.inspect(pf)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		pl.next.Files = append(pl.next.Files, ManifestFile{Path: f.Path, Target: f.Target, SHA256: sums[i]})
		pf := planned[i]
		switch {
		case problems[i] != "":
			p.problem(f.Path, problems[i])
		case pf != nil:
			pf.target = f.Target
			pf.recorded, pf.inManifest = recorded[f.Path]
			pl.files = append(pl.files, pf)
		}
	}
	sort.Slice(pl.next.Files, func(i, j int) bool { return pl.next.Files[i].Path < pl.next.Files[j].Path })
	if s.GitAttributes {
		existing, err := p.readRegular(AttributesPath)
		if err != nil {
			return nil, err
		}
		paths := make([]string, len(pl.next.Files))
		for i, e := range pl.next.Files {
			paths[i] = e.Path
		}
		pl.attributes = mergeAttributes(existing, paths)
	}
	sort.Slice(pl.prunes, func(i, j int) bool { return pl.prunes[i].entry.Path < pl.prunes[j].entry.Path })
	return pl, nil
}
