// Stacks of all threads of this process, for the watchdog's diagnosis of a hang.
//
// Under ThreadSanitizer a signal reaches a thread only when it enters an intercepted call,
// never while it is blocked in a mutex or futex wait, so threads cannot dump their own stacks.
// An external debugger can: this attaches gdb to the process, in batch mode, and prints the
// frames that fall in the implementation under test first, then the whole dump.
#pragma once

namespace kata::grading {

// Prints the stacks to standard output. Returns false (having printed why) when gdb is not
// available or could not attach.
bool print_all_stacks(double timeout_seconds);

// Allows a debugger started by this process to attach (Yama's ptrace_scope=1).
void allow_debugger_attach();

}  // namespace kata::grading
