package sqlite

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// With one P (the process may use one core), widen gives the scheduler a
// second one until the last holder gives it back, and then the runtime's own
// choice is back. The check runs in a child process pinned to one core by
// taskset, since this test's own process may use every core.
func TestWidenGivesASecondPWhileHeld(t *testing.T) {
	if os.Getenv("AGENTRY_WIDEN_CHILD") == "1" {
		widenChild(t)
		return
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Fatalf("taskset (util-linux) is needed to give the child one core: %v", err)
	}
	cmd := exec.Command(taskset, "-c", "0", os.Args[0], "-test.run=^TestWidenGivesASecondPWhileHeld$", "-test.v")
	cmd.Env = append(os.Environ(), "AGENTRY_WIDEN_CHILD=1")
	cmd.Env = append(cmd.Env, "GOMAXPROCS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func widenChild(t *testing.T) {
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("pinned to one core, GOMAXPROCS is %d, want 1", n)
	}
	first := widen()
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Fatalf("while held, GOMAXPROCS is %d, want 2", n)
	}
	second := widen()
	first()
	first() // a second call changes nothing
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Fatalf("while another holder remains, GOMAXPROCS is %d, want 2", n)
	}
	second()
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("after the last release, GOMAXPROCS is %d, want the runtime's 1", n)
	}
}

// An operator's GOMAXPROCS is kept as it is.
func TestWidenKeepsTheOperatorsChoice(t *testing.T) {
	if os.Getenv("AGENTRY_WIDEN_CHILD") == "2" {
		if n := runtime.GOMAXPROCS(0); n != 1 {
			t.Fatalf("GOMAXPROCS=1 gives %d Ps", n)
		}
		release := widen()
		defer release()
		if n := runtime.GOMAXPROCS(0); n != 1 {
			t.Fatalf("with GOMAXPROCS=1 set, widen made %d Ps", n)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWidenKeepsTheOperatorsChoice$", "-test.v")
	cmd.Env = append(os.Environ(), "AGENTRY_WIDEN_CHILD=2", "GOMAXPROCS=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
