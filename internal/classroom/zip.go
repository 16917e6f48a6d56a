package classroom

import (
	"archive/zip"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/dslearn/dslearn/internal/course"
)

// ZipOptions describe a Gradescope autograder zip.
type ZipOptions struct {
	// Binary is the dslearn executable for linux/amd64 the zip carries.
	Binary string
	// Course, when set, is a course on disk that the zip carries (under
	// course/) and grades with, instead of the binary's built-in course.
	Course *course.Course
	// Lessons are the slugs graded; Points the points mode; Visibility the
	// Gradescope visibility of every test; Race turns the race detector on.
	Lessons    []string
	Points     string
	Visibility string
	Race       bool
	// Sandbox is run-gradescope's --sandbox mode: auto, require or off.
	Sandbox string
	// GoVersion is the Go release setup.sh installs, such as "go1.24.6".
	GoVersion string
	// GoArchive, when set, is a go<version>.linux-amd64.tar.gz the zip
	// carries, so that setup.sh downloads nothing from go.dev.
	GoArchive string
}

// Names of the files in the zip.
const (
	ZipSetup         = "setup.sh"
	ZipRun           = "run_autograder"
	ZipBinary        = "dslearn"
	ZipGoArchive     = "go.linux-amd64.tar.gz"
	ZipCourseDir     = "course"
	EnvAutograder    = "DSLEARN_AUTOGRADER_ROOT"
	EnvAutograderBin = "DSLEARN_AUTOGRADER_BIN"
)

var setupTmpl = template.Must(template.New("setup").Parse(`#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image
# from this zip (unpacked in /autograder/source). Written by dslearn {{.Version}}.
set -euo pipefail
cd "$(dirname "$0")"
export HOME="${HOME:-/root}"   # the go command keeps its build cache there

GO_VERSION={{.GoVersion}}   # the Go release the instructor graded with

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# gcc and libc6-dev: the race detector needs cgo and a C compiler.
apt-get install -y -q --no-install-recommends ca-certificates curl tar gcc libc6-dev
# bubblewrap: dslearn runs learner code in a sandbox where bwrap exists, and
# warns when it grades without one.
apt-get install -y -q --no-install-recommends bubblewrap ||
  echo "setup.sh: WARNING: bubblewrap could not be installed: learner code will run unsandboxed" >&2

# Go comes from the archive this zip carries, or from go.dev: the
# distribution's golang-go is older than the course needs on some images.
if [ -f {{.Archive}} ]; then
  archive={{.Archive}}
else
  archive=/tmp/$GO_VERSION.linux-amd64.tar.gz
  curl -fsSL --retry 3 -o "$archive" "https://go.dev/dl/$GO_VERSION.linux-amd64.tar.gz"
fi
rm -rf /usr/local/go
tar -C /usr/local -xzf "$archive"
ln -sf /usr/local/go/bin/go /usr/local/bin/go
ln -sf /usr/local/go/bin/gofmt /usr/local/bin/gofmt

install -m 0755 {{.Binary}} /usr/local/bin/dslearn

go version
dslearn version
# Compile the standard library for graded builds once, here, rather than
# in every submission's time limit.
go build -trimpath {{if .Race}}-race {{end}}std || true
`))

var runTmpl = template.Must(template.New("run").Parse(`#!/usr/bin/env bash
# Gradescope runs this for every submission. dslearn finds the student's
# files in $ROOT/submission, grades them, and writes
# $ROOT/results/results.json. Written by dslearn {{.Version}}.
set -uo pipefail
export HOME="${HOME:-/root}"   # where setup.sh left the go build cache
ROOT="${{"{"}}{{.EnvRoot}}:-/autograder}"
DSLEARN="${{"{"}}{{.EnvBin}}:-/usr/local/bin/dslearn}"
export PATH="/usr/local/go/bin:$PATH"
exec "$DSLEARN" classroom run-gradescope --root "$ROOT" \
  --lessons {{.Lessons}} --points {{.Points}} --visibility {{.Visibility}} --race={{.Race}} --sandbox {{.Sandbox}}{{if .Course}} \
  --course "$ROOT/source/{{.Course}}"{{end}}
`))

// WriteGradescopeZip writes the autograder zip: setup.sh and run_autograder
// at its root, the dslearn binary, and the Go archive and course when given.
// version is dslearn's version, recorded in the scripts.
func WriteGradescopeZip(w io.Writer, o ZipOptions, version string) error {
	data := map[string]any{
		"Version": version, "GoVersion": o.GoVersion, "Archive": ZipGoArchive, "Binary": ZipBinary,
		"Race": o.Race, "EnvRoot": EnvAutograder, "EnvBin": EnvAutograderBin,
		"Lessons": strings.Join(o.Lessons, ","), "Points": o.Points, "Visibility": o.Visibility, "Course": "",
		"Sandbox": cmp.Or(o.Sandbox, "auto"),
	}
	if o.Course != nil {
		data["Course"] = ZipCourseDir
	}
	zw := zip.NewWriter(w)
	script := func(name string, t *template.Template) error {
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			return err
		}
		return addFile(zw, name, 0o755, strings.NewReader(b.String()))
	}
	if err := script(ZipSetup, setupTmpl); err != nil {
		return err
	}
	if err := script(ZipRun, runTmpl); err != nil {
		return err
	}
	if err := addPath(zw, ZipBinary, 0o755, o.Binary); err != nil {
		return err
	}
	if o.GoArchive != "" {
		if err := addPath(zw, ZipGoArchive, 0o644, o.GoArchive); err != nil {
			return err
		}
	}
	if o.Course != nil {
		files, err := CourseFiles(o.Course)
		if err != nil {
			return err
		}
		for _, f := range files {
			src, err := o.Course.FS.Open(f)
			if err != nil {
				return err
			}
			err = addFile(zw, ZipCourseDir+"/"+f, 0o644, src)
			src.Close()
			if err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

// CourseFiles lists what grading needs of a course: the manifest, the
// stubs, the hidden suites, and the workspace and grading files.
func CourseFiles(c *course.Course) ([]string, error) {
	dirs := []string{"content/suites", "exercises"}
	dirs = append(dirs, c.WorkspaceFiles...)
	dirs = append(dirs, c.GradingFiles...)
	seen := map[string]bool{course.ManifestPath: true}
	for _, d := range dirs {
		err := fs.WalkDir(c.FS, d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.Type().IsRegular() && !strings.HasPrefix(path.Base(p), ".") {
				seen[p] = true
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("course file %s: %w", d, err)
		}
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

func addPath(zw *zip.Writer, name string, mode fs.FileMode, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return addFile(zw, name, mode, f)
}

func addFile(zw *zip.Writer, name string, mode fs.FileMode, r io.Reader) error {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(mode)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}
