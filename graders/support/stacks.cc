#include "stacks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "test_state.h"

extern char** environ;

namespace kata::grading {
namespace {

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Runs gdb on this process and returns its output, or "" when it could not run.
std::string run_gdb(double timeout_seconds) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return "";
  std::string pid = std::to_string(getpid());
  std::vector<std::string> args = {"gdb", "-nx", "-batch", "-p", pid,
                                   "-ex", "set pagination off",
                                   "-ex", "set print frame-arguments none",
                                   "-ex", "thread apply all bt"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  pid_t child = -1;
  int rc = posix_spawnp(&child, "gdb", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return "";
  }
  std::string output;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int>(timeout_seconds * 1000));
  char buffer[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      kill(child, SIGKILL);
      output += "\n(gdb did not finish in time; its output is cut here)\n";
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return output;
}

// "#3  0x... in ns::Class::method (...) at /proc/self/cwd/exercises/sync/counter.cc:12" ->
// "ns::Class::method at exercises/sync/counter.cc:12", or "" for a frame outside `dir`.
// `impl` is the implementation's directory, to which its headers' paths lead.
std::string frame_in(const std::string& line, const std::string& dir, const std::string& impl) {
  std::size_t at = line.rfind(" at ");
  if (at == std::string::npos || line.compare(0, 1, "#") != 0) return "";
  std::string where = repository_path(line.substr(at + 4), impl);
  if (dir.empty() || where.compare(0, dir.size(), dir) != 0) return "";
  std::size_t in = line.find(" in ");
  std::size_t name_begin = in == std::string::npos ? line.find(' ') + 1 : in + 4;
  while (name_begin < line.size() && line[name_begin] == ' ') ++name_begin;
  std::size_t name_end = line.find(" (", name_begin);
  if (name_end == std::string::npos || name_end > at) name_end = at;
  return line.substr(name_begin, name_end - name_begin) + " at " + where;
}

}  // namespace

std::string repository_path(std::string path, const std::string& impl_dir) {
  constexpr auto npos = std::string::npos;
  const std::string cwd = "/proc/self/cwd/";
  if (path.compare(0, cwd.size(), cwd) == 0) path.erase(0, cwd.size());
  const std::string output_tree = "bazel-out/";  // bazel-out/<configuration>/bin/
  if (path.compare(0, output_tree.size(), output_tree) == 0) {
    std::size_t configuration_end = path.find('/', output_tree.size());
    if (configuration_end != npos && path.compare(configuration_end, 5, "/bin/") == 0) {
      path.erase(0, configuration_end + 5);
    }
  }
  // <package>/_virtual_includes/<library>/<track>/<file>
  const std::string virtual_includes = "/_virtual_includes/";
  std::size_t at = path.find(virtual_includes);
  if (at == npos) return path;
  std::size_t library_end = path.find('/', at + virtual_includes.size());
  std::size_t track_end = library_end == npos ? npos : path.find('/', library_end + 1);
  if (track_end == npos) return path;
  std::string package = path.substr(0, at) + "/";
  bool implementations = impl_dir.compare(0, package.size(), package) == 0;
  return (implementations ? impl_dir : package) + path.substr(track_end + 1);
}

void allow_debugger_attach() { prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); }

bool print_all_stacks(double timeout_seconds) {
  std::string dump = run_gdb(timeout_seconds);
  if (dump.find("Thread ") == std::string::npos) {
    print("(no thread stacks: gdb is " +
          std::string(dump.empty() ? "not installed" : "unable to attach") +
          "; install gdb to see where each thread is stuck)\n" + dump);
    return false;
  }
  // Summary: per thread, the frames in the implementation under test, then in the grader.
  std::string impl = internal::impl_dir.load(std::memory_order_acquire);
  std::string summary, thread, frames;
  auto flush_thread = [&] {
    if (!frames.empty()) summary += "  " + thread + "\n" + frames;
    frames.clear();
  };
  std::size_t begin = 0;
  while (begin < dump.size()) {
    std::size_t end = dump.find('\n', begin);
    if (end == std::string::npos) end = dump.size();
    std::string line = dump.substr(begin, end - begin);
    begin = end + 1;
    if (line.compare(0, 7, "Thread ") == 0) {
      flush_thread();
      thread = line.substr(0, line.find(" (Thread"));
      continue;
    }
    std::string frame = frame_in(line, impl, impl);
    if (frame.empty()) frame = frame_in(line, "graders/", impl);
    if (!frame.empty()) frames += "    " + frame + "\n";
  }
  flush_thread();
  print("Where the threads are (frames in " + impl + " and in the grader):\n" +
        (summary.empty() ? std::string("  (no frame in these files)\n") : summary) +
        "----- stacks of all threads (gdb) -----\n" + dump +
        "----- end of stacks -----\n");
  return true;
}

}  // namespace kata::grading
