package harness

import "syscall"

// ChildAttr puts a child in its own process group and has the kernel kill it when this process dies.
func ChildAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
