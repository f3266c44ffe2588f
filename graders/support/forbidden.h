// The forbidden-primitive check: a kata that teaches how to build a primitive must not wrap
// the standard one. The grader scans the learner's files for the patterns its kata forbids,
// in code only: comments, string literals and character literals are blanked out first.
#pragma once

#include <string>
#include <vector>

namespace kata::grading {

struct ForbiddenUse {
  std::string what;  // "std::recursive_mutex"
  std::string file;  // "exercises/sync/reentrant_lock.h"
  int line = 0;      // 1-based
};

// `source` with every comment, string literal and character literal replaced by spaces (line
// breaks kept, so line numbers stay right).
std::string blank_comments_and_literals(const std::string& source);

struct ForbiddenPattern {
  std::string regex;  // ECMAScript, searched in each line of code
  std::string what;
};

// Every use of a pattern in `files` (paths readable from the working directory).
std::vector<ForbiddenUse> find_forbidden(const std::vector<std::string>& files,
                                         const std::vector<ForbiddenPattern>& patterns);

namespace internal {
// Reads the kata's facts file (written by tools/kata.bzl) and, if the kata forbids anything,
// registers the test Forbidden.NoForbiddenPrimitive; when the learner's files do use a
// forbidden primitive, that test is the only one run. Called by main() before the tests run.
void register_forbidden_check(const std::string& facts_path);
}  // namespace internal

}  // namespace kata::grading
