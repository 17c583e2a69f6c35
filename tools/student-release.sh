#!/bin/sh
# student-release.sh - the tree students get: `make student-release`.
#
#   tools/student-release.sh <out.tar.gz> [solved labs, e.g. "0 4"]
#   (make student-release [SOLVED=0,4]: build/sidecar-os-student.tar.gz)
#
# Made from the committed tree (git archive HEAD: what is not committed is
# not released, and build/ never is), without the instructor's material
# below. Everything students use works in it: make qemu, make qemu-linux,
# make grade, make book, make grade-submission (students can check what
# their hand-in will be graded as). The targets that need solutions/ (make
# run, make test, make labs, make bench, SOLUTION=1) stop with "not in the
# student release". labs/ holds the skeletons as committed (make test
# checks they are up to date with solutions/), except the labs listed as
# solved: for a shorter course, those get the solutions' files with the
# BEGIN/END LAB marker lines taken out (book/10-instructors.md).
set -e

# Instructor-only: the answers, the broken answers, and the guide that
# discusses both.
INSTRUCTOR_ONLY="
solutions
tests/lab_mutants.py
tests/hidden_example.py
tools/mutants.py
book/10-instructors.md
"

out=${1:-build/sidecar-os-student.tar.gz}
solved=$(echo "${2:-}" | tr ',' ' ')
top=$(git rev-parse --show-toplevel 2>/dev/null) || {
	echo "student-release: not a git checkout: the release is made from the committed tree" >&2
	exit 1
}
cd "$top"
git diff --quiet HEAD -- 2>/dev/null ||
	echo "student-release: warning: uncommitted changes are not in the release (it is HEAD)" >&2

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
git archive --prefix=sidecar-os/ HEAD | tar -x -C "$stage"
for lab in $solved; do
	dir=$(cd "$stage/sidecar-os/solutions" && ls -d "$(printf '%02d' "$lab")"-* 2>/dev/null) || {
		echo "student-release: no lab $lab in solutions/" >&2
		exit 1
	}
	for f in "$stage/sidecar-os/solutions/$dir"/*.c "$stage/sidecar-os/solutions/$dir"/*.h \
		"$stage/sidecar-os/solutions/$dir"/*.asm; do
		[ -f "$f" ] || continue
		sed -E '/^[[:space:]]*(\/\/|;) ?(BEGIN|END) LAB [0-9]/d; /^[[:space:]]*(\/\/|;)>/d' "$f" \
			>"$stage/sidecar-os/labs/$dir/$(basename "$f")"
	done
	echo "student-release: lab $lab ($dir) is handed out solved"
done
for path in $INSTRUCTOR_ONLY; do
	rm -rf "$stage/sidecar-os/$path"
	# A chapter left out must leave the book's chapter list too (book/SUMMARY).
	case "$path" in book/*.md)
		[ -f "$stage/sidecar-os/book/SUMMARY" ] &&
			sed -i "/^[[:space:]]*${path#book/}[[:space:]]*\(#.*\)\?$/d" "$stage/sidecar-os/book/SUMMARY" ;;
	esac
done

# Nothing left may show a solution: a file with a BEGIN LAB region is one.
leak=$(grep -rlE '^[[:space:]]*(//|;) ?BEGIN LAB [0-9]' "$stage/sidecar-os" \
	--include='*.c' --include='*.h' --include='*.asm' --include='*.py' || true)
if [ -n "$leak" ]; then
	echo "student-release: these files hold solution regions:" >&2
	echo "$leak" | sed "s|$stage/sidecar-os/|  |" >&2
	exit 1
fi

mkdir -p "$(dirname "$out")"
case "$out" in /*) ;; *) out="$top/$out" ;; esac
tar -C "$stage" -czf "$out" sidecar-os
echo "student-release: $(git rev-parse --short HEAD) without solutions/ -> $out" \
	"($(du -k "$out" | cut -f1) KiB)"
