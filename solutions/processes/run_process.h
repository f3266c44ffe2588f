// run_process: run a program, feed it input, collect its output, with a timeout.
//
// Python's `subprocess.run(argv, input=data, capture_output=True, timeout=t)` starts a program,
// writes `input` to its standard input, reads its standard output and standard error until the
// program closes them, waits for it, and kills it if it runs past the timeout. This is the
// same function, on POSIX calls: pipes, posix_spawn (or fork and exec), poll and waitpid.
//
// Three things make it harder than it looks. (1) The pipe deadlock: a pipe holds 64 KiB; a
// child that writes megabytes to stdout and stderr while the parent is still writing megabytes
// of input blocks, and so does the parent, unless the parent services all three pipes at once
// (poll). (2) Descriptors: every pipe end the parent keeps must be close-on-exec, or the child
// inherits it (and a child holding the write end of its own stdin never sees end of file); and
// every descriptor is closed before returning. (3) Children: every child is waited for
// (waitpid), also the one killed at the timeout, or it stays a zombie.
//
// Memory ordering: there is no shared memory; the child's output is complete when both of its
// pipes reached end of file, and its exit status is known after waitpid returns it.
//
// Read run_process.md first. Edit this file and run_process.cc; `./kata check
// processes/run_process` grades.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kata::processes {

struct ProcessResult {
  int exit_code = -1;       // the exit status if the program exited, otherwise -1
  int term_signal = 0;      // the signal that killed it (SIGKILL after a timeout), otherwise 0
  std::string out, err;     // everything it wrote to stdout and to stderr
  bool timed_out = false;   // true if it was still running at the timeout and was killed
};

// Runs argv[0] (looked up in PATH when it has no '/') with arguments argv[1..], writes `input`
// to its standard input and then closes it, and collects its standard output and standard error
// until it exits. If it is still running `timeout` after the start, it is killed with SIGKILL
// and waited for, and the result says timed_out (with the output read so far).
//
// - A program that cannot be started (missing, not executable) throws std::system_error with
//   the errno of the failure, and leaves no child and no descriptor behind.
// - An empty argv throws std::invalid_argument.
// - A program that exits without reading all of its input is not an error (and must not kill
//   the caller with SIGPIPE).
// - The child gets exactly three descriptors from us: its stdin, stdout and stderr pipes.
// - On return, the child has been waited for and every descriptor run_process opened is
//   closed. Safe to call from several threads at once.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds timeout);

}  // namespace kata::processes
