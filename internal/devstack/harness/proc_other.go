//go:build !linux

package harness

import "syscall"

// ChildAttr puts a child in its own process group (there is no parent-death signal outside Linux).
func ChildAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
