// Stacks of all threads of this process, for the watchdog's diagnosis of a hang.
//
// Under ThreadSanitizer a signal reaches a thread only when it enters an intercepted call,
// never while it is blocked in a mutex or futex wait, so threads cannot dump their own stacks.
// An external debugger can: this attaches gdb to the process, in batch mode, and prints the
// frames that fall in the implementation under test first, then the whole dump.
#pragma once

#include <string>

namespace kata::grading {

// Prints the stacks to standard output. Returns false (having printed why) when gdb is not
// available or could not attach.
bool print_all_stacks(double timeout_seconds);

// The repository path of a file named in the debug information: without Bazel's execution
// root (/proc/self/cwd/) and output tree (bazel-out/<cfg>/bin/, where patched mutants are), and
// with a header reached through its library's include prefix
// (<package>/_virtual_includes/<library>/<track>/<file>) led back to its directory: `impl_dir`
// for a header of the implementation's own package, else the package's.
std::string repository_path(std::string path, const std::string& impl_dir);

// Allows a debugger started by this process to attach (Yama's ptrace_scope=1).
void allow_debugger_attach();

}  // namespace kata::grading
