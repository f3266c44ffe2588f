#include "forbidden.h"

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "verdict.h"

namespace kata::grading {

std::string blank_comments_and_literals(const std::string& source) {
  std::string out = source;
  const std::size_t n = source.size();
  auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to && i < n; ++i) {
      if (out[i] != '\n') out[i] = ' ';
    }
  };
  std::size_t i = 0;
  while (i < n) {
    char c = source[i];
    char next = i + 1 < n ? source[i + 1] : '\0';
    if (c == '/' && next == '/') {  // line comment (a backslash-newline continues it)
      std::size_t end = i;
      while (end < n && !(source[end] == '\n' && source[end - 1] != '\\')) ++end;
      blank(i, end);
      i = end;
    } else if (c == '/' && next == '*') {
      std::size_t end = source.find("*/", i + 2);
      end = end == std::string::npos ? n : end + 2;
      blank(i, end);
      i = end;
    } else if (c == 'R' && next == '"' &&
               (i == 0 || !(std::isalnum(static_cast<unsigned char>(source[i - 1])) ||
                            source[i - 1] == '_'))) {  // raw string R"delim( ... )delim"
      std::size_t open = source.find('(', i + 2);
      if (open == std::string::npos) break;
      std::string close = ")" + source.substr(i + 2, open - i - 2) + "\"";
      std::size_t end = source.find(close, open);
      end = end == std::string::npos ? n : end + close.size();
      blank(i, end);
      i = end;
    } else if (c == '"' || (c == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(
                                                         source[i - 1])) &&
                                           std::isalnum(static_cast<unsigned char>(next))))) {
      // A string or character literal (a ' between two digits is a digit separator).
      std::size_t end = i + 1;
      while (end < n && source[end] != c && source[end] != '\n') {
        end += source[end] == '\\' ? 2 : 1;
      }
      blank(i, end + 1);
      i = end + 1;
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<ForbiddenUse> find_forbidden(const std::vector<std::string>& files,
                                         const std::vector<ForbiddenPattern>& patterns) {
  std::vector<std::pair<std::regex, std::string>> compiled;
  for (const auto& p : patterns) compiled.emplace_back(std::regex(p.regex), p.what);
  std::vector<ForbiddenUse> uses;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::istringstream code(blank_comments_and_literals(buffer.str()));
    std::string line;
    for (int number = 1; std::getline(code, line); ++number) {
      for (const auto& [regex, what] : compiled) {
        if (std::regex_search(line, regex)) uses.push_back({what, file, number});
      }
    }
  }
  return uses;
}

namespace internal {
namespace {

class ForbiddenCheck : public testing::Test {
 public:
  ForbiddenCheck(std::vector<std::string> files, std::vector<ForbiddenPattern> patterns)
      : files_(std::move(files)), patterns_(std::move(patterns)) {}

  void TestBody() override {
    for (const auto& file : files_) {
      ASSERT_TRUE(std::ifstream(file).good()) << "cannot read the learner's file " << file;
    }
    std::vector<ForbiddenUse> uses = find_forbidden(files_, patterns_);
    if (uses.empty()) return;
    report_verdict(Verdict::kForbidden,
                   uses[0].what + " at " + uses[0].file + ":" + std::to_string(uses[0].line) +
                       " (this kata builds that primitive; the standard one may not be used)");
    for (const auto& use : uses) {
      ADD_FAILURE() << use.file << ":" << use.line << ": uses " << use.what
                    << ", which this kata forbids: the point is to build it yourself";
    }
  }

 private:
  std::vector<std::string> files_;
  std::vector<ForbiddenPattern> patterns_;
};

}  // namespace

void register_forbidden_check(const std::string& facts_path) {
  // Facts: one fact per line, fields separated by tabs:
  //   file<TAB>exercises/sync/semaphore.cc
  //   forbidden<TAB>std::counting_semaphore<TAB>\bstd::counting_semaphore\b
  std::ifstream in(facts_path);
  std::vector<std::string> files;
  std::vector<ForbiddenPattern> patterns;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::size_t begin = 0, tab;
    while ((tab = line.find('\t', begin)) != std::string::npos) {
      fields.push_back(line.substr(begin, tab - begin));
      begin = tab + 1;
    }
    fields.push_back(line.substr(begin));
    if (fields[0] == "file" && fields.size() == 2) files.push_back(fields[1]);
    if (fields[0] == "forbidden" && fields.size() == 3) patterns.push_back({fields[2], fields[1]});
  }
  if (patterns.empty()) return;
  // A kata whose rule is broken is graded on that alone: other tests could hang or pass
  // for reasons that do not matter (std::call_once, for one, hangs under ThreadSanitizer
  // once its callable has thrown).
  if (!find_forbidden(files, patterns).empty()) GTEST_FLAG_SET(filter, "Forbidden.*");
  testing::RegisterTest("Forbidden", "NoForbiddenPrimitive", nullptr, nullptr, __FILE__, __LINE__,
                        [files, patterns]() -> testing::Test* {
                          return new ForbiddenCheck(files, patterns);
                        });
}

}  // namespace internal
}  // namespace kata::grading
