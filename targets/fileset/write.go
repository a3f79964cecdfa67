package fileset

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"release-gen.dev/release-gen/targets"
)

// A Set is the complete output of one build of some targets.
type Set struct {
	// Root is the output directory. Write creates it if it is missing.
	Root string
	// Files are the generated files. Every file's Target must be in
	// Targets.
	Files []targets.File
	// Targets are the targets being written this run. Only their files are
	// pruned and only their manifest entries replaced; the files and
	// entries of other targets are left as they are.
	Targets []string
	// Generator is the release-gen version, recorded in the manifest.
	Generator string
	// SpecHash is SpecHash of the spec inputs, recorded in the manifest.
	SpecHash string
	// GitAttributes makes Write keep a marked block in .gitattributes that
	// marks every generated file linguist-generated and gitlab-generated;
	// the rest of that file is never touched.
	GitAttributes bool
	// Force lets Write overwrite files release-gen did not write, delete
	// pruned files that were edited by hand, and replace a corrupt
	// manifest. It never makes Write follow a symbolic link.
	Force bool
}

// A Result says what Write did. Paths are sorted.
type Result struct {
	// Written are the files created or replaced.
	Written []string
	// Unchanged are the files that already had the right contents and were
	// not touched.
	Unchanged []string
	// Removed are the files pruned: written by an earlier build of a
	// selected target and no longer generated.
	Removed []string
	// ManifestWritten reports whether the manifest changed.
	ManifestWritten bool
}

// Write brings the tree at s.Root in line with s, all or nothing.
//
// Before changing anything it works out every change and every reason to
// refuse, and returns a *RefusedError listing all of them if there is any:
// a file in the way that release-gen did not write (not in the manifest, no
// generated-file header in its first three lines, different contents) and
// no Force; a file to prune that was edited since it was written and no
// Force; a symbolic link on any path it would touch; a file where a
// directory is needed or a directory where a file is needed. A corrupt
// manifest is a *ManifestError; with Force it is replaced by one that
// lists only the files written in this run.
//
// It then writes each changed file to a temporary file in its directory,
// or, under a directory that does not exist yet, into a temporary
// directory built whole for it; syncs them all (on Linux with one syncfs
// of the filesystem); renames each file or built directory into place, a
// few at once when there are many; deletes pruned files and any
// directories that leaves empty; and puts the manifest in place last.
// Once done, it removes the temporary files and directories an
// interrupted build left where outputs go. Files whose contents are
// byte-for-byte unchanged are not touched; a file that differs only in
// CRLF line endings is rewritten with the generated LF ones. New files get
// mode 0644 and new directories 0755. If any step fails, every change
// already made is undone, so the tree is as it was.
//
// Write holds an exclusive lock on .release-gen/lock while it runs, so
// concurrent builds of one tree run one after the other.
func Write(s Set) (*Result, error) {
	return write(osFS{}, s, defaultWorkers())
}

// write is Write on fsys, staging and renaming files on up to workers
// goroutines.
func write(fsys fileSystem, s Set, workers int) (res *Result, err error) {
	if err := checkSet(s); err != nil {
		return nil, err
	}
	_, statErr := fsys.Lstat(s.Root)
	createdRoot := errors.Is(statErr, fs.ErrNotExist)
	if err := fsys.MkdirAll(s.Root, 0o755); err != nil {
		return nil, err
	}
	state := filepath.Join(s.Root, stateDir)
	unlock, createdState, err := acquire(fsys, s.Root)
	defer func() {
		if unlock != nil {
			if uerr := unlock(); uerr != nil {
				err = errors.Join(err, fmt.Errorf("release the lock: %w", uerr))
			}
		}
		if err != nil {
			// Take away what this call created. Remove fails, as it should,
			// on a directory something else has put files in since.
			if createdState {
				_ = fsys.Remove(state)
			}
			if createdRoot {
				_ = fsys.Remove(s.Root)
			}
		}
	}()
	if err != nil {
		return nil, err
	}

	pl, err := makePlan(fsys, s, s.Force, workers)
	if err != nil {
		return nil, err
	}
	var changed []*plannedFile
	res = &Result{Written: []string{}, Unchanged: []string{}, Removed: []string{}}
	for _, f := range pl.files {
		switch {
		case f.unchanged():
			res.Unchanged = append(res.Unchanged, f.path)
			continue
		case f.exists && !f.inManifest && !hasMarker(f.disk) && !s.Force:
			pl.problem(f.path, "exists and was not written by release-gen (it is not in "+ManifestPath+
				" and has no generated-file header); move it away, or pass --force to overwrite it")
		}
		changed = append(changed, f)
		res.Written = append(res.Written, f.path)
	}
	for _, pr := range pl.prunes {
		if pr.edited && !s.Force {
			pl.problem(pr.entry.Path, "is no longer generated, but it was edited after release-gen wrote it;"+
				" move it away, or pass --force to delete it")
		}
		res.Removed = append(res.Removed, pr.entry.Path)
	}
	var internal []*plannedFile
	for _, f := range internalFiles(pl) {
		pf, err := pl.planFile(f.path, f.data, nil)
		if err != nil {
			return nil, err
		}
		if pf != nil && !pf.unchanged() {
			internal = append(internal, pf)
			res.ManifestWritten = res.ManifestWritten || f.path == ManifestPath
		}
	}
	if len(pl.probs) > 0 {
		return nil, newRefusal(pl.probs)
	}

	protected := map[string]bool{stateDir: true}
	for _, f := range s.Files {
		for _, d := range ancestors(f.Path) {
			protected[d] = true
		}
	}
	t := &txn{plan: pl, workers: workers}
	if err := t.commit(changed, internal, protected); err != nil {
		if rbErr := t.rollback(); rbErr != nil {
			kept := ""
			if t.staging != "" {
				kept = " (earlier contents are kept in " + t.staging + ")"
			}
			return nil, fmt.Errorf("write outputs: %w; undoing the changes also failed, so the output tree is partly written%s: %v",
				err, kept, rbErr)
		}
		return nil, fmt.Errorf("write outputs: %w (every change was undone)", err)
	}
	t.cleanup()
	dirs := []string{""} // the root; protected holds stateDir and the others
	for d := range protected {
		dirs = append(dirs, d)
	}
	removeLeftovers(fsys, s.Root, dirs)
	return res, nil
}

// removeLeftovers removes what interrupted builds left in the directories
// dirs under root: the temporary files and directories Write stages
// outputs in, named as tempPattern with a number. Write holds the lock,
// so no other build is using them. It does what it can: anything it
// cannot remove stays for the next build to try again.
func removeLeftovers(fsys fileSystem, root string, dirs []string) {
	for _, d := range dirs {
		dir := filepath.Join(root, filepath.FromSlash(d))
		entries, err := fsys.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if isTempName(e.Name()) {
				_ = fsys.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
}

// isTempName reports whether name is one Write gives a temporary file or
// directory: tempPattern with a decimal number for its "*".
func isTempName(name string) bool {
	prefix, suffix, _ := strings.Cut(tempPattern, "*")
	number, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return false
	}
	number, ok = strings.CutSuffix(number, suffix)
	return ok && number != "" && strings.Trim(number, "0123456789") == ""
}

// acquire makes sure root holds the .release-gen directory and takes the
// lock in it. It reports whether it created the directory.
func acquire(fsys fileSystem, root string) (unlock func() error, created bool, err error) {
	state := filepath.Join(root, stateDir)
	for attempt := 0; ; attempt++ {
		info, err := fsys.Lstat(state)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			err = fsys.Mkdir(state, 0o755)
			if err == nil {
				created = true
			} else if !errors.Is(err, fs.ErrExist) {
				return nil, created, err
			}
		case err != nil:
			return nil, created, err
		case info.Mode()&fs.ModeSymlink != 0:
			return nil, created, newRefusal([]Problem{{stateDir, reasonSymlink}})
		case !info.IsDir():
			return nil, created, newRefusal([]Problem{{stateDir, "is not a directory; release-gen keeps its manifest in a directory there"}})
		}
		unlock, err = fsys.Lock(filepath.Join(root, filepath.FromSlash(lockPath)))
		// A concurrent build that failed may have removed the directory it
		// had created; make it again.
		if errors.Is(err, fs.ErrNotExist) && attempt < 10 {
			continue
		}
		return unlock, created, err
	}
}

// A txn applies a plan, remembering how to undo each step.
type txn struct {
	*plan
	// staging is the directory under .release-gen holding backups of the
	// files replaced or deleted, made when the first one is needed.
	staging string
	// scratch are the files in staging.
	scratch []string
	// backups maps a path to its backup in staging.
	backups map[string]string
	// undo holds the inverse of each step taken, in order.
	undo []func() error
	// workers is how many files at most are staged or renamed at once.
	workers int
}

// commit makes the changes. Everything that can be done without changing
// what is visible at the output paths (backups, new directories,
// temporary files) is done first.
func (t *txn) commit(changed, internal []*plannedFile, protected map[string]bool) error {
	all := append(append([]*plannedFile{}, changed...), internal...)
	for _, f := range all {
		if f.exists {
			if err := t.backup(f.path, f.disk, f.perm); err != nil {
				return err
			}
		}
	}
	for _, pr := range t.prunes {
		if err := t.backup(pr.entry.Path, pr.disk, pr.perm); err != nil {
			return err
		}
	}
	files, trees := splitTrees(changed)
	var early, late []*newTree
	for _, tr := range trees {
		if tr.afterPrune {
			late = append(late, tr)
		} else {
			early = append(early, tr)
		}
	}
	if err := t.stageFiles(append(files, internal...)); err != nil {
		return err
	}
	if err := t.stageTrees(early); err != nil {
		return err
	}

	for _, pr := range t.prunes {
		name, backup := t.abs(pr.entry.Path), t.backups[pr.entry.Path]
		if err := t.fsys.Remove(name); err != nil {
			return err
		}
		t.undo = append(t.undo, func() error { return t.fsys.Rename(backup, name) })
	}
	t.removeEmptyDirs(protected)
	if err := t.stageTrees(late); err != nil {
		return err
	}
	temps := make([]string, len(all))
	for i, f := range all {
		temps[i] = f.temp
	}
	if err := t.fsys.SyncFiles(t.root, temps); err != nil {
		return err
	}
	// The manifest and the other internal files go last, so that they
	// never name contents not yet in place.
	moves := make([]move, 0, len(files)+len(trees))
	for _, f := range files {
		moves = append(moves, move{from: f.temp, to: t.abs(f.path), backup: t.backups[f.path]})
	}
	for _, tr := range trees {
		moves = append(moves, move{from: tr.temp, to: t.abs(tr.dir), tree: true})
	}
	if err := t.move(moves); err != nil {
		return err
	}
	moves = moves[:0]
	for _, f := range internal {
		moves = append(moves, move{from: f.temp, to: t.abs(f.path), backup: t.backups[f.path]})
	}
	return t.move(moves)
}

// A newTree is a directory that does not exist yet, with the files to be
// written under it. It is built under a temporary name beside where it
// belongs and renamed into place in one step: a build into an empty
// directory renames a few directories instead of every file.
type newTree struct {
	// dir is its path.
	dir string
	// afterPrune is set when a file being pruned is now at dir.
	afterPrune bool
	files      []*plannedFile
	// temp is the temporary directory it is built in.
	temp string
}

// splitTrees separates the files whose directory exists from those under
// a directory to be made, which it groups by the outermost such directory.
func splitTrees(changed []*plannedFile) (files []*plannedFile, trees []*newTree) {
	byDir := make(map[string]*newTree)
	for _, f := range changed {
		if len(f.mkdirs) == 0 {
			files = append(files, f)
			continue
		}
		tr := byDir[f.mkdirs[0]]
		if tr == nil {
			tr = &newTree{dir: f.mkdirs[0], afterPrune: f.afterPrune}
			byDir[tr.dir] = tr
			trees = append(trees, tr)
		}
		tr.files = append(tr.files, f)
	}
	return files, trees
}

// A move puts a staged file or tree into place.
type move struct {
	// from and to are file names; backup is where the file that was at to
	// is kept, if there was one.
	from, to, backup string
	// tree is set for a directory.
	tree bool
}

// move makes the moves, several at once when there are many.
func (t *txn) move(moves []move) error {
	moved := make([]bool, len(moves))
	dir := func(i int) string { return filepath.Dir(moves[i].to) }
	err := parallelIn(len(moves), t.workers, dir, func(i int) error {
		if err := t.fsys.Rename(moves[i].from, moves[i].to); err != nil {
			return err
		}
		moved[i] = true
		return nil
	})
	for i, m := range moves {
		switch {
		case !moved[i]:
		case m.backup != "":
			t.undo = append(t.undo, func() error { return t.fsys.Rename(m.backup, m.to) })
		case m.tree:
			// Back to its temporary name, which the earlier steps' undo
			// then empties and removes.
			t.undo = append(t.undo, func() error { return t.fsys.Rename(m.to, m.from) })
		default:
			t.undo = append(t.undo, func() error { return t.fsys.Remove(m.to) })
		}
	}
	return err
}

// backup keeps the current file at rel in the staging directory: a hard
// link where the filesystem allows one, otherwise a copy of disk.
func (t *txn) backup(rel string, disk []byte, perm fs.FileMode) error {
	if t.staging == "" {
		dir, err := t.fsys.MkdirTemp(t.abs(stateDir), "txn-*.tmp")
		if err != nil {
			return err
		}
		t.staging = dir
		t.backups = make(map[string]string)
	}
	name := filepath.Join(t.staging, strconv.Itoa(len(t.scratch)))
	if err := t.fsys.Link(t.abs(rel), name); err == nil {
		t.scratch = append(t.scratch, name)
		t.backups[rel] = name
		return nil
	}
	// No hard link (another filesystem, or none supported): copy instead.
	f, err := t.fsys.CreateTemp(t.staging, "copy-*", 0o600)
	if err != nil {
		return err
	}
	t.scratch = append(t.scratch, f.Name())
	if err := writeSynced(f, disk, perm); err != nil {
		return fmt.Errorf("back up %s: %w", rel, err)
	}
	t.backups[rel] = f.Name()
	return nil
}

// stageFiles writes the contents of each file, whose directory exists, to
// a temporary file beside it.
func (t *txn) stageFiles(files []*plannedFile) error {
	dir := func(i int) string { return filepath.Dir(files[i].path) }
	err := parallelIn(len(files), t.workers, dir, func(i int) error {
		f := files[i]
		tmp, err := t.fsys.CreateTemp(filepath.Dir(t.abs(f.path)), tempPattern, outputPerm)
		if err != nil {
			return err
		}
		f.temp = tmp.Name()
		return fill(f, tmp)
	})
	for _, f := range files {
		if f.temp != "" {
			t.undo = append(t.undo, func() error { return removeIfExists(t.fsys, f.temp) })
		}
	}
	return err
}

// stageTrees builds each tree in a new temporary directory beside where it
// belongs: its directories, then its files under their own names.
func (t *txn) stageTrees(trees []*newTree) error {
	var files []*plannedFile
	for _, tr := range trees {
		temp, err := t.mkdirTemp(filepath.Dir(t.abs(tr.dir)))
		if err != nil {
			return err
		}
		tr.temp = temp
		made := map[string]bool{tr.dir: true}
		for _, f := range tr.files {
			for _, d := range f.mkdirs[1:] {
				if made[d] {
					continue
				}
				name := filepath.Join(temp, filepath.FromSlash(d[len(tr.dir)+1:]))
				if err := t.fsys.Mkdir(name, 0o755); err != nil {
					return err
				}
				made[d] = true
				t.undo = append(t.undo, func() error { return t.fsys.Remove(name) })
			}
			f.temp = filepath.Join(temp, filepath.FromSlash(f.path[len(tr.dir)+1:]))
		}
		files = append(files, tr.files...)
	}
	created := make([]bool, len(files))
	dir := func(i int) string { return filepath.Dir(files[i].temp) }
	err := parallelIn(len(files), t.workers, dir, func(i int) error {
		tmp, err := t.fsys.Create(files[i].temp, outputPerm)
		if err != nil {
			return err
		}
		created[i] = true
		return fill(files[i], tmp)
	})
	for i, f := range files {
		if created[i] {
			t.undo = append(t.undo, func() error { return removeIfExists(t.fsys, f.temp) })
		}
	}
	return err
}

// outputPerm is the mode of every output, whatever the umask.
const outputPerm fs.FileMode = 0o644

// fill writes f's contents to tmp, its staged file, and closes it.
func fill(f *plannedFile, tmp tempFile) error {
	if err := writeClose(tmp, f.data, outputPerm); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// mkdirTemp makes a new directory in dir, with mode 0755 and a name of
// the form tempPattern.
func (t *txn) mkdirTemp(dir string) (string, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, randomName(tempPattern))
		err := t.fsys.Mkdir(name, 0o755)
		if err == nil {
			t.undo = append(t.undo, func() error { return t.fsys.Remove(name) })
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 10000 {
			return "", err
		}
	}
}

// removeEmptyDirs removes the directories above pruned files that the
// prune left empty, innermost first, except protected ones.
func (t *txn) removeEmptyDirs(protected map[string]bool) {
	seen := make(map[string]bool)
	var dirs []string
	for _, pr := range t.prunes {
		for _, d := range ancestors(pr.entry.Path) {
			if !protected[d] && !seen[d] {
				seen[d] = true
				dirs = append(dirs, d)
			}
		}
	}
	sort.Slice(dirs, func(i, j int) bool {
		di, dj := strings.Count(dirs[i], "/"), strings.Count(dirs[j], "/")
		if di != dj {
			return di > dj
		}
		return dirs[i] < dirs[j]
	})
	for _, d := range dirs {
		name := t.abs(d)
		// Remove fails on a directory that is not empty, which is then
		// kept; so is one that cannot be removed for another reason, which
		// leaves nothing worse than an empty directory.
		if t.fsys.Remove(name) != nil {
			continue
		}
		perm := fs.FileMode(0o755)
		if info, err := t.lstat(d); err == nil {
			perm = info.Mode().Perm()
		}
		t.undo = append(t.undo, func() error { return t.fsys.Mkdir(name, perm) })
	}
}

// rollback undoes the steps taken, last first. When every step is undone
// it also removes the backups.
func (t *txn) rollback() error {
	var errs []error
	for i := len(t.undo) - 1; i >= 0; i-- {
		if err := t.undo[i](); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	t.cleanup()
	return nil
}

// cleanup removes the staging directory. It cannot fail in a way that
// matters: anything left is under .release-gen/ and named *.tmp, which
// the .gitignore there excludes.
func (t *txn) cleanup() {
	if t.staging == "" {
		return
	}
	for _, name := range t.scratch {
		_ = removeIfExists(t.fsys, name)
	}
	_ = t.fsys.Remove(t.staging)
}

// writePiece is the most writeAndClose hands the kernel in one write(2).
// Given a larger write, recent Linux kernels may cache the file in large
// folios (ext4 on the 6.18 kernel measured here), and allocating those on
// fragmented memory means compacting it first: a 7.8 MB Jenkinsfile took
// 15-17 ms in one write and 2.5 ms in 64 KiB pieces on the same machine.
const writePiece = 64 << 10

// writeSynced writes data to f, syncs it, sets its permissions and closes
// it.
func writeSynced(f tempFile, data []byte, perm fs.FileMode) error {
	return writeAndClose(f, data, perm, true)
}

// writeClose writes data to f, sets its permissions and closes it without
// syncing: commit syncs every staged file at once before renaming any.
func writeClose(f tempFile, data []byte, perm fs.FileMode) error {
	return writeAndClose(f, data, perm, false)
}

func writeAndClose(f tempFile, data []byte, perm fs.FileMode, sync bool) error {
	var err error
	for len(data) > 0 && err == nil {
		n := min(len(data), writePiece)
		_, err = f.Write(data[:n])
		data = data[n:]
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeIfExists removes name, succeeding if it is already gone.
func removeIfExists(fsys fileSystem, name string) error {
	if err := fsys.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
