"""hidden_example.py - how an instructor writes hidden tests.

Hidden tests are written exactly like tests/lab_tests.py: a LABS dict from
lab number to a list of tests (tools/harness.py: Unit, Boot, CpuCompare,
and the checks expect_line, expect_status, ...). Keep the real ones out of
the students' tree, and pass them to the grader:

    make grade LAB=3 EXTRA_TESTS=tests/hidden_example.py
    make grade-submission SUBMISSION=alice.tar.gz EXTRA_TESTS=my/hidden.py
    make gradescope LAB=3 EXTRA_TESTS=my/hidden.py

They are graded with the lab's own tests, marked [hidden] in the table, and
in results.json are visible to the student only once the grades are
published. A hidden test must pass on solutions/ and fail on the skeleton,
like every other: `make grade SOLUTION=1 LAB=N EXTRA_TESTS=...` checks the
first half. (grade.py puts tools/ on the path, so harness imports as here.)
"""
from harness import Boot, expect_line, expect_status

RUN_OK = expect_line(r"^run: \d+ commands, 0 failed$")

LABS = {
    # Another machine shape than the visible tests: 24 CPUs in 3 nodes.
    1: [Boot("hidden: 24 CPUs, 3 nodes: every AP idle", "status", points=10, smp=24, nodes=3,
             checks=[expect_status(lambda i, t: "linux" if i == 0 else ("linux", "idle")),
                     RUN_OK])],
    # Waking the same CPUs over and over, on a machine with 3 nodes.
    3: [Boot("hidden: 12 CPUs, 3 nodes, 300 rounds", "wake all 300", points=10, smp=12,
             nodes=3, timeout=120,
             checks=[expect_line(r"^wake: \d+ CPUs x 300 rounds: \d+ wake-ups, 0 lost, "
                                 r"0 doubled, 0 refused$"), RUN_OK])],
}
