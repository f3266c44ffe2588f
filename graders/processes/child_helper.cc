// A program for the processes graders to run as a child: it writes megabytes to stdout and
// stderr, reads stdin, sleeps, lists its descriptors, exits or dies as asked.
//
//   child_helper print OUT ERR CODE   writes OUT to stdout and ERR to stderr, exits with CODE
//   child_helper echo                 copies stdin to stdout until end of file
//   child_helper flood BYTES          writes BYTES to stdout and BYTES to stderr (interleaved,
//                                     4 KiB at a time) before reading stdin, then reads all of
//                                     stdin and prints "stdin <length> <checksum>\n"
//   child_helper sleep MS             prints "started\n", then sleeps MS milliseconds ignoring
//                                     SIGTERM (only SIGKILL stops it early)
//   child_helper fds                  prints the descriptors it has open besides 0, 1 and 2
//   child_helper signal N             kills itself with signal N
//   child_helper ignore_input CODE    exits with CODE at once without reading stdin
//
// Whatever it does, it exits when its parent dies (it never outlives the grader).
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

pid_t original_parent;

void write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(120);  // the reader went away
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
}

// The byte at `offset` of the flood on stream `stream` (1 or 2): the grader computes the same.
char flood_byte(int stream, size_t offset) {
  return static_cast<char>('a' + (offset * 7 + offset / 4096 + stream * 3) % 26);
}

int flood(size_t bytes) {
  const size_t chunk = 4096;
  char buffer[4096];
  for (size_t done = 0; done < bytes; done += chunk) {
    size_t n = bytes - done < chunk ? bytes - done : chunk;
    for (int stream = 1; stream <= 2; ++stream) {
      for (size_t i = 0; i < n; ++i) buffer[i] = flood_byte(stream, done + i);
      write_all(stream, buffer, n);
    }
  }
  unsigned long long length = 0, sum = 0;
  while (true) {
    ssize_t r = read(0, buffer, sizeof buffer);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; ++i) {
      sum = sum * 131 + static_cast<unsigned char>(buffer[i]);
    }
    length += static_cast<unsigned long long>(r);
  }
  char line[128];
  int n = std::snprintf(line, sizeof line, "stdin %llu %llu\n", length, sum);
  write_all(1, line, static_cast<size_t>(n));
  return 0;
}

int echo() {
  char buffer[65536];
  while (true) {
    ssize_t r = read(0, buffer, sizeof buffer);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    write_all(1, buffer, static_cast<size_t>(r));
  }
  return 0;
}

int sleep_ms(long ms) {
  signal(SIGTERM, SIG_IGN);
  write_all(1, "started\n", 8);
  for (long slept = 0; slept < ms; slept += 20) {
    if (getppid() != original_parent) return 121;  // the parent died: do not outlive it
    usleep(20 * 1000);
  }
  return 0;
}

int list_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 122;
  std::string out;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    char target[256] = {0};
    std::string link = std::string("/proc/self/fd/") + entry->d_name;
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n < 0) n = 0;
    target[n] = '\0';
    out += std::to_string(fd) + " -> " + target + "\n";
  }
  closedir(dir);
  write_all(1, out.data(), out.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  original_parent = getppid();
  signal(SIGPIPE, SIG_DFL);
  std::string mode = argc > 1 ? argv[1] : "";
  auto arg = [&](int i) { return std::string(argc > i ? argv[i] : ""); };
  if (mode == "print") {
    write_all(1, argv[2], std::strlen(argv[2]));
    write_all(2, argv[3], std::strlen(argv[3]));
    return std::atoi(argv[4]);
  }
  if (mode == "echo") return echo();
  if (mode == "flood") return flood(std::strtoull(arg(2).c_str(), nullptr, 10));
  if (mode == "sleep") return sleep_ms(std::atol(arg(2).c_str()));
  if (mode == "fds") return list_fds();
  if (mode == "signal") {
    int sig = std::atoi(arg(2).c_str());
    signal(sig, SIG_DFL);
    raise(sig);
    return 123;
  }
  if (mode == "ignore_input") return std::atoi(arg(2).c_str());
  std::fprintf(stderr, "child_helper: unknown mode '%s'\n", mode.c_str());
  return 2;
}
